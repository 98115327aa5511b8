/**
 * A model's id: what a database, a backup and the embedding cache record of the model that made their vectors. It
 * names the model by content (a fingerprint of its files) rather than by where it was served from, so the same model
 * on another origin, in another folder or in Node reads the same vectors without embedding them again.
 */
import { sha256BytesHex } from '../store/sha256.js';
import type { Variant } from '../worker/protocol.js';

/** Windows of the ONNX file hashed for its fingerprint: a fine-tuned copy differs in every one of them. */
const WINDOWS = 16;
const WINDOW_BYTES = 64 << 10;

/** What identifies the vectors a model folder gives: its config and tokenizer files and the variant's weights. */
export interface ModelFiles {
  readonly configJson: string;
  readonly tokenizerJson: string;
  readonly tokenizerConfigJson: string;
}

/**
 * 16 hex digits of SHA-256 over the folder's JSON files, the ONNX file's size and {@link WINDOWS} evenly spaced
 * windows of it (the whole file when small): ~1 MiB hashed, however large the model.
 */
export function modelFingerprint(files: ModelFiles, onnx: ArrayBuffer): string {
  const text = new TextEncoder().encode(
    [onnx.byteLength, files.configJson, files.tokenizerConfigJson, files.tokenizerJson].join('\u0000'),
  );
  const windows = windowsOf(new Uint8Array(onnx));
  const all = new Uint8Array(text.length + windows.reduce((n, w) => n + w.length, 0));
  all.set(text);
  let at = text.length;
  for (const w of windows) {
    all.set(w, at);
    at += w.length;
  }
  return sha256BytesHex(all).slice(0, 16);
}

function windowsOf(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length <= WINDOWS * WINDOW_BYTES) return [bytes];
  const step = (bytes.length - WINDOW_BYTES) / (WINDOWS - 1);
  return Array.from({ length: WINDOWS }, (_, i) => {
    const start = Math.round(i * step);
    return bytes.subarray(start, start + WINDOW_BYTES);
  });
}

/** `'minilm-l6#int8@0123456789abcdef'`: the folder's name for people, the variant and fingerprint for comparing. */
export function modelIdOf(folderUrl: string, variant: Variant, fingerprint: string): string {
  const name = decodeURIComponent(new URL(folderUrl).pathname.split('/').filter(Boolean).at(-1) ?? 'model');
  return `${name}#${variant}@${fingerprint}`;
}

/** The id the same model had before ids named content: the folder's URL and the variant. */
export function urlModelIdOf(folderUrl: string, variant: Variant): string {
  return `${folderUrl}#${variant}`;
}

/** The model behind an embedder, as a database or backup check sees it. */
export interface ModelIdentity {
  readonly modelId: string;
  /** Ids the same model was recorded under before (its URL id): a store or backup naming one holds its vectors. */
  readonly formerModelIds?: readonly string[] | undefined;
}

/**
 * Whether vectors recorded under `stored` are `model`'s: the same id, an id of the same variant and fingerprint under
 * another folder name, or one of its former ids. Ids without a fingerprint (a custom embedder's) must be equal.
 */
export function holdsModel(stored: string, model: ModelIdentity): boolean {
  if (stored === model.modelId || model.formerModelIds?.includes(stored)) return true;
  const a = contentPart(stored);
  return a !== undefined && a === contentPart(model.modelId);
}

function contentPart(id: string): string | undefined {
  const match = /#(fp32|fp16|int8)@([0-9a-f]{16})$/.exec(id);
  return match ? match[0] : undefined;
}
