/**
 * The search box and the metadata filters. Typing is debounced; a filter that does not parse is flagged on the
 * input itself (aria-invalid + the help line) and no search runs until it is fixed.
 */
import { combineFilters, type ParsedFilter } from '../app/filter-expr.js';
import { fillCategories } from './category-options.js';
import { byId, debounce } from './dom.js';

export interface SearchRequest {
  readonly query: string;
  readonly filters: ParsedFilter | undefined;
}

const helpText = 'Filter syntax: key = value, !=, >, >=, <, <=, contains; join with and.';

export class SearchPanel {
  readonly #form = byId('search-form', HTMLFormElement);
  readonly #query = byId('search-query', HTMLInputElement);
  readonly #category = byId('filter-category', HTMLSelectElement);
  readonly #expr = byId('filter-expr', HTMLInputElement);
  readonly #help = byId('filter-help', HTMLParagraphElement);
  readonly #helpHtml: string;

  constructor(onChange: (request: SearchRequest) => void, debounceMs = 180) {
    fillCategories(this.#category, 'Any');
    this.#helpHtml = this.#help.innerHTML;
    const emit = () => {
      const request = this.request();
      if (request) onChange(request);
    };
    const later = debounce(emit, debounceMs);
    this.#query.addEventListener('input', later);
    this.#expr.addEventListener('input', later);
    this.#category.addEventListener('change', emit);
    // Enter searches at once (no need to wait for the debounce).
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      emit();
    });
  }

  /** The current query and filters, or undefined (with the error shown) when the filter does not parse. */
  request(): SearchRequest | undefined {
    try {
      const filters = combineFilters(this.#category.value, this.#expr.value);
      this.#expr.removeAttribute('aria-invalid');
      this.#help.classList.remove('error');
      this.#help.innerHTML = this.#helpHtml;
      return { query: this.#query.value.trim(), filters };
    } catch (error) {
      this.#expr.setAttribute('aria-invalid', 'true');
      this.#help.classList.add('error');
      this.#help.textContent = error instanceof Error ? error.message : helpText;
      return undefined;
    }
  }
}
