/**
 * The systems the Node benchmark compares, each behind one `run(text)` call that 20 concurrent callers share:
 * agentmem-web's Embedder from the built Node entry, and two baselines on onnxruntime-node with the engine's own
 * tokenizer and encoder (same truncation, length grouping, pooling): one session at full batch on all cores (the
 * ceiling, which sees every text of a repetition at once) and one session behind a lock with single calls (the
 * Rust engine's design). The Memory-level systems (adds with storage) are in node-memory.ts.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { checkOptions, settingsFor } from '../../src/engine/options.js';
import { readModelSpec, variantFiles } from '../../src/models/config.js';
import { SentenceEncoder } from '../../src/worker/encoder.js';
import { createTokenizer } from '../../src/worker/tokenizer.js';
import type { Variant } from '../../src/worker/protocol.js';

/** One system, started for one model. */
export interface NodeSystem {
  readonly name: string;
  /** What it ran with (backend, variant, workers, threads), for the row. */
  readonly resolved: Record<string, unknown>;
  /** One caller's operation (an embed; for a Memory system, an add). */
  run(text: string): Promise<unknown>;
  /** All texts at once, as fast as the system can (the ceiling's shape); undefined: callers only. */
  runAll?(texts: readonly string[]): Promise<unknown>;
  /** One caller's batch call (`embedMany`, `addMany`): W2's shape; undefined: the system has none. */
  runBatch?(texts: readonly string[]): Promise<unknown>;
  close(): Promise<void>;
}

export interface SystemOptions {
  readonly backend?: 'native' | 'wasm';
  readonly variant?: Variant;
  readonly workers?: number;
  readonly threads?: number;
}

type NodeEntry = typeof import('../../src/node.js');

/** agentmem-web's Embedder from `dist/lib/node.js` (its workers are the compiled worker threads). */
export async function agentmemEmbedder(root: string, model: string, options: SystemOptions): Promise<NodeSystem> {
  const entry = (await import(pathToFileURL(resolve(root, 'dist/lib/node.js')).href)) as NodeEntry;
  const embedder = await entry.Embedder.create({ model, ...options });
  const stats = embedder.stats();
  return {
    name: 'agentmem-web',
    resolved: {
      backend: embedder.backend,
      variant: embedder.variant,
      workers: stats.workers.length,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    },
    run: (text) => embedder.embed(text),
    runBatch: (texts) => embedder.embedMany(texts),
    close: () => embedder.close(),
  };
}

/** One onnxruntime-node session with the engine's tokenizer and encoder, `threads` intra-op threads. */
export async function bareEncoder(model: string, variant: Variant, threads: number): Promise<SentenceEncoder> {
  const read = async (f: string): Promise<unknown> => JSON.parse(await readFile(join(model, f), 'utf8')) as unknown;
  const [config, tokenizerJson, tokenizerConfig] = await Promise.all(
    ['config.json', 'tokenizer.json', 'tokenizer_config.json'].map(read),
  );
  const spec = readModelSpec(config, tokenizerConfig, join(model, 'config.json'));
  const settings = settingsFor(checkOptions({ model }, ['auto', 'native', 'wasm']), 'native', {
    hardwareConcurrency: availableParallelism(),
    crossOriginIsolated: false,
  });
  const session = await ort.InferenceSession.create(join(model, variantFiles[variant]), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  return new SentenceEncoder({
    session: session,
    Tensor: ort.Tensor,
    tokenizer: createTokenizer(spec.tokenizer, tokenizerJson, tokenizerConfig as Record<string, unknown>),
    pooling: spec.pooling,
    output: spec.output,
    maxTokens: Math.min(256, spec.maxPositions ?? 256),
    runPlan: settings.runPlan,
  });
}

/**
 * The ceiling: every text of a repetition in batches of `batch`, one session on `threads` cores (all of them by
 * default), nothing in between. With one thread, its rate times the cores bounds what any split can reach.
 */
export async function bareCeiling(
  model: string,
  variant: Variant,
  batch = 64,
  threads = availableParallelism(),
): Promise<NodeSystem> {
  const encoder = await bareEncoder(model, variant, threads);
  return {
    name: 'bare-ort-ceiling',
    resolved: { backend: 'native', variant, workers: 1, threads, batch },
    run: (text) => encoder.embed([text]),
    runAll: async (texts) => {
      for (let i = 0; i < texts.length; i += batch) await encoder.embed(texts.slice(i, i + batch));
    },
    close: () => encoder.release(),
  };
}

/** One session behind a lock, one text per call: what a single model instance behind a mutex gives. */
export async function lockedSession(model: string, variant: Variant): Promise<NodeSystem> {
  const threads = availableParallelism();
  const encoder = await bareEncoder(model, variant, threads);
  let tail: Promise<unknown> = Promise.resolve();
  return {
    name: 'single-session-lock',
    resolved: { backend: 'native', variant, workers: 1, threads, batch: 1 },
    run: (text) => {
      const turn = tail.then(() => encoder.embed([text]));
      tail = turn.catch(() => undefined);
      return turn;
    },
    close: () => encoder.release(),
  };
}
