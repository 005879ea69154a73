import { expect, test } from './fixtures';
import { NORTHWIND, hydrated, signIn, submitSignIn, usd, wasmRequests } from './helpers';

test('the owner signs in, sees the dashboard, uses it without a page load and signs out', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
  await expect(page.getByText('Northwind Traders LLC')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Current plans' })).toContainText('Partner plan');

  // Open billing items, with the total outstanding and a View link for each.
  const openItems = page.getByRole('region', { name: 'Open billing items' });
  await expect(openItems.getByRole('row')).toHaveCount(1 + 2 + 3); // header, 2 invoices, 3 estimates
  await expect(openItems.getByText('Overdue')).toBeVisible();
  await expect(page.getByTestId('total-outstanding')).toHaveText(usd(NORTHWIND.outstanding));
  await expect(page.getByText('Awaiting your decision').locator('..')).toContainText('2 items');
  await expect(openItems.getByRole('link', { name: /^View invoice ACME-/ })).toHaveCount(2);
  await expect(openItems.getByRole('link', { name: /^View proposal PRO-/ })).toHaveCount(1);

  // Subscriptions and payment methods, default marked, expiring card flagged.
  const subscriptions = page.getByRole('region', { name: 'Current subscriptions' });
  await expect(subscriptions.getByRole('paragraph').filter({ hasText: 'Phone number license' })).toBeVisible();
  await expect(subscriptions.getByRole('link', { name: 'Manage Phone number license' })).toBeVisible();
  await expect(subscriptions.getByText('8 phone numbers × $15.00 / month')).toBeVisible();
  const methods = page.getByRole('region', { name: 'Payment methods' });
  await expect(methods.getByRole('listitem').filter({ hasText: 'Visa •••• 4242' })).toContainText('Default');
  await expect(methods.getByRole('listitem').filter({ hasText: 'Mastercard •••• 5556' })).toContainText('Expires soon');
  await expect(page.getByRole('status').filter({ hasText: 'Card expiring soon' })).toBeVisible();

  // The account menu works after hydration, without loading a page, and lists the accounts
  // without loading any WASM (the dashboard has none, and the menu's list is HTML).
  await hydrated(page);
  const wasm = wasmRequests(page);
  await page.evaluate(() => ((window as unknown as { portico_marker: number }).portico_marker = 42));
  const menuButton = page.getByRole('button', { name: 'Account menu' });
  await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeHidden();
  // A pointer over the button fetches the list, so that it is there when the menu opens.
  await menuButton.hover();
  await expect(page.locator('#account-menu-list')).toBeAttached();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeHidden();
  await menuButton.click();
  await expect(menuButton).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  const accounts = page.getByRole('list', { name: 'Accounts' });
  await expect(accounts.getByRole('button', { name: /^Northwind Traders \(current\), / })).toBeDisabled();
  await expect(accounts.getByRole('button', { name: /^Globex Corporation, / })).toBeEnabled();
  expect(wasm).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { portico_marker?: number }).portico_marker)).toBe(42);
  await page.keyboard.press('Escape');
  await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
  await expect(menuButton).toBeFocused();

  // Viewing an invoice and coming back.
  await openItems.getByRole('link', { name: /^View invoice ACME-/ }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: /^Invoice ACME-/ })).toBeVisible();
  await expect(page.getByText('Prorated license invoice')).toBeVisible();
  await page.getByRole('link', { name: '← Dashboard' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();

  // Signing out ends the session: the dashboard now sends us to the login page.
  await hydrated(page);
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});

test('a wrong password is refused with one message that does not reveal whether the email exists', async ({ page }) => {
  await signIn(page, 'owner@northwind.test', 'wrong-password');
  const alert = page.getByRole('alert').filter({ hasText: "don't match an account" });
  await expect(alert).toBeVisible();
  const known = await alert.textContent();
  await signIn(page, 'nobody@northwind.test', 'wrong-password');
  await expect(page.getByRole('alert').filter({ hasText: "don't match an account" })).toHaveText(known ?? '');
  await expect(page).toHaveURL(/\/login/);
});

test.describe('before the app runs (JavaScript off)', () => {
  test.use({ javaScriptEnabled: false });

  test('the sign-in form posts itself: a wrong password shows its message, the right one signs in', async ({ page }) => {
    await page.goto('/login?next=/billing-history');
    await submitSignIn(page, 'owner@northwind.test', 'wrong-password');
    // Back on the sign-in page (not the error's JSON), with the message and where to go next.
    await expect(page.getByRole('alert').filter({ hasText: "don't match an account" })).toBeVisible();
    await expect(page).toHaveURL(/\/login\?next=\/billing-history&/);

    await submitSignIn(page, 'owner@northwind.test');
    await expect(page).toHaveURL(/\/billing-history$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Billing history' })).toBeVisible();
  });
});

test('a page asked for without a session comes back after signing in', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, 'billing@northwind.test');
  await expect(page.getByRole('heading', { level: 1, name: 'Ben Carter' })).toBeVisible();
  const invoiceLink = page.getByRole('link', { name: /^View invoice ACME-/ }).first();
  const href = await invoiceLink.getAttribute('href');
  expect(href).toMatch(/^\/invoices\/inv_/);

  await page.context().clearCookies();
  await page.goto(href!);
  await expect(page).toHaveURL(`/login?next=${href}`);
  await hydrated(page);
  await page.getByLabel('Email').fill('billing@northwind.test');
  await page.getByLabel('Password').fill('portico-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(page.getByRole('heading', { level: 1, name: /^Invoice ACME-/ })).toBeVisible();
});

test('a member sees who can help instead of billing data', async ({ page }) => {
  await signIn(page, 'member@northwind.test');
  await expect(page.getByRole('heading', { name: "You don't have access to billing" })).toBeVisible();
  await expect(page.getByRole('link', { name: 'owner@northwind.test' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'billing@northwind.test' })).toBeVisible();
  await expect(page.getByText('ACME-0')).toHaveCount(0);
});

test('agency staff land on the client list', async ({ page }) => {
  await signIn(page, 'staff@acme.test');
  await expect(page.getByRole('heading', { level: 1, name: 'Clients' })).toBeVisible();
  const rows = page.getByRole('table', { name: 'Client accounts' }).getByRole('row');
  await expect(rows.filter({ hasText: 'Northwind Traders' })).toContainText(usd(NORTHWIND.outstanding));
  await expect(rows.filter({ hasText: 'Globex Corporation' })).toContainText('€');
});

test('the dashboard fits a phone screen', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, 'owner@northwind.test');
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
