/**
 * The bulk add: every sample memory is its own `memory.add()` call, all issued at once, as many agents writing at
 * the same time would. The engine coalesces them into batches for its workers (watch the histogram); the library's
 * bounded queue applies backpressure, so the page does not need its own limiter.
 */
import type { Memory } from '../../src/index.js';
import type { SampleMemory } from '../samples.js';
import type { Scope } from '../ui/add-form.js';
import type { RateMeter } from './rate-meter.js';

export interface BulkOutcome {
  readonly done: number;
  readonly failed: number;
  readonly seconds: number;
  /** The first error, if any: the rest are usually the same one (quota, closed engine). */
  readonly error: unknown;
}

export async function bulkAdd(
  memory: Memory,
  samples: readonly SampleMemory[],
  scope: Scope,
  meter: RateMeter,
  onProgress: (done: number, failed: number) => void,
): Promise<BulkOutcome> {
  const started = performance.now();
  let done = 0;
  let failed = 0;
  let error: unknown;
  await Promise.all(
    samples.map((sample) =>
      memory
        .add(sample.text, {
          userId: scope.userId,
          ...(scope.agentId ? { agentId: scope.agentId } : {}),
          metadata: { ...sample.metadata },
        })
        .then(
          () => {
            done++;
            meter.record();
          },
          (reason: unknown) => {
            failed++;
            error ??= reason;
          },
        )
        .finally(() => onProgress(done, failed)),
    ),
  );
  return { done, failed, seconds: (performance.now() - started) / 1000, error };
}
