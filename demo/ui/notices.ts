/**
 * Readable error messages at the top of the page instead of console noise. Each notice can be dismissed; the same
 * message shown twice in a row is counted, not stacked (a thousand failing adds make one notice, "×1000").
 */
import { describeError } from '../app/describe-error.js';
import { el } from './dom.js';

export class Notices {
  readonly #host: HTMLElement;
  #last: { key: string; node: HTMLElement; count: number } | undefined;

  constructor(host: HTMLElement) {
    this.#host = host;
  }

  /** Shows an error; returns it so callers can `catch (e) { notices.error(e) }` in one line. */
  error(error: unknown, context?: string): void {
    const { title, detail, hint } = describeError(error);
    const heading = context ? `${context}: ${title}` : title;
    const key = `${heading}\n${detail}`;
    if (this.#last && this.#last.key === key && this.#last.node.isConnected) {
      this.#last.count += 1;
      this.#last.node.querySelector('.notice-count')!.textContent = `×${this.#last.count}`;
      return;
    }
    const close = el('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss' }, '×');
    const node = el(
      'div',
      { class: 'notice notice-error', role: 'alert' },
      el(
        'div',
        { class: 'notice-body' },
        el('strong', {}, heading, ' ', el('span', { class: 'notice-count' })),
        el('p', { class: 'notice-detail' }, detail),
        hint ? el('p', { class: 'notice-hint' }, hint) : null,
      ),
      close,
    );
    close.addEventListener('click', () => node.remove());
    this.#host.prepend(node);
    this.#last = { key, node, count: 1 };
    // Keep the page tidy: at most three notices.
    while (this.#host.children.length > 3) this.#host.lastElementChild?.remove();
  }

  clear(): void {
    this.#host.replaceChildren();
    this.#last = undefined;
  }

  /** Errors nobody caught still reach the person, not only the console. */
  catchUnhandled(): void {
    window.addEventListener('unhandledrejection', (event) => {
      event.preventDefault();
      this.error(event.reason);
    });
    window.addEventListener('error', (event) => this.error(event.error ?? event.message));
  }
}
