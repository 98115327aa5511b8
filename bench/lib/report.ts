/**
 * Turns page results into result rows (ops/s median/min/max, latency p50/p95, ratios) and renders the Markdown
 * tables and the SVG chart for the README.
 */
import { cpuPerOp, latencySummary, repRate, round, spread } from './stats.js';
import type { Backend, CpuSplit, PageResult, ResultFile, Row, SystemSpec, Workload } from './types.js';

const MAIN_THREAD = new Set(['naive-transformers-js', 'entity-db']);

export function toRow(backend: Backend, spec: SystemSpec, result: PageResult, extraNote?: string): Row {
  const reps = result.reps;
  const ops = reps.map(repRate);
  const latencies = reps.flatMap((r) => r.latencies);
  const workers = MAIN_THREAD.has(spec.system) ? null : (result.resolved?.workers ?? spec.workers ?? null);
  const notes = [result.note, extraNote].filter((n): n is string => n !== undefined && n !== '');
  return {
    backend,
    workload: result.workload,
    system: spec.system,
    workers,
    coalescing:
      result.resolved?.coalescing ??
      spec.coalescing ??
      (spec.system === 'agentmem-web' || spec.system === 'raw-ceiling'),
    ...(spec.defaults && spec.system === 'agentmem-web' ? { default: true as const } : {}),
    ...(spec.model !== undefined ? { model: spec.model } : {}),
    opsPerSec: spread(ops),
    latencyMs: latencySummary(latencies),
    ratioToNaive: null,
    ratioToRawCeiling: null,
    items: reps[0]?.ops ?? 0,
    reps: reps.length,
    ...(notes.length ? { note: notes.join('; ') } : {}),
    ...(result.error !== undefined ? { error: result.error } : {}),
    extra: { ...(result.resolved ? { resolved: result.resolved } : {}), ...(result.extra ?? {}), ...cpuExtra(reps) },
  };
}

/** `cpuMsPerOp`: the browser's CPU per operation by kind of thread, over the repetitions that carry a sample. */
function cpuExtra(reps: PageResult['reps']): { cpuMsPerOp?: CpuSplit } {
  const cpu = cpuPerOp(reps);
  return cpu ? { cpuMsPerOp: cpu } : {};
}

export function errorRow(backend: Backend, spec: SystemSpec, workload: Workload, error: string): Row {
  return {
    backend,
    workload,
    system: spec.system,
    workers: MAIN_THREAD.has(spec.system) ? null : (spec.workers ?? null),
    coalescing: spec.coalescing ?? spec.system === 'agentmem-web',
    ...(spec.defaults && spec.system === 'agentmem-web' ? { default: true as const } : {}),
    ...(spec.model !== undefined ? { model: spec.model } : {}),
    opsPerSec: null,
    latencyMs: null,
    ratioToNaive: null,
    ratioToRawCeiling: null,
    items: 0,
    reps: 0,
    error,
  };
}

/**
 * ratioToNaive: same backend and workload; ratioToRawCeiling: same backend, workload, worker count and model.
 * Another model than the file's is other compute: its rows get no ratio to the minilm-l6 baselines, only to the raw
 * ceiling of that model on their own workers.
 */
export function addRatios(rows: Row[]): void {
  for (const row of rows) {
    if (!row.opsPerSec) continue;
    const naive = rows.find(
      (r) =>
        r.system === 'naive-transformers-js' && r.backend === row.backend && r.workload === row.workload && r.opsPerSec,
    );
    if (naive?.opsPerSec && row.model === undefined)
      row.ratioToNaive = round(row.opsPerSec.median / naive.opsPerSec.median);
    if (row.workload.startsWith('W4') || row.workload.startsWith('W5')) continue;
    const single = numbers(row.extra?.['singlePairRatios']);
    if (single.length > 0) row.singlePairs = pairSpread(single);
    const ceiling = rows.find(
      (r) =>
        r.system === 'raw-ceiling' &&
        r.backend === row.backend &&
        r.workload === row.workload &&
        r.workers === row.workers &&
        r.model === row.model &&
        r.opsPerSec,
    );
    if (!ceiling?.opsPerSec || row.system === 'native-ort') continue;
    const pairs = numbers(row.extra?.['pairRatios']);
    if (pairs.length > 0) {
      const { median: m, ...range } = pairSpread(pairs);
      row.ratioToRawCeiling = m;
      row.ceilingPairs = range;
    } else {
      row.ratioToRawCeiling = round(row.opsPerSec.median / ceiling.opsPerSec.median);
    }
  }
}

