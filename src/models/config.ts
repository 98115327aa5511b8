/**
 * Reads what the engine needs from a transformers.js-layout model folder's `config.json` and
 * `tokenizer_config.json`: pooling, dimensions and the longest sequence the model accepts.
 *
 * Project models carry an `agentmem` block (`{"pooling": "mean" | "cls" | "none", "dimensions": N}`); any other
 * model (all-MiniLM-L6-v2 downloaded by a user) falls back to Hugging Face's fields: mean pooling,
 * `hidden_size` dimensions, `max_position_embeddings` positions.
 */
import { ModelLoadError } from '../errors.js';
import type { Pooling, Variant } from '../worker/protocol.js';
import type { TokenizerKind } from '../worker/tokenizer.js';

export interface ModelSpec {
  readonly pooling: Pooling;
  readonly tokenizer: TokenizerKind;
  /** From the config when it says; the worker's first run confirms it. */
  readonly dimensions: number | undefined;
  /** The output to read (`agentmem.output`), else the worker picks by name and pooling. */
  readonly output: string | undefined;
  /** Longest token sequence (special tokens included) the model accepts, when the config says. */
  readonly maxPositions: number | undefined;
  /** Width of the feed-forward layer (`intermediate_size`), when the config says: sizes a run's largest tensor. */
  readonly intermediateSize?: number | undefined;
  /** Attention heads per layer (`num_attention_heads`), when the config says: sizes a run's attention scores. */
  readonly attentionHeads?: number | undefined;
}

const poolings: readonly Pooling[] = ['mean', 'cls', 'none'];

const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** The ONNX file of each variant, as transformers.js names them. */
export const variantFiles: Readonly<Record<Variant, string>> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  int8: 'onnx/model_quantized.onnx',
};

export function readModelSpec(config: unknown, tokenizerConfig: unknown, source: string): ModelSpec {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ModelLoadError(`Expected ${source} to hold a JSON object`);
  }
  const c = config as Record<string, unknown>;
  const ours =
    typeof c['agentmem'] === 'object' && c['agentmem'] !== null ? (c['agentmem'] as Record<string, unknown>) : {};
  const pooling = ours['pooling'] ?? c['pooling'] ?? 'mean';
  if (!poolings.includes(pooling as Pooling)) {
    throw new ModelLoadError(
      `Expected the pooling in ${source} to be one of 'mean', 'cls', 'none', got \`${shown(pooling)}\``,
    );
  }
  const tokenizer = ours['tokenizer'] ?? 'huggingface';
  if (tokenizer !== 'huggingface' && tokenizer !== 'use-unigram') {
    throw new ModelLoadError(
      `Expected the tokenizer in ${source} to be 'huggingface' or 'use-unigram', got \`${shown(tokenizer)}\``,
    );
  }
  const dimensions =
    positiveInt(ours['dimensions']) ??
    positiveInt(c['hidden_size']) ??
    positiveInt(c['d_model']) ??
    positiveInt(c['dim']);
  const tc =
    typeof tokenizerConfig === 'object' && tokenizerConfig !== null ? (tokenizerConfig as Record<string, unknown>) : {};
  // Tokenizer configs say 1e30 for "no limit"; only a plausible number counts.
  const tokenizerMax = positiveInt(tc['model_max_length']);
  const limits = [
    positiveInt(ours['maxPositions']),
    positiveInt(ours['maxTokens']),
    positiveInt(c['max_position_embeddings']) ?? positiveInt(c['n_positions']),
    tokenizerMax !== undefined && tokenizerMax < 1_000_000 ? tokenizerMax : undefined,
  ].filter((v): v is number => v !== undefined);
  // BERT-style names first, then BART/OPT (`ffn_dim`), GPT-2 (`n_inner`) and DistilBERT (`hidden_dim`, `n_heads`).
  const intermediateSize =
    positiveInt(c['intermediate_size']) ??
    positiveInt(c['ffn_dim']) ??
    positiveInt(c['n_inner']) ??
    positiveInt(c['hidden_dim']);
  const attentionHeads = positiveInt(c['num_attention_heads']) ?? positiveInt(c['n_head']) ?? positiveInt(c['n_heads']);
  return {
    pooling: pooling as Pooling,
    tokenizer,
    output: typeof ours['output'] === 'string' ? ours['output'] : undefined,
    dimensions,
    maxPositions: limits.length > 0 ? Math.min(...limits) : undefined,
    ...(intermediateSize !== undefined ? { intermediateSize } : {}),
    ...(attentionHeads !== undefined ? { attentionHeads } : {}),
  };
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
