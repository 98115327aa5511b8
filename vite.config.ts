import { readdirSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * One Vite config for the site: the demo (`demo/`), the browser-test pages (`test/pages/`) and the benchmark
 * pages (`bench/pages/`). The library itself is compiled by `tsc -p tsconfig.lib.json` (plain ESM + .d.ts) so the
 * consumer's bundler sees `new URL('./x.worker.js', import.meta.url)` and bundles the worker and ORT's wasm itself.
 */
const root = import.meta.dirname;

// Threaded WASM needs SharedArrayBuffer, which needs cross-origin isolation.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function pages(dir: string): Record<string, string> {
  const abs = resolve(root, dir);
  if (!existsSync(abs)) return {};
  const out: Record<string, string> = {};
  for (const file of readdirSync(abs)) {
    if (file.endsWith('.html')) out[`${dir.replace(/\//g, '_')}_${file.slice(0, -5)}`] = resolve(abs, file);
  }
  return out;
}

export default defineConfig({
  root,
  publicDir: 'public',
  server: {
    headers: isolation,
    port: Number(process.env.AGENTMEM_DEV_PORT ?? 5173),
    // Test and benchmark builds land in .tmp/; watching them would reload the demo mid-session.
    watch: { ignored: ['**/.tmp/**', '**/dist-site/**', '**/test-results/**', '**/bench/results/**'] },
  },
  preview: { headers: isolation },
  // ORT-web locates its .wasm next to its own module; pre-bundling it in dev breaks that.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: {
    outDir: process.env.AGENTMEM_SITE_OUT ?? 'dist-site',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // `npm run build:demo` builds the demo alone (AGENTMEM_PAGES=demo); tests and the benchmark build every page.
      input: Object.assign(
        {},
        ...(process.env.AGENTMEM_PAGES ?? 'demo,test/pages,bench/pages').split(',').map(pages),
      ) as Record<string, string>,
    },
  },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    // Vitest keeps a core free by default: one worker on 2 cores. Two ran the unit files in 0.82x the time there
    // (bench/README.md, "The browser suite"); every slow file sets its own timeout.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
