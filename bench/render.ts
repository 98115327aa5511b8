/**
 * Re-renders the Markdown tables and the SVG chart from a result file, without running anything:
 * `npx tsx bench/render.ts [bench/results/latest.json]` -> latest.md and latest.svg next to it (and the tables on stdout).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { markdown, svg } from './lib/report.js';
import type { ResultFile } from './lib/types.js';

const file = resolve(process.argv[2] ?? 'bench/results/latest.json');
const result = JSON.parse(readFileSync(file, 'utf8')) as ResultFile;
const md = markdown(result);
writeFileSync(join(dirname(file), 'latest.md'), md);
writeFileSync(join(dirname(file), 'latest.svg'), svg(result));
console.log(md);
