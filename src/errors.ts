/**
 * The errors agentmem-web throws. Each has a stable `name` so it survives the worker boundary
 * (see `serializeError` / `deserializeError`) and can be told apart with `instanceof`.
 */

/** Base class of every error this library creates itself. Platform errors (DOMException, `signal.reason`) pass through. */
export class AgentMemError extends Error {}

/** A caller passed something the API does not accept. Nothing was written. */
export class ValidationError extends AgentMemError {}

/** The model (weights, tokenizer or config) could not be fetched or loaded. */
export class ModelLoadError extends AgentMemError {}

/** Inference failed (worker crashed, timed out repeatedly, or the runtime threw). */
export class EmbeddingError extends AgentMemError {}

/** IndexedDB refused a read or write (QuotaExceededError, a closed or blocked database...). The `cause` holds the platform error. */
export class StorageError extends AgentMemError {}

/** The instance was closed; create a new one. */
export class ClosedError extends AgentMemError {}

/** An id that does not exist. */
export class NotFoundError extends AgentMemError {}

/**
 * An import met a memory id that already exists while `onConflict` is `'error'`. The message names the id and how
 * many memories earlier batches committed; nothing of the batch holding the id, or after it, was written.
 */
export class ConflictError extends AgentMemError {}

const ours = {
  AgentMemError,
  ValidationError,
  ModelLoadError,
  EmbeddingError,
  StorageError,
  ClosedError,
  NotFoundError,
  ConflictError,
};

// Each name is set on its prototype from this table, not taken from the class, whose name a minifier may change.
for (const [name, Class] of Object.entries(ours)) {
  Object.defineProperty(Class.prototype, 'name', { value: name, writable: true, configurable: true });
}

const known: Record<string, new (message: string, options?: ErrorOptions) => Error> = {
  ...ours,
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
