import { ValidationError } from './errors.js';

/** `got \`0\` (number)`: the received value and its type, short enough for a message. */
export function describe(value: unknown): string {
  let shown: string;
  if (typeof value === 'string')
    shown = value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'function') shown = 'function';
  else if (value !== null && typeof value === 'object') {
    try {
      shown = JSON.stringify(value)?.slice(0, 60) ?? Object.prototype.toString.call(value);
    } catch {
      shown = Object.prototype.toString.call(value);
    }
  } else shown = String(value);
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `\`${shown}\` (${type})`;
}

/** `Expected \`workers\` to be an integer from 1 to 16, got \`0\` (number)`. */
export function expected(name: string, what: string, value: unknown): ValidationError {
  return new ValidationError(`Expected \`${name}\` to be ${what}, got ${describe(value)}`);
}

export function integerInRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw expected(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function numberInRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw expected(name, `a number from ${min} to ${max}`, value);
  }
  return value;
}

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw expected(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

export function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw expected(name, 'a string', value);
  if (value.trim().length === 0) throw expected(name, 'a non-empty string (not only whitespace)', value);
  return value;
}

/**
 * A text to embed or store: a string with something besides whitespace and control characters ('\0', '\u0007'...),
 * which tokenise like '' and so are rejected like it.
 */
export function nonBlankText(name: string, value: unknown): string {
  if (typeof value !== 'string') throw expected(name, 'a string', value);
  if (/^[\s\p{Cc}]*$/u.test(value))
    throw expected(name, 'a non-empty string (not only whitespace or control characters)', value);
  return value;
}

/** The index of the first unpaired UTF-16 surrogate (it cannot be encoded as UTF-8 faithfully), or -1. */
export function loneSurrogateAt(value: string): number {
  return value.search(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
}

export function hasLoneSurrogate(value: string): boolean {
  return loneSurrogateAt(value) !== -1;
}

/** An object literal or `Object.create(null)`: not an array, a Map, a Date or another class's instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function plainObject(name: string, value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw expected(name, 'a plain object', value);
  return value;
}
