/**
 * Several workers for the GPU bench: `worker_threads` threads, each with its own Dawn device, ORT session and encoder,
 * standing in for the engine pool's Web Workers (batches in, vectors out, transferred). The thread runs the bundle's
 * own file: gpu-bench.ts calls {@link threadMain} when it is not the main thread.
 */
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { EP, VARIANT } from './config.js';
import { installWebGpu, load, loadOrt } from './runtime.js';
import type { EmbedTarget } from './measure.js';

interface ThreadRequest {
  readonly id: number;
  readonly texts: readonly string[];
}
type ThreadReply = { readonly id: number; readonly vectors: Float32Array; readonly dimensions: number } | { readonly id: number; readonly error: string };

/** A worker thread's life: its own Dawn device, ORT, session and encoder; batches in, vectors out (transferred). */
export async function threadMain(): Promise<void> {
  const { runCap } = workerData as { runCap: number | undefined };
  if (EP === 'webgpu') await installWebGpu();
  const loaded = await load(await loadOrt(), VARIANT);
  const encoder = loaded.encoder('graph', runCap);
  await encoder.embed(['warm up', 'a second text to warm the session up']);
  parentPort!.on('message', (request: ThreadRequest) => {
    encoder.embed(request.texts).then(
      (out) => parentPort!.postMessage({ id: request.id, vectors: out.vectors, dimensions: out.dimensions } satisfies ThreadReply, [out.vectors.buffer as ArrayBuffer]),
      (error: unknown) => parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies ThreadReply),
    );
  });
  parentPort!.postMessage('ready');
}

/** `count` worker threads running {@link threadMain} from `entry` (the bundle's own file). */
export async function startThreads(entry: URL, count: number, runCap: number | undefined): Promise<{ targets: EmbedTarget[]; stop(): Promise<void> }> {
  const workers = Array.from({ length: count }, () => new Worker(entry, { workerData: { role: 'thread', runCap } }));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('error', reject);
          w.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`Expected ready, got ${JSON.stringify(m)}`))));
        }),
    ),
  );
  let nextId = 0;
  const targets = workers.map((w): EmbedTarget => {
    const waiting = new Map<number, { resolve(r: { vectors: Float32Array; dimensions: number }): void; reject(e: Error): void }>();
    w.on('message', (reply: ThreadReply) => {
      const call = waiting.get(reply.id)!;
      waiting.delete(reply.id);
      if ('error' in reply) call.reject(new Error(reply.error));
      else call.resolve(reply);
    });
    w.on('error', (error: Error) => {
      for (const call of waiting.values()) call.reject(error);
      waiting.clear();
    });
    return {
      embed: (texts) =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          waiting.set(id, { resolve, reject });
          w.postMessage({ id, texts } satisfies ThreadRequest);
        }),
    };
  });
  return { targets, stop: async () => void (await Promise.all(workers.map((w) => w.terminate()))) };
}
