import { ValidationError } from '../errors.js';
import { expected, hasLoneSurrogate } from '../validate.js';

/**
 * Checks one text to embed. Throws a {@link ValidationError} (rejecting only that caller's promise) for a
 * non-string, an empty or whitespace-only string, or a string with a lone UTF-16 surrogate (it has no UTF-8 form,
 * so the tokenizer would see a replacement character and the cache key would not be the text's).
 */
export function validateText(value: unknown, name = 'text'): string {
  if (typeof value !== 'string') throw expected(name, 'a string', value);
  if (value.trim().length === 0) throw expected(name, 'a non-empty string (not only whitespace)', value);
  if (hasLoneSurrogate(value)) {
    const at = value.search(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    throw new ValidationError(`Expected \`${name}\` to be well-formed UTF-16, got a lone surrogate at index ${at}`);
  }
  return value;
}
