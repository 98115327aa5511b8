/**
 * Turns whatever was thrown into something a person can read and act on: a title, the library's own message
 * (which already says what was expected and what was received) and a hint. Matches on `name`, which survives the
 * worker boundary, rather than on `instanceof`.
 */

export interface Described {
  readonly title: string;
  readonly detail: string;
  readonly hint?: string;
}

function causeName(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Error || cause instanceof DOMException ? cause.name : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) return error.message;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

function nameOf(error: unknown): string {
  return error instanceof Error || error instanceof DOMException ? error.name : 'Error';
}

export function describeError(error: unknown): Described {
  const name = nameOf(error);
  const detail = messageOf(error);
  const quota = name === 'QuotaExceededError' || causeName(error) === 'QuotaExceededError' || /quota/i.test(detail);
  if (quota) {
    return {
      title: 'Browser storage is full',
      detail,
      hint: 'The browser refused to store more data. Delete some memories ("Clear user"), or clear this site’s data in the browser settings, then try again.',
    };
  }
  if (/webgpu|gpu adapter|navigator\.gpu/i.test(detail) && name !== 'ValidationError') {
    return {
      title: 'WebGPU is not available',
      detail,
      hint: 'This browser or device has no usable WebGPU adapter. Choose “Auto” or “WASM” as the backend and restart the engine.',
    };
  }
  switch (name) {
    case 'ModelLoadError':
      return {
        title: 'The model could not be loaded',
        detail,
        hint: 'Check that the model folder exists under public/models/ (run `npm run models`) and holds config.json, tokenizer.json and onnx/*.onnx.',
      };
    case 'StorageError':
      return {
        title: 'IndexedDB refused the operation',
        detail,
        hint: 'Another tab may hold an older version of the database open; close it and reload.',
      };
    case 'ValidationError':
      return { title: 'That input was not accepted', detail };
    case 'NotFoundError':
      return { title: 'That memory no longer exists', detail, hint: 'It may have been deleted in another tab.' };
    case 'ClosedError':
      return {
        title: 'The engine was closed',
        detail,
        hint: 'It is restarting or was stopped; wait until the status says Ready.',
      };
    case 'EmbeddingError':
      return { title: 'Embedding failed', detail, hint: 'Try restarting the engine, or switch the backend to WASM.' };
    default:
      return { title: 'Something went wrong', detail: name === 'Error' ? detail : `${name}: ${detail}` };
  }
}
