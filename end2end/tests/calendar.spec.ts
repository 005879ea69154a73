import { expect, test } from './fixtures';
import fs from 'node:fs';
import path from 'node:path';
import {
  NORTHWIND,
  PASSWORD,
  TODAY,
  addDays,
  hydrated,
  isoDay,
  monthLabel,
  monthStart,
  shortDate,
  signIn,
  usd,
} from './helpers';
import { startServer } from './server';

// The calendar itself: what happens when a day passes. Each test runs servers of its own, their
// clocks pinned where the test needs them (derived from the suite's pinned date), on databases
// of their own; the suite's server and data are not touched.

test.describe.configure({ mode: 'serial' });

function workDir(): string {
  const dir = path.join(process.env.PORTICO_E2E_DIR ?? fs.mkdtempSync('/tmp/portico-e2e-'), 'calendar');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

test("at midnight after a month's last day the scheduler issues the 1st's documents and charges them", async ({ page }) => {
  test.setTimeout(120_000);
  const first = monthStart(TODAY, -1);
  const lastDay = addDays(first, -1);
  const dir = workDir();
  // Fifteen seconds before midnight: the demo is laid out on the month's last day, then the
  // scheduler (polling every second) sees the date change and runs the 1st.
  const server = await startServer({
    database: path.join(dir, 'month-end.db'),
    today: `${isoDay(lastDay)}T23:59:45Z`,
    scheduler: true,
    log: path.join(dir, 'month-end.log'),
  });
  try {
    await signIn(page, 'owner@northwind.test', PASSWORD, server.url);
    const table = page.getByRole('table', { name: 'Invoices and payments, newest first' });
    const onTheFirst = table.getByRole('row').filter({ hasText: shortDate(first) });
    const license = onTheFirst.filter({ hasText: 'License invoice' });
    // Issuing and charging are two steps of the run: a page loaded between them shows the
    // invoice open, so the poll waits for the charge too.
    await expect
      .poll(
        async () => {
          await page.goto(`${server.url}/billing-history`);
          return (await license.count()) === 1 ? (await license.textContent())?.includes('Paid') : false;
        },
        { timeout: 90_000, intervals: [2_000] },
      )
      .toBe(true);

    // The month's license invoice was charged to the card that pays the subscriptions.
    await expect(license).toContainText('Paid');
    await expect(license).toContainText(usd(NORTHWIND.licenseInvoice));
    const payment = onTheFirst.filter({ hasText: 'Payment · Visa •••• 4242' });
    await expect(payment).toContainText('Paid');
    await expect(payment).toContainText(usd(NORTHWIND.licenseInvoice + NORTHWIND.cardFee(NORTHWIND.licenseInvoice)));
    // The month just ended is reconciled on a statement, with nothing to pay.
    const statement = onTheFirst.filter({ hasText: 'Reconciliation statement' });
    await expect(statement).toContainText('Nothing to pay');

    await license.getByRole('link', { name: /^View invoice ACME-/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: /^Invoice ACME-/ })).toBeVisible();
    await expect(page.getByText(`Partner plan — ${monthLabel(first)}`)).toBeVisible();
    await expect(page.getByText(`Phone number licenses — ${monthLabel(first)}`)).toBeVisible();
  } finally {
    await server.stop();
  }
  // The server's own scheduler did it, for the 1st.
  const log = fs.readFileSync(path.join(dir, 'month-end.log'), 'utf8');
  expect(log).toContain(`date=${isoDay(first)}`);
});

test('a week later the payment link has expired; the proposal lapses; the card runs out with its month', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const dir = workDir();
  const database = path.join(dir, 'expiry.db');
  const log = path.join(dir, 'expiry.log');
  let linkPath = '';

  let server = await startServer({ database, today: isoDay(TODAY), log });
  try {
    await signIn(page, 'owner@northwind.test', PASSWORD, server.url);
    const openItems = page.getByRole('region', { name: 'Open billing items' });
    await openItems
      .getByRole('row')
      .filter({ hasText: usd(NORTHWIND.licenseInvoice) })
      .getByRole('link', { name: /^View invoice ACME-/ })
      .click();
    await hydrated(page);
    await page.getByRole('button', { name: 'Create payment link' }).click();
    const link = page.getByLabel('Payment link');
    await expect(link).toHaveAccessibleDescription(new RegExp(`can pay this invoice until ${shortDate(addDays(TODAY, 7))}\\.`));
    linkPath = new URL(await link.inputValue()).pathname;

    const today = await browser.newContext();
    const payer = await today.newPage();
    await payer.goto(server.url + linkPath);
    await expect(payer.getByRole('heading', { level: 1, name: /^Pay invoice ACME-/ })).toBeVisible();
    await today.close();
  } finally {
    await server.stop();
  }

  // Eleven days on, on the same database.
  const later = addDays(TODAY, 11);
  server = await startServer({ database, today: isoDay(later), log });
  try {
    const stranger = await browser.newContext();
    const payer = await stranger.newPage();
    await payer.goto(server.url + linkPath);
    await expect(payer.getByText('This payment link has expired or is not valid. Ask the sender for a new one.')).toBeVisible();
    await expect(payer.getByRole('button', { name: /^Pay / })).toHaveCount(0);
    await stranger.close();

    await signIn(page, 'owner@northwind.test', PASSWORD, server.url);
    // The annual proposal was valid for ten days.
    await page.goto(`${server.url}/estimates`);
    await page.getByRole('link', { name: 'View proposal PRO-0002' }).click();
    await expect(page.getByRole('status').filter({ hasText: `This proposal expired on ${shortDate(addDays(TODAY, 10))}.` })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Approve and create invoice' })).toHaveCount(0);

    // The Mastercard is valid through the end of the month it was loaded in.
    await page.goto(server.url);
    const mastercard = page
      .getByRole('region', { name: 'Payment methods' })
      .getByRole('listitem')
      .filter({ hasText: 'Mastercard •••• 5556' });
    const ranOut = later.getUTCMonth() !== TODAY.getUTCMonth();
    await expect(mastercard).toContainText(ranOut ? 'Expired' : 'Expires soon');
  } finally {
    await server.stop();
  }
});
