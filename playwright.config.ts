import { defineConfig } from '@playwright/test';

// Several people (and CI) may run suites at once on one machine: port and build folder come from the environment.
const port = Number(process.env.AGENTMEM_PORT ?? 5180);
const outDir = process.env.AGENTMEM_SITE_OUT ?? 'dist-site';
const baseURL = `http://127.0.0.1:${port}/`;

// These measure the page's heap or its longest tasks: a second browser on the same cores would skew them.
const alone = ['engine-close', 'memory-close', 'memory-flood'].map((name) => `**/${name}.spec.ts`);

export default defineConfig({
  testDir: 'test/browser',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  // One at a time: scripts/test-browser.sh (`npm run test:browser`) can run `shared` with more (AGENTMEM_PW_WORKERS).
  workers: 1,
  retries: 0,
  reporter: [['list']],
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
  projects: [
    { name: 'shared', testIgnore: alone },
    // No dependency on `shared`: that would make a run of one of these files run every other spec first.
    { name: 'alone', testMatch: alone, workers: 1 },
  ],
});
