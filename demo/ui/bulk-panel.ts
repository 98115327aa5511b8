/** The "Sample data" card: bulk-add button, progress bar with the live adds/s, the result line, "Clear user". */
import { byId, el, formatDecimal, formatInt } from './dom.js';

export interface BulkProgress {
  readonly done: number;
  readonly failed: number;
  readonly total: number;
  readonly perSecond: number;
}

export class BulkPanel {
  readonly #add = byId('bulk-add', HTMLButtonElement);
  readonly #clear = byId('clear-user', HTMLButtonElement);
  readonly #progress = byId('bulk-progress', HTMLDivElement);
  readonly #text = byId('bulk-progress-text', HTMLSpanElement);
  readonly #rate = byId('bulk-rate', HTMLSpanElement);
  readonly #bar = byId('bulk-progress-bar', HTMLProgressElement);
  readonly #result = byId('bulk-result', HTMLParagraphElement);

  constructor(size: number, handlers: { onBulkAdd: () => void; onClear: () => void }) {
    this.#add.textContent = `Add ${formatInt(size)} sample memories`;
    this.#add.addEventListener('click', handlers.onBulkAdd);
    this.#clear.addEventListener('click', handlers.onClear);
  }

  setEnabled(enabled: boolean): void {
    this.#add.disabled = !enabled;
    this.#clear.disabled = !enabled;
  }

  start(total: number): void {
    this.#progress.hidden = false;
    this.#result.textContent = '';
    this.#bar.max = total;
    this.update({ done: 0, failed: 0, total, perSecond: 0 });
  }

  update(progress: BulkProgress): void {
    this.#bar.value = progress.done + progress.failed;
    this.#text.textContent = `${formatInt(progress.done)} / ${formatInt(progress.total)} added${progress.failed ? ` · ${formatInt(progress.failed)} failed` : ''}`;
    this.#rate.textContent = `${formatInt(progress.perSecond)} adds/s`;
  }

  finish(done: number, failed: number, seconds: number): void {
    this.#progress.hidden = true;
    const rate = seconds > 0 ? done / seconds : 0;
    this.#result.replaceChildren(
      el('strong', { 'data-testid': 'bulk-count' }, `Added ${formatInt(done)} memories`),
      ` in ${formatDecimal(seconds)} s (${formatInt(rate)} adds/s)`,
      failed ? `, ${formatInt(failed)} failed` : '',
    );
  }

  message(text: string): void {
    this.#progress.hidden = true;
    this.#result.textContent = text;
  }
}
