/**
 * Node as a WebGPU host for onnxruntime-web: Dawn's `navigator.gpu` (with the fixes ORT-web needs there), ORT-web's
 * browser build loaded from files, and a model session read through the engine's own encoder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { SentenceEncoder } from '../../src/worker/encoder.js';
import { createTokenizer } from '../../src/worker/tokenizer.js';
import { boundRunsForModel, checkOptions, settingsFor } from '../../src/engine/options.js';
import { readModelSpec } from '../../src/models/config.js';
import type { ShapeSteps } from '../../src/worker/protocol.js';
import { EP, MODEL_DIR, ORT_DIR, env } from './config.js';

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** navigator.gpu from Dawn, with the two fixes ORT-web needs in Node. */
export async function installWebGpu(): Promise<Record<string, unknown>> {
  const modulePath = env['WEBGPU_MODULE'];
  const webgpu = (await import(modulePath ? pathToFileURL(modulePath).href : 'webgpu')) as {
    create(opts: string[]): {
      requestAdapter(o?: object): Promise<{ info: AdapterInfo; features: Set<string> } | null>;
    };
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, webgpu.globals); // GPUBufferUsage, GPUMapMode, ... (ORT's JSEP uses them as globals)
  // dawn.node rejects a SharedArrayBuffer in writeBuffer (and crashes on a view of one): copy such uploads.
  const queue = (
    webgpu.globals['GPUQueue'] as { prototype: { writeBuffer: (this: unknown, ...a: unknown[]) => unknown } }
  ).prototype;
  const original = queue.writeBuffer;
  queue.writeBuffer = function (this: unknown, ...a: unknown[]) {
    const [buffer, offset, data] = a;
    const dataOffset = a[3] as number | undefined;
    const size = a[4] as number | undefined;
    const shared =
      data instanceof SharedArrayBuffer || (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer);
    if (!shared) return original.apply(this, a);
    let bytes: Uint8Array;
    if (data instanceof SharedArrayBuffer) {
      const start = dataOffset ?? 0;
      bytes = new Uint8Array(data, start, size ?? data.byteLength - start);
    } else {
      const view = data as ArrayBufferView & { BYTES_PER_ELEMENT?: number };
      const es = view.BYTES_PER_ELEMENT ?? 1;
      const start = (dataOffset ?? 0) * es;
      bytes = new Uint8Array(
        view.buffer,
        view.byteOffset + start,
        size !== undefined ? size * es : view.byteLength - start,
      );
    }
    return original.call(this, buffer, offset, bytes.slice());
  };
  const gpu = webgpu.create((env['DAWN_OPTS'] ?? '').split(';').filter(Boolean));
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, hardwareConcurrency: os.cpus().length, userAgent: `node/${process.version}` },
    configurable: true,
  });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no WebGPU adapter (see bench/gpu/README.md: Vulkan ICD)');
  const info = {
    vendor: adapter.info.vendor,
    architecture: adapter.info.architecture,
    description: adapter.info.description,
    isFallbackAdapter: adapter.info.isFallbackAdapter,
    shaderF16: adapter.features.has('shader-f16'),
  };
  if (env['REQUIRE_HW'] === '1' && info.isFallbackAdapter)
    throw new Error(`Only a software adapter: ${JSON.stringify(info)}`);
  return info;
}

/** ORT-web's threaded build preloads its .mjs with fetch(): Node's fetch cannot read file: URLs. */
function patchFileFetch(): void {
  const original = globalThis.fetch;
  const urls = new WeakMap<Blob, string>();
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file:')) {
      const buf = readFileSync(fileURLToPath(url));
      const blob = new Blob([buf]);
      urls.set(blob, url);
      // blob() must hand back this Blob: createObjectURL below maps it to the file URL, which import() can load.
      const response = new Response(buf, { status: 200 });
      Object.defineProperty(response, 'blob', { value: () => Promise.resolve(blob) });
      return response;
    }
    return original(input, init);
  };
  const create = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (o: Blob) => urls.get(o) ?? create(o);
}

export type Ort = typeof import('onnxruntime-web');

