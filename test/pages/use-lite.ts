/**
 * Browser-test page for the use-lite model through the engine: `test/browser/use-lite.spec.ts` calls
 * `window.useLite.embed(...)` with a backend and variant and compares the vectors with TF.js' (computed in Node).
 */
import { Embedder } from '../../src/index.js';

interface EmbedResult {
  /** The backend the workers ended on (the engine fails over from WebGPU to WASM). */
  readonly backend: string;
  readonly variant: string;
  readonly dimensions: number;
  readonly vectors: number[][];
}

/** Embeds `texts` with a fresh one-worker Embedder on `/models/use-lite`; vectors come back as plain arrays. */
async function embed(
  texts: string[],
  backend: 'wasm' | 'webgpu',
  variant?: 'fp32' | 'fp16' | 'int8',
): Promise<EmbedResult> {
  const embedder = await Embedder.create({
    model: '/models/use-lite',
    backend,
    workers: 1,
    cache: false,
    ...(variant === undefined ? {} : { variant }),
  });
  try {
    const vectors = await embedder.embedMany(texts);
    const stats = embedder.stats();
    return {
      backend: stats.backend,
      variant: embedder.variant,
      dimensions: embedder.dimensions,
      vectors: vectors.map((v) => Array.from(v)),
    };
  } finally {
    await embedder.close();
  }
}

async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  return gpu !== undefined && (await gpu.requestAdapter()) !== null;
}

const useLite = { embed, hasWebGpuAdapter };

declare global {
  interface Window {
    useLite: typeof useLite;
  }
}

window.useLite = useLite;
document.getElementById('status')!.textContent = 'ready';
