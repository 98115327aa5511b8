import { ValidationError } from './errors.js';
import { describe, isPlainObject } from './validate.js';

/** How deep objects and arrays may nest in a JSON-portable value (the walk recurses at most this far). */
export const MAX_JSON_DEPTH = 64;

const JSON_VALUE = 'a JSON value (string, finite number, boolean, null, array or plain object)';

/**
 * A deep copy of the plain object `value` holding only what JSON carries, or a ValidationError naming the first
 * path that JSON would lose or change (`options.metadata.a.b`) and why. Keys whose value is undefined are dropped,
 * as JSON drops them. A shared (not circular) object is copied at each place, as JSON would write it.
 */
export function jsonCopy(
  name: string,
  value: Record<string, unknown>,
  maxDepth = MAX_JSON_DEPTH,
): Record<string, unknown> {
  return new JsonCopier(maxDepth).object(value, name, 1);
}

class JsonCopier {
  readonly #maxDepth: number;
  /** The objects enclosing the one being copied, with their paths: meeting one again is a cycle. */
  readonly #ancestors = new Map<object, string>();

  constructor(maxDepth: number) {
    this.#maxDepth = maxDepth;
  }

  object(value: Record<string, unknown>, path: string, depth: number): Record<string, unknown> {
    this.#enter(value, path, depth);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue;
      const copy = this.#value(item, `${path}${keySuffix(key)}`, depth);
      // Plain assignment of `__proto__` (an own key after JSON.parse) would set the copy's prototype instead.
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
      else out[key] = copy;
    }
    this.#ancestors.delete(value);
    return out;
  }

  #array(value: readonly unknown[], path: string, depth: number): unknown[] {
    this.#enter(value, path, depth);
    const out: unknown[] = [];
    // An index loop, not map(): a hole must be seen (JSON writes it as null) rather than kept as a hole.
    for (let i = 0; i < value.length; i++) {
      const at = `${path}[${i}]`;
      const item = value[i];
      if (item === undefined)
        throw new ValidationError(
          `Expected \`${at}\` to be ${JSON_VALUE}, got \`undefined\`: JSON writes undefined in an array as null; pass null`,
        );
      out.push(this.#value(item, at, depth));
    }
    this.#ancestors.delete(value);
    return out;
  }

  /** `depth`: the nesting level of the container holding `value`. */
  #value(value: unknown, path: string, depth: number): unknown {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (Number.isFinite(value)) return value;
        throw new ValidationError(
          `Expected \`${path}\` to be a finite number, got ${describe(value)}: JSON writes it as null`,
        );
      case 'bigint':
        throw new ValidationError(
          `Expected \`${path}\` to be ${JSON_VALUE}, got ${describe(value)}: JSON has no BigInt; pass a number or a string`,
        );
      case 'object':
        if (value === null) return null;
        if (Array.isArray(value)) return this.#array(value, path, depth + 1);
        if (isPlainObject(value)) return this.object(value, path, depth + 1);
        throw notPlain(value, path);
      default:
        // function, symbol (undefined is dropped or rejected by the caller)
        throw new ValidationError(`Expected \`${path}\` to be ${JSON_VALUE}, got ${describe(value)}`);
    }
  }

  /** Checks cycles before depth, so a cycle is named as one rather than as too deep. */
  #enter(value: object, path: string, depth: number): void {
    const seen = this.#ancestors.get(value);
    if (seen !== undefined) {
      throw new ValidationError(`Expected \`${path}\` to be ${JSON_VALUE}, got a circular reference to \`${seen}\``);
    }
    if (depth > this.#maxDepth) {
      throw new ValidationError(
        `Expected \`${path}\` to nest objects and arrays at most ${this.#maxDepth} levels deep, got level ${depth}`,
      );
    }
    this.#ancestors.set(value, path);
  }
}

function notPlain(value: object, path: string): ValidationError {
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (tag === 'Date') {
    return new ValidationError(
      `Expected \`${path}\` to be ${JSON_VALUE}, got a Date: pass \`date.toISOString()\` instead (an ISO string compares in time order with gt / lt filters)`,
    );
  }
  return new ValidationError(
    `Expected \`${path}\` to be ${JSON_VALUE}, got ${kindOf(value, tag)}: convert it to a plain object, an array or a string`,
  );
}

/** `a Map`, `a Uint8Array`, `a Point instance`...: what the caller will recognise. */
function kindOf(value: object, tag: string): string {
  if (tag !== 'Object') return `a ${tag}`;
  const ctor = (Object.getPrototypeOf(value) as { constructor?: unknown } | null)?.constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? `a ${ctor.name} instance` : 'an object that is not plain';
}

/** `.a`, or `["my key"]` where a key is not an identifier, so a path reads like the code that would reach it. */
function keySuffix(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
