/**
 * What this browser context can do, detected once and lazily (never at import time: the library must import
 * cleanly in Node, in workers and in extension service workers).
 */
export interface Capabilities {
  /** `navigator.gpu.requestAdapter()` gave an adapter. ORT still has to build a session on it (the pool probes). */
  readonly hasWebGPU: boolean;
  /**
   * The adapter is a fallback adapter (`GPUAdapterInfo.isFallbackAdapter`): WebGPU implemented in software on the
   * CPU, such as SwiftShader. It works, but two orders of magnitude slower than WASM, so `auto` does not pick it.
   */
  readonly webgpuFallback: boolean;
  /** The adapter has `shader-f16`, needed for fp16 models on WebGPU (without it ORT-web returns wrong numbers). */
  readonly webgpuF16: boolean;
  /** `SharedArrayBuffer` works, so ORT may use more than one wasm thread. */
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  /** The Cache API is usable here (secure contexts only), so model bytes survive a reload. */
  readonly cacheStorage: boolean;
}

let detected: Promise<Capabilities> | undefined;

/** Detected on first call, then the same frozen object. */
export function capabilities(): Promise<Capabilities> {
  detected ??= detect();
  return detected;
}

async function detect(): Promise<Capabilities> {
  const nav = typeof navigator === 'undefined' ? undefined : navigator;
  let hasWebGPU = false;
  let webgpuF16 = false;
  let webgpuFallback = false;
  const gpu = nav && 'gpu' in nav ? (nav.gpu as GPU | undefined) : undefined;
  if (gpu) {
    try {
      const adapter = await gpu.requestAdapter();
      hasWebGPU = adapter !== null;
      webgpuF16 = adapter?.features.has('shader-f16') ?? false;
      webgpuFallback = adapter !== null && isFallback(adapter);
    } catch {
      // requestAdapter() rejects in some blocked contexts; that is "no WebGPU", not an error.
    }
  }
  return Object.freeze({
    hasWebGPU,
    webgpuF16,
    webgpuFallback,
    crossOriginIsolated: typeof crossOriginIsolated === 'boolean' ? crossOriginIsolated : false,
    hardwareConcurrency: Math.max(1, nav?.hardwareConcurrency ?? 1),
    cacheStorage: typeof caches !== 'undefined',
  });
}

/** `info.isFallbackAdapter` (Chromium 131+), or the older `adapter.isFallbackAdapter`; false when neither is there. */
function isFallback(adapter: GPUAdapter): boolean {
  const info = (adapter as { info?: { isFallbackAdapter?: unknown } }).info;
  const flag = info?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: unknown }).isFallbackAdapter;
  return flag === true;
}