/** Per-pair ratios a page measured (bench.ts: `pairRatios`, `singlePairRatios`, ...), if any. */
function numbers(pairs: unknown): number[] {
  return Array.isArray(pairs) ? pairs.filter((p): p is number => typeof p === 'number' && Number.isFinite(p)) : [];
}

/** Median, min and max of a non-empty list of per-pair ratios, and how many. */
function pairSpread(pairs: readonly number[]): { median: number; min: number; max: number; pairs: number } {
  return { ...spread(pairs)!, pairs: pairs.length };
}

const ADD_WORKLOADS = ['W1', 'W1-sustained', 'W2-100', 'W2-1000', 'W3', 'E1', 'W6-long'];

export function label(row: Row): string {
  if (row.system === 'native-ort') return `native-ort (${row.workers} thread${row.workers === 1 ? '' : 's'})`;
  if (MAIN_THREAD.has(row.system)) return row.system;
  const parts = [`${row.workers ?? '?'}w`];
  if (row.system === 'agentmem-web' && !row.coalescing) parts.push('no coalescing');
  if (row.model !== undefined) parts.push(`model ${row.model}`);
  return `${row.system}${row.default ? ' **default**' : ''} (${parts.join(', ')})`;
}

const fmt = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits === 0 && Math.abs(x) < 10 ? 1 : digits);
const ratio = (x: number | null): string => (x === null ? '–' : `${x.toFixed(2)}x`);
/** ` (pairs 0.85–0.97)`: the spread of a paired ratio's per-pair values; empty when unpaired. */
const pairRange = (row: Row): string =>
  row.ceilingPairs
    ? ` (${row.ceilingPairs.pairs} pairs ${row.ceilingPairs.min.toFixed(2)}–${row.ceilingPairs.max.toFixed(2)})`
    : '';
/** `2.61x (7 pairs 2.40–2.90)`. */
const pairedText = (p: { median: number; min: number; max: number; pairs: number }): string =>
  `${p.median.toFixed(2)}x (${p.pairs} pairs ${p.min.toFixed(2)}–${p.max.toFixed(2)})`;
/** The raw ceiling against the single session, paired on the default page (E1), if it was. */
function ceilingToSingle(row: Row): string | undefined {
  const pairs = numbers(row.extra?.['ceilingSinglePairRatios']);
  return pairs.length > 0 ? pairedText(pairSpread(pairs)) : undefined;
}

function cacheNote(row: Row): string {
  const cache = (row.extra?.['stats'] as { cache?: { hits?: number; deduplicated?: number } } | undefined)?.cache;
  return cache
    ? `embedding cache hits ${cache.hits ?? 0}, in-flight duplicates joined ${cache.deduplicated ?? 0}, over the run`
    : 'no cache stats';
}

