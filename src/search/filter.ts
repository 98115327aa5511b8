import { ValidationError } from '../errors.js';
import { describe, isPlainObject } from '../validate.js';

/**
 * Metadata filters in Mem0's syntax, compiled once into a predicate so a scan pays no parsing cost per vector.
 *
 * - `{ field: value }`: equality (several fields: all must hold); `{ field: '*' }`: the field exists (any value, null
 *   included); `{ field: [a, b] }`: shorthand for `{ field: { in: [a, b] } }`.
 * - `{ field: { eq | ne | in | nin | gt | gte | lt | lte | contains | icontains: value } }` (several operators: all
 *   must hold).
 * - `{ AND: [f, ...] }`, `{ OR: [f, ...] }`, `{ NOT: f }` (or `{ NOT: [f, ...] }`: none of them holds, as Mem0's
 *   `must_not`); `$and`, `$or`, `$not` are the same. At most {@link MAX_FILTER_DEPTH} of them nest.
 *
 * An unknown operator is a ValidationError: a typo must never silently widen a search.
 */
export type FilterValue = string | number | boolean | null;

/** A field's value in the shorthand: `'*'` (the field exists) is offered by autocomplete beside any other string. */
export type FilterScalar = '*' | (string & {}) | number | boolean | null;

export interface FilterOperators {
  eq?: FilterValue;
  ne?: FilterValue;
  in?: readonly FilterValue[];
  nin?: readonly FilterValue[];
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  /** Substring of a string field, or an item of an array field (case-sensitive). */
  contains?: FilterValue;
  /** Case-insensitive substring of a string field, or of any string item of an array field. */
  icontains?: string;
}

/** What a field is matched with: a value (or `'*'`), a list of values (`in`), or operators. */
export type FieldFilter = FilterScalar | readonly FilterValue[] | FilterOperators;

export interface Filter {
  AND?: readonly Filter[];
  OR?: readonly Filter[];
  NOT?: Filter | readonly Filter[];
  $and?: readonly Filter[];
  $or?: readonly Filter[];
  $not?: Filter | readonly Filter[];
  [field: string]: FieldFilter | Filter | readonly Filter[] | undefined;
}

export type Metadata = Readonly<Record<string, unknown>>;
export type Predicate = (metadata: Metadata) => boolean;

/** How many AND / OR / NOT may nest: deeper is a ValidationError, checked before recursing so nothing overflows. */
export const MAX_FILTER_DEPTH = 64;

const operators = ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains', 'icontains'] as const;
type Operator = (typeof operators)[number];

const combinators: Readonly<Record<string, 'AND' | 'OR' | 'NOT'>> = {
  AND: 'AND',
  OR: 'OR',
  NOT: 'NOT',
  $and: 'AND',
  $or: 'OR',
  $not: 'NOT',
};

const always: Predicate = () => true;

/** Compiles `filters` (undefined = match everything); throws ValidationError on anything it does not understand. */
export function compileFilter(filters: unknown, path = 'filters'): Predicate {
  if (filters === undefined) return always;
  return compileObject(filters, path, 0);
}

/** `depth`: how many AND / OR / NOT enclose this filter. */
function compileObject(filter: unknown, path: string, depth: number): Predicate {
  if (!isPlainObject(filter))
    throw new ValidationError(`Expected \`${path}\` to be a filter object, got ${describe(filter)}`);
  const parts: Predicate[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const at = `${path}.${key}`;
    const combinator = Object.hasOwn(combinators, key) ? combinators[key] : undefined;
    if (combinator === undefined) {
      parts.push(compileField(key, value, at));
      continue;
    }
    if (depth >= MAX_FILTER_DEPTH) {
      throw new ValidationError(
        `Expected \`${path}\` to nest AND, OR and NOT at most ${MAX_FILTER_DEPTH} levels deep, got \`${key}\` at level ${depth + 1}`,
      );
    }
    if (combinator === 'NOT') {
      const inner = Array.isArray(value) ? some(filterList(value, at, depth + 1)) : compileObject(value, at, depth + 1);
      parts.push((m) => !inner(m));
    } else {
      const list = filterList(value, at, depth + 1);
      parts.push(combinator === 'AND' ? every(list) : some(list));
    }
  }
  return every(parts);
}

function filterList(value: unknown, path: string, depth: number): Predicate[] {
  if (!Array.isArray(value))
    throw new ValidationError(`Expected \`${path}\` to be an array of filters, got ${describe(value)}`);
  return value.map((item, i) => compileObject(item, `${path}[${i}]`, depth));
}

