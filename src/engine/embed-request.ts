/** Who hears a request's outcome once: its vectors (in order), or the first error among its texts. */
export interface VectorSink {
  embedded(vectors: Float32Array[]): void;
  embedFailed(error: unknown): void;
}

/**
 * One embed(), embedMany() or embedInto() call: its vectors fill in as its texts' jobs finish, and it settles once
 * (failed by its first failed text). One object per call, not a promise per text: a flood of adds waits here.
 */
export class EmbedRequest {
  readonly vectors: Float32Array[];
  #remaining: number;
  #settled = false;
  readonly #sink: VectorSink;
  readonly #signal: AbortSignal | undefined;
  /** Set while a signal can abort the call. */
  onAbort: (() => void) | undefined;

  constructor(size: number, signal: AbortSignal | undefined, sink: VectorSink) {
    this.vectors = new Array<Float32Array>(size);
    this.#remaining = size;
    this.#signal = signal;
    this.#sink = sink;
  }

  fill(index: number, vector: Float32Array): void {
    if (this.#settled) return;
    this.vectors[index] = vector;
    if (--this.#remaining === 0) {
      this.#end();
      this.#sink.embedded(this.vectors);
    }
  }

  fail(error: unknown): void {
    if (this.#settled) return;
    this.#end();
    this.#sink.embedFailed(error);
  }

  #end(): void {
    this.#settled = true;
    if (this.onAbort) this.#signal?.removeEventListener('abort', this.onAbort);
    this.onAbort = undefined;
  }
}
