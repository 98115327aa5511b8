import { expect, test, type Page } from '@playwright/test';

/**
 * One page, in a browser context of its own, for the tests of the calling spec file (or `describe` block) that
 * need no fresh origin. A fresh context per test fetched the model and compiled ORT's wasm again for each test;
 * here only the first test pays that. Tests on it must use database names of their own, close the tabs and memories
 * they open, and remove the routes they add. A failed test ends the Playwright worker, so the tests after it run on
 * a new page.
 */
export function sharedPage(path: string): () => Page {
  let page: Page | undefined;
  test.beforeAll(async ({ browser }) => {
    const baseURL = test.info().project.use.baseURL;
    const context = await browser.newContext(baseURL === undefined ? {} : { baseURL });
    page = await context.newPage();
    page.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
    await page.goto(path);
    await expect(page.locator('#status')).toHaveText('ready');
  });
  test.afterAll(async () => {
    await page?.context().close();
    page = undefined;
  });
  return () => {
    if (!page) throw new Error('sharedPage(): the page exists only inside the tests of its file');
    return page;
  };
}

/**
 * `test` whose `page` and `context` are the file's {@link sharedPage} and its context, for a spec written against
 * the per-test fixtures. The tabs a test opens in the context are closed after it.
 */
export function onSharedPage(path: string) {
  const shared = sharedPage(path);
  return test.extend({
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    context: async ({}, use) => {
      const context = shared().context();
      const before = new Set(context.pages());
      await use(context);
      await Promise.all(
        context
          .pages()
          .filter((p) => !before.has(p))
          .map((p) => p.close()),
      );
    },
    // eslint-disable-next-line no-empty-pattern -- as above
    page: async ({}, use) => use(shared()),
  });
}