export interface Loaded {
  /**
   * An encoder on the session: pooling in the graph (`sentence_embedding`, the engine's default for our models) or
   * on the CPU; `runCap` padded tokens per model run, `overhead` the run cost length grouping assumes and `steps` the
   * rounding of run shapes (null: exact), `attention` the bound on rows x padded length² per run (null: none). Left
   * out: the engine's. Encoders on one session take turns.
   */
  encoder(
    pooling: 'graph' | 'cpu',
    runCap?: number,
    overhead?: number,
    steps?: ShapeSteps | null,
    attention?: number | null,
  ): SentenceEncoder;
  readonly settings: ReturnType<typeof settingsFor>;
  readonly file: string;
  release(): Promise<void>;
}

/** One session of `variant`, read two ways: the graph's pooled output, and every token's vector pooled on the CPU. */
export async function load(ort: Ort, variant: string): Promise<Loaded> {
  const config = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8')) as unknown;
  const tokenizerConfig = JSON.parse(readFileSync(join(MODEL_DIR, 'tokenizer_config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const spec = readModelSpec(config, tokenizerConfig, join(MODEL_DIR, 'config.json'));
  const tokenizer = createTokenizer(
    'huggingface',
    JSON.parse(readFileSync(join(MODEL_DIR, 'tokenizer.json'), 'utf8')),
    tokenizerConfig,
  );
  const settings = boundRunsForModel(
    settingsFor(checkOptions({ model: MODEL_DIR, backend: EP }), EP, {
      hardwareConcurrency: os.cpus().length,
      crossOriginIsolated: false,
    }),
    spec,
  );
  const file =
    variant === 'fp16' ? 'onnx/model_fp16.onnx' : variant === 'int8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
  const session = await ort.InferenceSession.create(readFileSync(join(MODEL_DIR, file)), {
    executionProviders: [EP],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  const make = (
    output: string | undefined,
    runCap: number,
    overhead: number,
    steps: ShapeSteps | undefined,
    attention: number | undefined,
  ): SentenceEncoder =>
    new SentenceEncoder({
      session,
      Tensor: ort.Tensor,
      tokenizer,
      pooling: spec.pooling,
      output,
      maxTokens: Math.min(256, spec.maxPositions ?? 256), // the engine's default truncation
      runPlan: {
        runOverheadTokens: overhead,
        maxTokensPerRun: runCap,
        maxAttentionPerRun: attention,
        shapeSteps: steps,
      },
    });
  const made = new Map<string, SentenceEncoder>();
  const encoder = (
    pooling: 'graph' | 'cpu',
    runCap = settings.runPlan.maxTokensPerRun,
    overhead = settings.runPlan.runOverheadTokens,
    asked?: ShapeSteps | null,
    askedAttention?: number | null,
  ): SentenceEncoder => {
    const output = pooling === 'graph' ? spec.output : undefined;
    const steps = asked === undefined ? settings.runPlan.shapeSteps : (asked ?? undefined); // null: exact shapes
    const attention =
      askedAttention === undefined ? settings.runPlan.maxAttentionPerRun : (askedAttention ?? undefined); // null: none
    const key = `${output}/${runCap}/${overhead}/${steps ? `${steps.length}x${steps.count}` : ''}/${attention ?? ''}`;
    if (!made.has(key)) made.set(key, make(output, runCap, overhead, steps, attention));
    return made.get(key)!;
  };
  return { encoder, settings, file, release: () => session.release() };
}

export async function loadOrt(): Promise<Ort> {
  patchFileFetch();
  const ortFile = join(ORT_DIR, 'ort.min.mjs');
  if (!existsSync(ortFile)) throw new Error(`Expected onnxruntime-web's ort.min.mjs in ORT_DIR=${ORT_DIR}`);
  const ort = (await import(pathToFileURL(ortFile).href)) as Ort;
  ort.env.wasm.wasmPaths = `${pathToFileURL(ORT_DIR).href}/`;
  ort.env.wasm.numThreads = Number(env['THREADS'] ?? 1);
  ort.env.logLevel = 'error';
  return ort;
}
