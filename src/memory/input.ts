import { ValidationError } from '../errors.js';
import type { SearchMode } from '../search/hybrid.js';
import { scopeFields } from '../search/search-index.js';
import type { MessageContext } from '../store/records.js';
import {
  describe,
  expected,
  hasLoneSurrogate,
  integerInRange,
  isPlainObject,
  nonBlankText,
  numberInRange,
  oneOf,
} from '../validate.js';
import { jsonCopy } from '../validate-json.js';
import type { MemoryScope, Message, Metadata } from './types.js';

/**
 * Input checks of the public API. Each runs before anything is written or queued, so a bad call throws a
 * ValidationError and no other caller's work is touched.
 */

/** A memory or query text: a non-empty string that UTF-8 can encode faithfully. */
export function text(name: string, value: unknown): string {
  const checked = nonBlankText(name, value);
  if (hasLoneSurrogate(checked)) throw expected(name, 'a well-formed string (it holds a lone UTF-16 surrogate)', value);
  return checked;
}

export function id(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw expected('id', 'a non-empty string', value);
  return value;
}

/**
 * A scope id as Mem0 takes it: surrounding whitespace trimmed (`' alice '` is `'alice'`); empty, or whitespace
 * inside, is a ValidationError.
 */
export function scopeId(name: string, value: unknown): string {
  if (typeof value !== 'string' || hasLoneSurrogate(value)) throw expected(name, 'a non-empty string', value);
  const id = value.trim();
  if (id.length === 0) throw expected(name, 'a non-empty string', value);
  if (/\s/.test(id)) throw expected(name, 'an id without whitespace inside', value);
  return id;
}

/** The scope keys of `options`, each a valid scope id when given; `required`: at least one. */
export function scope(name: string, options: Readonly<Record<string, unknown>>, required: boolean): MemoryScope {
  const out: MemoryScope = {};
  for (const key of scopeFields) {
    const value = options[key];
    if (value !== undefined) out[key] = scopeId(`${name}.${key}`, value);
  }
  if (required) requireScope(name, out, pickScope(options));
  return out;
}

/** At least one scope key: a search or add of "everyone" is a mistake, reset() and getAll() per scope exist. */
export function requireScope(name: string, scope: MemoryScope, given: unknown): void {
  if (Object.keys(scope).length > 0) return;
  throw new ValidationError(
    `Expected \`${name}\` to name a scope (\`userId\`, \`agentId\` or \`runId\`, or Mem0's \`filters: { user_id }\`), got ${describe(given)}`,
  );
}

/** The scope fields of `options` as given, for an error message. */
export function pickScope(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(scopeFields.map((field) => [field, options[field]]));
}

/** The keys each method's options take (a typo such as `filter` or `user_id` must not silently widen a search). */
export const keys = {
  add: [...scopeFields, 'metadata', 'expirationDate', 'infer'],
  addManyItem: ['text', ...scopeFields, 'metadata', 'expirationDate'],
  search: [...scopeFields, 'filters', 'limit', 'topK', 'threshold', 'mode', 'keywordWeight', 'explain', 'showExpired'],
  getAll: [...scopeFields, 'filters', 'limit', 'topK', 'showExpired'],
  update: ['text', 'metadata', 'replace', 'expirationDate'],
  scope: scopeFields,
} as const;

/** An options bag: undefined or a plain object; with `allowed`, any other key is a ValidationError. */
export function options(name: string, value: unknown, allowed?: readonly string[]): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw expected(name, 'an options object', value);
  if (allowed) {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw new ValidationError(
          `Unknown option \`${name}.${key}\`; expected ${allowed.map((k) => `\`${k}\``).join(', ')}`,
        );
      }
    }
  }
  return value;
}

/**
 * Metadata: a plain object that JSON carries whole, as Mem0 stores it (no Date, Map, BigInt, NaN, cycle...; keys
 * whose value is undefined are dropped). Returns a deep copy, so a caller mutating its object afterwards cannot
 * change what was stored.
 */
export function metadata(name: string, value: unknown): Metadata {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw expected(name, 'a plain object', value);
  return jsonCopy(name, value);
}

/** A string, or a non-empty Message[]: the texts to store, each with its role (for messages). */
export function addInput(value: unknown): { text: string; role?: string }[] {
  if (typeof value === 'string') return [{ text: text('text', value) }];
  if (!Array.isArray(value)) throw expected('text', 'a string or an array of messages ({ role, content })', value);
  if (value.length === 0) throw expected('messages', 'a non-empty array of messages', value);
  const out: { text: string; role?: string }[] = [];
  value.forEach((message: unknown, i) => {
    if (!isPlainObject(message)) throw expected(`messages[${i}]`, 'a message ({ role, content })', message);
    const { role, content } = message as Partial<Message>;
    if (typeof role !== 'string' || role.length === 0)
      throw expected(`messages[${i}].role`, 'a non-empty string', role);
    if (role === 'system') return;
    out.push({ text: text(`messages[${i}].content`, content), role });
  });
  return out;
}

/** `limit` or Mem0 v3's `topK` (both given: they must agree); `0` asks for no results, as in Mem0. */
export function limit(options: Readonly<Record<string, unknown>>, fallback: number): number {
  const { limit, topK } = options;
  const count = (name: string, value: unknown) =>
    value === undefined ? undefined : integerInRange(name, value, 0, Number.MAX_SAFE_INTEGER);
  const a = count('options.limit', limit);
  const b = count('options.topK', topK);
  if (a !== undefined && b !== undefined && a !== b) {
    throw new ValidationError(
      `Expected \`options.limit\` and \`options.topK\` to agree (they are one setting), got ${a} and ${b}`,
    );
  }
  return a ?? b ?? fallback;
}

/** Mem0's `infer`: only `false` (store each text as given) is what this library does; there is no LLM here. */
export function infer(value: unknown): void {
  if (value === undefined || value === false) return;
  throw expected(
    'options.infer',
    "`false` or left out (texts are stored as given, like Mem0's `infer: false`; there is no LLM fact extraction)",
    value,
  );
}

export function searchMode(value: unknown): SearchMode {
  return value === undefined ? 'hybrid' : oneOf('options.mode', value, ['hybrid', 'vector', 'keyword'] as const);
}

/** The keyword score's share of a hybrid score. 0.35 ranked with the best on LoCoMo's development split. */
export function keywordWeight(value: unknown): number {
  return value === undefined ? 0.35 : numberInRange('options.keywordWeight', value, 0, 1);
}

export function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw expected(name, 'a boolean', value);
  return value;
}

/** The conversation around message `i` of one add: its neighbours' texts, indexed with it for keyword search. */
export function context(texts: readonly { text: string }[], i: number): MessageContext | undefined {
  if (texts.length < 2) return undefined;
  const before = texts[i - 1]?.text;
  const after = texts[i + 1]?.text;
  return { ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

export function threshold(value: unknown): number | undefined {
  return value === undefined ? undefined : numberInRange('threshold', value, -1, 1);
}
