import { ValidationError } from '../errors.js';
import { describe } from '../validate.js';

/**
 * Metadata filters in Mem0's syntax, compiled once into a predicate so a scan pays no parsing cost per vector.
 *
 * - `{ field: value }`: equality (several fields: all must hold).
 * - `{ field: { eq | ne | in | nin | gt | gte | lt | lte | contains: value } }` (several operators: all must hold).
 * - `{ AND: [f, ...] }`, `{ OR: [f, ...] }`, `{ NOT: f }` (or `{ NOT: [f, ...] }`: none of them holds, as Mem0's `must_not`).
 *
 * An unknown operator is a ValidationError: a typo must never silently widen a search.
 */
export type FilterValue = string | number | boolean | null;
export interface FilterOperators {
  eq?: FilterValue;
  ne?: FilterValue;
  in?: readonly FilterValue[];
  nin?: readonly FilterValue[];
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  contains?: FilterValue;
}
export interface Filter {
  AND?: readonly Filter[];
  OR?: readonly Filter[];
  NOT?: Filter | readonly Filter[];
  [field: string]: FilterValue | FilterOperators | Filter | readonly Filter[] | undefined;
}

export type Metadata = Readonly<Record<string, unknown>>;
export type Predicate = (metadata: Metadata) => boolean;

const operators = ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;
type Operator = (typeof operators)[number];

const always: Predicate = () => true;

/** Compiles `filters` (undefined = match everything); throws ValidationError on anything it does not understand. */
export function compileFilter(filters: unknown, path = 'filters'): Predicate {
  if (filters === undefined) return always;
  return compileObject(filters, path);
}

function compileObject(filter: unknown, path: string): Predicate {
  if (!isPlainObject(filter)) throw new ValidationError(`Expected \`${path}\` to be a filter object, got ${describe(filter)}`);
  const parts: Predicate[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const at = `${path}.${key}`;
    if (key === 'AND' || key === 'OR') {
      const list = filterList(value, at);
      parts.push(key === 'AND' ? every(list) : some(list));
    } else if (key === 'NOT') {
      const inner = Array.isArray(value) ? some(filterList(value, at)) : compileObject(value, at);
      parts.push((m) => !inner(m));
    } else {
      parts.push(compileField(key, value, at));
    }
  }
  return every(parts);
}

function filterList(value: unknown, path: string): Predicate[] {
  if (!Array.isArray(value)) throw new ValidationError(`Expected \`${path}\` to be an array of filters, got ${describe(value)}`);
  return value.map((item, i) => compileObject(item, `${path}[${i}]`));
}

function compileField(field: string, condition: unknown, path: string): Predicate {
  if (isScalar(condition)) return (m) => equals(m[field], condition);
  if (!isPlainObject(condition)) {
    throw new ValidationError(
      `Expected \`${path}\` to be a string, number, boolean, null or an operator object ({ ${operators.join(' | ')}: value }), got ${describe(condition)}`,
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
  if (parts.length === 0) throw new ValidationError(`Expected \`${path}\` to hold at least one operator, got ${describe(condition)}`);
  return every(parts);
}

function compileOperator(field: string, op: Operator, operand: unknown, path: string): Predicate {
  switch (op) {
    case 'eq': {
      const v = scalar(operand, path);
      return (m) => equals(m[field], v);
    }
    case 'ne': {
      const v = scalar(operand, path);
      return (m) => !equals(m[field], v);
    }
    case 'in':
    case 'nin': {
      if (!Array.isArray(operand)) throw new ValidationError(`Expected \`${path}\` to be an array, got ${describe(operand)}`);
      const set = operand.map((v, i) => scalar(v, `${path}[${i}]`));
      const inSet = (m: Metadata) => set.some((v) => equals(m[field], v));
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
        const value = m[field];
        return typeof value === typeof operand && test(value as number | string, operand);
      };
    }
    case 'contains': {
      const v = scalar(operand, path);
      return (m) => {
        const value = m[field];
        if (typeof value === 'string') return typeof v === 'string' && value.includes(v);
        if (Array.isArray(value)) return value.some((item) => item === v);
        return false;
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

/** Equality as a user means it: an array-valued field matches when one of its items is equal. */
function equals(value: unknown, expected: FilterValue): boolean {
  if (Array.isArray(value)) return value.some((item) => item === expected);
  return value === expected;
}

function scalar(value: unknown, path: string): FilterValue {
  if (!isScalar(value)) throw new ValidationError(`Expected \`${path}\` to be a string, number, boolean or null, got ${describe(value)}`);
  return value;
}

function isScalar(value: unknown): value is FilterValue {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && !Number.isNaN(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
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
