import { ValidationError } from '../errors.js';
import type { SearchMode } from '../search/hybrid.js';
import type { MessageContext } from '../store/records.js';
import { describe, expected, hasLoneSurrogate, integerInRange, numberInRange, oneOf } from '../validate.js';
import { jsonCopy } from '../validate-json.js';
import type { MemoryScope, Message, Metadata } from './types.js';

/**
 * Input checks of the public API. Each runs before anything is written or queued, so a bad call throws a
 * ValidationError and no other caller's work is touched.
 */

/** A memory or query text: a non-empty string that UTF-8 can encode faithfully. */
export function text(name: string, value: unknown): string {
  if (typeof value !== 'string') throw expected(name, 'a string', value);
  if (isBlank(value)) throw expected(name, 'a non-empty string (not only whitespace or control characters)', value);
  if (hasLoneSurrogate(value)) throw expected(name, 'a well-formed string (it holds a lone UTF-16 surrogate)', value);
  return value;
}

/** Only whitespace and control characters ('\0', '\u0007'...): nothing to embed, so rejected like ''. */
function isBlank(value: string): boolean {
  return /^[\s\p{Cc}]*$/u.test(value);
}

export function id(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw expected('id', 'a non-empty string', value);
  return value;
}

/** The scope fields, in the order messages name them. */
const SCOPE_KEYS = ['userId', 'agentId', 'runId'] as const;

/** The scope keys of `options`, each a non-empty string when given; `required`: at least one. */
export function scope(name: string, options: Readonly<Record<string, unknown>>, required: boolean): MemoryScope {
  const out: MemoryScope = {};
  for (const key of SCOPE_KEYS) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || hasLoneSurrogate(value)) {
      throw expected(`${name}.${key}`, 'a non-empty string', value);
    }
    out[key] = value;
  }
  if (required && Object.keys(out).length === 0) {
    throw new ValidationError(
      `Expected \`${name}\` to name a scope (\`userId\`, \`agentId\` or \`runId\`), got ${describe(pick(options))}`,
    );
  }
  return out;
}

function pick(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { userId, agentId, runId } = options;
  return { userId, agentId, runId };
}

/** The keys each method's options take (a typo such as `filter` or `user_id` must not silently widen a search). */
export const keys = {
  add: [...SCOPE_KEYS, 'metadata'],
  addManyItem: ['text', ...SCOPE_KEYS, 'metadata'],
  search: [...SCOPE_KEYS, 'filters', 'limit', 'threshold', 'mode', 'keywordWeight', 'explain'],
  getAll: [...SCOPE_KEYS, 'filters', 'limit'],
  update: ['text', 'metadata'],
  scope: SCOPE_KEYS,
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

export function limit(value: unknown, fallback: number): number {
  return value === undefined ? fallback : integerInRange('limit', value, 1, Number.MAX_SAFE_INTEGER);
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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
