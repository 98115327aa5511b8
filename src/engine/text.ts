import { ValidationError } from '../errors.js';
import { loneSurrogateAt, nonBlankText } from '../validate.js';

/**
 * Checks one text to embed. Throws a {@link ValidationError} (rejecting only that caller's promise) for a
 * non-string, a string of only whitespace and control characters ('', '\0 \t'), or a string with a lone UTF-16
 * surrogate (it has no UTF-8 form, so the tokenizer would see a replacement character and the cache key would not be
 * the text's).
 */
export function validateText(value: unknown, name = 'text'): string {
  const text = nonBlankText(name, value);
  const at = loneSurrogateAt(text);
  if (at !== -1) {
    throw new ValidationError(`Expected \`${name}\` to be well-formed UTF-16, got a lone surrogate at index ${at}`);
  }
  return text;
}
