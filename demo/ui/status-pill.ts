/** The engine's state in the top bar, mirrored on `<body data-engine>` so CSS (and tests) can follow it. */
import { byId } from './dom.js';

export type EngineState = 'idle' | 'loading' | 'ready' | 'failed';

export class StatusPill {
  readonly #text = byId('engine-status-text', HTMLSpanElement);

  set(state: EngineState, text: string): void {
    document.body.dataset['engine'] = state;
    this.#text.textContent = text;
  }
}
