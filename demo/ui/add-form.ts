/**
 * "Add a memory": the scope (user, optional agent) that the whole page works in, the text and a category.
 * Enter submits (a plain `<form>`); the text box is cleared and refocused after a successful add.
 */
import { fillCategories } from './category-options.js';
import { byId, debounce } from './dom.js';

export interface Scope {
  readonly userId: string;
  /** Empty: any agent. */
  readonly agentId: string;
}

export interface NewMemory {
  readonly text: string;
  readonly scope: Scope;
  readonly metadata: Record<string, string>;
}

export class AddForm {
  readonly #form = byId('add-form', HTMLFormElement);
  readonly #user = byId('user-id', HTMLInputElement);
  readonly #agent = byId('agent-id', HTMLInputElement);
  readonly #text = byId('memory-text', HTMLInputElement);
  readonly #category = byId('memory-category', HTMLSelectElement);
  readonly #button = byId('add-button', HTMLButtonElement);

  constructor(
    initial: Scope,
    handlers: { onAdd: (memory: NewMemory) => Promise<boolean>; onScopeChange: (scope: Scope) => void },
  ) {
    fillCategories(this.#category, 'None');
    this.#user.value = initial.userId;
    this.#agent.value = initial.agentId;
    const scopeChanged = debounce(() => {
      if (this.#user.value.trim() !== '') handlers.onScopeChange(this.scope());
    }, 300);
    this.#user.addEventListener('input', scopeChanged);
    this.#agent.addEventListener('input', scopeChanged);

    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!this.#form.reportValidity()) return;
      const text = this.#text.value.trim();
      if (text === '') {
        this.#text.setCustomValidity('Type what the agent should remember.');
        this.#text.reportValidity();
        return;
      }
      const metadata: Record<string, string> = { source: 'typed' };
      if (this.#category.value) metadata['category'] = this.#category.value;
      this.#button.disabled = true;
      void handlers.onAdd({ text, scope: this.scope(), metadata }).then((added) => {
        this.#button.disabled = false;
        if (added) this.#text.value = '';
        this.#text.focus();
      });
    });
    this.#text.addEventListener('input', () => this.#text.setCustomValidity(''));
  }

  scope(): Scope {
    return { userId: this.#user.value.trim(), agentId: this.#agent.value.trim() };
  }
}
