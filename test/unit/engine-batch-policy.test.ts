import { describe, expect, it } from 'vitest';
import { decide, fairShare, nextTarget, sizeBucket, type PolicyInput } from '../../src/engine/batch-policy.js';

const base: PolicyInput = {
  queued: 0,
  freeBatchPlaces: 2,
  busyWorkers: 0,
  inFlightItems: 0,
  oldestAgeMs: 0,
  target: 1,
  maxBatch: 64,
  maxWaitMs: 4,
};

describe('decide', () => {
  it('does nothing with an empty queue and holds while every worker is busy', () => {
    expect(decide(base)).toEqual({ kind: 'empty' });
    expect(decide({ ...base, queued: 10, freeBatchPlaces: 0, busyWorkers: 2 })).toEqual({ kind: 'hold' });
  });

  it('flushes at once on an idle system (a lone caller never waits)', () => {
    expect(decide({ ...base, queued: 1, target: 32 })).toEqual({ kind: 'flush', size: 1, reason: 'idle' });
  });

  it('splits a burst fairly over idle workers', () => {
    expect(decide({ ...base, queued: 50, freeBatchPlaces: 2 })).toEqual({ kind: 'flush', size: 25, reason: 'idle' });
    // One worker holding up to two batches (WebGPU): an idle worker takes the whole queue, not a slot's half.
    expect(decide({ ...base, queued: 7, freeBatchPlaces: 2, workers: 1 })).toEqual({
      kind: 'flush',
      size: 7,
      reason: 'idle',
    });
    // Its second place fills from what queued since, up to what the worker has not got yet.
    expect(
      decide({
        ...base,
        queued: 3000,
        freeBatchPlaces: 1,
        busyWorkers: 1,
        workers: 1,
        inFlightItems: 1024,
        target: 1024,
        maxBatch: 1024,
      }),
    ).toMatchObject({ kind: 'flush', size: 1024 });
  });

  it('gives a freed worker its fair share of queued + in-flight work, capped by maxBatch', () => {
    // The other worker runs 1 text; 48 wait: the free one takes 25, leaving 23 for the other.
    expect(decide({ ...base, queued: 48, freeBatchPlaces: 1, busyWorkers: 1, inFlightItems: 1 })).toMatchObject({
      kind: 'flush',
      size: 25,
    });
    // The other worker runs a big batch: take everything queued.
    expect(decide({ ...base, queued: 23, freeBatchPlaces: 1, busyWorkers: 1, inFlightItems: 25 })).toMatchObject({
      kind: 'flush',
      size: 23,
    });
    expect(
      decide({ ...base, queued: 500, freeBatchPlaces: 1, busyWorkers: 1, inFlightItems: 64, target: 64 }),
    ).toMatchObject({ size: 64 });
  });

  it('waits up to maxWaitMs for a batch worth the target while some workers are busy', () => {
    const input = {
      ...base,
      queued: 2,
      freeBatchPlaces: 1,
      busyWorkers: 1,
      inFlightItems: 10,
      target: 10,
      oldestAgeMs: 1,
    };
    expect(decide(input)).toEqual({ kind: 'wait', ms: 3 });
    expect(decide({ ...input, oldestAgeMs: 4 })).toEqual({ kind: 'flush', size: 2, reason: 'waited' });
    expect(decide({ ...input, queued: 10 })).toEqual({ kind: 'flush', size: 10, reason: 'full' });
  });

  it('never flushes more than maxBatch nor fewer than one', () => {
    for (let queued = 1; queued < 300; queued += 7) {
      for (const idle of [1, 2, 3]) {
        const d = decide({
          ...base,
          queued,
          freeBatchPlaces: idle,
          busyWorkers: 1,
          inFlightItems: queued,
          oldestAgeMs: 100,
          maxBatch: 16,
        });
        expect(d.kind).toBe('flush');
        if (d.kind === 'flush') {
          expect(d.size).toBeGreaterThanOrEqual(1);
          expect(d.size).toBeLessThanOrEqual(Math.min(16, queued));
        }
      }
    }
  });
});

describe('nextTarget', () => {
  it('grows toward the per-worker share while holding, up to maxBatch', () => {
    const hold = { kind: 'hold' } as const;
    expect(
      nextTarget({ ...base, queued: 40, freeBatchPlaces: 0, busyWorkers: 2, inFlightItems: 8, target: 1 }, hold),
    ).toBe(24);
    expect(nextTarget({ ...base, queued: 4000, freeBatchPlaces: 0, busyWorkers: 2, target: 1 }, hold)).toBe(64);
  });

  it('decays halfway toward what a waited or idle flush actually sent', () => {
    expect(nextTarget({ ...base, target: 32 }, { kind: 'flush', size: 2, reason: 'waited' })).toBe(17);
    expect(nextTarget({ ...base, target: 17 }, { kind: 'flush', size: 1, reason: 'idle' })).toBe(9);
    expect(nextTarget({ ...base, target: 1 }, { kind: 'flush', size: 1, reason: 'idle' })).toBe(1);
    expect(nextTarget({ ...base, target: 20 }, { kind: 'flush', size: 30, reason: 'full' })).toBe(20);
  });

  it('adapts: a burst grows batches, quiet shrinks them back', () => {
    let input: PolicyInput = { ...base, freeBatchPlaces: 0, busyWorkers: 2, queued: 100, inFlightItems: 2 };
    let target = nextTarget(input, decide(input));
    expect(target).toBe(51);
    for (let i = 0; i < 10; i++) {
      input = { ...base, target, queued: 1, freeBatchPlaces: 2, busyWorkers: 0 };
      target = nextTarget(input, decide(input));
    }
    expect(target).toBe(1);
  });
});

describe('fairShare and sizeBucket', () => {
  it('computes shares and histogram buckets', () => {
    expect(fairShare(10, 0, 3, 64)).toBe(4);
    expect(fairShare(0, 10, 3, 64)).toBe(1);
    expect(fairShare(100, 0, 1, 8)).toBe(8);
    expect([1, 2, 3, 4, 7, 8, 63, 64, 1024].map(sizeBucket)).toEqual([
      '1',
      '2-3',
      '2-3',
      '4-7',
      '4-7',
      '8-15',
      '32-63',
      '64-127',
      '1024-2047',
    ]);
  });
});
