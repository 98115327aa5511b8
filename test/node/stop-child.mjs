// Child process of engine.test.ts ("stopping a thread inside onnxruntime-node"): kills an embedder's only worker
// thread, then closes the embedder at points spread across its replacement's load (addon import, session build)
// and across a batch's run. Prints `done` and exits 0 unless a stop aborts the process.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, model, cycles] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const { Embedder } = await import(pathToFileURL(resolve(dist, 'node.js')).href);
const hooks = await import(pathToFileURL(resolve(dist, 'node/test-hooks.js')).href);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sessionAt = 0;
let loadMs = 0;
const onProgress = (p) => {
  if (p.stage === 'session') sessionAt = performance.now();
  if (p.stage === 'warmup') loadMs = Math.max(loadMs, performance.now() - sessionAt);
};
const options = { model, backend: 'native', workers: 1, cache: false, onProgress };
const texts = Array.from({ length: 48 }, (_, i) => `${i} ${'coffee on a window seat every morning '.repeat(12)}`);
for (let i = 0; i < cycles; i++) {
  const embedder = await Embedder.create(options);
  const fraction = (i + 0.5) / cycles;
  if (i % 2 === 0) {
    // During the replacement's load: the thread is in the addon's import or its session build.
    const before = sessionAt;
    await hooks.killThread(embedder, 0);
    while (sessionAt === before) await sleep(1);
    await sleep(fraction * loadMs);
  } else {
    // During a run: the batch is in flight when close() stops the thread.
    const pending = embedder.embedMany(texts).catch(() => undefined);
    await sleep(5 + fraction * 60);
    void pending;
  }
  await embedder.close();
}
await hooks.threadsStopped();
console.log(`done ${cycles} cycles, load ${Math.round(loadMs)} ms`);
