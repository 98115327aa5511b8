import { ValidationError } from '../errors.js';
import { MAX_FILTER_DEPTH } from '../search/filter.js';
import { scopeFields, type ScopeField } from '../search/search-index.js';
import { isPlainObject } from '../validate.js';
import * as input from './input.js';
import type { MemoryScope } from './types.js';

/**
 * The scope of a search() or getAll() in both call shapes: today's names it beside `filters`
 * (`{ userId: 'alice' }`), Mem0 v3 inside them (`{ filters: { user_id: 'alice' } }`, camelCase or snake_case).
 * Either way it selects whose memories are read (a memory's scope is not part of its metadata), so the scope ids
 * are taken out of `filters` here and the rest is compiled as metadata filters.
 */

/** Each scope field under both its names: `userId` and Mem0's `user_id`. */
const FILTER_SCOPE: Readonly<Record<string, ScopeField>> = Object.fromEntries(
  scopeFields.flatMap((field) => [
    [field, field],
    [field.replace(/Id$/, '_id'), field],
  ]),
);
/** A scope id in the top-level AND holds like one at the top: both must match. */
const CONJUNCTIONS = new Set(['AND', '$and']);
const COMBINATORS = new Set(['AND', 'OR', 'NOT', '$and', '$or', '$not']);

/** The scope (required) and `filters` without its scope ids. Throws ValidationError on a scope given two ways. */
export function listScope(options: Readonly<Record<string, unknown>>): { scope: MemoryScope; filters: unknown } {
  const scope = input.scope('options', options, false);
  const { filters } = options;
  if (!isPlainObject(filters)) {
    input.requireScope('options', scope, { ...input.pickScope(options), filters });
    return { scope, filters };
  }
  const found = new Map<ScopeField, { id: string; path: string }>();
  const take = (key: string, value: unknown, path: string): void => {
    const field = FILTER_SCOPE[key]!;
    if (value === '*') {
      throw new ValidationError(
        `Expected \`${path}\` to name one ${field.slice(0, -2)}, got \`"*"\`: a search reads the memories of one scope`,
      );
    }
    const id = input.scopeId(path, value);
    const top = scope[field];
    if (top !== undefined && top !== id) throw conflict(`options.${field}`, top, path, id);
    const seen = found.get(field);
    if (seen && seen.id !== id) throw conflict(seen.path, seen.id, path, id);
    found.set(field, { id, path });
  };
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    const path = `options.filters.${key}`;
    if (Object.hasOwn(FILTER_SCOPE, key)) take(key, value, path);
    else if (CONJUNCTIONS.has(key) && Array.isArray(value))
      rest[key] = value.map((item: unknown, i) => withoutScope(item, `${path}[${i}]`, take));
    else rest[key] = value;
  }
  rejectNested(rest, 'options.filters', 0);
  for (const [field, { id }] of found) scope[field] ??= id;
  input.requireScope('options', scope, { ...input.pickScope(options), filters });
  return { scope, filters: Object.keys(rest).length > 0 ? rest : undefined };
}

function withoutScope(item: unknown, path: string, take: (key: string, value: unknown, path: string) => void): unknown {
  if (!isPlainObject(item)) return item; // compileFilter names what is wrong with it
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    if (value !== undefined && Object.hasOwn(FILTER_SCOPE, key)) take(key, value, `${path}.${key}`);
    else rest[key] = value;
  }
  return rest;
}

/** A scope id inside OR or NOT cannot select a scope; compared with metadata it would silently match nothing. */
function rejectNested(filter: unknown, path: string, depth: number): void {
  if (depth > MAX_FILTER_DEPTH || !isPlainObject(filter)) return; // too deep: compileFilter rejects it
  for (const [key, value] of Object.entries(filter)) {
    if (depth > 0 && Object.hasOwn(FILTER_SCOPE, key)) {
      throw new ValidationError(
        `Expected the scope id \`${path}.${key}\` at the top of \`options.filters\` (or in its top-level AND): it selects whose memories are read, so it cannot sit inside OR or NOT`,
      );
    }
    if (!COMBINATORS.has(key)) continue;
    if (Array.isArray(value)) value.forEach((item, i) => rejectNested(item, `${path}.${key}[${i}]`, depth + 1));
    else rejectNested(value, `${path}.${key}`, depth + 1);
  }
}

function conflict(pathA: string, a: string, pathB: string, b: string): ValidationError {
  return new ValidationError(
    `Expected one scope, got \`${pathA}\` = ${JSON.stringify(a)} and \`${pathB}\` = ${JSON.stringify(b)}; give it once (or the same id twice)`,
  );
}
