/**
 * EntityDB (`@babycommando/entity-db` 1.0.11): IndexedDB + transformers.js v2 (`@xenova/transformers`, ORT-web 1.14).
 * Its embedder is created at module import with the hard-coded id `Xenova/all-MiniLM-L6-v2` under the
 * `env.localModelPath` it sets itself ('/huggingface'; it ignores the constructor's `model`). So before importing it
 * we turn remote models off, and the runner serves our minilm-l6 files under `/huggingface/Xenova/all-MiniLM-L6-v2/`
 * (int8 `onnx/model_quantized.onnx`, v2's default). ORT 1.14's wasm comes from this build (`?url` imports), not a
 * CDN. v2 has no WebGPU backend: the runner records an error row for webgpu.
 */
import { env } from '@xenova/transformers';
import simd from '../../../node_modules/@xenova/transformers/dist/ort-wasm-simd.wasm?url';
import simdThreaded from '../../../node_modules/@xenova/transformers/dist/ort-wasm-simd-threaded.wasm?url';
import plain from '../../../node_modules/@xenova/transformers/dist/ort-wasm.wasm?url';
import threaded from '../../../node_modules/@xenova/transformers/dist/ort-wasm-threaded.wasm?url';
import type { BenchSystem } from './system.js';

interface EntityDbInstance {
  insert(data: { text: string; [k: string]: unknown }): Promise<unknown>;
  insertManualVectors(data: Record<string, unknown>): Promise<unknown>;
  query(text: string, opts: { limit: number }): Promise<unknown[]>;
  queryManualVectors(vector: number[] | Float32Array, opts: { limit: number }): Promise<unknown[]>;
}

export async function createEntityDb(backend: 'wasm' | 'webgpu'): Promise<BenchSystem> {
  if (backend !== 'wasm')
    throw new Error('EntityDB embeds with transformers.js v2 (onnxruntime-web 1.14), which has no WebGPU backend');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  const abs = (u: string): string => new URL(u, location.href).href;
  const wasm = (env.backends as { onnx: { wasm: { wasmPaths: unknown } } }).onnx.wasm;
  wasm.wasmPaths = {
    'ort-wasm-simd.wasm': abs(simd),
    'ort-wasm-simd-threaded.wasm': abs(simdThreaded),
    'ort-wasm.wasm': abs(plain),
    'ort-wasm-threaded.wasm': abs(threaded),
  };
  const { EntityDB } = (await import('@babycommando/entity-db')) as unknown as {
    EntityDB: new (o: { vectorPath: string }) => EntityDbInstance;
  };
  const db = new EntityDB({ vectorPath: 'vector' });
  return {
    resolved: { backend, variant: 'q8 (model_quantized.onnx)', coalescing: false },
    async add(text) {
      await db.insert({ text, userId: 'bench' });
    },
    async addMany(texts) {
      for (const text of texts) await db.insert({ text, userId: 'bench' }); // EntityDB has no batch insert
    },
    async seed(texts, vectors) {
      // insertManualVectors: one transaction per row, EntityDB's only path that takes ready vectors.
      const t0 = performance.now();
      await Promise.all(
        texts.map((text, i) => db.insertManualVectors({ text, vector: Array.from(vectors(i)), userId: 'bench' })),
      );
      return { how: 'insertManualVectors of seeded unit vectors (no inference)', writeMs: performance.now() - t0 };
    },
    async search(query, limit) {
      return (await db.query(query, { limit })).length;
    },
    async scan(_query, vector, limit) {
      return (await db.queryManualVectors(Array.from(vector!), { limit })).length;
    },
    async close() {
      /* EntityDB has no close(); the runner closes the page */
    },
  };
}
