/** The "Live stats" card: four figures, the adds/s chart, the batch-size histogram and one load bar per worker. */
import { renderBars, renderLine, type Bar } from './charts.js';
import { byId, el, formatInt } from './dom.js';

export interface WorkerView {
  readonly name: string;
  readonly backend: string;
  /** Share of the last interval the worker spent running the model, 0..1. */
  readonly load: number;
  readonly items: number;
  readonly batches: number;
}

export interface StatsView {
  readonly addsPerSecond: number;
  readonly queueDepth: number;
  readonly cacheHits: number;
  readonly cacheLookups: number | undefined;
  readonly memories: number | undefined;
  readonly rateSeries: readonly number[];
  readonly batchSizes: readonly Bar[];
  readonly workers: readonly WorkerView[];
}

export class StatsPanel {
  readonly #rate = byId('stat-rate', HTMLSpanElement);
  readonly #queue = byId('stat-queue', HTMLSpanElement);
  readonly #cache = byId('stat-cache', HTMLSpanElement);
  readonly #count = byId('stat-count', HTMLSpanElement);
  readonly #rateChart = byId('chart-rate', HTMLDivElement);
  readonly #batchChart = byId('chart-batches', HTMLDivElement);
  readonly #workers = byId('worker-load', HTMLUListElement);

  render(view: StatsView): void {
    this.#rate.textContent = formatInt(view.addsPerSecond);
    this.#queue.textContent = formatInt(view.queueDepth);
    this.#cache.textContent = formatInt(view.cacheHits);
    this.#cache.title =
      view.cacheLookups === undefined ? '' : `${formatInt(view.cacheHits)} of ${formatInt(view.cacheLookups)} lookups`;
    this.#count.textContent = view.memories === undefined ? '–' : formatInt(view.memories);
    renderLine(this.#rateChart, view.rateSeries, 'Adds per second over the last 30 seconds', '-30 s');
    renderBars(this.#batchChart, view.batchSizes, 'Histogram of embedding batch sizes', 'No batches yet');
    this.#workers.replaceChildren(
      ...(view.workers.length === 0
        ? [el('li', { class: 'muted' }, 'No workers running')]
        : view.workers.map((worker) =>
            el(
              'li',
              { class: 'worker' },
              el('span', { class: 'worker-name' }, `${worker.name} · ${worker.backend}`),
              el(
                'span',
                {
                  class: 'worker-bar',
                  role: 'meter',
                  'aria-valuemin': 0,
                  'aria-valuemax': 100,
                  'aria-valuenow': Math.round(worker.load * 100),
                  'aria-label': `Worker ${worker.name} load`,
                },
                el('span', { style: `width:${Math.round(worker.load * 100)}%` }),
              ),
              el(
                'span',
                {
                  class: 'worker-figure',
                  title: `${formatInt(worker.batches)} batches, ${formatInt(worker.items)} texts embedded`,
                },
                `${Math.round(worker.load * 100)}% · ${formatInt(worker.items)} texts`,
              ),
            ),
          )),
    );
  }
}
