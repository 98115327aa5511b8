import type { Conversation, Ranked } from './types.js';

export interface RecallRow {
  readonly mode: string;
  readonly category: string;
  readonly questions: number;
  readonly r1: number;
  readonly r5: number;
  readonly r10: number;
  /** Search latency in the page, ms (absent for the baseline computed outside it). */
  readonly p50?: number;
  readonly p95?: number;
}

export const CATEGORIES: Record<number, string> = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop' };

/**
 * Evidence recall@k: the share of a question's evidence turns among the top k, averaged over the questions.
 * Questions without evidence are left out (their recall is undefined); an evidence id that names no turn counts
 * as missed.
 */
export function recallRows(data: readonly Conversation[], ranked: readonly Ranked[]): RecallRow[] {
  const evidence = new Map<string, { ids: Set<string>; category: number }>();
  for (const c of data)
    c.qa.forEach((qa, i) => evidence.set(`${c.id}#${i}`, { ids: new Set(qa.evidence), category: qa.category }));
  const groups = new Map<string, { r: number[][]; ms: number[] }>();
  for (const row of ranked) {
    const e = evidence.get(`${row.conversation}#${row.question}`);
    if (!e || e.ids.size === 0) continue;
    const at = (k: number) => row.turns.slice(0, k).filter((t) => e.ids.has(t)).length / e.ids.size;
    for (const category of ['all', CATEGORIES[e.category] ?? String(e.category)]) {
      const key = `${row.mode}\u0000${category}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { r: [], ms: [] }));
      g.r.push([at(1), at(5), at(10)]);
      g.ms.push(row.ms);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const pct = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  return [...groups].map(([key, g]) => {
    const [mode, category] = key.split('\u0000') as [string, string];
    const timed = mode !== 'plain-bm25';
    return {
      mode,
      category,
      questions: g.r.length,
      r1: mean(g.r.map((r) => r[0]!)),
      r5: mean(g.r.map((r) => r[1]!)),
      r10: mean(g.r.map((r) => r[2]!)),
      ...(timed ? { p50: pct(g.ms, 0.5), p95: pct(g.ms, 0.95) } : {}),
    };
  });
}

export function recallMarkdown(title: string, rows: readonly RecallRow[]): string {
  const f = (x: number) => x.toFixed(3);
  const lines = [
    `### ${title}`,
    '',
    '| mode | category | questions | R@1 | R@5 | R@10 | search p50 / p95 ms |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  const order = ['hybrid', 'vector', 'keyword', 'plain-bm25'];
  const sorted = [...rows].sort(
    (a, b) =>
      order.indexOf(a.mode) - order.indexOf(b.mode) ||
      (a.category === 'all' ? -1 : b.category === 'all' ? 1 : a.category.localeCompare(b.category)),
  );
  for (const r of sorted) {
    const ms = r.p50 === undefined ? '–' : `${r.p50.toFixed(1)} / ${r.p95!.toFixed(1)}`;
    lines.push(`| ${r.mode} | ${r.category} | ${r.questions} | ${f(r.r1)} | ${f(r.r5)} | ${f(r.r10)} | ${ms} |`);
  }
  return lines.join('\n') + '\n';
}
