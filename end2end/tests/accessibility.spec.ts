import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './fixtures';
import { hydrated, signIn } from './helpers';

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('the login page has no serious or critical accessibility violation', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  expect(await seriousViolations(page)).toEqual([]);
});

test('the login page with an error has none either', async ({ page }) => {
  await signIn(page, 'owner@northwind.test', 'wrong-password');
  await expect(page.getByRole('alert').filter({ hasText: "don't match" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('the dashboard has no serious or critical accessibility violation', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
  await hydrated(page);
  expect(await seriousViolations(page)).toEqual([]);
  // And with the account menu open.
  await page.getByRole('button', { name: 'Account menu' }).click();
  expect(await seriousViolations(page)).toEqual([]);
});

test('the no-access page has no serious or critical accessibility violation', async ({ page }) => {
  await signIn(page, 'member@northwind.test');
  await expect(page.getByRole('heading', { name: "You don't have access to billing" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
