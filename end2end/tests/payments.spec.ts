import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from './fixtures';
import fs from 'node:fs';
import { NORTHWIND, hydrated, signIn, usd } from './helpers';

// Payments in the browser: payment methods, paying invoices, the history, payment links.
//
// One server and one database serve the whole Playwright run, so these tests build on each
// other in order (serial) and start from the demo data as loaded: Northwind owes a license
// invoice ($619.00) and an overdue prorated license invoice (its amount follows from the length
// of last month: NORTHWIND in helpers.ts); its cards are Visa 4242 (default, pays both
// subscriptions), Mastercard 5556, Amex 8431 and ACH 6789.

test.describe.configure({ mode: 'serial' });

/** An unusual security code, so the leak check below cannot match anything by chance. */
const CVC = '947';
/** Expiry of the cards added here: the demo Visa 4242 expires in December, so a card
 *  expiring in August is told apart from it by its "Expires 08/2031" line. */
const EXP_MONTH = '08';
const EXP_YEAR = '2031';

type Card = { number: string; name?: string; month?: string; year?: string };

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Fills the card form as a person types. */
async function fillCard(scope: Page | Locator, card: Card) {
  await scope.getByLabel('Card number').pressSequentially(card.number);
  await scope.getByLabel('Expiry month').fill(card.month ?? EXP_MONTH);
  await scope.getByLabel('Expiry year').fill(card.year ?? EXP_YEAR);
  await scope.getByLabel('Security code (CVC)').fill(CVC);
  await scope.getByLabel('Name on card').fill(card.name ?? 'Nora Whitfield');
}

/** Signs in as Northwind's owner and waits for the dashboard (the session cookie is set). */
async function signInAsOwner(page: Page) {
  await signIn(page, 'owner@northwind.test');
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
}

async function openPaymentMethods(page: Page) {
  await page.goto('/payment-methods');
  await expect(page.getByRole('heading', { level: 1, name: 'Payment methods' })).toBeVisible();
  await hydrated(page);
}

function savedMethods(page: Page) {
  return page.getByRole('region', { name: 'Saved methods' }).getByRole('listitem');
}

function openItems(page: Page) {
  return page.getByRole('region', { name: 'Open billing items' });
}

/** The number ("ACME-000012") of the open invoice in the dashboard row matching `rowText`. */
async function invoiceNumberInRow(page: Page, rowText: string | RegExp): Promise<string> {
  const label = await openItems(page)
    .getByRole('row')
    .filter({ hasText: rowText })
    .getByRole('link', { name: /^View invoice ACME-/ })
    .getAttribute('aria-label');
  return label!.replace('View invoice ', '');
}

const LICENSE = usd(NORTHWIND.licenseInvoice);
const LICENSE_BY_CARD = usd(NORTHWIND.licenseInvoice + NORTHWIND.cardFee(NORTHWIND.licenseInvoice));
const PRORATED = usd(NORTHWIND.proratedInvoice);
const PRORATED_FEE = usd(NORTHWIND.cardFee(NORTHWIND.proratedInvoice));
const PRORATED_BY_CARD = usd(NORTHWIND.proratedInvoice + NORTHWIND.cardFee(NORTHWIND.proratedInvoice));
const OUTSTANDING = usd(NORTHWIND.outstanding);
const re = (text: string) => text.replace(/[$.]/g, '\\$&');

let overdueNumber = '';
let licenseNumber = '';
let licenseInvoiceHref = '';

