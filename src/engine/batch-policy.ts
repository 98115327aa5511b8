/**
 * When the coalescer sends a batch, and how big: pure functions, unit-tested in Node.
 *
 * - Size: a fair share of all outstanding work. A free worker takes `ceil((queued + inFlight) / workers)` texts
 *   (at most `maxBatch`), so when several workers free up in turn each gets a similar batch and none idles while
 *   one grinds through everything (water-filling).
 * - Idle system (no worker busy): flush at once. `embed()` calls made in the same task still share a batch,
 *   because the coalescer decides from a microtask; a lone caller never waits for company.
 * - Some workers busy, one free, fewer than `target` texts queued: wait up to `maxWaitMs` after the oldest for
 *   more, so the free worker gets a batch worth its run instead of a single text.
 * - Every worker busy: hold. The queue grows, and `target` follows it: under load batches grow toward `maxBatch`
 *   (bigger batches = throughput; WebGPU's maxBatch is ~1k, WASM's ~64); when load drops, `target` decays.
 */
export interface PolicyInput {
  readonly queued: number;
  /** Batch places free now (minus batches already waiting for one); a worker may hold more than one batch. */
  readonly freeBatchPlaces: number;
  readonly busyWorkers: number;
  /**
   * Workers that share the work, for the fair share; default `freeBatchPlaces + busyWorkers`. A worker holding two
   * batches (WebGPU) is one worker: an idle one gets the whole queue, not half of it.
   */
  readonly workers?: number | undefined;
  /** Texts the busy workers are embedding now. */
  readonly inFlightItems: number;
  readonly oldestAgeMs: number;
  readonly target: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
}

export type Decision =
  | { readonly kind: 'empty' }
  | { readonly kind: 'hold' }
  | { readonly kind: 'flush'; readonly size: number; readonly reason: 'full' | 'idle' | 'waited' }
  | { readonly kind: 'wait'; readonly ms: number };

/** A free worker's fair share of the outstanding work, within [1, min(queued, maxBatch)]. */
export function fairShare(queued: number, inFlightItems: number, workers: number, maxBatch: number): number {
  const share = Math.ceil((queued + inFlightItems) / Math.max(1, workers));
  return Math.max(1, Math.min(share, queued, maxBatch));
}

export function decide(input: PolicyInput): Decision {
  const { queued, freeBatchPlaces, busyWorkers } = input;
  if (queued === 0) return { kind: 'empty' };
  if (freeBatchPlaces <= 0) return { kind: 'hold' };
  const size = fairShare(queued, input.inFlightItems, sharers(input), input.maxBatch);
  if (busyWorkers === 0) return { kind: 'flush', size, reason: 'idle' };
  if (size >= Math.min(input.target, input.maxBatch)) return { kind: 'flush', size, reason: 'full' };
  if (input.oldestAgeMs >= input.maxWaitMs) return { kind: 'flush', size, reason: 'waited' };
  return { kind: 'wait', ms: input.maxWaitMs - input.oldestAgeMs };
}

/**
 * The next target batch size after a decision. Holding (every worker busy) means the workers are the bottleneck:
 * aim for the share each worker will get of what is outstanding. A flush that had to wait, or went out on an
 * idle system, found less than the target: decay halfway toward what it actually sent.
 */
export function nextTarget(input: PolicyInput, decision: Decision): number {
  const { target, maxBatch } = input;
  if (decision.kind === 'hold') {
    const workers = Math.max(1, sharers(input));
    const share = Math.ceil((input.queued + input.inFlightItems) / workers);
    return Math.max(1, Math.min(maxBatch, Math.max(target, share)));
  }
  if (decision.kind === 'flush' && decision.reason !== 'full') {
    return Math.max(1, Math.min(maxBatch, Math.floor((target + decision.size) / 2)));
  }
  return Math.max(1, Math.min(target, maxBatch));
}

/** How many workers share the outstanding work ({@link PolicyInput.workers}). */
function sharers(input: PolicyInput): number {
  return input.workers ?? input.freeBatchPlaces + input.busyWorkers;
}

/** Histogram bucket of a batch size: 1, 2-3, 4-7, 8-15, ... (power-of-two bounds). */
export function sizeBucket(size: number): string {
  if (size <= 1) return '1';
  const low = 2 ** Math.floor(Math.log2(size));
  return `${low}-${low * 2 - 1}`;
}