/** The sentences the README quotes: the default configuration against the baselines and the goals of issue 3/4. */
export function headline(file: ResultFile): string[] {
  const out: string[] = [];
  const find = (backend: string, workload: string, pred: (r: Row) => boolean): Row | undefined =>
    file.results.find((r) => r.backend === backend && r.workload === workload && pred(r) && r.opsPerSec);
  const x = (a?: Row, b?: Row): string =>
    a?.opsPerSec && b?.opsPerSec ? `${(a.opsPerSec.median / b.opsPerSec.median).toFixed(2)}x` : 'n/a';
  // Against the ceiling: the row's own (paired) ratio, with the range of its pairs.
  const xc = (a?: Row): string =>
    a?.ratioToRawCeiling != null ? `${a.ratioToRawCeiling.toFixed(2)}x${pairRange(a)}` : 'n/a';
  // Against the single session: paired when the page measured it beside the row, else the ratio of medians.
  const xs = (a?: Row, single?: Row): string => (a?.singlePairs ? pairedText(a.singlePairs) : x(a, single));
  for (const backend of ['wasm', 'webgpu']) {
    const parts: string[] = [];
    for (const w of ['W1', 'W1-sustained', 'W2-1000']) {
      const d = find(backend, w, (r) => r.default === true);
      if (!d) continue;
      const naive = find(backend, w, (r) => r.system === 'naive-transformers-js');
      const single = find(backend, w, (r) => r.system === 'single-session');
      const entity = find(backend, w, (r) => r.system === 'entity-db');
      parts.push(
        `${w} (${d.items} adds): ${fmt(d.opsPerSec?.median)} adds/s = ${xc(d)} the raw ceiling (goal >= 0.9x), ${xs(d, single)} the single session (goal >= 2.5x), ${x(d, naive)} naive transformers.js${entity ? `, ${x(d, entity)} EntityDB` : ''}`,
      );
    }
    const e1 = find(backend, 'E1', (r) => r.default === true);
    if (e1) {
      const ceiling = find(
        backend,
        'E1',
        (r) => r.system === 'raw-ceiling' && r.workers === e1.workers && r.model === undefined,
      );
      const single = find(backend, 'E1', (r) => r.system === 'single-session');
      parts.push(
        `E1 (the engine alone: ${e1.items} embed() calls from 20 callers, nothing stored): ${fmt(e1.opsPerSec?.median)} texts/s = ${xc(e1)} the raw ceiling (goal >= 0.9x), ${xs(e1, single)} the single session's embed() (goal >= 2.5x; the ceiling itself is ${ceilingToSingle(e1) ?? x(ceiling, single)} it)`,
      );
    }
    // Other models through the same defaults (use-lite, the demo's): adds/s against the headline's 400 from 20 callers.
    const models = [
      ...new Set(
        file.results
          .filter((r) => r.backend === backend && r.model !== undefined && r.system === 'agentmem-web')
          .map((r) => r.model!),
      ),
    ];
    for (const model of models) {
      const rows = ['W1', 'W1-sustained', 'W2-1000']
        .map((w) => find(backend, w, (r) => r.system === 'agentmem-web' && r.model === model))
        .filter((r): r is Row => r !== undefined);
      if (rows.length) {
        parts.push(
          `model ${model}: ${rows.map((r) => `${r.workload} ${fmt(r.opsPerSec?.median)} adds/s${r.ratioToRawCeiling != null ? ` = ${xc(r)} its raw ceiling` : ''}`).join(', ')} (goal: >= 400 adds/s from 20 concurrent callers)`,
        );
      }
    }
    // Where the CPU went (runner's /proc sample): per operation, in the model's workers and outside them (W1-sustained,
    // or W1 in a --quick run, which has no W1-sustained). WASM only: on WebGPU the model's work is in the GPU process
    // (SwiftShader's, here), which the split counts as "other"; the details table still shows it.
    for (const w of backend === 'wasm' ? ['W1-sustained', 'W1'] : []) {
      const adds = find(backend, w, (r) => r.default === true);
      const ceiling = find(
        backend,
        w,
        (r) => r.system === 'raw-ceiling' && r.workers === adds?.workers && r.model === undefined,
      );
      if (!adds || !cpuOf(adds) || !cpuOf(ceiling)) continue;
      parts.push(
        `CPU per add in ${w}, in the model's workers + outside them (page / browser / other): ${cpuText(adds)}; per text in its raw ceiling: ${cpuText(ceiling)}`,
      );
      break;
    }
    const w6 = find(backend, 'W6-long', (r) => r.default === true);
    if (w6) {
      const naive = find(backend, 'W6-long', (r) => r.system === 'naive-transformers-js');
      const single = find(backend, 'W6-long', (r) => r.system === 'single-session');
      parts.push(
        `W6-long (${w6.items} paragraph-long adds from 20 callers): ${fmt(w6.opsPerSec?.median)} adds/s = ${xc(w6)} the raw ceiling, ${x(w6, single)} the single session, ${x(w6, naive)} naive transformers.js`,
      );
    }
    const w3 = find(backend, 'W3', (r) => r.default === true);
    const w1 = find(backend, 'W1', (r) => r.default === true);
    if (w3 && w1)
      parts.push(`W3 (half repeated): ${fmt(w3.opsPerSec?.median)} adds/s, ${x(w3, w1)} W1 (${cacheNote(w3)})`);
    for (const size of ['1k', '10k', '100k']) {
      const scan = find(backend, `W4-${size}-scan`, (r) => r.system === 'agentmem-web');
      const e2e = find(backend, `W4-${size}`, (r) => r.system === 'agentmem-web');
      if (scan || e2e)
        parts.push(
          `search over ${size}: scan p50 ${fmt(scan?.latencyMs?.p50, 2)} ms${typeof scan?.extra?.['vectorScanP50'] === 'number' ? ` (vector mode ${fmt(scan.extra['vectorScanP50'], 2)} ms)` : ''}, end to end p50 ${fmt(e2e?.latencyMs?.p50, 1)} ms${size === '100k' ? ' (goals: <= 10 ms, <= 25 ms on WASM)' : ''}`,
        );
    }
    const cold = find(backend, 'W5-cold', (r) => r.system === 'agentmem-web');
    const cached = find(backend, 'W5-cached', (r) => r.system === 'agentmem-web');
    if (cold || cached)
      parts.push(
        `create() to first add: ${cold?.opsPerSec ? fmt(1000 / cold.opsPerSec.median) : 'n/a'} ms cold, ${cached?.opsPerSec ? fmt(1000 / cached.opsPerSec.median) : 'n/a'} ms with the model cached`,
      );
    const native = file.results.filter(
      (r) => r.backend === backend && r.system === 'native-ort' && r.workload === 'W2-1000' && r.opsPerSec,
    );
    const ceilingBest = file.results
      .filter(
        (r) =>
          r.backend === backend &&
          r.system === 'raw-ceiling' &&
          r.workload === 'W2-1000' &&
          r.model === undefined &&
          r.opsPerSec,
      )
      .sort((a, b) => b.opsPerSec!.median - a.opsPerSec!.median)[0];
    if (native.length && ceilingBest)
      parts.push(
        `native onnxruntime-node on the same CPU: ${native.map((r) => `${fmt(r.opsPerSec?.median)}/s with ${r.workers} thread${r.workers === 1 ? '' : 's'}`).join(', ')} (best browser raw ceiling: ${fmt(ceilingBest.opsPerSec?.median)}/s with ${ceilingBest.workers} workers)`,
      );
    if (parts.length) out.push(`- **${backend}**: ${parts.join('; ')}.`);
  }
  return out;
}

