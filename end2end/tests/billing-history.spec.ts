import { expect, test } from './fixtures';
import { TODAY, hydrated, isoDay, monthStart, signIn, submitSignIn } from './helpers';

test.describe.configure({ mode: 'serial' });

test('billing history loads more until the end without a page load', async ({ page }) => {
  await signIn(page, 'billing@northwind.test');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing history' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Billing history' })).toBeVisible();
  await hydrated(page);
  const table = page.getByRole('table', { name: 'Invoices and payments, newest first' });
  const rows = table.getByRole('row');
  await expect(rows).toHaveCount(1 + 10);
  await page.evaluate(() => ((window as unknown as { portico_marker: number }).portico_marker = 7));
  const loadMore = page.getByRole('button', { name: 'Load more' });
  let previous = 11;
  while (await loadMore.isVisible()) {
    await loadMore.click();
    await expect.poll(async () => rows.count()).toBeGreaterThan(previous);
    previous = await rows.count();
  }
  await expect(page.getByText("That's everything.")).toBeVisible();
  // Every entry once: invoice numbers are not repeated.
  const items = await table.locator('tbody tr td:nth-child(2) .item-title').allTextContents();
  const invoices = items.filter((t) => t.includes('ACME-'));
  expect(new Set(invoices).size).toBe(invoices.length);
  expect(previous).toBeGreaterThan(11);
  expect(await page.evaluate(() => (window as unknown as { portico_marker?: number }).portico_marker)).toBe(7);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('"Load more" shows the older entries as a page of their own, with the filter kept', async ({ page }) => {
    await page.goto('/login');
    await submitSignIn(page, 'billing@northwind.test');
    await expect(page).toHaveURL(/\/$/);
    await page.goto('/billing-history?filter=all');
    const titles = page.getByRole('table', { name: 'Invoices and payments, newest first' }).locator('tbody tr .item-title');
    await expect(titles).toHaveCount(10);
    const invoicesIn = (texts: string[]) => texts.filter((t) => t.includes('ACME-'));
    const newest = invoicesIn(await titles.allTextContents());
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(page).toHaveURL(/[?&]after=[^&]+/);
    await expect(page).toHaveURL(/[?&]filter=all(&|$)/);
    await expect(titles.first()).toBeVisible();
    const older = invoicesIn(await titles.allTextContents());
    expect(older.length).toBeGreaterThan(0);
    expect(older.filter((t) => newest.includes(t))).toEqual([]);
  });
});

test('billing history filters by status and finds an invoice by number', async ({ page }) => {
  await signIn(page, 'billing@northwind.test');
  await page.goto('/billing-history');
  await hydrated(page);
  await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Overdue invoices' });
  const table = page.getByRole('table', { name: 'Invoices and payments, newest first' });
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText('Prorated license invoice');
  const number = (await table.locator('.item-title').first().textContent())!.match(/ACME-\d+/)![0];

  // The number is typed while the filter's page is still on its way (held back here, as on a
  // slow network): what was typed is still there, with the focus, when that page is shown.
  await page.route(/\/billing-history\?filter=all&q=$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    await route.continue();
  });
  await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Everything' });
  const search = page.getByLabel('Find invoice by number');
  await search.fill(number);
  await expect(page).toHaveURL(/filter=all&q=$/);
  await expect(search).toHaveValue(number);
  await expect(search).toBeFocused();
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${number}`));
  // The page found shows what was searched for.
  await expect(search).toHaveValue(number);
  await expect(table.getByRole('row', { name: new RegExp(number) }).first()).toBeVisible();
  await expect(table.locator('.item-title').filter({ hasText: /ACME-/ })).toHaveText([new RegExp(number)]);
});

test('an invoice downloads as a PDF named after its number', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await page.getByRole('link', { name: /^View invoice ACME-/ }).first().click();
  const heading = page.getByRole('heading', { level: 1, name: /^Invoice ACME-/ });
  await expect(heading).toBeVisible();
  const number = (await heading.textContent())!.replace('Invoice ', '');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download PDF' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`invoice-${number}.pdf`);
  const path = await download.path();
  const fs = await import('node:fs');
  const bytes = fs.readFileSync(path!);
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
});

test('a statement downloads as CSV for a date range', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await page.goto('/billing-history');
  await page.getByText('Download a statement').click();
  // From the demo's first month to today.
  const from = isoDay(monthStart(TODAY, 3));
  const to = isoDay(TODAY);
  await page.getByLabel('From', { exact: true }).fill(from);
  await page.getByLabel('To', { exact: true }).fill(to);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`statement-${from}-to-${to}.csv`);
  const fs = await import('node:fs');
  const text = fs.readFileSync((await download.path())!, 'utf8');
  expect(text.split(/\r?\n/)[0]).toBe('date,type,reference,description,charges,payments,balance');
});
