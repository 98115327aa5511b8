/**
 * One worker position of the pool. A slot outlives its workers: a crashed worker is replaced in the same slot, and a
 * failover starts new slots at the same indexes, so the slot's counters (one `stats` object) stay cumulative.
 */
import { AgentMemError, ModelLoadError, errorMessage } from '../errors.js';
import type { Backend, EmbedOutput, WorkerInit, WorkerReady } from '../worker/protocol.js';
import type { BackendSettings } from './options.js';
import type { PoolWorker, WorkerFactory } from './pool-worker.js';
import type { Task } from './pool-task.js';
import type { EmbedderProgress, WorkerState, WorkerStats } from './types.js';

/** Everything a pool needs to start workers for one backend. */
export interface PoolSetup {
  readonly settings: BackendSettings;
  /** A fresh init message (with its own copy of the model bytes) for worker `index`. */
  readonly makeInit: (index: number) => WorkerInit;
  /** Short runs after the session is built, so Chromium tiers the wasm up before real work. */
  readonly warmupRuns: number;
}

/** Runs that may fail in a row on one worker before it must prove it can still embed its warm-up texts. */
const maxRunFailures = 3;

/** What a slot has done, across its replacements and a failover. */
type SlotStats = { -readonly [K in keyof Omit<WorkerStats, 'index' | 'backend' | 'state'>]: WorkerStats[K] };

export interface Slot {
  readonly index: number;
  backend: Backend;
  handle: PoolWorker | undefined;
  state: WorkerState;
  /** Batches sent to this worker and not answered yet, oldest first (at most `pipelineDepth`). */
  tasks: Task[];
  /** When the worker last went from idle to busy (for `busyMs`: wall time with at least one batch). */
  busySince: number;
  readonly stats: SlotStats;
  restartFailures: number;
  /** Runs that threw since this worker's last success. */
  runFailures: number;
  /** The worker is running its warm-up texts to tell a sick session from bad input; it takes no batch meanwhile. */
  checking: boolean;
  /** Batches that threw and wait (still on the worker) for the check's verdict. */
  suspects: Array<{ readonly task: Task; readonly error: unknown }>;
}

/** `count` slots for `backend`; one at the index of a `previous` slot takes over its counters. */
export function createSlots(count: number, backend: Backend, previous: readonly Slot[]): Slot[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    backend,
    handle: undefined,
    state: 'initializing',
    tasks: [],
    busySince: 0,
    stats: previous[index]?.stats ?? {
      batches: 0,
      items: 0,
      busyMs: 0,
      runs: 0,
      paddedTokens: 0,
      realTokens: 0,
      restarts: 0,
    },
    restartFailures: 0,
    runFailures: 0,
    checking: false,
    suspects: [],
  }));
}

/** Starts a worker in `slot` (session, then warm-up); a failure stops it and rejects with an AgentMemError. */
export async function launchWorker(
  slot: Slot,
  setup: PoolSetup,
  createWorker: WorkerFactory,
  onProgress: ((p: EmbedderProgress) => void) | undefined,
): Promise<{ readonly handle: PoolWorker; readonly ready: WorkerReady }> {
  const { settings } = setup;
  slot.state = 'initializing';
  slot.backend = settings.backend;
  slot.runFailures = 0;
  slot.checking = false;
  slot.suspects = [];
  let handle: PoolWorker | undefined;
  try {
    // Inside the try: a page whose Content-Security-Policy forbids the worker throws right here.
    handle = createWorker(`agentmem embed worker ${slot.index} (${settings.backend})`);
    slot.handle = handle;
    onProgress?.({ stage: 'session', worker: slot.index });
    const initTimeout = Math.max(settings.timeoutMs, 120_000);
    const ready = await handle.init(setup.makeInit(slot.index), initTimeout);
    onProgress?.({ stage: 'warmup', worker: slot.index });
    if (setup.warmupRuns > 0) await handle.warmup(setup.warmupRuns, initTimeout);
    return { handle, ready };
  } catch (error) {
    handle?.terminate();
    if (error instanceof AgentMemError) throw error;
    throw new ModelLoadError(
      `Worker ${slot.index} could not load the model on ${settings.backend}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

/** Hands `task` to the slot's worker (the caller sends it), starting the busy clock when the worker was idle. */
export function assign(slot: Slot, task: Task): void {
  if (slot.tasks.length === 0) slot.busySince = performance.now();
  slot.state = 'busy';
  slot.tasks.push(task);
  task.attempts++;
}

/** Counts an answered batch. */
export function record(slot: Slot, texts: number, output: EmbedOutput): void {
  const stats = slot.stats;
  stats.batches++;
  stats.items += texts;
  stats.runs += output.runs;
  stats.paddedTokens += output.paddedTokens;
  stats.realTokens += output.realTokens;
}

/**
 * A run threw on the slot's worker. True when the batch must wait for a health check (a suspect): a text failing
 * alone gets its error only from a worker that proves healthy, and so do `maxRunFailures` failures in a row.
 */
export function suspect(slot: Slot, task: Task, error: unknown): boolean {
  slot.runFailures++;
  if (!slot.checking && slot.runFailures < maxRunFailures && task.texts.length !== 1) return false;
  slot.suspects.push({ task, error });
  return true;
}

/** Takes an answered batch off its worker; false when it was handed on already (worker failure, close). */
export function release(slot: Slot, task: Task): boolean {
  const at = slot.tasks.indexOf(task);
  if (at < 0) return false;
  slot.tasks.splice(at, 1);
  if (slot.tasks.length === 0 && slot.state === 'busy') {
    slot.state = 'idle';
    slot.stats.busyMs += performance.now() - slot.busySince;
  }
  return true;
}

/** Takes every batch off a slot whose worker is going away, and stops its busy clock. */
export function takeTasks(slot: Slot): Task[] {
  if (slot.tasks.length > 0) slot.stats.busyMs += performance.now() - slot.busySince;
  return slot.tasks.splice(0);
}

/** Stops a slot's worker quietly: the handle leaves the slot first, so its failure event is not taken for a crash. */
export function retire(slot: Slot): void {
  const handle = slot.handle;
  slot.handle = undefined;
  handle?.terminate();
}

/** Stops a slot's worker for good (its pool is failing over or failed to start); returns the batches it held. */
export function drop(slot: Slot): Task[] {
  const held = takeTasks(slot);
  retire(slot);
  slot.state = 'failed';
  return held;
}

/** A worker that is up: idle, or holding batches (and maybe room for another). */
export function running(slot: Slot): boolean {
  return slot.state === 'idle' || slot.state === 'busy';
}

/** A running worker that may be sent a batch (not while it proves it is healthy). */
export function takesWork(slot: Slot): boolean {
  return running(slot) && !slot.checking;
}

/** Batch places free on the slots that take work, each holding up to `depth` batches. */
export function freeBatchPlaces(slots: readonly Slot[], depth: number): number {
  let free = 0;
  for (const s of slots) if (takesWork(s)) free += depth - s.tasks.length;
  return free;
}

/** Fewest batches in hand, then the one that has worked least so far (spreads tier-up and wear); none when full. */
export function leastLoaded(slots: readonly Slot[], depth: number): Slot | undefined {
  let best: Slot | undefined;
  for (const s of slots) {
    if (!takesWork(s) || s.tasks.length >= depth) continue;
    if (
      !best ||
      s.tasks.length < best.tasks.length ||
      (s.tasks.length === best.tasks.length && s.stats.busyMs < best.stats.busyMs)
    )
      best = s;
  }
  return best;
}
