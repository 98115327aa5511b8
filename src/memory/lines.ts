import { concat } from '../concat.js';
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
/** Bytes of a Blob read at once. */
const BLOB_SLICE = 4 << 20;

/**
 * The lines of `source` (without their `\n` or `\r\n`), split across chunk boundaries, in groups of at most
 * {@link GROUP}. Bytes are split on `\n` before decoding (UTF-8 never uses that byte inside a character), so
 * every line is decoded whole; a line holding bytes that are not UTF-8 is a ValidationError naming it, thrown after the
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
        if (bytes.length > 0) text += decode(concat(bytes, Uint8Array), n + 1);
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
        const end = chunk.lastIndexOf(10);
        if (end < 0) {
          // Copied: a stream may reuse its chunk's memory for the next one.
          bytes.push(chunk.slice());
          continue;
        }
        // Whole lines decoded a block at a time; a line begun in earlier chunks is joined and decoded on its own,
        // so the rest of the chunk is never copied.
        const first = bytes.length > 0 ? chunk.indexOf(10) : -1;
        const blocks =
          first >= 0
            ? [concat([...bytes, chunk.subarray(0, first)], Uint8Array), chunk.subarray(first + 1, end)]
            : [chunk.subarray(0, end)];
        if (first === end) blocks.pop();
        bytes = [];
        for (const block of blocks) {
          const decoded = decodeLines(block, n);
          if (decoded.lines.length > 0) decoded.lines[0] = text + decoded.lines[0]!;
          text = '';
          for (const line of decoded.lines) {
            n++;
            group.push(trimCr(line));
            if (group.length >= GROUP) {
              yield group;
              group = [];
            }
          }
          if (decoded.error !== undefined) throw decoded.error;
        }
        if (end + 1 < chunk.length) bytes.push(chunk.slice(end + 1));
      }
      if (group.length > 0) {
        yield group;
        group = [];
      }
    }
    const last = text + (bytes.length > 0 ? decode(concat(bytes, Uint8Array), n + 1) : '');
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

/**
 * The lines of `bytes` (numbered from `n + 1`), decoded in one call. Only when the lenient decoder marked something
 * is each line decoded on its own: bytes that are not UTF-8 end the lines with the error naming their line.
 */
function decodeLines(bytes: Uint8Array, n: number): { lines: string[]; error?: ValidationError } {
  const text = utf8.decode(bytes);
  if (!text.includes('\uFFFD')) return { lines: text.split('\n') };
  const lines: string[] = [];
  let start = 0;
  try {
    for (let end = bytes.indexOf(10); ; end = bytes.indexOf(10, start)) {
      lines.push(decode(bytes.subarray(start, end < 0 ? bytes.length : end), n + lines.length + 1));
      if (end < 0) return { lines };
      start = end + 1;
    }
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { lines, error };
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
    // Read in large slices: its stream hands over ~64 KiB per read, each a round trip to where the file lives.
    for (let at = 0; at < source.size; at += BLOB_SLICE)
      yield new Uint8Array(await source.slice(at, at + BLOB_SLICE).arrayBuffer());
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
