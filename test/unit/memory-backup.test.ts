/**
 * Export and import (test/support/backup-cases.ts) against the libSQL store in Node, with the real lexical ONNX
 * model. The same cases run against IndexedDB in Chromium (test/browser/memory-backup.spec.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { releaseNodeSessions } from '../../scripts/models/node-embed.js';
import { Memory } from '../../src/memory/memory.js';
import { LibsqlStore } from '../../src/store/libsql-store.js';
import { backupCases, type BackupHarness } from '../support/backup-cases.js';
import { openNodeMemory, lexicalDir, lexicalEmbedder } from '../node/lexical-embedder.js';

const dir = mkdtempSync(join(tmpdir(), 'agentmem-backup-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseNodeSessions();
});

function harness(path: string): BackupHarness {
  const other = `${path}.other`;
  return {
    open: (options = {}) => openNodeMemory({ path, model: lexicalDir, ...options }),
    store: () => LibsqlStore.open({ path, encoding: 'fp32' }),
    embedder: async () => lexicalEmbedder(),
    other: (options = {}) => openNodeMemory({ path: other, model: lexicalDir, ...options }),
    Memory,
    otherOptions: () => ({ path: `${path}.static`, embedder: lexicalEmbedder() }),
  };
}

describe('Memory export and import: libSQL store', () => {
  backupCases.forEach((c, i) => {
    it(c.name, () => c.run(harness(join(dir, `case-${i}.db`))), 60_000);
  });
});
