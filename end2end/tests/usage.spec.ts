import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from './fixtures';
import fs from 'node:fs';
import { TODAY, hydrated, monthLabel, monthStart, monthValue, signIn } from './helpers';

/** The month before today's on the server's (pinned) calendar, as the picker writes and shows it. */
function lastMonth(): { value: string; label: string } {
  const first = monthStart(TODAY, 1);
  return { value: monthValue(first), label: monthLabel(first) };
}

/** "12,345" → 12345. */
function count(text: string): number {
  return Number(text.replace(/[^\d-]/g, ''));
}

/** The value of one column, by its header, in a row of `table`. */
async function column(table: Locator, row: Locator, header: string): Promise<number> {
  const headers = await table.getByRole('columnheader').allTextContents();
  const index = headers.indexOf(header);
  expect(index, `a "${header}" column`).toBeGreaterThan(0);
  // The first column holds row headers, not cells.
  return count(await row.getByRole('cell').nth(index - 1).innerText());
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test("last month's usage: the chart, the daily table and the CSV export agree", async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Usage' })).toBeVisible();
  await hydrated(page);

  const month = lastMonth();
  await page.getByLabel('Month', { exact: true }).selectOption({ label: month.label });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]month=${month.value}`));
  await expect(page.getByRole('heading', { level: 2, name: `${month.label} by sub-account` })).toBeVisible();
  await expect(page.getByLabel('Month', { exact: true })).toHaveValue(month.value);

  // The charts, by their accessible names; each summary carries the figures.
  const chart = page.getByRole('img', { name: new RegExp(`^Messages per day in ${month.label}, all numbers: [\\d,]+ in total`) });
  await expect(chart).toBeVisible();
  const chartTotal = count((await chart.getAttribute('aria-label'))!.match(/: ([\d,]+) in total/)![1]);
  await expect(chart.locator('rect title').first()).toHaveText(/^\w{3} \d+, \d{4}, (Marketing|Utility|Authentication): [\d,]+ messages$/);
  const split = page.getByRole('img', { name: new RegExp(`^Messages by category in ${month.label}: Marketing [\\d.]+%, Utility [\\d.]+%, Authentication [\\d.]+%`) });
  await expect(split).toBeVisible();

  // The daily table: its total row is the sum of the days above it, and what the chart says.
  const table = page.getByRole('table', { name: `Messages per day, ${month.label}, all numbers` });
  const days = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^\w{3} \d+, \d{4}$/ }) });
  expect(await days.count()).toBeGreaterThan(0);
  let sum = 0;
  for (const day of await days.all()) {
    sum += await column(table, day, 'Total');
  }
  const totalRow = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Total', exact: true }) });
  const tableTotal = await column(table, totalRow, 'Total');
  expect(tableTotal).toBeGreaterThan(0);
  expect(sum).toBe(tableTotal);
  expect(chartTotal).toBe(tableTotal);

  // The export holds the rows shown: one per day, number and category, adding up the same.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`usage-${month.value}.csv`);
  const lines = fs.readFileSync((await download.path())!, 'utf8').split('\r\n').filter((l) => l !== '');
  expect(lines[0]).toBe('date,phone_number,sub_account,category,messages,cost,currency');
  const rows = lines.slice(1);
  expect(rows.every((l) => l.startsWith(`${month.value}-`))).toBe(true);
  // Counts, costs and currency codes hold no comma, so they are the last three fields.
  const csvTotal = rows.reduce((total, l) => total + Number(l.split(',').at(-3)), 0);
  expect(csvTotal).toBe(tableTotal);

  expect(await seriousViolations(page)).toEqual([]);
});

test('one phone number narrows the daily view and its export', async ({ page }) => {
  await signIn(page, 'billing@northwind.test');
  await page.goto(`/usage?month=${lastMonth().value}`);
  await hydrated(page);
  const picker = page.getByLabel('Phone number', { exact: true });
  const option = picker.getByRole('option').nth(1);
  const number = (await option.textContent())!.split(' · ')[0];
  await picker.selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('heading', { level: 2, name: `Daily messages: ${number}` })).toBeVisible();
  await expect(page.getByRole('img', { name: new RegExp(`^Messages per day in .*, \\${number}: `) })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', /[?&]number=/);
  // The month's per-number table says the same total as the narrowed daily table.
  const byNumber = page.getByRole('table', { name: /^Messages and cost by phone number/ });
  const numberRow = byNumber.getByRole('row').filter({ has: page.getByRole('rowheader', { name: number }) });
  const daily = page.getByRole('table', { name: /^Messages per day/ });
  const dailyTotal = daily.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Total', exact: true }) });
  expect(await column(daily, dailyTotal, 'Total')).toBe(await column(byNumber, numberRow, 'Total'));
  expect(await seriousViolations(page)).toEqual([]);
});

test('a member is told who can help instead of seeing usage', async ({ page }) => {
  await signIn(page, 'member@northwind.test');
  await page.goto('/usage');
  await expect(page.getByRole('heading', { name: "You don't have access to billing" })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});
