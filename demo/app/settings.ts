/**
 * The demo's settings: what the person picked last time (localStorage), overridden by URL parameters so a link
 * (or a test) can open the demo in a known state: `?model=lexical&backend=wasm&workers=2&sample=200&user=alice`.
 */
import { modelFromParam, modelName } from '../models.js';

export type BackendChoice = 'auto' | 'webgpu' | 'wasm';
export const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm'];

/**
 * Which ONNX file the workers load. The demo always names one instead of letting the engine pick per backend:
 * the library ties a database to the exact model file that wrote its vectors, so a backend switch that silently
 * changed the weights (int8 on WASM, fp32 on WebGPU) would lock the memories out.
 */
export type VariantChoice = 'int8' | 'fp32' | 'fp16';
export const VARIANTS: readonly VariantChoice[] = ['int8', 'fp32', 'fp16'];

export interface Settings {
  model: string;
  backend: BackendChoice;
  variant: VariantChoice;
  /** `undefined`: the engine's default for the backend. */
  workers: number | undefined;
  userId: string;
  agentId: string;
}

const storageKey = 'agentmem-demo:settings';
export const DEFAULT_SAMPLE_SIZE = 1000;

function isBackend(value: unknown): value is BackendChoice {
  return typeof value === 'string' && (BACKENDS as readonly string[]).includes(value);
}

function isVariant(value: unknown): value is VariantChoice {
  return typeof value === 'string' && (VARIANTS as readonly string[]).includes(value);
}

function parseWorkers(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 16 ? n : undefined;
}

function stored(): Partial<Settings> {
  try {
    const raw = localStorage.getItem(storageKey);
    return raw ? (JSON.parse(raw) as Partial<Settings>) : {};
  } catch {
    return {}; // Storage blocked or corrupt: start from defaults.
  }
}

export function loadSettings(defaultModel: string, params: URLSearchParams): Settings {
  const saved = stored();
  const backend = params.get('backend') ?? saved.backend;
  const model = params.get('model');
  const variant = params.get('variant') ?? saved.variant;
  return {
    model: model ? modelFromParam(model) : typeof saved.model === 'string' && saved.model ? saved.model : defaultModel,
    backend: isBackend(backend) ? backend : 'auto',
    variant: isVariant(variant) ? variant : 'int8',
    workers: parseWorkers(params.get('workers') ?? saved.workers),
    userId: params.get('user') ?? (typeof saved.userId === 'string' && saved.userId ? saved.userId : 'alice'),
    agentId: params.get('agent') ?? (typeof saved.agentId === 'string' ? saved.agentId : ''),
  };
}

export function saveSettings(settings: Settings): void {
  try {
    localStorage.setItem(storageKey, JSON.stringify(settings));
  } catch {
    // Not worth an error message: the demo works without remembering choices.
  }
}

/** `?sample=200` shrinks the bulk set (for tests and slow machines); the default is 1,000. */
export function sampleSize(params: URLSearchParams): number {
  const n = Number(params.get('sample'));
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : DEFAULT_SAMPLE_SIZE;
}

/** One database per model file: vectors of different models (or weights) must never be mixed. */
export function dbNameFor(model: string, variant: VariantChoice): string {
  return `agentmem-demo-${modelName(model)}-${variant}`;
}
