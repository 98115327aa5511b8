/**
 * The Engine card: model picker (with "Other URL…"), backend, worker count, the Restart button, model-loading
 * progress and a few facts about the running engine.
 */
import type { BackendChoice, Settings, VariantChoice } from '../app/settings.js';
import type { ModelChoice } from '../models.js';
import { byId, el, formatBytes } from './dom.js';

const otherValue = '__other__';

export interface EngineChoice {
  readonly model: string;
  readonly backend: BackendChoice;
  readonly variant: VariantChoice;
  readonly workers: number | undefined;
}

export interface LoadingView {
  readonly text: string;
  /** 0..1, or undefined for an indeterminate bar. */
  readonly fraction?: number | undefined;
  readonly loaded?: number | undefined;
  readonly total?: number | undefined;
}

export class EnginePanel {
  readonly #form = byId('engine-form', HTMLFormElement);
  readonly #model = byId('engine-model', HTMLSelectElement);
  readonly #urlField = byId('engine-model-url-field', HTMLLabelElement);
  readonly #url = byId('engine-model-url', HTMLInputElement);
  readonly #backend = byId('engine-backend', HTMLSelectElement);
  readonly #variant = byId('engine-variant', HTMLSelectElement);
  readonly #workers = byId('engine-workers', HTMLInputElement);
  readonly #restart = byId('engine-restart', HTMLButtonElement);
  readonly #progress = byId('load-progress', HTMLDivElement);
  readonly #progressText = byId('load-progress-text', HTMLSpanElement);
  readonly #progressPct = byId('load-progress-pct', HTMLSpanElement);
  readonly #progressBar = byId('load-progress-bar', HTMLProgressElement);
  readonly #info = byId('engine-info', HTMLElement);

  constructor(choices: readonly ModelChoice[], settings: Settings, onRestart: (choice: EngineChoice) => void) {
    const known = choices.some((choice) => choice.url === settings.model);
    this.#model.replaceChildren(
      ...choices.map((choice) => el('option', { value: choice.url }, choice.label)),
      el('option', { value: otherValue }, 'Other folder URL…'),
    );
    this.#model.value = known ? settings.model : otherValue;
    this.#url.value = known ? '' : settings.model;
    this.#urlField.hidden = known;
    this.#backend.value = settings.backend;
    this.#variant.value = settings.variant;
    this.#workers.value = settings.workers === undefined ? '' : String(settings.workers);

    this.#model.addEventListener('change', () => {
      this.#urlField.hidden = this.#model.value !== otherValue;
      if (!this.#urlField.hidden) this.#url.focus();
    });
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!this.#form.reportValidity()) return;
      onRestart(this.choice());
    });
  }

  choice(): EngineChoice {
    const model = this.#model.value === otherValue ? this.#url.value.trim().replace(/\/+$/, '') : this.#model.value;
    const workers = this.#workers.value === '' ? undefined : Number(this.#workers.value);
    return {
      model,
      backend: this.#backend.value as BackendChoice,
      variant: this.#variant.value as VariantChoice,
      workers,
    };
  }

  /** Disables the controls while the engine starts or a bulk add runs (a restart would close it under them). */
  setBusy(busy: boolean): void {
    this.#restart.disabled = busy;
  }

  showLoading(view: LoadingView | undefined): void {
    this.#progress.hidden = view === undefined;
    if (!view) return;
    this.#progressText.textContent = view.text;
    if (view.fraction === undefined) {
      this.#progressBar.removeAttribute('value');
      this.#progressPct.textContent = '';
    } else {
      this.#progressBar.value = view.fraction;
      const bytes =
        view.loaded !== undefined && view.total ? `${formatBytes(view.loaded)} / ${formatBytes(view.total)} · ` : '';
      this.#progressPct.textContent = `${bytes}${Math.round(view.fraction * 100)}%`;
    }
  }

  showFacts(facts: ReadonlyArray<readonly [string, string]>): void {
    this.#info.replaceChildren(...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
  }
}
