/**
 * A model's id: what a database, a backup and the embedding cache record of the model that made their vectors. It
 * names the model by content (a fingerprint of its files) rather than by where it was served from, so the same model
 * on another origin, in another folder or in Node reads the same vectors without embedding them again.
 */
import { toHex } from '../hex.js';
import { sha256BytesHex, sha256Hex } from '../sha256.js';
import type { Variant } from '../worker/protocol.js';

/** What identifies the vectors a model folder gives: its config and tokenizer files and the variant's weights. */
export interface ModelFiles {
  readonly configJson: string;
  readonly tokenizerJson: string;
  readonly tokenizerConfigJson: string;
}

/**
 * 16 hex digits of SHA-256 over the SHA-256 of the folder's JSON files and that of the whole ONNX file: any changed
 * weight, token or setting gives another id. WebCrypto hashes off the main thread where it exists (Node, secure
 * pages); elsewhere our own SHA-256 does, in one task.
 */
export async function modelFingerprint(files: ModelFiles, onnx: ArrayBuffer): Promise<string> {
  const text = new TextEncoder().encode(
    [files.configJson, files.tokenizerConfigJson, files.tokenizerJson].join('\u0000'),
  );
  const [a, b] = await Promise.all([digest(text), digest(new Uint8Array(onnx))]);
  return sha256Hex(a + b).slice(0, 16);
}

async function digest(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle) {
    try {
      return toHex(new Uint8Array(await subtle.digest('SHA-256', bytes)));
    } catch {
      // A context that has the object but refuses the call: the same hash, computed here.
    }
  }
  return sha256BytesHex(bytes);
}

/** `'minilm-l6#int8@0123456789abcdef'`: the folder's name for people, the variant and fingerprint for comparing. */
export function modelIdOf(folderUrl: string, variant: Variant, fingerprint: string): string {
  const segment = new URL(folderUrl).pathname.split('/').filter(Boolean).at(-1) ?? 'model';
  let name = segment;
  try {
    name = decodeURIComponent(segment);
  } catch {
    // A bare `%` in the folder's name (`/models/50%off/`): kept as served.
  }
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
