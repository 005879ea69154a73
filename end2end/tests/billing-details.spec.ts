import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './fixtures';
import { holdWasm, hydrated, signIn } from './helpers';

// Billing details (seeds 000, 002): company, address, tax ID and billing contacts.
//
// One server and one database serve the whole Playwright run, so this spec puts Northwind's
// address back the way the demo loads it and removes the contact it adds.

test.describe.configure({ mode: 'serial' });

const OLD_ADDRESS = '1200 Harbor Way, Floor 3, Seattle, WA 98101, United States';
const NEW_ADDRESS = '500 Pine Street, Floor 3, Seattle, WA 98101-1234, United States';
const SAVED =
  'Billing details saved. New invoices will use them; invoices already issued keep the details they were issued with.';

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function openBillingDetails(page: Page) {
  await page.goto('/billing-details');
  await expect(page.getByRole('heading', { level: 1, name: 'Billing details' })).toBeVisible();
  await hydrated(page);
}

/** Where an invoice issued before this spec's change lives: a dashboard "View invoice" link,
 *  or (once other specs have paid every open invoice) one from the billing history. */
async function anIssuedInvoice(page: Page): Promise<string> {
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
  let links = page.getByRole('region', { name: 'Open billing items' }).getByRole('link', { name: /^View invoice ACME-/ });
  if ((await links.count()) === 0) {
    await page.goto('/billing-history');
    links = page.getByRole('link', { name: /^View invoice ACME-/ });
  }
  return (await links.first().getAttribute('href'))!;
}

function saveButton(page: Page) {
  return page.getByRole('button', { name: 'Save billing details' });
}

test('the owner corrects an invalid ZIP, saves a new address, and issued invoices keep the old one', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  const invoiceHref = await anIssuedInvoice(page);
  expect(invoiceHref).toMatch(/^\/invoices\//);

  await openBillingDetails(page);
  const details = page.getByRole('region', { name: 'Company and address' });
  await expect(details.getByLabel('Company name')).toHaveValue('Northwind Traders LLC');
  await expect(details.getByLabel('Country')).toHaveValue('US');
  await expect(details.getByLabel('Street address')).toHaveValue('1200 Harbor Way');
  await expect(details.getByLabel('City')).toHaveValue('Seattle');
  await expect(details.getByLabel('State')).toHaveValue('WA');
  await expect(details.getByLabel('ZIP code')).toHaveValue('98101');
  await expect(details.getByLabel('Tax ID')).toHaveValue('EIN 91-7654321');
  await expect(details.getByText(OLD_ADDRESS)).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // An invalid ZIP is refused at the field, which gets the focus and says what is expected.
  await page.evaluate(() => ((window as unknown as { portico_marker: number }).portico_marker = 11));
  const zip = details.getByLabel('ZIP code');
  await zip.fill('9810');
  await saveButton(page).click();
  await expect(zip).toHaveAttribute('aria-invalid', 'true');
  await expect(zip).toBeFocused();
  await expect(zip).toHaveAccessibleDescription(/A ZIP code is 5 digits, or 5 \+ 4 digits, like 98101 or 98101-1234\./);
  await expect(page.getByRole('status').filter({ hasText: 'Billing details saved' })).toBeHidden();
  expect(await seriousViolations(page)).toEqual([]);

  // The fields follow the country, in place: Germany has a postal code and no state, and
  // the tax ID hint names the German VAT format.
  await details.getByLabel('Country').selectOption('DE');
  await expect(details.getByLabel('Postal code')).toBeVisible();
  await expect(details.getByLabel('ZIP code')).toHaveCount(0);
  await expect(details.getByLabel('State')).toHaveCount(0);
  await expect(details.getByLabel('Tax ID')).toHaveAccessibleDescription(/German VAT number: DE followed by 9 digits/);
  await details.getByLabel('Country').selectOption('US');
  await expect(details.getByLabel('ZIP code')).toBeVisible();
  await expect(details.getByLabel('Tax ID')).toHaveAccessibleDescription(/Employer Identification Number/);
  // A state of the old country means nothing in the new one: it is chosen again.
  await expect(details.getByLabel('State')).toHaveValue('');
  await details.getByLabel('State').selectOption('WA');
  expect(await page.evaluate(() => (window as unknown as { portico_marker?: number }).portico_marker)).toBe(11);

  // Fixed, and the address changed: saved, normalised, and announced.
  await details.getByLabel('Street address').fill('500 Pine Street');
  await zip.fill('981011234');
  await saveButton(page).click();
  await expect(page.getByRole('status').filter({ hasText: 'Billing details saved' })).toHaveText(SAVED);
  await expect(zip).toHaveAttribute('aria-invalid', 'false');
  await expect(zip).toHaveValue('98101-1234');
  await expect(details.getByText(NEW_ADDRESS)).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // Stored: a fresh load shows it.
  await openBillingDetails(page);
  await expect(page.getByLabel('Street address')).toHaveValue('500 Pine Street');

  // The invoice issued before the change still shows the address it was issued with.
  await page.goto(invoiceHref);
  await expect(page.getByRole('heading', { level: 1, name: /^Invoice ACME-/ })).toBeVisible();
  await expect(page.getByText(OLD_ADDRESS)).toBeVisible();
  await expect(page.getByText('500 Pine Street')).toHaveCount(0);

  // Put the demo's address back for the other specs.
  await openBillingDetails(page);
  await page.getByLabel('Street address').fill('1200 Harbor Way');
  await page.getByLabel('ZIP code').fill('98101');
  await saveButton(page).click();
  await expect(page.getByRole('status').filter({ hasText: 'Billing details saved' })).toHaveText(SAVED);
  await expect(page.getByText(OLD_ADDRESS)).toBeVisible();
});

