/**
 * Where the CPU goes during a repetition (Node side, Linux /proc): the time every thread of the Chromium processes
 * this runner started has run, split into the model's workers (the renderer's `DedicatedWorker` threads), the page's
 * main thread, the browser's own processes (where IndexedDB does its work) and the rest (GPU process, renderer
 * helper threads). On 2 cores whatever runs outside the workers is taken from them, so this split says why a
 * workload falls short of its raw ceiling. Elsewhere than Linux there is no sample (null).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { CpuSplit } from './types.js';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process or thread ended meanwhile
  }
}

/** `comm` and utime + stime (in ticks) of a /proc/<pid>[/task/<tid>]/stat line; `comm` may hold spaces and parentheses. */
function parseStat(stat: string): { comm: string; ppid: number; ticks: number } {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // After the comm: state(0) ppid(1) ... utime(11) stime(12).
  return { comm: stat.slice(open + 1, close), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** The pids of every live descendant of `root`. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    const { ppid } = parseStat(stat);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const todo = [...(children.get(root) ?? [])];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Cumulative CPU milliseconds of the Chromium processes under this runner, by kind of thread; null off Linux. */
export function sampleCpu(root: number = process.pid): CpuSplit | null {
  if (process.platform !== 'linux') return null;
  const split: CpuSplit = { workers: 0, page: 0, browser: 0, other: 0 };
  const msPerTick = 1000 / clockTicks();
  for (const pid of descendants(root)) {
    const cmdline = read(`/proc/${pid}/cmdline`);
    if (!cmdline?.includes('chrom')) continue; // e.g. the preview server
    const type = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      if (!stat) continue;
      const { comm, ticks } = parseStat(stat);
      split[kindOf(type, comm, tid === String(pid))] += ticks * msPerTick;
    }
  }
  return split;
}

/** Which part of the split a thread's time goes to: its process `--type`, its name, whether it is the main thread. */
export function kindOf(type: string, comm: string, mainThread: boolean): keyof CpuSplit {
  if (type === 'renderer' && comm.startsWith('DedicatedWorker')) return 'workers';
  if (type === 'renderer' && mainThread) return 'page';
  if (type === 'browser' || type === 'utility') return 'browser';
  return 'other';
}
