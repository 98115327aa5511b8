import { ValidationError } from '../errors.js';
import { expected } from '../validate.js';

/** What an import reads: the export's text whole, a Blob or File, a stream, or any iterable of text or bytes. */
export type ImportSource =
  | string
  | Blob
  | ReadableStream<string | Uint8Array>
  | AsyncIterable<string | Uint8Array>
  | Iterable<string | Uint8Array>;

/**
 * The lines of `source` (without their `\n` or `\r\n`), split across chunk boundaries; bytes are decoded as UTF-8,
 * a character split between two chunks included. A blank line is yielded as '' so line numbers stay right.
 */
export async function* lines(source: ImportSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let carry = '';
  for await (const chunk of chunks(source)) {
    const text = typeof chunk === 'string' ? chunk : utf8(decoder, chunk);
    let start = 0;
    let end = text.indexOf('\n');
    if (end >= 0) {
      yield trimCr(carry + text.slice(0, end));
      carry = '';
      start = end + 1;
      while ((end = text.indexOf('\n', start)) >= 0) {
        yield trimCr(text.slice(start, end));
        start = end + 1;
      }
    }
    carry += text.slice(start);
  }
  carry += utf8(decoder, undefined);
  if (carry.length > 0) yield trimCr(carry);
}

function utf8(decoder: TextDecoder, chunk: Uint8Array | undefined): string {
  try {
    return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
  } catch (error) {
    throw new ValidationError('Expected the import source to be UTF-8 text, got bytes that are not UTF-8', {
      cause: error,
    });
  }
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

async function* chunks(source: ImportSource): AsyncGenerator<string | Uint8Array> {
  if (typeof source === 'string') {
    yield source;
    return;
  }
  if (typeof Blob === 'function' && source instanceof Blob) {
    yield* streamChunks(source.stream());
    return;
  }
  if (typeof ReadableStream === 'function' && source instanceof ReadableStream) {
    yield* streamChunks(source);
    return;
  }
  const iterable = source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  if (typeof iterable[Symbol.asyncIterator] !== 'function' && typeof iterable[Symbol.iterator] !== 'function')
    throw expected('source', 'a string, Blob, ReadableStream or (async) iterable of strings or Uint8Arrays', source);
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))
      throw expected('source', 'chunks that are strings or Uint8Arrays', chunk);
    yield chunk;
  }
}

async function* streamChunks(stream: ReadableStream<string | Uint8Array>): AsyncGenerator<string | Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (typeof value !== 'string' && !(value instanceof Uint8Array))
        throw expected('source', 'a stream of strings or Uint8Arrays', value);
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
