/**
 * The shared Memory conformance suite (test/support/conformance.ts) against the libSQL store in Node, with the
 * real lexical ONNX model. The same cases run against IndexedDB in Chromium (memory-conformance.spec.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { releaseNodeSessions } from '../../scripts/models/node-embed.js';
import { LibsqlStore } from '../../src/store/libsql-store.js';
import { cases, type Harness } from '../support/conformance.js';
import { openNodeMemory, lexicalDir, lexicalEmbedder } from '../node/lexical-embedder.js';

const dir = mkdtempSync(join(tmpdir(), 'agentmem-conformance-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseNodeSessions();
});

function harness(path: string): Harness {
  return {
    open: (options = {}) => openNodeMemory({ path, model: lexicalDir, ...options }),
    store: () => LibsqlStore.open({ path, encoding: 'fp32' }),
    embedder: async () => lexicalEmbedder(),
  };
}

describe('Memory conformance: libSQL store', () => {
  cases.forEach((c, i) => {
    it(c.name, () => c.run(harness(join(dir, `case-${i}.db`))), 30_000);
  });
});
