import { expect, test } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn } from './helpers';

// Seed 003: Globex's prepaid credit ran out, so outbound messaging is blocked. The dashboard
// says so, since when, and offers the exact top-up that lifts it; paying it moves the balance
// once and the block is gone.
test('a top-up moves the balance and lifts the messaging block', async ({ page }) => {
  await signIn(page, 'owner@globex.test');
  await hydrated(page);

  const status = page.getByRole('region', { name: 'Service status' });
  const outbound = status.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Outbound messaging/ }) });
  await expect(outbound.getByRole('heading', { name: /Outbound messaging/ })).toContainText('Blocked');
  await expect(outbound).toContainText('Blocked since');
  await expect(outbound).toContainText(/Your credit balance is -€/);

  // The button names the exact top-up and opens the form with it filled in.
  const restore = outbound.getByRole('link', { name: /^Add €[\d,.]+ to your credit balance$/ });
  const suggested = (await restore.textContent())!.match(/€([\d,.]+)/)![1];
  await restore.click();
  await expect(page).toHaveURL(/\/credit\?amount=/);
  await hydrated(page);
  const before = await page.getByTestId('credit-balance').textContent();
  expect(before).toMatch(/^-€/);

  const form = page.getByRole('region', { name: 'Add to credit balance' });
  await expect(form.getByLabel('Amount (EUR)')).toHaveValue(suggested.replace(/,/g, ''));
  // A clear message at the field for an amount below the minimum.
  await form.getByLabel('Amount (EUR)').fill('5');
  await form.getByRole('button', { name: /^Pay / }).click();
  await expect(form.getByText('The smallest top-up is €10.00.')).toBeVisible();

  // The fee is shown before paying: 4 % by card.
  await form.getByLabel('Amount (EUR)').fill('250');
  await expect(form.getByText('Fee €10.00 · Total €260.00')).toBeVisible();
  await form.getByRole('button', { name: 'Pay €260.00' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Payment received' })).toBeVisible();
  const after = page.getByTestId('credit-balance');
  await expect(after).not.toHaveText(before!);
  const toMinor = (text: string) => Math.round(parseFloat(text.replace(/[€,]/g, '')) * 100);
  await expect.poll(async () => toMinor((await after.textContent())!)).toBe(toMinor(before!) + 25_000);

  // The history shows the top-up once, and the block is gone.
  const history = page.getByRole('region', { name: 'Balance history' });
  await expect(history.getByRole('row').filter({ hasText: 'Top-up' }).filter({ hasText: '+€250.00' })).toHaveCount(1);
  const lifted = page.getByRole('region', { name: 'Service status' });
  await expect(lifted.getByRole('heading', { name: /Outbound messaging/ })).toContainText('Running');

  // A second top-up from the same page is a second payment (a new idempotency key), shown the same way.
  await form.getByLabel('Amount (EUR)').fill('10');
  await form.getByRole('button', { name: 'Pay €10.40' }).click();
  await expect(history.getByRole('row').filter({ hasText: 'Top-up' }).filter({ hasText: '+€10.00' })).toHaveCount(1);
  await expect.poll(async () => toMinor((await after.textContent())!)).toBe(toMinor(before!) + 26_000);
  await expect(history.getByRole('row').filter({ hasText: 'Top-up' }).filter({ hasText: '+€250.00' })).toHaveCount(1);

  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await page.goto('/');
  await hydrated(page);
  await expect(
    page.getByRole('region', { name: 'Service status' }).getByRole('heading', { name: /Outbound messaging/ }),
  ).toContainText('Running');
});

test('the low-balance alert and automatic top-up are saved with clear field messages', async ({ page }) => {
  await signIn(page, 'owner@globex.test');
  await page.goto('/credit');
  await hydrated(page);
  const settings = page.getByRole('region', { name: 'Alerts and automatic top-up' });
  await settings.getByLabel(/Email me when the balance falls to/).fill('100');
  await settings.getByLabel('Top up automatically').check();
  await settings.getByLabel(/When the balance falls to/).fill('50');
  await settings.getByLabel(/^Add \(EUR\)$/).fill('2');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByText('The smallest top-up is €10.00.')).toBeVisible();
  await settings.getByLabel(/^Add \(EUR\)$/).fill('300');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByRole('status')).toHaveText('Settings saved.');

  await page.reload();
  await hydrated(page);
  const reloaded = page.getByRole('region', { name: 'Alerts and automatic top-up' });
  await expect(reloaded.getByLabel(/Email me when the balance falls to/)).toHaveValue('100.00');
  await expect(reloaded.getByLabel('Top up automatically')).toBeChecked();
  await expect(reloaded.getByLabel(/^Add \(EUR\)$/)).toHaveValue('300.00');
});

test('the balance history appends older entries in place under "Load more"', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await page.goto('/credit');
  await hydrated(page);
  const history = page.getByRole('region', { name: 'Balance history' });
  const rows = history.getByRole('table', { name: 'Every movement of the credit balance, newest first' }).getByRole('row');
  await expect(rows).toHaveCount(1 + 20);
  const newest = await rows.nth(1).textContent();
  await page.evaluate(() => ((window as unknown as { portico_marker: number }).portico_marker = 7));
  await history.getByRole('button', { name: 'Load more' }).click();
  await expect.poll(async () => rows.count()).toBeGreaterThan(1 + 20);
  await expect(rows.nth(1)).toHaveText(newest!);
  await expect(page).toHaveURL(/\/credit$/);
  expect(await page.evaluate(() => (window as unknown as { portico_marker?: number }).portico_marker)).toBe(7);
});
