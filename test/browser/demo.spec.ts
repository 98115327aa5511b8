/**
 * The demo app (demo/index.html) driven through its UI in real Chromium: real workers, real ONNX inference, real
 * IndexedDB. Uses the `lexical` model (real word-overlap similarity, fast to load) and `?sample=200` to keep the
 * bulk add short; the default button adds 1,000.
 *
 * `UPDATE_DOCS=1` also writes the full-page screenshot to docs/demo.png (the README's picture).
 */
import { test, expect, chromium, type Page } from '@playwright/test';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const demo = '/demo/?model=lexical&user=alice';
const engineTimeout = { timeout: 90_000 };

async function waitReady(page: Page, backend?: 'wasm' | 'webgpu'): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-engine', /^(ready|failed)$/, engineTimeout);
  if ((await page.locator('body').getAttribute('data-engine')) !== 'ready') {
    throw new Error(`The engine failed to start: ${await page.locator('#notices').innerText()}`);
  }
  if (backend) await expect(page.locator('body')).toHaveAttribute('data-backend', backend);
  await expect(page.locator('#engine-status-text')).toContainText('Ready');
}

async function addThroughUi(page: Page, text: string, category = ''): Promise<void> {
  await page.getByLabel('Memory', { exact: true }).fill(text);
  if (category) await page.locator('#memory-category').selectOption(category);
  await page.getByLabel('Memory', { exact: true }).press('Enter');
  await expect(page.locator('#results .result-text', { hasText: text })).toBeVisible();
  // The form clears itself after the add is committed.
  await expect(page.getByLabel('Memory', { exact: true })).toHaveValue('');
}

async function searchThroughUi(page: Page, query: string): Promise<void> {
  await page.getByLabel('Query').fill(query);
  await expect(page.locator('#results-title')).toContainText(`“${query}”`);
}

test.describe.configure({ timeout: 180_000 });

