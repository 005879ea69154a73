import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './fixtures';
import { emailTo, hydrated, signIn, wasmRequests } from './helpers';

// Runs after the billing specs (file order, one worker): switching accounts changes where
// Nora lands at sign-in, so the last test switches her back.
test.describe.configure({ mode: 'serial' });

async function openMenu(page: Page) {
  await hydrated(page);
  await page.getByRole('button', { name: 'Account menu' }).click();
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
}

test('a switch of account the server refuses is said on the page it was made from', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await page.getByRole('link', { name: 'Billing history' }).click();
  await expect(page.getByRole('heading', { name: 'Billing history', level: 1 })).toBeVisible();
  await openMenu(page);
  const accounts = page.getByRole('list', { name: 'Accounts' });
  const globex = accounts.getByRole('button', { name: /^Globex Corporation, / });
  await expect(globex).toBeVisible();
  // The form posts the account it names; one that is not hers answers like a missing one.
  const globexItem = accounts.getByRole('listitem').filter({ has: page.getByRole('button', { name: /^Globex Corporation, / }) });
  await globexItem.locator('input[name="account_id"]').evaluate((input) => ((input as HTMLInputElement).value = 'acc_not_hers'));
  await globex.click();
  await expect(page.getByRole('alert').filter({ hasText: "We couldn't find that." })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Billing history', level: 1 })).toBeVisible();
  await expect(page.locator('.account-name')).toHaveText('Northwind Traders');
});

