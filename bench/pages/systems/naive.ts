/**
 * Naive transformers.js: what a web developer writes today. One `pipeline('feature-extraction')` on the main
 * thread, called once per add, and one IndexedDB put per add. Search: read every row, cosine, sort.
 * transformers.js 4 loads the model from our origin (`env.localModelPath`, remote models off) and ORT's wasm from
 * files this build emits (`?url` imports), never from a CDN.
 */
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import ortMjs from '../../../node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from '../../../node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.wasm?url';
import { getAll, openStore, put, putMany, type BenchSystem } from './system.js';

interface Row {
  id?: number;
  text: string;
  vector: Float32Array;
  userId: string;
}

export async function createNaive(model: string, backend: 'wasm' | 'webgpu', dbName: string): Promise<BenchSystem> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  const slash = model.lastIndexOf('/');
  env.localModelPath = model.slice(0, slash + 1); // '/models/'
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown } };
  if (onnx.wasm)
    onnx.wasm.wasmPaths = { mjs: new URL(ortMjs, location.href).href, wasm: new URL(ortWasm, location.href).href };
  // int8 on WASM like every other row; on WebGPU the same fp32 weights the engine uses without shader-f16.
  const dtype = backend === 'wasm' ? 'q8' : 'fp32';
  const extractor: FeatureExtractionPipeline = await pipeline('feature-extraction', model.slice(slash + 1), {
    dtype,
    device: backend,
  });
  const db = await openStore(dbName, 'memories');
  const embed = async (text: string): Promise<Float32Array> => {
    const out = await extractor(text, { pooling: 'mean', normalize: true });
    return out.data as Float32Array;
  };
  const add = async (text: string): Promise<void> => {
    const vector = await embed(text);
    await put(db, 'memories', { text, vector, userId: 'bench' });
  };
  return {
    resolved: { backend, variant: dtype, coalescing: false },
    add,
    async addMany(texts) {
      for (const text of texts) await add(text); // the obvious loop
    },
    async seed(texts, vectors) {
      const t0 = performance.now();
      for (let i = 0; i < texts.length; i += 5000) {
        await putMany(
          db,
          'memories',
          texts.slice(i, i + 5000).map((text, j) => ({ text, vector: vectors(i + j), userId: 'bench' })),
        );
      }
      return { how: 'IndexedDB puts of seeded unit vectors (no inference)', writeMs: performance.now() - t0 };
    },
    async search(query, limit) {
      const q = await embed(query);
      return scanRows(await getAll<Row>(db, 'memories'), q, limit);
    },
    async scan(_query, vector, limit) {
      // Even "scan alone" has to read the rows: the naive store keeps nothing in memory.
      return scanRows(await getAll<Row>(db, 'memories'), vector!, limit);
    },
    async close() {
      db.close();
      await extractor.dispose();
    },
  };
}

function scanRows(rows: Row[], q: Float32Array, limit: number): number {
  const scored = rows.map((r) => {
    let s = 0;
    for (let d = 0; d < q.length; d++) s += q[d]! * r.vector[d]!;
    return { r, s };
  });
  scored.sort((a, b) => b.s - a.s);
  return scored.slice(0, limit).length;
}
