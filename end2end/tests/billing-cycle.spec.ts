import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { hydrated, signIn } from './helpers';

// The billing cycle's reconciliation statement, as the client reads it: the demo's statements
// are written by the cycle's own rule, so last month's balances, top-ups and usage add up.

/** "$1,234.56" or "-$1,234.56" in cents. */
function cents(text: string): number {
  const negative = text.trim().startsWith('-');
  const digits = text.replace(/[^0-9]/g, '');
  return (negative ? -1 : 1) * Number(digits);
}

test("last month's reconciliation statement balances to the cent", async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await page.goto('/billing-history');
  await hydrated(page);
  const table = page.getByRole('table', { name: 'Invoices and payments, newest first' });
  const statementRow = table.getByRole('row').filter({ hasText: 'Reconciliation statement' }).first();
  await expect(statementRow).toBeVisible();
  await expect(statementRow).toContainText('Nothing to pay');
  await expect(statementRow).toContainText('For your records');
  await statementRow.getByRole('link', { name: /^View statement ACME-/ }).click();

  // A statement, not a bill: nothing due, no pay button.
  await expect(page.getByRole('heading', { level: 1, name: /^Statement ACME-\d+$/ })).toBeVisible();
  await expect(page.getByText('Reconciliation statement', { exact: true })).toBeVisible();
  await expect(page.getByText('For your records', { exact: true })).toBeVisible();
  await expect(page.getByText('Amount due')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Pay invoice' })).toHaveCount(0);
  const lines = page.getByRole('table', { name: 'Lines' });
  const rows = lines.locator('tbody tr');
  await expect(rows.first()).toContainText('Credit balance on');
  await expect(lines).toContainText('Prepayments received');
  await expect(lines).toContainText(/Messages used: [\d,]+ messages/);
  await expect(rows.last()).toContainText('Credit balance on');
  // Opening balance + movements − closing balance = 0: the statement reconciles.
  const amounts = await rows.locator('td:last-child').allTextContents();
  expect(amounts.length).toBeGreaterThanOrEqual(5);
  expect(amounts.map(cents).reduce((a, b) => a + b, 0)).toBe(0);
  await expect(page.locator('.memo')).toContainText('nothing is due on it');
  await expect(page.locator('.memo')).toContainText('Invoiced in the month:');

  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations).toEqual([]);
});

test('staff set the retry schedule, with a message at the field for a wrong one', async ({ page }) => {
  await signIn(page, 'staff@acme.test');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing rules' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Billing rules' })).toBeVisible();
  await hydrated(page);
  const retries = page.getByLabel('Retry failed charges on days');
  await expect(retries).toHaveValue('1, 3, 7');

  await retries.fill('7, 3');
  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(retries).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#retry-days-error')).toHaveText(/increasing order/);

  await retries.fill('2,5,9');
  await page.getByLabel('Payment terms (days after issue)').fill('3');
  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Rules saved' })).toBeVisible();
  await expect(retries).toHaveAttribute('aria-invalid', 'false');

  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Retry failed charges on days')).toHaveValue('2, 5, 9');
  await expect(page.getByLabel('Payment terms (days after issue)')).toHaveValue('3');
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations).toEqual([]);

  // Back to the defaults, for the specs that follow on the same database.
  await page.getByLabel('Retry failed charges on days').fill('1, 3, 7');
  await page.getByLabel('Payment terms (days after issue)').fill('0');
  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Rules saved' })).toBeVisible();
});
