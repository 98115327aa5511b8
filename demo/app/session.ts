/**
 * The running engine: one `Memory` at a time, with an explicit lifecycle (idle -> loading -> ready | failed).
 * A restart closes the old instance (it waits for calls in flight) before creating the new one on the same
 * database, so memories survive a change of backend or worker count. Each model gets its own database.
 */
import { Memory } from '../../src/index.js';
import type { EngineChoice } from '../ui/engine-panel.js';
import { dbNameFor } from './settings.js';

export type SessionState = 'idle' | 'loading' | 'ready' | 'failed';

/** Loading progress as the demo shows it, whatever stage the engine reports. */
export interface LoadEvent {
  readonly stage: string;
  readonly loaded?: number | undefined;
  readonly total?: number | undefined;
  readonly worker?: number | undefined;
}

/** Thrown before anything is closed when the person asks for WebGPU on a browser without it. */
export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

async function assertWebGpu(): Promise<void> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu)
    throw new WebGpuUnavailableError(
      'WebGPU is not available: this browser has no navigator.gpu (try a recent Chrome or Edge, or choose WASM)',
    );
  let adapter: unknown = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (adapter === null)
    throw new WebGpuUnavailableError('WebGPU is not available: navigator.gpu.requestAdapter() found no GPU adapter');
}

export class Session {
  #memory: Memory | undefined;
  #state: SessionState = 'idle';
  #generation = 0;
  #choice: EngineChoice | undefined;
  readonly #onState: (state: SessionState) => void;

  constructor(onState: (state: SessionState) => void) {
    this.#onState = onState;
  }

  get state(): SessionState {
    return this.#state;
  }

  /** The ready instance, or undefined while loading, after a failure, or before the first start. */
  get memory(): Memory | undefined {
    return this.#state === 'ready' ? this.#memory : undefined;
  }

  get choice(): EngineChoice | undefined {
    return this.#choice;
  }

  /**
   * Starts (or restarts) the engine. Throws the library's errors (ModelLoadError, StorageError, ...) after
   * setting the state to `failed`; a newer start() supersedes an older one still loading.
   */
  async start(choice: EngineChoice, onProgress: (event: LoadEvent) => void): Promise<Memory> {
    if (choice.backend === 'webgpu') await assertWebGpu();
    const generation = ++this.#generation;
    const previous = this.#memory;
    this.#memory = undefined;
    this.#choice = choice;
    this.#setState('loading');
    await previous?.close().catch(() => undefined);
    try {
      const memory = await Memory.create({
        dbName: dbNameFor(choice.model, choice.variant),
        model: choice.model,
        backend: choice.backend,
        variant: choice.variant,
        ...(choice.workers === undefined ? {} : { workers: choice.workers }),
        onProgress: (progress) => {
          if (generation === this.#generation) onProgress(progress);
        },
      });
      if (generation !== this.#generation) {
        await memory.close();
        throw new DOMException('A newer engine start replaced this one', 'AbortError');
      }
      this.#memory = memory;
      this.#setState('ready');
      return memory;
    } catch (error) {
      if (generation === this.#generation) this.#setState('failed');
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#generation++;
    const memory = this.#memory;
    this.#memory = undefined;
    this.#setState('idle');
    await memory?.close();
  }

  #setState(state: SessionState): void {
    this.#state = state;
    this.#onState(state);
  }
}
