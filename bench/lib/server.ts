/** `vite preview` of the site build on the benchmark's own port, started and stopped by the runner. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Preview {
  url: string;
  stop(): Promise<void>;
}

export async function startPreview(root: string, outDir: string, port: number): Promise<Preview> {
  const child: ChildProcess = spawn(
    'npx',
    ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1', '--outDir', outDir],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so stop() ends npx and vite together
    },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  };
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}) on port ${port}:\n${log}`);
    try {
      if ((await fetch(`${url}/bench/pages/bench.html`)).ok) return { url, stop };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`vite preview did not answer on ${url} within 30 s:\n${log}`);
}
