import { test as base, expect } from '@playwright/test';

export { expect };
export type { Locator, Page } from '@playwright/test';

/** Every spec's page fails its test on what a user would not see but the browser reports:
 *  a script or style refused by the Content-Security-Policy (the page then silently does less)
 *  and an uncaught error or panic in the app. */
export const test = base.extend({
  page: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) {
        problems.push(`${page.url()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
    await use(page);
    expect(problems, 'CSP violations and uncaught errors in the page').toEqual([]);
  },
});