test('loads, shows model loading progress, starts the engine and lists the models it found', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // Hold the weights back a moment so the loading state is observable (a local fetch is otherwise instant).
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/models/lexical/onnx/*.onnx', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${demo}&backend=wasm&workers=1`);
  await expect(page.locator('body')).toHaveAttribute('data-engine', 'loading');
  await expect(page.locator('#load-progress')).toBeVisible();
  await expect(page.locator('#load-progress-text')).toContainText('lexical');
  await expect(page.locator('#engine-status-text')).toHaveText('Loading lexical…');
  release();
  await waitReady(page, 'wasm');
  await expect(page.locator('#load-progress')).toBeHidden();
  await expect(page.locator('#engine-status-text')).toHaveText('Ready · WASM · 1 worker · lexical');
  await expect(page.locator('#engine-model option[value="/models/lexical"]')).toHaveCount(1);
  await expect(page.locator('#engine-model option[value="/models/minilm-l6"]')).toHaveCount(1);
  await expect(page.locator('#engine-model')).toHaveValue('/models/lexical');
  await expect(page.locator('#engine-info')).toContainText('WASM');
  await expect(page.locator('#bulk-add')).toHaveText('Add 1,000 sample memories');
  await expect(page.locator('#results-empty')).toBeVisible();
  await expect(page.locator('#notices .notice')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a memory added through the UI is found by search, can be edited with history, and survives a reload', async ({
  page,
}) => {
  await page.goto(`${demo}&backend=wasm&workers=2`);
  await waitReady(page, 'wasm');
  await addThroughUi(page, 'User drinks oat milk lattes every morning', 'food');
  await addThroughUi(page, 'The cat sleeps on the red sofa');
  await addThroughUi(page, 'User is planning a trip to Tokyo in April', 'travel');

  await searchThroughUi(page, 'oat milk latte');
  const first = page.locator('#results .result').first();
  await expect(first.locator('.result-text')).toHaveText('User drinks oat milk lattes every morning');
  // The default hybrid search shows its score and the score's parts.
  await expect(first.locator('.score')).toHaveText(/^(0\.\d{3}|1\.000)semantic -?\d\.\d{2} · keyword 1\.00$/);
  await expect(first.locator('.chip-cat')).toHaveText('food');

  // Category filter: only the travel memory can match.
  await page.locator('#filter-category').selectOption('travel');
  await expect(page.locator('#results .result')).toHaveCount(1);
  await expect(page.locator('#results .result-text')).toHaveText('User is planning a trip to Tokyo in April');
  // A filter that does not parse is flagged on the input, not thrown.
  await page.getByLabel('Metadata filter').fill('category ~ travel');
  await expect(page.getByLabel('Metadata filter')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#filter-help')).toContainText('Expected `key = value`');
  await page.getByLabel('Metadata filter').fill('source = typed');
  await expect(page.getByLabel('Metadata filter')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#results .result')).toHaveCount(1);
  await page.locator('#filter-category').selectOption('');
  await page.getByLabel('Metadata filter').fill('');

  // Edit through the dialog; the history shows ADD then UPDATE.
  await searchThroughUi(page, 'cat sofa');
  await page.getByRole('button', { name: 'Edit: The cat sleeps on the red sofa' }).click();
  const dialog = page.locator('#memory-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('#dialog-history li')).toHaveCount(1);
  await dialog.getByLabel('Text').fill('The cat sleeps on the green sofa');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('#results .result-text', { hasText: 'green sofa' })).toBeVisible();
  await page.getByRole('button', { name: 'History: The cat sleeps on the green sofa' }).click();
  await expect(dialog.locator('#dialog-history .event')).toHaveText(['ADD', 'UPDATE']);
  await expect(dialog.locator('#dialog-history del')).toHaveText('The cat sleeps on the red sofa');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Delete from the list.
  await page.getByRole('button', { name: 'Delete: The cat sleeps on the green sofa' }).click();
  await expect(page.locator('#results .result-text', { hasText: 'green sofa' })).toHaveCount(0);

  // Reload: the memories come back from IndexedDB and search still finds them.
  await page.reload();
  await waitReady(page, 'wasm');
  await expect(page.locator('#results .result-text')).toHaveText([
    'User is planning a trip to Tokyo in April',
    'User drinks oat milk lattes every morning',
  ]);
  await searchThroughUi(page, 'lattes');
  await expect(page.locator('#results .result-text').first()).toHaveText('User drinks oat milk lattes every morning');
  await expect(page.locator('#notices .notice')).toHaveCount(0);
});

test('bulk add completes with the count shown, then search and filters work on it', async ({ page }) => {
  await page.setViewportSize({ width: 1360, height: 900 });
  await page.goto(`${demo}&backend=wasm&sample=200`);
  await waitReady(page, 'wasm');
  const button = page.getByRole('button', { name: 'Add 200 sample memories' });
  await button.click();
  await expect(page.getByTestId('bulk-count')).toHaveText('Added 200 memories', engineTimeout);
  await expect(page.locator('#bulk-result')).not.toContainText('failed');
  await expect(page.locator('#stat-count')).toHaveText('200');
  await expect(page.locator('#results-meta')).toContainText('latest 30 of 200');
  // The stats panel saw batches and per-worker work.
  // (a bucket with no batches draws a zero-height bar: look for one that has some)
  await expect(page.locator('#chart-batches rect.bar:not([height="0.0"])').first()).toBeVisible();
  await expect(page.locator('#worker-load .worker').first()).toBeVisible();
  await expect(button).toBeEnabled();

  // Filters on the sample metadata: every hit is a travel memory with importance >= 4.
  await page.locator('#filter-category').selectOption('travel');
  await page.getByLabel('Metadata filter').fill('importance >= 4');
  await searchThroughUi(page, 'window seat on morning flights');
  const results = page.locator('#results .result');
  await expect(results.first()).toBeVisible();
  for (const chip of await results.locator('.chip-cat').allTextContents()) expect(chip).toBe('travel');
  for (const chip of await results.locator('.chip', { hasText: 'importance' }).allTextContents()) {
    expect(Number(chip.replace('importance ', ''))).toBeGreaterThanOrEqual(4);
  }
  await page.locator('#filter-category').selectOption('');
  await page.getByLabel('Metadata filter').fill('');
  await searchThroughUi(page, 'window seat on morning flights');
  await expect(results).toHaveCount(10);
  await expect(results.first().locator('.result-text')).toContainText(/seat|flight|morning/);
});

test('the default page: the 1,000-memory sample set, a search in plain words, and a full-page screenshot', async ({
  page,
}, testInfo) => {
  // The default model (use-lite once generated, else lexical), on WASM by name: `auto` also lands on WASM here
  // (SwiftShader is a fallback adapter), but on a machine with a GPU it would not, and the text below names WASM.
  const model = existsSync(resolve(import.meta.dirname, '../../public/models/use-lite/config.json'))
    ? 'use-lite'
    : 'lexical';
  await page.setViewportSize({ width: 1360, height: 900 });
  await page.goto('/demo/?backend=wasm&workers=2');
  await waitReady(page, 'wasm');
  await expect(page.locator('#engine-status-text')).toHaveText(`Ready · WASM · 2 workers · ${model}`);
  await expect(page.getByLabel('User')).toHaveValue('alice');
  await page.getByRole('button', { name: 'Add 1,000 sample memories' }).click();
  await expect(page.getByTestId('bulk-count')).toHaveText('Added 1,000 memories', { timeout: 150_000 });
  await expect(page.locator('#stat-count')).toHaveText('1,000');
  await searchThroughUi(page, 'Where does the user like to sit on planes?');
  await expect(page.locator('#results .result')).toHaveCount(10);
  if (model === 'use-lite') await expect(page.locator('#results .result-text').first()).toContainText(/seat|flight/);
  await page.getByLabel('Query').blur();

  const screenshot = await page.screenshot({ fullPage: true, animations: 'disabled' });
  await testInfo.attach('demo-full-page', { body: screenshot, contentType: 'image/png' });
  if (process.env.UPDATE_DOCS === '1') {
    const docs = resolve(import.meta.dirname, '../../docs');
    mkdirSync(docs, { recursive: true });
    writeFileSync(resolve(docs, 'demo.png'), screenshot);
  }
});

test('switching the backend WASM -> WebGPU -> WASM restarts the engine and keeps the memories', async ({ page }) => {
  await page.goto(`${demo}&backend=wasm&workers=1`);
  await waitReady(page, 'wasm');
  await addThroughUi(page, 'User prefers aisle seats on long flights', 'travel');

  await page.getByLabel('Backend').selectOption('webgpu');
  await page.getByRole('button', { name: 'Restart engine' }).click();
  await waitReady(page, 'webgpu');
  await expect(page.locator('#engine-status-text')).toContainText('WebGPU');
  await expect(page.locator('#worker-load .worker-name').first()).toContainText('webgpu', { timeout: 5_000 });
  await searchThroughUi(page, 'aisle seats');
  await expect(page.locator('#results .result-text').first()).toHaveText('User prefers aisle seats on long flights');
  await addThroughUi(page, 'User keeps a window seat for night trains');

  await page.getByLabel('Backend').selectOption('wasm');
  await page.getByLabel('Workers').fill('2');
  await page.getByRole('button', { name: 'Restart engine' }).click();
  await waitReady(page, 'wasm');
  await expect(page.locator('#engine-status-text')).toHaveText('Ready · WASM · 2 workers · lexical');
  await searchThroughUi(page, 'window seat night trains');
  await expect(page.locator('#results .result-text').first()).toHaveText('User keeps a window seat for night trains');
  await expect(page.locator('#notices .notice')).toHaveCount(0);
});

test('the model picker: another model keeps its own database; a folder URL can be typed in', async ({ page }) => {
  await page.goto(`${demo}&backend=wasm&workers=1`);
  await waitReady(page, 'wasm');
  await addThroughUi(page, 'User collects miles with KLM', 'travel');

  await page.locator('#engine-model').selectOption({ label: 'Other folder URL…' });
  await expect(page.getByLabel('Model folder URL')).toBeFocused();
  await page.getByLabel('Model folder URL').fill('/models/minilm-l6/');
  await page.getByLabel('Model folder URL').press('Enter');
  await waitReady(page, 'wasm');
  await expect(page.locator('#engine-status-text')).toHaveText('Ready · WASM · 1 worker · minilm-l6');
  await expect(page.locator('#engine-info')).toContainText('agentmem-demo-minilm-l6-int8');
  await expect(page.locator('#results-empty')).toBeVisible();

  await page.locator('#engine-model').selectOption('/models/lexical');
  await page.getByRole('button', { name: 'Restart engine' }).click();
  await waitReady(page, 'wasm');
  await expect(page.locator('#results .result-text')).toHaveText(['User collects miles with KLM']);
});

test('errors are readable messages in the page: a missing model, WebGPU without an adapter, a full disk', async ({
  page,
  context,
}) => {
  await page.goto('/demo/?model=/models/does-not-exist&backend=wasm');
  await expect(page.locator('body')).toHaveAttribute('data-engine', 'failed', engineTimeout);
  await expect(page.locator('#notices .notice')).toContainText('The model could not be loaded');
  await expect(page.locator('#notices .notice')).toContainText('does-not-exist');
  // The URL field shows what was asked for, so it can be corrected in place.
  await expect(page.locator('#engine-model-url')).toHaveValue('/models/does-not-exist');

  // A browser launched without --enable-unsafe-webgpu has navigator.gpu but no adapter.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-quic'],
  });
  try {
    const other = await browser.newPage({ baseURL: test.info().project.use.baseURL ?? '' });
    await other.goto(`${demo}&backend=webgpu`);
    await expect(other.locator('#notices .notice')).toContainText('WebGPU is not available', engineTimeout);
    await expect(other.locator('body')).toHaveAttribute('data-engine', 'failed');
    // Choosing WASM from the UI recovers.
    await other.getByLabel('Backend').selectOption('wasm');
    await other.getByRole('button', { name: 'Restart engine' }).click();
    await waitReady(other, 'wasm');
  } finally {
    await browser.close();
  }

  // Storage quota: Chromium applies an override only before the origin first touches storage, so set it from a
  // page of the same origin that stores nothing, then open the demo and bulk-add into a 1 MB quota: 2,000 memories
  // need several MB (300 could fit once a flood's writes were chunked).
  const quotaPage = await context.newPage();
  await quotaPage.goto('/models/lexical/config.json');
  const origin = new URL(quotaPage.url()).origin;
  const cdp = await context.newCDPSession(quotaPage);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1024 * 1024 });
  try {
    await quotaPage.goto(`${demo}&backend=wasm&sample=2000`);
    await waitReady(quotaPage, 'wasm');
    await quotaPage.getByRole('button', { name: 'Add 2,000 sample memories' }).click();
    await expect(quotaPage.locator('#bulk-result')).toContainText('failed', engineTimeout);
    const notice = quotaPage.locator('#notices .notice').first();
    await expect(notice).toContainText('Browser storage is full');
    await expect(notice).toContainText('QuotaExceededError');
    // One notice for the whole batch of failures, not hundreds.
    await expect(quotaPage.locator('#notices .notice')).toHaveCount(1);
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await expect(quotaPage.locator('#notices .notice')).toHaveCount(0);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});

test('"Download backup" saves every memory and "Restore" brings them back after they were cleared', async ({
  page,
}, testInfo) => {
  await page.goto(`${demo}&backend=wasm&workers=1`);
  await waitReady(page, 'wasm');
  await addThroughUi(page, 'I keep my passport in the blue drawer');
  await addThroughUi(page, 'My dentist appointment is on Tuesday');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#backup-download').click()]);
  expect(download.suggestedFilename()).toMatch(/^agentmem-backup-.*\.jsonl$/);
  const file = testInfo.outputPath('backup.jsonl');
  await download.saveAs(file);
  await expect(page.locator('#backup-result')).toHaveText(/Saved 2 memories/);

  page.once('dialog', (dialog) => void dialog.accept());
  await page.locator('#clear-user').click();
  await expect(page.locator('#results-empty')).toBeVisible();

  await page.locator('#backup-file').setInputFiles(file);
  await expect(page.locator('#backup-result')).toHaveText('Restored 2 memories.');
  await expect(page.locator('#results .result-text', { hasText: 'passport in the blue drawer' })).toBeVisible();
  await expect(page.locator('#results .result-text', { hasText: 'dentist appointment' })).toBeVisible();
  await expect(page.locator('#notices .notice')).toHaveCount(0);
});
