/**
 * A real embedder for Node tests until the Node engine lands: onnxruntime-node runs a model folder (the `lexical`
 * test model by default, int8 as the browser's WASM backend does) in this process, one batch at a time.
 */
import { resolve } from 'node:path';
import { embedNode } from '../../scripts/models/node-embed.js';
import type { TextEmbedder } from '../../src/memory/text-embedder.js';
import { Memory, type MemoryOptions } from '../../src/memory/memory.js';
import { nodeMemoryPlatform } from '../../src/memory/node-platform.js';
import { installMemoryPlatform } from '../../src/memory/platform.js';

export const lexicalDir = resolve(import.meta.dirname, '../../public/models/lexical');

export function lexicalEmbedder(dir: string = lexicalDir): TextEmbedder {
  let calls = 0;
  let tail: Promise<unknown> = Promise.resolve();
  const run = (texts: readonly string[]): Promise<Float32Array[]> => {
    calls++;
    const next = tail.then(() => embedNode(dir, texts, 'int8', { batchSize: 64, threads: 1 }));
    tail = next.catch(() => undefined);
    return next;
  };
  return {
    modelId: 'lexical',
    dimensions: 256,
    embed: async (text) => (await run([text]))[0]!,
    embedMany: (texts) => run(texts),
    stats: () => ({ calls }),
    close: async () => undefined,
  };
}

/** Memory as the Node entry opens it (the libSQL store), embedding with {@link lexicalEmbedder} unless told otherwise. */
export function openNodeMemory(options: MemoryOptions): Promise<Memory> {
  installMemoryPlatform(nodeMemoryPlatform);
  return Memory.create({ embedder: lexicalEmbedder(), ...options });
}
