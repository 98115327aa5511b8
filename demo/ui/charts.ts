/** Two tiny SVG charts for the stats panel: a line over time and a bar histogram. No library, redrawn in place. */

const svgNs = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

function text(x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end' = 'start'): SVGTextElement {
  const node = svg('text', { x, y, 'text-anchor': anchor });
  node.textContent = content;
  return node;
}

/** A "nice" axis maximum: 1, 2, 5 x 10^n at or above `value`. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Line + filled area of `values` (oldest first); the y axis is labelled with its maximum. */
export function renderLine(host: HTMLElement, values: readonly number[], label: string, spanLabel: string): void {
  const width = 320;
  const height = 80;
  const top = 8;
  const bottom = height - 14;
  const max = niceMax(Math.max(...values, 0));
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(bottom - (v / max) * (bottom - top)).toFixed(1)}`);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  root.append(
    svg('line', { class: 'axis', x1: 0, x2: width, y1: bottom, y2: bottom }),
    svg('line', { class: 'axis', x1: 0, x2: width, y1: top, y2: top, 'stroke-dasharray': '3 3' }),
    text(2, top - 1 + 10, `${max.toLocaleString('en-US')}/s`),
    text(0, height - 1, spanLabel),
    text(width, height - 1, 'now', 'end'),
  );
  if (points.length > 1) {
    root.append(
      svg('polygon', { class: 'area', points: `0,${bottom} ${points.join(' ')} ${width},${bottom}` }),
      svg('polyline', { class: 'line', points: points.join(' ') }),
    );
  }
  host.replaceChildren(root);
}

export interface Bar {
  readonly label: string;
  readonly value: number;
}

/** Vertical bars with their labels underneath and counts on top. */
export function renderBars(host: HTMLElement, bars: readonly Bar[], label: string, empty: string): void {
  const width = 320;
  const height = 96;
  const top = 14;
  const bottom = height - 14;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  root.append(svg('line', { class: 'axis', x1: 0, x2: width, y1: bottom, y2: bottom }));
  const max = Math.max(...bars.map((b) => b.value), 0);
  if (bars.length === 0 || max === 0) {
    root.append(text(width / 2, bottom / 2 + 8, empty, 'middle'));
    host.replaceChildren(root);
    return;
  }
  const slot = width / bars.length;
  const barWidth = Math.min(28, slot * 0.7);
  bars.forEach((bar, i) => {
    const x = i * slot + (slot - barWidth) / 2;
    const h = bar.value > 0 ? Math.max(2, (bar.value / max) * (bottom - top)) : 0;
    const rect = svg('rect', {
      class: 'bar',
      x: x.toFixed(1),
      y: (bottom - h).toFixed(1),
      width: barWidth.toFixed(1),
      height: h.toFixed(1),
      rx: 2,
    });
    const title = svg('title', {});
    title.textContent = `${bar.label}: ${bar.value.toLocaleString('en-US')}`;
    rect.append(title);
    root.append(rect, text(i * slot + slot / 2, height - 2, bar.label, 'middle'));
    if (bar.value > 0) root.append(text(i * slot + slot / 2, bottom - h - 3, compact(bar.value), 'middle'));
  });
  host.replaceChildren(root);
}

function compact(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}
