/**
 * Several workers for the GPU bench: `worker_threads` threads, each with its own Dawn device, ORT session and encoder,
 * standing in for the engine pool's Web Workers (batches in, vectors out, transferred). The thread runs the bundle's
 * own file: gpu-bench.ts calls {@link threadMain} when it is not the main thread.
 */
import { Worker, parentPort } from 'node:worker_threads';
import type { ShapeSteps } from '../../src/worker/protocol.js';
import { EP, VARIANT } from './config.js';
import { installWebGpu, load, loadOrt } from './runtime.js';
import type { EmbedTarget, EmbedTargetOutput } from './measure.js';

/** How a thread's encoder groups a batch into runs (undefined: the engine's setting). */
export interface RunSettings {
  readonly runCap: number | undefined;
  readonly overhead: number | undefined;
  readonly steps: ShapeSteps | null | undefined;
  /** maxAttentionPerRun; null: no bound. */
  readonly attention: number | null | undefined;
}

interface ThreadRequest extends RunSettings {
  readonly id: number;
  readonly texts: readonly string[];
}
type ThreadReply = ({ readonly id: number } & EmbedTargetOutput) | { readonly id: number; readonly error: string };

/**
 * A worker thread's life: its own Dawn device, ORT and session; batches in, vectors out (transferred). Each request
 * names its run settings, so one set of threads serves every row (an encoder per setting, on the one session).
 */
export async function threadMain(): Promise<void> {
  if (EP === 'webgpu') await installWebGpu();
  const loaded = await load(await loadOrt(), VARIANT);
  await loaded.encoder('graph').embed(['warm up', 'a second text to warm the session up']);
  parentPort!.on('message', (request: ThreadRequest) => {
    loaded
      .encoder('graph', request.runCap, request.overhead, request.steps, request.attention)
      .embed(request.texts)
      .then(
        (out) => {
          const { vectors, dimensions, runs, paddedTokens, realTokens } = out;
          parentPort!.postMessage(
            { id: request.id, vectors, dimensions, runs, paddedTokens, realTokens } satisfies ThreadReply,
            [vectors.buffer as ArrayBuffer],
          );
        },
        (error: unknown) =>
          parentPort!.postMessage({
            id: request.id,
            error: error instanceof Error ? error.message : String(error),
          } satisfies ThreadReply),
      );
  });
  parentPort!.postMessage('ready');
}

export interface Threads {
  /** The first `count` threads as embed targets whose batches run with `settings`. */
  targets(count: number, settings: RunSettings): EmbedTarget[];
  stop(): Promise<void>;
}

/** `count` worker threads running {@link threadMain} from `entry` (the bundle's own file). */
export async function startThreads(entry: URL, count: number): Promise<Threads> {
  const workers = Array.from({ length: count }, () => new Worker(entry, { workerData: { role: 'thread' } }));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('error', reject);
          w.once('message', (m) =>
            m === 'ready' ? resolve() : reject(new Error(`Expected ready, got ${JSON.stringify(m)}`)),
          );
        }),
    ),
  );
  let nextId = 0;
  const waiting = workers.map((w) => {
    const calls = new Map<number, { resolve(r: EmbedTargetOutput): void; reject(e: Error): void }>();
    w.on('message', (reply: ThreadReply) => {
      const call = calls.get(reply.id)!;
      calls.delete(reply.id);
      if ('error' in reply) call.reject(new Error(reply.error));
      else call.resolve(reply);
    });
    w.on('error', (error: Error) => {
      for (const call of calls.values()) call.reject(error);
      calls.clear();
    });
    return calls;
  });
  return {
    targets: (n, settings) =>
      workers.slice(0, n).map((w, k): EmbedTarget => ({
        embed: (texts) =>
          new Promise((resolve, reject) => {
            const id = nextId++;
            waiting[k]!.set(id, { resolve, reject });
            w.postMessage({ id, texts, ...settings } satisfies ThreadRequest);
          }),
      })),
    stop: async () => void (await Promise.all(workers.map((w) => w.terminate()))),
  };
}
