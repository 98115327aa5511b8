import { defineConfig } from '@playwright/test';

// Several people (and CI) may run suites at once on one machine: port and build folder come from the environment.
const port = Number(process.env.AGENTMEM_PORT ?? 5180);
const outDir = process.env.AGENTMEM_SITE_OUT ?? 'dist-site';
const baseURL = `http://127.0.0.1:${port}/`;

export default defineConfig({
  testDir: 'test/browser',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1, // 2 cores: one browser at a time keeps inference timings sane
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: 'test-results',
  webServer: {
    command: `npx vite preview --port ${port} --strictPort --host 127.0.0.1 --outDir ${outDir}`,
    // The site has no root page (vite preview answers 404 there, which Playwright treats as not ready).
    url: `${baseURL}demo/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
  use: {
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--disable-quic', '--enable-unsafe-webgpu'],
    },
  },
});