test('what is typed before the page is taken over stays, and is what the form checks', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
  // The WASM is held back until the fields have been typed into, as on a slow phone.
  const release = await holdWasm(page);
  await page.goto('/billing-details');
  const details = page.getByRole('region', { name: 'Company and address' });
  const zip = details.getByLabel('ZIP code');
  await zip.fill('9810');
  await details.getByLabel('City').fill('Tacoma');
  const takenOver = page.locator('leptos-island[data-taken-over]');
  await expect(takenOver).toHaveCount(0);
  release();
  await expect(takenOver).toHaveCount(2);
  await expect(zip).toHaveValue('9810');
  await expect(details.getByLabel('City')).toHaveValue('Tacoma');
  // The island has the typed values: the ZIP typed before it ran is the one refused.
  await saveButton(page).click();
  await expect(zip).toHaveAttribute('aria-invalid', 'true');
  await expect(zip).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: 'Billing details saved' })).toBeHidden();
});

test('the owner adds a billing contact and removes it again', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await expect(page.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
  await openBillingDetails(page);
  const contacts = page.getByRole('region', { name: 'Billing contacts' });
  const items = contacts.getByRole('listitem');
  await expect(items.filter({ hasText: 'ap@northwind.test' })).toBeVisible();
  const before = await items.count();

  // Both fields are checked before anything is sent.
  await contacts.getByRole('button', { name: 'Add contact' }).click();
  await expect(contacts.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(contacts.getByLabel('Email', { exact: true })).toHaveAccessibleDescription(/Enter the email address/);
  // An address already on the list is refused.
  await contacts.getByLabel('Name', { exact: true }).fill('Accounts Payable');
  await contacts.getByLabel('Email', { exact: true }).fill('AP@northwind.test');
  await contacts.getByRole('button', { name: 'Add contact' }).click();
  await expect(contacts.getByLabel('Email', { exact: true })).toHaveAccessibleDescription(
    'ap@northwind.test already receives invoices for this account.',
  );
  expect(await seriousViolations(page)).toEqual([]);

  await contacts.getByLabel('Name', { exact: true }).fill('Dana Ortiz');
  await contacts.getByLabel('Email', { exact: true }).fill('dana@northwind.test');
  await contacts.getByRole('button', { name: 'Add contact' }).click();
  await expect(contacts.getByRole('status')).toHaveText('Dana Ortiz added. They will receive new invoices.');
  await expect(items).toHaveCount(before + 1);
  await expect(items.filter({ hasText: 'dana@northwind.test' })).toContainText('Dana Ortiz');
  await expect(contacts.getByLabel('Name', { exact: true })).toHaveValue('');

  await contacts.getByRole('button', { name: 'Remove Dana Ortiz (dana@northwind.test)' }).click();
  await expect(contacts.getByRole('status')).toHaveText('Dana Ortiz removed. They will no longer receive invoices.');
  await expect(items).toHaveCount(before);
  await expect(items.filter({ hasText: 'dana@northwind.test' })).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
});
