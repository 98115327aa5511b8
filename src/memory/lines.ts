import { ValidationError } from '../errors.js';
import { expected } from '../validate.js';

/** What an import reads: the export's text whole, a Blob or File, a stream, or any iterable of text or bytes. */
export type ImportSource =
  | string
  | Blob
  | ReadableStream<string | Uint8Array>
  | AsyncIterable<string | Uint8Array>
  | Iterable<string | Uint8Array>;

/** Lines handed over at once: one await per group, not per line, bounded for a source that is one huge string. */
const GROUP = 256;

/**
 * The lines of `source` (without their `\n` or `\r\n`), split across chunk boundaries, in groups of at most
 * {@link GROUP}. Bytes are split on `\n` before decoding (UTF-8 never uses that byte inside a character) and each
 * line is decoded whole; a line holding bytes that are not UTF-8 is a ValidationError naming it, thrown after the
 * lines before it were handed over. A blank line is given as '' so line numbers stay right.
 */
export async function* lines(source: ImportSource): AsyncGenerator<string[]> {
  let n = 0;
  let text = '';
  let bytes: Uint8Array[] = [];
  let group: string[] = [];
  try {
    for await (const chunk of chunks(source)) {
      if (typeof chunk === 'string') {
        if (bytes.length > 0) text += decode(join(bytes), n + 1);
        bytes = [];
        text += chunk;
        let start = 0;
        let end: number;
        while ((end = text.indexOf('\n', start)) >= 0) {
          n++;
          group.push(trimCr(text.slice(start, end)));
          start = end + 1;
          if (group.length >= GROUP) {
            yield group;
            group = [];
          }
        }
        text = text.slice(start);
      } else {
        let start = 0;
        let end: number;
        while ((end = chunk.indexOf(10, start)) >= 0) {
          const part = chunk.subarray(start, end);
          n++;
          group.push(trimCr(text + decode(bytes.length > 0 ? join([...bytes, part]) : part, n)));
          text = '';
          bytes = [];
          start = end + 1;
          if (group.length >= GROUP) {
            yield group;
            group = [];
          }
        }
        // Copied: a stream may reuse its chunk's memory for the next one.
        if (start < chunk.length) bytes.push(chunk.slice(start));
      }
      if (group.length > 0) {
        yield group;
        group = [];
      }
    }
    const last = text + (bytes.length > 0 ? decode(join(bytes), n + 1) : '');
    if (last.length > 0) group.push(trimCr(last));
  } catch (error) {
    if (group.length > 0) yield group;
    throw error;
  }
  if (group.length > 0) yield group;
}

const utf8 = new TextDecoder();
// A fatal decoder is ~10x slower in Node 20: it only checks a line the lenient one marked with U+FFFD.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array, n: number): string {
  const text = utf8.decode(bytes);
  if (!text.includes('\uFFFD')) return text;
  try {
    return strictUtf8.decode(bytes);
  } catch (error) {
    throw new ValidationError(`Expected line ${n} of the import to be UTF-8 text, got bytes that are not UTF-8`, {
      cause: error,
    });
  }
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
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
