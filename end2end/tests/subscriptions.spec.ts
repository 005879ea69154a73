import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './fixtures';
import { holdWasm, hydrated, signIn, wasmRequests } from './helpers';

// Runs last (file order, one worker): a change adds a paid invoice and changes the renewal
// amounts the earlier specs read.
test.describe.configure({ mode: 'serial' });

async function openManage(page: Page, plan: string) {
  await page.goto('/subscriptions');
  await hydrated(page);
  const button = page.getByRole('button', { name: `Manage ${plan}` });
  await button.click();
  const dialog = page.getByRole('dialog', { name: `Manage ${plan}` });
  await expect(dialog).toBeVisible();
  return { button, dialog };
}

test('changing the number of licenses charges exactly what the preview said', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  // The dashboard's Manage opens the dialog on the subscriptions page.
  await page.getByRole('link', { name: 'Manage Phone number license' }).click();
  await expect(page).toHaveURL(/\/subscriptions\?manage=/);
  await hydrated(page);
  const dialog = page.getByRole('dialog', { name: 'Manage Phone number license' });
  await expect(dialog).toBeVisible();

  const quantity = dialog.getByLabel('Number of phone numbers');
  const current = Number(await quantity.inputValue());
  await quantity.fill(String(current + 2));
  const dueNow = dialog.getByTestId('due-now');
  await expect(dueNow).toHaveText(/^\$\d+\.\d\d$/);
  const previewed = (await dueNow.textContent())!.trim();
  await expect(dialog.getByText(`${current + 2} × Phone number license for the rest of the period`)).toBeVisible();

  await dialog.getByRole('button', { name: `Confirm and pay ${previewed}` }).click();
  const done = dialog.getByRole('status').filter({ hasText: `${previewed} was charged to` });
  await expect(done).toBeVisible();
  // The outcome is where focus goes, so it is read out (once it has been painted: polled).
  await expect(dialog.locator('.modal-notice')).toBeFocused();
  await expect(dialog.getByLabel('Number of phone numbers')).toHaveValue(String(current + 2));

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Phone number license' }) });
  await expect(card.getByText(`${current + 2} phone numbers ×`)).toBeVisible();

  // The payment history holds the same amount.
  await page.goto('/payments');
  await expect(page.getByText(previewed).first()).toBeVisible();
});

test('the manage dialog keeps focus inside, closes on Escape and gives focus back', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  const { button, dialog } = await openManage(page, 'Partner plan');
  expect(await new AxeBuilder({ page }).include('dialog').analyze().then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id))).toEqual([]);
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
  }
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(button).toBeFocused();
});

test("the page is the server's until it is used: no WASM before, and a tap made while it loads is done once it has", async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  const wasm = wasmRequests(page);
  await page.goto('/subscriptions');
  await hydrated(page);
  await page.waitForLoadState('networkidle');
  expect(wasm).toEqual([]);
  const licenses = await page.getByRole('heading', { level: 2, name: 'Phone number license', exact: true }).getAttribute('id');

  // The WASM is held back, as on a slow phone, while Manage is tapped.
  const release = await holdWasm(page);
  await page.getByRole('button', { name: 'Manage Partner plan' }).click();
  const list = page.getByRole('list', { name: 'Current subscriptions' });
  await expect(page.locator('leptos-island', { has: list })).toHaveAttribute('aria-busy', 'true');
  const dialog = page.getByRole('dialog', { name: 'Manage Partner plan' });
  await expect(dialog).toBeHidden();
  release();
  await expect(dialog).toBeVisible();
  await expect(page.locator('leptos-island', { has: list })).not.toHaveAttribute('aria-busy');
  expect(wasm).toHaveLength(1);

  // Opened by its address (the dashboard's Manage link, say), the dialog does not wait for a use.
  await page.goto(`/subscriptions?manage=${licenses!.replace(/^sub-/, '')}`);
  await expect(page.getByRole('dialog', { name: 'Manage Phone number license' })).toBeVisible();
});

test("when a control's code cannot be fetched, the page says nothing was done, and the next try works", async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('/subscriptions');
  await hydrated(page);
  const manage = page.getByRole('button', { name: 'Manage Partner plan' });
  await manage.click();
  const failed = page.getByRole('alert').filter({ hasText: "couldn't be loaded, so nothing was done" });
  await expect(failed).toBeVisible();
  const dialog = page.getByRole('dialog', { name: 'Manage Partner plan' });
  await expect(dialog).toBeHidden();
  await page.unroute('**/*.wasm');
  await manage.click();
  await expect(dialog).toBeVisible();
  await expect(failed).toBeHidden();
});

test('cancelling at period end with a reason, then resuming', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  let { dialog } = await openManage(page, 'Partner plan');
  await dialog.getByLabel('Reason (optional)').fill('Consolidating our vendors');
  await dialog.getByRole('button', { name: 'Cancel at period end' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'will end after' })).toBeVisible();
  await expect(dialog.getByRole('heading', { name: 'Set to end' })).toBeVisible();
  // A subscription set to end is not changed until it is resumed.
  await expect(dialog.getByRole('heading', { name: 'Change plan or quantity' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Close' }).click();

  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Partner plan' }) });
  await expect(card.getByText('Ending')).toBeVisible();
  await expect(card.getByText(/it will not renew/)).toBeVisible();
  await expect(card.getByText('Reason given: Consolidating our vendors')).toBeVisible();

  ({ dialog } = await openManage(page, 'Partner plan'));
  await dialog.getByRole('button', { name: 'Resume subscription' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'resumed' })).toBeVisible();
  await expect(dialog.getByRole('heading', { name: 'Change plan or quantity' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(card.getByText(/^Renews /)).toBeVisible();
  await expect(card.getByText('Ending')).toHaveCount(0);
});