test('one login switches between its accounts from the header', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Nora');
  await openMenu(page);
  const accounts = page.getByRole('list', { name: 'Accounts' });
  const globex = accounts.getByRole('button', { name: /^Globex Corporation, / });
  // Each account shows what it owes, in its own currency (earlier specs may have paid all of
  // Northwind's invoices).
  await expect(globex).toContainText('€');
  await expect(accounts.getByRole('button', { name: /^Northwind Traders \(current\), / })).toContainText(/\$|Nothing due/);
  await globex.click();

  await page.waitForURL('/');
  await hydrated(page);
  await expect(page.locator('.account-name')).toHaveText('Globex Corporation');
  await expect(page.getByText('Expansion to Austria and Switzerland').first()).toBeVisible();
  // Every page follows the switch.
  await page.getByRole('link', { name: 'Payment methods' }).click();
  await expect(page.getByText('•••• 3222').first()).toBeVisible();

  // The all-accounts summary: per account and per currency, never added across currencies.
  await openMenu(page);
  await page.getByRole('link', { name: 'All accounts' }).click();
  await expect(page.getByRole('heading', { name: 'All accounts', level: 1 })).toBeVisible();
  const rows = page.getByRole('table', { name: 'Your accounts' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(page.locator('.tile-value')).toContainText(/€[\d,.]+/);
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Switch to Northwind Traders' }).click();
  await page.waitForURL('/');
  await hydrated(page);
  await expect(page.locator('.account-name')).toHaveText('Northwind Traders');
});

test('a client view the server refuses is said on the client list, which stays as it was', async ({ page }) => {
  await signIn(page, 'staff@acme.test');
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
  // The form posts the account it names; one that is not this agency's answers like a missing one.
  const globex = page.getByRole('row').filter({ hasText: 'Globex Corporation' });
  await globex.locator('input[name="account_id"]').evaluate((input) => ((input as HTMLInputElement).value = 'acc_not_this_agencys'));
  await globex.getByRole('button', { name: 'View Globex Corporation as client' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "We couldn't find that." })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Client view' })).toHaveCount(0);
});

test('staff view a client as the client, cannot pay, and exit', async ({ page }) => {
  await signIn(page, 'staff@acme.test');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
  // Search narrows the list.
  await page.getByLabel('Search clients').fill('north');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\?q=north/);
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'View Northwind Traders as client' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'View Globex Corporation as client' })).toHaveCount(0);
  await page.getByLabel('Search clients').fill('');
  await page.getByRole('button', { name: 'Search' }).click();
  await hydrated(page);
  // Each client's standing is a word, not only a colour.
  const globexRow = page.getByRole('row').filter({ hasText: 'Globex Corporation' });
  await expect(globexRow.getByRole('cell').nth(1)).toHaveText(/^(Overdue|Amount due|Up to date)$/);

  // Globex still owes money whatever the earlier specs paid at Northwind.
  const wasm = wasmRequests(page);
  await page.getByRole('button', { name: 'View Globex Corporation as client' }).click();
  await page.waitForURL('/');
  await hydrated(page);
  const banner = page.getByRole('region', { name: 'Client view' });
  await expect(banner).toContainText('Viewing as Globex Corporation');
  await expect(page.locator('.account-name')).toHaveText('Globex Corporation');
  // The client's dashboard, banner included, needs no WASM for staff either.
  expect(wasm).toEqual([]);

  // The banner is on every page, and paying is disabled with the reason beside it.
  await page.goto('/pay');
  await hydrated(page);
  await expect(banner).toBeVisible();
  await expect(page.getByText("You are viewing as the client: Paying stays with the client's own people.")).toBeVisible();
  await expect(page.getByRole('button', { name: /^Pay / })).toBeDisabled();

  // Even a forced attempt is refused by the server function itself.
  const refused = await page.evaluate(async () => {
    const res = await fetch('/api/payments/pay', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ invoice_ids: ['x'], method: 'pm_nw_visa', idempotency_key: 'idem_forced_from_page_1' }),
    });
    return { status: res.status, body: await res.text() };
  });
  expect(refused.status).toBe(403);
  expect(refused.body).toContain('Impersonating');

  await page.goto('/payment-methods');
  await hydrated(page);
  await expect(page.getByText("You are viewing as the client: Changing payment methods stays with the client's own people.")).toBeVisible();
  const locked = page.locator('fieldset.lock button');
  expect(await locked.count()).toBeGreaterThan(0);
  for (const button of await locked.all()) await expect(button).toBeDisabled();
  expect(await seriousViolations(page)).toEqual([]);

  await banner.getByRole('button', { name: 'Exit' }).click();
  await page.waitForURL('/');
  await hydrated(page);
  await expect(page.getByRole('region', { name: 'Client view' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
});

test('the client sees the staff visit in its activity', async ({ page }) => {
  await signIn(page, 'owner@globex.test');
  await hydrated(page);
  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByRole('heading', { name: 'Activity', level: 1 })).toBeVisible();
  const table = page.getByRole('table', { name: 'Activity, newest first' });
  const started = table.getByRole('row').filter({ hasText: 'Agency staff started viewing the portal as the client' });
  await expect(started.first()).toContainText('Alex Rivera (agency staff, viewing as the client)');
  await expect(table.getByRole('row').filter({ hasText: 'Agency staff stopped viewing' }).first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('an owner invites a teammate who joins through the emailed link', async ({ page, browser }) => {
  await signIn(page, 'owner@northwind.test');
  await openMenu(page);
  await page.getByRole('link', { name: 'Team' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Team', level: 1 })).toBeVisible();
  await page.getByLabel('Email').fill('not an email');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
  await page.getByLabel('Email').fill('casey@northwind.test');
  await page.getByLabel('Role', { exact: true }).selectOption('billing_manager');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Invitation sent to casey@northwind.test' })).toBeVisible();
  await expect(page.getByText('casey@northwind.test')).toHaveCount(2);
  expect(await seriousViolations(page)).toEqual([]);

  test.skip(!!process.env.PORTICO_E2E_URL, 'the mailbox of an external server is not at hand');
  // The link arrives by email, through the outbox and the run's SMTP server.
  const link = (await emailTo('casey@northwind.test', /\/invitations\/[A-Za-z0-9_-]{43}/))[0];
  const invitee = await browser.newContext();
  const other = await invitee.newPage();
  await other.goto(link);
  await hydrated(other);
  await expect(other.getByRole('heading', { name: 'Join Northwind Traders' })).toBeVisible();
  await other.getByLabel('Your name').fill('Casey Lin');
  await other.getByLabel('Choose a password').fill('casey-long-password');
  await other.getByRole('button', { name: 'Join the team' }).click();
  await other.waitForURL((url) => url.pathname === '/');
  await hydrated(other);
  await expect(other.locator('.account-name')).toHaveText('Northwind Traders');
  await expect(other.locator('.account-role')).toHaveText('Billing manager');
  await invitee.close();

  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('row').filter({ hasText: 'Casey Lin' })).toBeVisible();
  // The last owner can be neither removed nor demoted.
  await page.getByRole('button', { name: 'Remove Nora Whitfield' }).click();
  await expect(page.getByText("This is the account's only owner. Make someone else an owner first.")).toBeVisible();
});
