/**
 * Writes minilm-l6's fp32 (and fp16) ONNX files into a folder on the GPU machine, byte-identical to
 * `npm run models` (same generator, same seed): the 87 MB fp32 file does not fit the 64 MiB a device run can carry,
 * the generator (bundled, ~1 MB) does, and it takes ~3 s.
 *
 * Usage: node make-model.mjs <modelDir> [fp16]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bertGraph, randomBertWeights } from '../../scripts/models/bert.js';
import { MINILM_SHAPE } from '../../scripts/models/minilm.js';

const dir = process.argv[2];
if (!dir) throw new Error('Usage: make-model <modelDir> [fp16]');
const started = performance.now();
const weights = randomBertWeights(MINILM_SHAPE, 'agentmem-web/minilm-l6/v1');
mkdirSync(join(dir, 'onnx'), { recursive: true });
writeFileSync(join(dir, 'onnx/model.onnx'), bertGraph(MINILM_SHAPE, weights, 'fp32', 'minilm-l6'));
if (process.argv[3] === 'fp16')
  writeFileSync(join(dir, 'onnx/model_fp16.onnx'), bertGraph(MINILM_SHAPE, weights, 'fp16', 'minilm-l6'));
console.log(`[make-model] ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
