import { expect, test, type Page } from '@playwright/test';

/** Opens the Memory test page and waits until its module (engine classes, helpers as `window.t`) is ready. */
export async function ready(page: Page): Promise<void> {
  await page.goto('/test/pages/memory.html');
  await expect(page.locator('#status')).toHaveText('ready');
}

/** Every test of the calling spec starts on a ready Memory test page, with the page's errors logged. */
export function onMemoryPage(): void {
  test.beforeEach(async ({ page }) => {
    page.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
    await ready(page);
  });
}