/** The row's `extra.cpuMsPerOp`, when its repetitions were sampled. */
function cpuOf(row: Row | undefined): CpuSplit | undefined {
  return row?.extra?.['cpuMsPerOp'] as CpuSplit | undefined;
}

/** "7.02 + 1.34 (0.64 / 0.57 / 0.13)": ms per operation in the model's workers + outside them (page / browser / other). */
function cpuText(row: Row | undefined): string {
  const c = cpuOf(row);
  if (!c) return 'n/a';
  const outside = c.page + c.browser + c.other;
  return `${c.workers.toFixed(2)} + ${outside.toFixed(2)} ms (${c.page.toFixed(2)} / ${c.browser.toFixed(2)} / ${c.other.toFixed(2)})`;
}

export function markdown(file: ResultFile): string {
  const out: string[] = [];
  const m = file.machine;
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  out.push(
    `Model \`${file.model}\`; ${file.mode} run of \`${file.command}\` on ${text(m['cpuModel'], '?')} (${typeof m['cores'] === 'number' ? m['cores'] : '?'} cores), ${text(m['chromium'], '')}, ${file.startedAt}, ${file.durationS} s.`,
  );
  out.push('');
  const lines = headline(file);
  if (lines.length) out.push('Headline (agentmem-web defaults):', '', ...lines, '');
  for (const backend of ['wasm', 'webgpu'] as const) {
    const rows = file.results.filter((r) => r.backend === backend);
    if (!rows.length) continue;
    const adds = rows.filter((r) => ADD_WORKLOADS.includes(r.workload));
    out.push(`### Adds per second, ${backend === 'wasm' ? 'WASM (CPU)' : 'WebGPU'}`);
    out.push('');
    out.push(
      'Median of the repetitions; in brackets: x the naive transformers.js baseline / x the raw ceiling with the same workers.',
    );
    out.push('');
    out.push(`| system | ${ADD_WORKLOADS.join(' | ')} |`);
    out.push(`|---|${ADD_WORKLOADS.map(() => '---:').join('|')}|`);
    const labels = [...new Set(adds.map(label))];
    for (const l of labels) {
      const cells = ADD_WORKLOADS.map((w) => {
        const r = adds.find((x) => label(x) === l && x.workload === w);
        if (!r) return '';
        if (!r.opsPerSec) return `error`;
        const rs = [
          r.ratioToNaive !== null && r.system !== 'naive-transformers-js' ? `${r.ratioToNaive.toFixed(1)}x` : '',
          r.ratioToRawCeiling !== null && r.system !== 'raw-ceiling' ? `${r.ratioToRawCeiling.toFixed(2)}c` : '',
        ].filter(Boolean);
        return `${fmt(r.opsPerSec.median)}${rs.length ? ` (${rs.join(' / ')})` : ''}`;
      });
      out.push(`| ${l} | ${cells.join(' | ')} |`);
    }
    out.push('');
    out.push('<details><summary>Every add row: min/max, latency, notes</summary>');
    out.push('');
    out.push(
      '| system | workload | items x reps | ops/s median [min–max] | p50 ms | p95 ms | x naive | x ceiling | CPU ms per op: workers + outside (page / browser / other) | note |',
    );
    out.push('|---|---|---|---|---:|---:|---:|---:|---|---|');
    for (const r of adds) {
      out.push(
        `| ${label(r)} | ${r.workload} | ${r.items} x ${r.reps} | ${r.opsPerSec ? `${fmt(r.opsPerSec.median)} [${fmt(r.opsPerSec.min)}–${fmt(r.opsPerSec.max)}]` : `error: ${r.error ?? ''}`} | ${fmt(r.latencyMs?.p50, 1)} | ${fmt(r.latencyMs?.p95, 1)} | ${ratio(r.ratioToNaive)} | ${ratio(r.ratioToRawCeiling)}${r.ceilingPairs ? ` [${r.ceilingPairs.min.toFixed(2)}–${r.ceilingPairs.max.toFixed(2)}]` : ''} | ${cpuOf(r) ? cpuText(r) : '–'} | ${r.note ?? ''} |`,
      );
    }
    out.push('');
    out.push('</details>');
    out.push('');
    const search = rows.filter((r) => r.workload.startsWith('W4'));
    if (search.length) {
      out.push(`### Search latency (W4), ${backend}`);
      out.push('');
      out.push(
        '| system | memories | scan p50 / p95 ms | scan p50, vector mode, ms | end to end p50 / p95 ms | stored while seeding, memories/s | first search (reads the scope), ms | seeded with |',
      );
      out.push('|---|---:|---:|---:|---:|---:|---:|---|');
      for (const r of search.filter((x) => !x.workload.endsWith('-scan'))) {
        const scan = search.find((x) => x.system === r.system && x.workload === `${r.workload}-scan`);
        const size = r.workload.slice(3);
        out.push(
          `| ${label(r)} | ${size} | ${r.error ? 'error' : `${fmt(scan?.latencyMs?.p50, 2)} / ${fmt(scan?.latencyMs?.p95, 2)}`} | ${fmt(r.extra?.['vectorScanP50'] as number | undefined, 2)} | ${r.error ? `error: ${r.error}` : `${fmt(r.latencyMs?.p50, 1)} / ${fmt(r.latencyMs?.p95, 1)}`} | ${fmt(r.extra?.['persistPerSec'] as number | undefined)} | ${fmt(r.extra?.['firstSearchMs'] as number | undefined)} | ${typeof r.extra?.['seededWith'] === 'string' ? r.extra['seededWith'] : ''} |`,
        );
      }
      out.push('');
    }
    const start = rows.filter((r) => r.workload.startsWith('W5'));
    if (start.length) {
      out.push(`### Cold start (W5), ${backend}: create() to the first add resolved`);
      out.push('');
      out.push(
        '| system | model not cached (fresh context), median ms [min–max] | model cached, median ms [min–max] |',
      );
      out.push('|---|---:|---:|');
      for (const l of [...new Set(start.map(label))]) {
        const cell = (w: string): string => {
          const r = start.find((x) => label(x) === l && x.workload === w);
          if (!r) return '';
          if (!r.opsPerSec) return `error: ${r.error ?? ''}`;
          return `${fmt(1000 / r.opsPerSec.median)} [${fmt(1000 / r.opsPerSec.max)}–${fmt(1000 / r.opsPerSec.min)}] (n=${r.reps})`;
        };
        out.push(`| ${l} | ${cell('W5-cold')} | ${cell('W5-cached')} |`);
      }
      out.push('');
    }
    const errors = rows.filter((r) => r.error);
    for (const r of errors) out.push(`- ${label(r)} ${r.workload}: ${r.error}`);
    if (errors.length) out.push('');
  }
  if (file.notes.length) {
    out.push('Notes:');
    for (const n of file.notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}

/** A hand-written horizontal bar chart: adds/s per system for W1 and W2 on WASM. */
export function svg(file: ResultFile): string {
  const rowsOf = (w: string): Row[] =>
    file.results
      .filter((r) => r.backend === 'wasm' && r.workload === w && r.opsPerSec)
      .sort((a, b) => b.opsPerSec!.median - a.opsPerSec!.median);
  // W2: the 1,000-item batch when the run has it (--quick has only W2-100).
  const w2 = rowsOf('W2-1000').length ? 'W2-1000' : 'W2-100';
  const groups = ['W1', w2].map((w) => ({ workload: w, rows: rowsOf(w) })).filter((g) => g.rows.length > 0);
  const max = Math.max(1, ...groups.flatMap((g) => g.rows.map((r) => r.opsPerSec!.max)));
  const barH = 16;
  const gap = 4;
  const labelW = 330;
  const chartW = 420;
  const width = labelW + chartW + 90;
  let y = 40;
  const parts: string[] = [];
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\*\*/g, '');
  for (const g of groups) {
    parts.push(
      `<text x="10" y="${y}" class="h">${g.workload === 'W1' ? 'W1: 20 concurrent callers x 5 adds' : `W2: addMany of ${g.rows[0]?.items ?? 1000}`} (adds/s, WASM)</text>`,
    );
    y += 10;
    for (const r of g.rows) {
      const w = Math.max(1, (r.opsPerSec!.median / max) * chartW);
      const x0 = labelW + (r.opsPerSec!.min / max) * chartW;
      const x1 = labelW + (r.opsPerSec!.max / max) * chartW;
      const fill =
        r.system === 'agentmem-web'
          ? r.default
            ? '#1f6feb'
            : '#6ea8fe'
          : r.system === 'raw-ceiling' || r.system === 'native-ort'
            ? '#8b949e'
            : '#d29922';
      parts.push(
        `<text x="${labelW - 8}" y="${y + barH - 4}" text-anchor="end">${esc(label(r))}</text>`,
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${fill}"/>`,
        `<line x1="${x0.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${y + barH / 2}" y2="${y + barH / 2}" stroke="#24292f" stroke-width="1"/>`,
        `<text x="${(Math.max(labelW + w, x1) + 6).toFixed(1)}" y="${y + barH - 4}">${Math.round(r.opsPerSec!.median)}</text>`,
      );
      y += barH + gap;
    }
    y += 24;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.h{font-weight:bold;font-size:13px}</style>',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" class="h">agentmem-web benchmark (${esc(file.mode)}, ${esc(file.startedAt.slice(0, 10))}): median adds/s, whiskers min-max</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
