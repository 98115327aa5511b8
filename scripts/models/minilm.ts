/**
 * `minilm-l6`: the all-MiniLM-L6-v2 architecture (BERT, 6 layers, hidden 384, 12 heads, FFN 1536, 512 positions,
 * GELU, LayerNorm eps 1e-12) with seeded weights: the real model's compute, meaningless semantics. The benchmark
 * model. A real all-MiniLM-L6-v2 export has the same inputs, output and folder layout.
 */
import { bertGraph, randomBertWeights, type BertShape } from './bert.js';
import type { ModelFiles } from './files.js';

export const MINILM_SHAPE: BertShape = {
  vocabSize: 30522,
  hidden: 384,
  layers: 6,
  heads: 12,
  intermediate: 1536,
  maxPositions: 512,
  typeVocab: 2,
  layerNormEps: 1e-12,
};

const SEED = 'agentmem-web/minilm-l6/v1';

/** Hugging Face BertConfig fields, plus our `agentmem` block (pooling, dimensions, what each variant holds). */
export function minilmConfig(): object {
  const s = MINILM_SHAPE;
  return {
    _name_or_path: 'agentmem-web/minilm-l6',
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: s.vocabSize,
    hidden_size: s.hidden,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    intermediate_size: s.intermediate,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: s.maxPositions,
    type_vocab_size: s.typeVocab,
    initializer_range: 0.02,
    layer_norm_eps: s.layerNormEps,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    use_cache: true,
    torch_dtype: 'float32',
    agentmem: {
      pooling: 'mean',
      normalize: true,
      // The graph also pools (masked mean of last_hidden_state): the engine reads this output and only normalises.
      output: 'sentence_embedding',
      dimensions: s.hidden,
      description: 'all-MiniLM-L6-v2 architecture with seeded random weights (same compute, meaningless semantics)',
      seed: SEED,
      variants: {
        fp32: { file: 'onnx/model.onnx', weights: 'float32', compute: 'float32', output: 'float32' },
        fp16: {
          file: 'onnx/model_fp16.onnx',
          weights: 'float16',
          compute: 'float16',
          output: 'float32 (the float16 result is cast back to float32 inside the graph)',
        },
        int8: {
          file: 'onnx/model_quantized.onnx',
          weights: 'int8 per output column (stored as uint8 + 128); word embeddings int8 per row',
          activations: "uint8 per row (per token), dynamic: a text's vector does not depend on its batch",
          output: 'float32',
        },
      },
    },
  };
}

export function buildMinilm(): ModelFiles {
  const weights = randomBertWeights(MINILM_SHAPE, SEED);
  return {
    'config.json': `${JSON.stringify(minilmConfig(), null, 2)}\n`,
    'onnx/model.onnx': bertGraph(MINILM_SHAPE, weights, 'fp32', 'minilm-l6'),
    'onnx/model_fp16.onnx': bertGraph(MINILM_SHAPE, weights, 'fp16', 'minilm-l6'),
    'onnx/model_quantized.onnx': bertGraph(MINILM_SHAPE, weights, 'int8', 'minilm-l6'),
  };
}
