/**
 * The list under the search box: the scope's latest memories when the query is empty, ranked results with their
 * scores otherwise. Each row has real buttons (Edit, History, Delete), so it works from the keyboard.
 */
import { byId, el, formatInt, formatWhen } from './dom.js';

/** The fields the list shows; a `MemoryItem` or a `SearchResult` from the library fits. */
export interface MemoryView {
  readonly id: string;
  readonly memory: string;
  readonly score?: number;
  /** The parts of a hybrid score: cosine similarity and the keyword match relative to the best one. */
  readonly explain?: { readonly semantic?: number; readonly keyword?: number };
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly agentId?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ListHandlers {
  onEdit(item: MemoryView): void;
  onHistory(item: MemoryView): void;
  onDelete(item: MemoryView): void;
}

export interface ListHeading {
  readonly title: string;
  readonly meta: string;
}

export class ResultsList {
  readonly #list = byId('results', HTMLOListElement);
  readonly #title = byId('results-title', HTMLHeadingElement);
  readonly #meta = byId('results-meta', HTMLSpanElement);
  readonly #empty = byId('results-empty', HTMLParagraphElement);
  readonly #handlers: ListHandlers;
  /** Ids shown last time: new ones get a brief highlight. */
  #shown = new Set<string>();

  constructor(handlers: ListHandlers) {
    this.#handlers = handlers;
  }

  /** `highlightNew`: flash rows that were not shown last time (new memories), not reshuffled search results. */
  render(items: readonly MemoryView[], heading: ListHeading, emptyText: string, highlightNew: boolean): void {
    this.#title.textContent = heading.title;
    this.#meta.textContent = heading.meta;
    this.#empty.textContent = emptyText;
    this.#empty.hidden = items.length > 0;
    const previous = this.#shown;
    const highlight = highlightNew && previous.size > 0;
    // Only the "latest" view remembers what it showed: leaving a search must not flash every row as new.
    if (highlightNew) this.#shown = new Set(items.map((item) => item.id));
    this.#list.replaceChildren(...items.map((item) => this.#row(item, highlight && !previous.has(item.id))));
  }

  #row(item: MemoryView, fresh: boolean): HTMLLIElement {
    const category = typeof item.metadata['category'] === 'string' ? item.metadata['category'] : undefined;
    const importance = item.metadata['importance'];
    const edited = item.updatedAt !== item.createdAt;
    const meta = el(
      'div',
      { class: 'result-meta' },
      item.score === undefined ? null : score(item.score, item.explain),
      category ? el('span', { class: 'chip chip-cat' }, category) : null,
      typeof importance === 'number'
        ? el('span', { class: 'chip', title: 'metadata.importance' }, `importance ${formatInt(importance)}`)
        : null,
      item.agentId ? el('span', { class: 'chip', title: 'agentId' }, item.agentId) : null,
      el(
        'time',
        { datetime: item.updatedAt, title: new Date(item.updatedAt).toLocaleString() },
        `${edited ? 'edited ' : ''}${formatWhen(item.updatedAt)}`,
      ),
    );
    const button = (label: string, action: () => void, extra = '') => {
      const node = el(
        'button',
        { type: 'button', class: `btn btn-small ${extra}`, 'aria-label': `${label}: ${item.memory}` },
        label,
      );
      node.addEventListener('click', action);
      return node;
    };
    return el(
      'li',
      { class: fresh ? 'result fresh' : 'result', 'data-id': item.id },
      el('p', { class: 'result-text' }, item.memory),
      el(
        'div',
        { class: 'result-actions' },
        button('Edit', () => this.#handlers.onEdit(item)),
        button('History', () => this.#handlers.onHistory(item)),
        button('Delete', () => this.#handlers.onDelete(item), 'btn-danger-quiet'),
      ),
      meta,
    );
  }
}

function score(value: number, parts: MemoryView['explain']): HTMLElement {
  const width = `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;
  const breakdown = parts
    ? `semantic ${parts.semantic?.toFixed(2) ?? '–'} · keyword ${parts.keyword?.toFixed(2) ?? '–'}`
    : '';
  return el(
    'span',
    { class: 'score', title: 'hybrid score: 0.65 x cosine similarity + 0.35 x keyword match (BM25)' },
    el('span', { class: 'score-bar', 'aria-hidden': 'true' }, el('span', { style: `width:${width}` })),
    value.toFixed(3),
    breakdown ? el('span', { class: 'score-parts' }, breakdown) : null,
  );
}
