/**
 * Fetches model files once, on the main thread, through the Cache API (`agentmem-models`), so a second page
 * load needs no network and N workers do not download the same bytes N times (parallel fetches of one URL
 * from several workers failed here with `net::ERR_CACHE_WRITE_FAILURE`).
 *
 * Like transformers.js' `transformers-cache`, an entry is keyed by URL and kept until the site's storage is
 * cleared: serve changed weights under a new URL (or call {@link clearModelCache}).
 */
import { ModelLoadError, errorMessage } from '../errors.js';

export const modelCacheName = 'agentmem-models';

export interface FetchProgress {
  readonly loaded: number;
  readonly total: number | undefined;
}

async function openCache(): Promise<Cache | undefined> {
  if (typeof caches === 'undefined') return undefined;
  try {
    return await caches.open(modelCacheName);
  } catch {
    // Opaque origins and some private modes refuse the Cache API: fetch without it.
    return undefined;
  }
}

/** Reads one model file; a platform part (the browser's Cache API and fetch, Node's file system). */
export type ModelFileReader = (url: string, onProgress?: (p: FetchProgress) => void) => Promise<ArrayBuffer>;

/** The bytes at `url`, from the Cache API when present, else from the network (then stored). */
export async function fetchModelFile(url: string, onProgress?: (p: FetchProgress) => void): Promise<ArrayBuffer> {
  const cache = await openCache();
  const cached = await cache?.match(url).catch(() => undefined);
  if (cached) return readBody(cached, url, onProgress);
  const { bytes, contentType } = await fetchFromNetwork(url, onProgress);
  if (cache) {
    const headers = new Headers({
      'content-type': contentType || 'application/octet-stream', // an empty header counts as none
      // So a load from the cache reports a total (the network answer may have been compressed and chunked).
      'content-length': String(bytes.byteLength),
    });
    // A full quota must not fail the load: the bytes are in hand, the next load just fetches again.
    await cache.put(url, new Response(bytes.slice(0), { headers })).catch(() => undefined);
  }
  return bytes;
}

/** The bytes at `url` from the network, with no cache (rejects with a `ModelLoadError`, `cause.status` on HTTP errors). */
export async function fetchFromNetwork(
  url: string,
  onProgress?: (p: FetchProgress) => void,
): Promise<{ bytes: ArrayBuffer; contentType: string | null }> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ModelLoadError(`Could not fetch the model file ${url}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new ModelLoadError(
      `Could not fetch the model file ${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
      {
        cause: { status: response.status, url },
      },
    );
  }
  // A dev server's SPA fallback answers a missing file with the app's HTML and a 200.
  const contentType = response.headers.get('content-type');
  if ((contentType ?? '').includes('text/html')) {
    throw new ModelLoadError(
      `Could not fetch the model file ${url}: the server answered with an HTML page (is the path right?)`,
    );
  }
  return { bytes: await readBody(response, url, onProgress), contentType };
}

export async function fetchModelText(url: string, read: ModelFileReader = fetchModelFile): Promise<string> {
  return new TextDecoder().decode(await read(url));
}

/** Forgets every cached model file (for when weights changed under the same URL). */
export async function clearModelCache(): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  return caches.delete(modelCacheName);
}

async function readBody(
  response: Response,
  url: string,
  onProgress?: (p: FetchProgress) => void,
): Promise<ArrayBuffer> {
  // With a Content-Encoding the length counts compressed bytes, not the ones we read: no total then.
  const length = response.headers.has('content-encoding') ? Number.NaN : Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  try {
    if (!onProgress || !response.body) {
      const bytes = await response.arrayBuffer();
      onProgress?.({ loaded: bytes.byteLength, total: total ?? bytes.byteLength });
      return bytes;
    }
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    onProgress({ loaded, total });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onProgress({ loaded, total });
    }
    const out = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out.buffer;
  } catch (error) {
    throw new ModelLoadError(`Could not read the model file ${url}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}