function compileField(field: string, condition: unknown, path: string): Predicate {
  if (condition === '*') return (m) => read(m, field) !== undefined;
  if (isScalar(condition)) return (m) => equals(read(m, field), condition);
  if (Array.isArray(condition)) return compileOperator(field, 'in', condition, path);
  if (!isPlainObject(condition)) {
    throw new ValidationError(
      `Expected \`${path}\` to be a string, number, boolean, null, '*', an array of those or an operator object ({ ${operators.join(' | ')}: value }), got ${describe(condition)}`,
    );
  }
  const parts: Predicate[] = [];
  for (const [op, operand] of Object.entries(condition)) {
    if (operand === undefined) continue;
    if (!(operators as readonly string[]).includes(op)) {
      throw new ValidationError(`Expected \`${path}\` operator to be one of ${operators.join(', ')}, got \`${op}\``);
    }
    parts.push(compileOperator(field, op as Operator, operand, `${path}.${op}`));
  }
  if (parts.length === 0)
    throw new ValidationError(`Expected \`${path}\` to hold at least one operator, got ${describe(condition)}`);
  return every(parts);
}

function compileOperator(field: string, op: Operator, operand: unknown, path: string): Predicate {
  switch (op) {
    case 'eq': {
      const v = scalar(operand, path);
      return (m) => equals(read(m, field), v);
    }
    case 'ne': {
      const v = scalar(operand, path);
      return (m) => !equals(read(m, field), v);
    }
    case 'in':
    case 'nin': {
      if (!Array.isArray(operand))
        throw new ValidationError(`Expected \`${path}\` to be an array, got ${describe(operand)}`);
      const set = operand.map((v, i) => scalar(v, `${path}[${i}]`));
      const inSet = (m: Metadata) => {
        const value = read(m, field);
        return set.some((v) => equals(value, v));
      };
      return op === 'in' ? inSet : (m) => !inSet(m);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof operand !== 'string' && (typeof operand !== 'number' || Number.isNaN(operand))) {
        throw new ValidationError(`Expected \`${path}\` to be a number or a string, got ${describe(operand)}`);
      }
      const test = compare[op];
      // Only like with like: a number never compares with a string, a missing field never matches.
      return (m) => {
        const value = read(m, field);
        return typeof value === typeof operand && test(value as number | string, operand);
      };
    }
    case 'contains': {
      const v = scalar(operand, path);
      return (m) => {
        const value = read(m, field);
        if (typeof value === 'string') return typeof v === 'string' && value.includes(v);
        if (Array.isArray(value)) return value.some((item) => item === v);
        return false;
      };
    }
    case 'icontains': {
      if (typeof operand !== 'string')
        throw new ValidationError(`Expected \`${path}\` to be a string, got ${describe(operand)}`);
      const needle = operand.toLowerCase();
      const holds = (item: unknown) => typeof item === 'string' && item.toLowerCase().includes(needle);
      return (m) => {
        const value = read(m, field);
        return Array.isArray(value) ? value.some(holds) : holds(value);
      };
    }
  }
}

const compare = {
  gt: (a: number | string, b: number | string) => a > b,
  gte: (a: number | string, b: number | string) => a >= b,
  lt: (a: number | string, b: number | string) => a < b,
  lte: (a: number | string, b: number | string) => a <= b,
};

/** The field's own value: `'*'` on `constructor` or `toString` must not find Object.prototype's. */
function read(m: Metadata, field: string): unknown {
  return Object.hasOwn(m, field) ? m[field] : undefined;
}

/** Equality as a user means it: an array-valued field matches when one of its items is equal. */
function equals(value: unknown, expected: FilterValue): boolean {
  if (Array.isArray(value)) return value.some((item) => item === expected);
  return value === expected;
}

function scalar(value: unknown, path: string): FilterValue {
  if (!isScalar(value))
    throw new ValidationError(`Expected \`${path}\` to be a string, number, boolean or null, got ${describe(value)}`);
  return value;
}

function isScalar(value: unknown): value is FilterValue {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && !Number.isNaN(value))
  );
}

function every(parts: readonly Predicate[]): Predicate {
  if (parts.length === 0) return always;
  if (parts.length === 1) return parts[0]!;
  return (m) => {
    for (const p of parts) if (!p(m)) return false;
    return true;
  };
}

function some(parts: readonly Predicate[]): Predicate {
  return (m) => {
    for (const p of parts) if (p(m)) return true;
    return false;
  };
}
