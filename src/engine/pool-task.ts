/**
 * A batch as the pool carries it: its texts, the tries spent on it so far, and how its caller is answered. A batch
 * that fails is split into halves that keep its tries, so a bad text takes fewer callers down with it.
 */
import { AgentMemError, EmbeddingError, errorMessage } from '../errors.js';

/** Tries of one batch (the first run plus retries) before its callers get an error. */
export const maxAttempts = 3;

/** Per-text outcome of a batch: a unit vector or the error for that text. */
export type ItemResult = Float32Array | Error;

export interface Task {
  readonly texts: readonly string[];
  attempts: number;
  readonly failures: string[];
  readonly resolve: (results: ItemResult[]) => void;
  readonly reject: (error: Error) => void;
}

/** Two tasks for the halves of a batch, with `attempts` tries counted already; `task` settles with both, in order. */
export function halves(task: Task, attempts: number): [Task, Task] {
  const half = Math.ceil(task.texts.length / 2);
  const parts = [task.texts.slice(0, half), task.texts.slice(half)].map((texts) => {
    let resolve!: (results: ItemResult[]) => void;
    let reject!: (error: Error) => void;
    const done = new Promise<ItemResult[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { task: { texts, attempts, failures: [...task.failures], resolve, reject }, done };
  });
  Promise.all(parts.map((p) => p.done)).then((results) => task.resolve(results.flat()), task.reject);
  return [parts[0]!.task, parts[1]!.task];
}

/**
 * The worker is fine but the run threw (out of memory on a huge batch, a text the model cannot take): a lone text
 * gets the error, a batch is split in halves until the failing text is alone. Returns the tasks to run again.
 */
export function splitAfterError(task: Task, error: unknown): Task[] {
  if (task.texts.length > 1) return halves(task, 0);
  const reason =
    error instanceof AgentMemError
      ? error
      : new EmbeddingError(`Embedding failed: ${errorMessage(error)}`, { cause: error });
  task.resolve([reason]);
  return [];
}

/**
 * A batch whose worker failed. It is tried again in halves (each keeping the attempts so far), so a text that
 * crashes its worker or makes its batch outrun the timeout takes fewer callers down with it, and a batch too big
 * for the timeout gets smaller ones. After {@link maxAttempts} failures on its way, or once the pool has failed for
 * good (`failure`), a part's callers get an error. Returns the tasks to run again (none when it gave up).
 */
export function retryAfterFailure(task: Task, why: string, failure: EmbeddingError | undefined): Task[] {
  task.failures.push(why);
  if (task.attempts >= maxAttempts || failure) {
    const error =
      failure ?? new EmbeddingError(`Embedding failed after ${task.attempts} attempts: ${task.failures.join('; ')}`);
    task.resolve(task.texts.map(() => error));
    return [];
  }
  return task.texts.length === 1 ? [task] : halves(task, task.attempts);
}

/** Texts in `tasks`. */
export function textsIn(tasks: readonly Task[]): number {
  return tasks.reduce((n, t) => n + t.texts.length, 0);
}