test('the navigation marks the current page and the payment pages pass axe', async ({ page }) => {
  await signInAsOwner(page);
  overdueNumber = await invoiceNumberInRow(page, 'Overdue');
  licenseNumber = await invoiceNumberInRow(page, LICENSE);
  licenseInvoiceHref = (await openItems(page)
    .getByRole('link', { name: `View invoice ${licenseNumber}` })
    .getAttribute('href'))!;

  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('aria-current', 'page');
  await hydrated(page);
  await nav.getByRole('link', { name: 'Payment methods' }).click();
  await expect(page).toHaveURL(/\/payment-methods$/);
  await expect(nav.getByRole('link', { name: 'Payment methods' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Dashboard' })).not.toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { level: 2, name: 'Add a card' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Add a bank account (ACH)' })).toBeVisible();
  await expect(page.getByText(/Wire transfer isn't saved here/)).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // With errors at the fields, too.
  await hydrated(page);
  await page.getByRole('button', { name: 'Add card' }).click();
  await expect(page.getByLabel('Card number')).toHaveAttribute('aria-invalid', 'true');
  expect(await seriousViolations(page)).toEqual([]);

  await page.goto('/pay');
  await expect(page.getByRole('group', { name: 'How would you like to pay?' })).toBeVisible();
  await expect(page.getByTestId('pay-amount')).toHaveText(OUTSTANDING);
  expect(await seriousViolations(page)).toEqual([]);

  await page.goto('/payments');
  await expect(page.getByRole('heading', { level: 1, name: 'Payment history' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // A member has no billing access: no navigation to billing pages.
  await page.context().clearCookies();
  await signIn(page, 'member@northwind.test');
  await expect(page.getByRole('heading', { name: "You don't have access to billing" })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
});

test('adding a card shows its brand while typing; it is listed and can become the default', async ({ page }) => {
  await signInAsOwner(page);
  await openPaymentMethods(page);
  const before = await savedMethods(page).count();

  const number = page.getByLabel('Card number');
  await number.pressSequentially('4242');
  await expect(page.getByText('Visa', { exact: true })).toBeVisible();
  await expect(number).toHaveAccessibleDescription(/Visa/);
  await number.pressSequentially('424242424242');
  await expect(number).toHaveValue('4242 4242 4242 4242');
  await expect(number).toHaveAttribute('autocomplete', 'cc-number');
  await expect(number).toHaveAttribute('inputmode', 'numeric');
  await page.getByLabel('Expiry month').fill(EXP_MONTH);
  await page.getByLabel('Expiry year').fill(EXP_YEAR);
  await page.getByLabel('Security code (CVC)').fill(CVC);
  await page.getByLabel('Name on card').fill('Nora Whitfield');
  await page.getByRole('button', { name: 'Add card' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Visa •••• 4242 added.' })).toBeVisible();
  await expect(savedMethods(page)).toHaveCount(before + 1);
  const added = savedMethods(page).filter({ hasText: `Expires ${EXP_MONTH}/${EXP_YEAR}` });
  await expect(added).toContainText('Visa •••• 4242');
  await expect(added).not.toContainText('Default');
  await expect(number).toHaveValue('');

  await added.getByRole('button', { name: /^Make default/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is now your default payment method' })).toBeVisible();
  await expect(added).toContainText('Default');
  await expect(added.getByRole('button', { name: /^Make default/ })).toHaveCount(0);
  const demoVisa = savedMethods(page).filter({ hasText: 'Pays: Partner plan, Phone number license' });
  await expect(demoVisa).toContainText('Visa •••• 4242');
  await expect(demoVisa).not.toContainText('Default');
});

test('a declined card is refused at the form and not added', async ({ page }) => {
  await signInAsOwner(page);
  await openPaymentMethods(page);
  const before = await savedMethods(page).count();
  const form = page.getByRole('region', { name: 'Add a card' });
  await fillCard(form, { number: '4000000000000002' });
  await form.getByRole('button', { name: 'Add card' }).click();
  await expect(form.getByRole('alert')).toHaveText('Your card was declined.');
  await expect(savedMethods(page)).toHaveCount(before);
  await expect(savedMethods(page).filter({ hasText: '•••• 0002' })).toHaveCount(0);
});

test('the overdue invoice is paid from the dashboard with the new card, fee shown first', async ({ page }) => {
  await signInAsOwner(page);
  await expect(page.getByRole('link', { name: `Pay ${OUTSTANDING}` })).toHaveAttribute('href', '/pay');
  await openItems(page).getByRole('link', { name: `Pay invoice ${overdueNumber}` }).click();
  await expect(page).toHaveURL(/\/pay\?invoice=inv_/);
  await expect(page.getByRole('heading', { level: 1, name: 'Pay invoices' })).toBeVisible();
  await hydrated(page);

  const toPay = page.getByRole('table', { name: 'Invoices to pay' });
  await expect(toPay.getByRole('row')).toHaveCount(2);
  await expect(toPay).toContainText(overdueNumber);
  await expect(toPay).toContainText('Overdue');
  await expect(page.getByTestId('pay-amount')).toHaveText(PRORATED);

  // The new card is the default, so it is chosen; its 4 % fee is shown before confirming.
  const options = page.getByRole('group', { name: 'How would you like to pay?' });
  const chosen = options.getByRole('radio', { checked: true });
  await expect(chosen).toHaveCount(1);
  await expect(chosen).toHaveAccessibleName(new RegExp(`^Visa •••• 4242 Default Fee ${re(PRORATED_FEE)} · Total ${re(PRORATED_BY_CARD)}`));
  await expect(options.getByRole('radio', { name: /^ACH •••• 6789/ })).toBeDisabled();
  await expect(options.getByRole('radio', { name: /ACH payments start at \$50\.00/ })).toBeDisabled();
  await expect(options.getByRole('radio', { name: /^Wire transfer/ })).toBeDisabled();
  await expect(options).not.toContainText('PIX');
  await page.getByRole('button', { name: `Pay ${PRORATED_BY_CARD}` }).click();

  const receipt = page.getByRole('status').filter({ hasText: 'Payment received' });
  await expect(receipt).toBeVisible();
  await expect(receipt).toContainText(PRORATED);
  await expect(receipt).toContainText(PRORATED_FEE);
  await expect(receipt).toContainText(PRORATED_BY_CARD);
  await expect(receipt).toContainText('Visa •••• 4242');

  await receipt.getByRole('link', { name: 'See your payment history' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Payment history' })).toBeVisible();
  const newest = page.getByRole('table', { name: 'Payments, newest first' }).getByRole('row').nth(1);
  await expect(newest).toContainText(overdueNumber);
  await expect(newest).toContainText('Visa •••• 4242');
  await expect(newest).toContainText(PRORATED_BY_CARD);
  await expect(newest.getByText('Paid', { exact: true })).toBeVisible();

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
  await expect(openItems(page)).not.toContainText(overdueNumber);
  await expect(page.getByTestId('total-outstanding')).toHaveText(LICENSE);
});

test('a card that attaches but fails to charge: the decline is explained and recorded', async ({ page }) => {
  await signInAsOwner(page);
  await openPaymentMethods(page);
  await fillCard(page.getByRole('region', { name: 'Add a card' }), { number: '4000000000000341', month: '09' });
  await page.getByRole('button', { name: 'Add card' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Visa •••• 0341 added.' })).toBeVisible();

  await page.goto('/');
  await openItems(page).getByRole('link', { name: `Pay invoice ${licenseNumber}` }).click();
  await expect(page.getByTestId('pay-amount')).toHaveText(LICENSE);
  await hydrated(page);
  await page.getByRole('radio', { name: /^Visa •••• 0341/ }).check();
  await page.getByRole('button', { name: `Pay ${LICENSE_BY_CARD}` }).click();
  const decline = page.getByRole('alert').filter({ hasText: "The payment didn't go through" });
  await expect(decline).toContainText('Your card was declined.');
  await expect(decline).toContainText('the invoice is still open');

  // Another method means another payment: a fresh quote, the form again.
  await decline.getByRole('button', { name: 'Choose another method' }).click();
  await expect(page.getByRole('group', { name: 'How would you like to pay?' })).toBeVisible();
  await expect(page.getByRole('button', { name: `Pay ${LICENSE_BY_CARD}` })).toBeEnabled();

  await page.goto('/payments');
  const newest = page.getByRole('table', { name: 'Payments, newest first' }).getByRole('row').nth(1);
  await expect(newest).toContainText(licenseNumber);
  await expect(newest).toContainText('Visa •••• 0341');
  await expect(newest.getByText('Failed', { exact: true })).toBeVisible();
  await expect(newest).toContainText('Your card was declined.');

  await page.goto('/');
  await expect(openItems(page)).toContainText(licenseNumber);
  const notice = page
    .getByRole('status')
    .filter({ hasText: `A payment of ${LICENSE_BY_CARD} with Visa •••• 0341 failed: Your card was declined.` });
  await expect(notice).toContainText(`Invoice ${licenseNumber} is still open.`);
  await expect(notice.getByRole('link', { name: /^Pay now/ })).toHaveAttribute('href', /^\/pay\?invoice=inv_/);
});

test('"Load more" appends older payments in place and disappears at the end', async ({ page }) => {
  await signInAsOwner(page);
  await page.goto('/payments');
  const rows = page.getByRole('table', { name: 'Payments, newest first' }).getByRole('row');
  await expect(rows.nth(1)).toBeVisible();
  const before = (await rows.count()) - 1;
  expect(before).toBeLessThan(20);
  await expect(page.getByRole('button', { name: 'Load more' })).toBeHidden();

  // Enough further declined attempts for a second page, through the same server functions the
  // payment screen calls (each with its own idempotency key: each is a new attempt).
  const quoted = await page.request.post('/api/payments/quote', { data: { invoice_ids: [] } });
  expect(quoted.ok()).toBe(true);
  const quote = await quoted.json();
  const card = quote.options.find((o: { label: string }) => o.label === 'Visa •••• 0341');
  const invoiceIds = quote.invoices.map((i: { id: string }) => i.id);
  const extra = 21 - before + 2;
  for (let n = 0; n < extra; n++) {
    const paid = await page.request.post('/api/payments/pay', {
      data: { invoice_ids: invoiceIds, method: card.method, idempotency_key: `e2e-load-more-${n}-${Date.now()}` },
    });
    expect(paid.ok()).toBe(true);
    expect(await paid.json()).toHaveProperty('Declined');
  }

  await page.goto('/payments');
  await hydrated(page);
  await expect(rows).toHaveCount(1 + 20);
  await page.evaluate(() => ((window as unknown as { portico_marker: number }).portico_marker = 7));
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(rows).toHaveCount(1 + before + extra);
  await expect(page.getByRole('button', { name: 'Load more' })).toBeHidden();
  expect(await page.evaluate(() => (window as unknown as { portico_marker?: number }).portico_marker)).toBe(7);
  // Newest first throughout: the oldest demo payment is last.
  await expect(rows.last()).toContainText('Paid');

  // The dashboard says it once per invoice, not once per attempt.
  await page.goto('/');
  await expect(page.getByRole('status').filter({ hasText: /^A payment of .* failed/ })).toHaveCount(1);
});

test('a payment link pays one invoice in a fresh browser without signing in', async ({ page, browser }) => {
  await signInAsOwner(page);
  await page.goto(licenseInvoiceHref);
  await expect(page.getByRole('heading', { level: 1, name: `Invoice ${licenseNumber}` })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Pay invoice' })).toHaveAttribute('href', /^\/pay\?invoice=inv_/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Create payment link' }).click();
  const linkField = page.getByLabel('Payment link');
  await expect(linkField).toHaveValue(/\/pay\/\S+$/);
  await expect(linkField).toHaveAttribute('readonly', '');
  await expect(linkField).toHaveAccessibleDescription(/Anyone with this link can pay this invoice until \w{3} \d{1,2}, \d{4}/);
  const url = await linkField.inputValue();

  const stranger = await browser.newContext();
  try {
    const payer = await stranger.newPage();
    await payer.goto(url);
    await expect(payer.getByRole('heading', { level: 1, name: `Pay invoice ${licenseNumber}` })).toBeVisible();
    await expect(payer.getByText('From Acme Messaging')).toBeVisible();
    await expect(payer.getByText('Northwind Traders LLC')).toBeVisible();
    await expect(payer.getByText(LICENSE)).toBeVisible();
    await expect(payer.getByText(usd(NORTHWIND.cardFee(NORTHWIND.licenseInvoice)))).toBeVisible();
    // That invoice and nothing else of the account.
    await expect(payer.getByRole('navigation')).toHaveCount(0);
    await expect(payer.getByRole('button', { name: 'Account menu' })).toHaveCount(0);
    await expect(payer.getByText(overdueNumber)).toHaveCount(0);
    await expect(payer.getByText('Nora Whitfield')).toHaveCount(0);
    await expect(payer.getByText(/•••• (4242|5556|8431|6789)/)).toHaveCount(0);
    await hydrated(payer);
    expect(await seriousViolations(payer)).toEqual([]);

    await fillCard(payer, { number: '4242424242424242', name: 'Pat Payer' });
    await payer.getByRole('button', { name: `Pay ${LICENSE_BY_CARD}` }).click();
    const receipt = payer.getByRole('status').filter({ hasText: 'Payment received' });
    await expect(receipt).toContainText(LICENSE_BY_CARD);
    await expect(receipt).toContainText('Visa •••• 4242');
    await expect(receipt.getByRole('link')).toHaveCount(0);

    await payer.reload();
    await expect(payer.getByRole('heading', { level: 1, name: `Invoice ${licenseNumber} is paid` })).toBeVisible();

    await payer.goto('/');
    await expect(payer).toHaveURL(/\/login$/);
    await payer.goto('/pay/not-a-real-link');
    await expect(payer.getByText('This payment link has expired or is not valid. Ask the sender for a new one.')).toBeVisible();
  } finally {
    await stranger.close();
  }

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
  await expect(openItems(page)).not.toContainText(licenseNumber);
  await expect(page.getByRole('link', { name: /^Pay \$/ })).toHaveCount(0);
});

test('the card that pays both subscriptions cannot be removed until they move', async ({ page }) => {
  await signInAsOwner(page);
  await openPaymentMethods(page);
  const demoVisa = savedMethods(page).filter({ hasText: 'Pays: Partner plan, Phone number license' });
  await expect(demoVisa).toContainText('Visa •••• 4242');
  const before = await savedMethods(page).count();

  await demoVisa.getByRole('button', { name: /^Remove/ }).click();
  const refusal = demoVisa.getByRole('alert');
  await expect(refusal).toContainText('Visa •••• 4242 pays Partner plan and Phone number license.');
  await expect(savedMethods(page)).toHaveCount(before);

  // Cancel keeps everything as it was; asking again offers the move again.
  await demoVisa.getByRole('button', { name: 'Cancel' }).click();
  await expect(demoVisa.getByRole('alert')).toHaveCount(0);
  await demoVisa.getByRole('button', { name: /^Remove/ }).click();
  const moveTo = demoVisa.getByRole('combobox', { name: 'Move them to' });
  await expect(moveTo).toBeVisible();
  const amex = (await moveTo.locator('option', { hasText: '8431' }).textContent())!;
  await moveTo.selectOption({ label: amex });
  await demoVisa.getByRole('button', { name: 'Move and remove' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Subscriptions moved and Visa •••• 4242 removed.' })).toBeVisible();
  await expect(savedMethods(page)).toHaveCount(before - 1);
  await expect(savedMethods(page).filter({ hasText: 'American Express •••• 8431' })).toContainText(
    'Pays: Partner plan, Phone number license',
  );
  // The Visa 4242 added above is still there, and still the default.
  await expect(savedMethods(page).filter({ hasText: 'Visa •••• 4242' })).toHaveCount(1);
  await expect(savedMethods(page).filter({ hasText: 'Visa •••• 4242' })).toContainText('Default');
});

test('card numbers and security codes are never stored or logged', async () => {
  test.skip(!!process.env.PORTICO_E2E_URL, 'the database and log of an external server are not at hand');
  const db = process.env.PORTICO_E2E_DB!;
  const log = process.env.PORTICO_E2E_LOG!;
  const files = [db, `${db}-wal`, `${db}-shm`, log].filter((f) => fs.existsSync(f));
  expect(files).toContain(db);
  expect(files).toContain(log);
  const secrets = [
    '4242424242424242',
    '4242 4242 4242 4242',
    '4000000000000341',
    '4000 0000 0000 0341',
    '4000000000000002',
    '4000 0000 0000 0002',
    `"cvc":"${CVC}"`,
    `"cvc": "${CVC}"`,
    `cvc=${CVC}`,
  ];
  let tokensSeen = 0;
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    // Processor tokens are base64: look inside them too.
    const tokens = [...bytes.toString('latin1').matchAll(/tok_sbx_([A-Za-z0-9_-]+)/g)].map((m) =>
      Buffer.from(m[1], 'base64url'),
    );
    tokensSeen += tokens.length;
    for (const secret of secrets) {
      expect(bytes.includes(Buffer.from(secret)), `${secret} found in ${file}`).toBe(false);
      for (const token of tokens) {
        expect(token.includes(Buffer.from(secret)), `${secret} found in a token in ${file}`).toBe(false);
      }
    }
  }
  // The cards added above are stored, as tokens: the search did look at them.
  expect(tokensSeen).toBeGreaterThan(0);
});
