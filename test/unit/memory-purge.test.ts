import { describe, expect, it } from 'vitest';
import { LibsqlError } from '@libsql/client';
import { NotFoundError, StorageError } from '../../src/errors.js';
import { isStorageFull } from '../../src/memory/purge.js';

describe('isStorageFull (a delete retries without history rows only then)', () => {
  it("is true for the platforms' full-disk errors wrapped as StorageError", () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    expect(isStorageFull(new StorageError('IndexedDB could not delete a memory', { cause: quota }))).toBe(true);
    const full = new LibsqlError('SQLITE_FULL: database or disk is full', 'SQLITE_FULL');
    expect(isStorageFull(new StorageError('libSQL could not delete a memory', { cause: full }))).toBe(true);
  });

  it('is false for every other failure: those fail the delete as before', () => {
    const aborted = new DOMException('aborted', 'AbortError');
    expect(isStorageFull(new StorageError('IndexedDB could not delete a memory', { cause: aborted }))).toBe(false);
    const busy = new LibsqlError('SQLITE_BUSY: database is locked', 'SQLITE_BUSY');
    expect(isStorageFull(new StorageError('libSQL could not delete a memory', { cause: busy }))).toBe(false);
    expect(isStorageFull(new StorageError('no cause'))).toBe(false);
    expect(isStorageFull(new NotFoundError('gone'))).toBe(false);
    // Only our StorageError: a platform error that was not wrapped is not ours to retry.
    expect(isStorageFull(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))).toBe(false);
  });
});
