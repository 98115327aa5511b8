/**
 * The memory dialog: edit the text and category (`memory.update`), delete it, and read its history
 * (`memory.history`: ADD / UPDATE / DELETE with previous and new values). A native `<dialog>`: focus is trapped,
 * Escape closes it, and focus returns to the button that opened it.
 */
import { fillCategories } from './category-options.js';
import { byId, el, formatWhen } from './dom.js';
import type { MemoryView } from './results-list.js';

export interface HistoryView {
  readonly id: string;
  readonly previousValue: string | null;
  readonly newValue: string | null;
  readonly event: 'ADD' | 'UPDATE' | 'DELETE';
  /** The memory's creation (Mem0's shape); `updatedAt` is when this change happened (null on ADD). */
  readonly createdAt: string;
  readonly updatedAt: string | null;
}

export interface DialogHandlers {
  loadHistory(id: string): Promise<readonly HistoryView[]>;
  /** Resolves true when saved (the dialog then closes). */
  save(item: MemoryView, patch: { text: string; metadata: Record<string, unknown> }): Promise<boolean>;
  remove(item: MemoryView): Promise<boolean>;
}

export class MemoryDialog {
  readonly #dialog = byId('memory-dialog', HTMLDialogElement);
  readonly #form = byId('memory-dialog-form', HTMLFormElement);
  readonly #text = byId('dialog-text', HTMLTextAreaElement);
  readonly #category = byId('dialog-category', HTMLSelectElement);
  readonly #meta = byId('dialog-meta', HTMLParagraphElement);
  readonly #history = byId('dialog-history', HTMLOListElement);
  readonly #save = byId('dialog-save', HTMLButtonElement);
  readonly #handlers: DialogHandlers;
  #item: MemoryView | undefined;

  constructor(handlers: DialogHandlers) {
    this.#handlers = handlers;
    fillCategories(this.#category, 'None');
    byId('dialog-close', HTMLButtonElement).addEventListener('click', () => this.#dialog.close());
    byId('dialog-cancel', HTMLButtonElement).addEventListener('click', () => this.#dialog.close());
    byId('dialog-delete', HTMLButtonElement).addEventListener('click', () => void this.#remove());
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit();
    });
    // Ctrl/Cmd+Enter saves from the textarea (plain Enter makes a new line there).
    this.#text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) this.#form.requestSubmit();
    });
  }

  async open(item: MemoryView, focus: 'edit' | 'history'): Promise<void> {
    this.#item = item;
    this.#text.value = item.memory;
    const category = item.metadata['category'];
    this.#category.value = typeof category === 'string' ? category : '';
    this.#meta.textContent = `id ${item.id} · created ${formatWhen(item.createdAt)}${item.agentId ? ` · agent ${item.agentId}` : ''}`;
    this.#history.replaceChildren(el('li', {}, el('span', {}), el('span', { class: 'muted' }, 'Loading…')));
    this.#dialog.showModal();
    (focus === 'edit' ? this.#text : this.#history).focus();
    await this.#loadHistory(item.id);
  }

  async #loadHistory(id: string): Promise<void> {
    const entries = await this.#handlers.loadHistory(id);
    if (this.#item?.id !== id) return;
    this.#history.tabIndex = -1;
    this.#history.replaceChildren(
      ...entries.map((entry) =>
        el(
          'li',
          {},
          el('span', { class: `event event-${entry.event}` }, entry.event),
          el(
            'span',
            {},
            entry.event === 'UPDATE' && entry.previousValue !== null ? el('del', {}, entry.previousValue) : null,
            entry.event === 'UPDATE' ? el('br') : null,
            entry.newValue ?? entry.previousValue ?? '',
            el('span', { class: 'muted small' }, ` · ${formatWhen(entry.updatedAt ?? entry.createdAt)}`),
          ),
        ),
      ),
    );
  }

  async #submit(): Promise<void> {
    const item = this.#item;
    if (!item || !this.#form.reportValidity()) return;
    const metadata: Record<string, unknown> = { ...item.metadata };
    if (this.#category.value) metadata['category'] = this.#category.value;
    else delete metadata['category'];
    this.#save.disabled = true;
    const saved = await this.#handlers.save(item, { text: this.#text.value.trim(), metadata });
    this.#save.disabled = false;
    if (saved) this.#dialog.close();
  }

  async #remove(): Promise<void> {
    const item = this.#item;
    if (item && (await this.#handlers.remove(item))) this.#dialog.close();
  }
}
