/**
 * The errors agentmem-web throws. Each has a stable `name` so it survives the worker boundary
 * (see `serializeError` / `deserializeError`) and can be told apart with `instanceof`.
 */

/** Base class of every error this library creates itself. Platform errors (DOMException, `signal.reason`) pass through. */
export class AgentMemError extends Error {
  override name = 'AgentMemError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A caller passed something the API does not accept. Nothing was written. */
export class ValidationError extends AgentMemError {
  override name = 'ValidationError';
}

/** The model (weights, tokenizer or config) could not be fetched or loaded. */
export class ModelLoadError extends AgentMemError {
  override name = 'ModelLoadError';
}

/** Inference failed (worker crashed, timed out repeatedly, or the runtime threw). */
export class EmbeddingError extends AgentMemError {
  override name = 'EmbeddingError';
}

/** IndexedDB refused a read or write (QuotaExceededError, a closed or blocked database...). The `cause` holds the platform error. */
export class StorageError extends AgentMemError {
  override name = 'StorageError';
}

/** The instance was closed; create a new one. */
export class ClosedError extends AgentMemError {
  override name = 'ClosedError';
}

/** An id that does not exist. */
export class NotFoundError extends AgentMemError {
  override name = 'NotFoundError';
}

/**
 * An import met a memory id that already exists while `onConflict` is `'error'`. The message names the id and how
 * many memories earlier batches committed; nothing of the batch holding the id, or after it, was written.
 */
export class ConflictError extends AgentMemError {
  override name = 'ConflictError';
}

const known: Record<string, new (message: string, options?: ErrorOptions) => Error> = {
  AgentMemError,
  ValidationError,
  ModelLoadError,
  EmbeddingError,
  StorageError,
  ClosedError,
  NotFoundError,
  ConflictError,
  TypeError,
  RangeError,
};

/** What crosses a worker boundary in place of an Error (structured clone drops subclass identity). */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

/** Rebuilds an error with the same `name` (and our class, where it is one of ours). */
export function deserializeError(data: SerializedError): Error {
  const Ctor = known[data.name];
  const error = Ctor ? new Ctor(data.message) : new Error(data.message);
  if (!Ctor) error.name = data.name;
  if (data.stack) error.stack = data.stack;
  return error;
}

/** The message of a thrown value, for a message of our own (a non-Error is shown as a string). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `TypeError: …`: a thrown value's name and message, for an error that wraps a platform one. */
export function errorDetail(error: unknown): string {
  return error instanceof Error ? (error.message ? `${error.name}: ${error.message}` : error.name) : String(error);
}
