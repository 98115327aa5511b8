/**
 * One embedding worker as the pool sees it. {@link WorkerHandle} is the real one (a module Worker behind Comlink);
 * the pool takes a {@link WorkerFactory}, so a test can plug in another real implementation (one that embeds
 * in-process) and drive retries, halving and failover in Node.
 */
import type { EmbedOutput, WorkerInit, WorkerReady } from '../worker/protocol.js';

export type FailureKind = 'crashed' | 'timed out' | 'lost its WebGPU device' | 'kept failing' | 'was terminated';

/** The worker itself failed (as opposed to a run that reported an error): replace it, retry elsewhere. */
export class WorkerFailure extends Error {
  override name = 'WorkerFailure';
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/**
 * Every call rejects with a {@link WorkerFailure} once the worker has failed (crashed, timed out, lost its device,
 * terminated), and with the run's own error when only the run failed.
 */
export interface PoolWorker {
  /** Called once when the worker fails, whether or not a call was running (device loss can happen while idle). */
  onFailure: ((failure: WorkerFailure) => void) | undefined;
  readonly failure: WorkerFailure | undefined;
  init(init: WorkerInit, timeoutMs: number): Promise<WorkerReady>;
  /** Runs the warm-up texts `runs` times; resolves to the ms spent. */
  warmup(runs: number, timeoutMs: number): Promise<number>;
  embed(texts: readonly string[], timeoutMs: number): Promise<EmbedOutput>;
  /** Releases the session; the worker stays up and every later run fails (a test hook). */
  dispose(): Promise<void>;
  /** Destroys the WebGPU device, which fires the real device-lost path (a test hook); false off WebGPU. */
  loseDevice(): Promise<boolean>;
  /** Stops the worker now and lets go of everything it holds. `failure` makes it count as one (else a quiet stop). */
  terminate(failure?: WorkerFailure): void;
}

/** Starts worker `label` (a name for messages). May throw (a Content-Security-Policy that forbids workers). */
export type WorkerFactory = (label: string) => PoolWorker;
