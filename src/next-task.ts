/**
 * Resolves in a later task, so a long piece of work split at these points lets the page render and handle input
 * between its parts. MessageChannel in a browser (setTimeout is clamped to 4 ms when nested, and to 1 s in a hidden
 * tab); setImmediate where the runtime has it (Node, Bun), which does not keep a port open.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') {
      setImmediate(resolve);
    } else if (typeof MessageChannel === 'function') {
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = () => {
        port1.close();
        resolve();
      };
      port2.postMessage(null);
    } else {
      setTimeout(resolve, 0);
    }
  });
}

/** A task's share of a long piece of work, in milliseconds: well under the 50 ms that makes a long task. */
export const SLICE_MS = 8;
