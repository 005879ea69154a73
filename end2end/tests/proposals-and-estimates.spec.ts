import { expect, test, type Page } from './fixtures';
import { hydrated, signIn } from './helpers';

// Runs after payments.spec.ts (file order, one worker): approving adds an open invoice, which
// would change the totals the earlier specs check.
test.describe.configure({ mode: 'serial' });

async function saveStreet(page: Page, street: string) {
  await page.goto('/billing-details');
  await hydrated(page);
  const details = page.getByRole('region', { name: 'Company and address' });
  await details.getByLabel('Street address').fill(street);
  await page.getByRole('button', { name: 'Save billing details' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Billing details saved' })).toBeVisible();
}

test('approving an estimate issues an invoice with the billing address as it is now, and it can be paid', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  // An invoice issued before the change, to compare with.
  await page.goto('/billing-history?filter=paid');
  const oldInvoice = await page.getByRole('link', { name: /^View invoice ACME-/ }).last().getAttribute('href');
  await saveStreet(page, '88 Approval Avenue');

  await page.goto('/');
  await page.getByRole('link', { name: 'View estimate EST-0001' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Estimate EST-0001' })).toBeVisible();
  await hydrated(page);
  const approve = page.getByRole('button', { name: 'Approve and create invoice' });
  // Signing is required.
  await approve.click();
  await expect(page.getByLabel('Type your full name to sign')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Type your full name to sign').fill('Nora Whitfield');
  await approve.click();

  // The new invoice, billed to the address saved a moment ago.
  await expect(page).toHaveURL(/\/invoices\/inv_/);
  await expect(page.getByRole('heading', { level: 1, name: /^Invoice ACME-/ })).toBeVisible();
  await expect(page.getByText(/88 Approval Avenue/)).toBeVisible();
  await expect(page.getByText('$850.00').first()).toBeVisible();
  const newInvoice = page.url();

  // The older invoice keeps the address it was issued with.
  await page.goto(oldInvoice!);
  await expect(page.getByText(/1200 Harbor Way/)).toBeVisible();
  await expect(page.getByText(/88 Approval Avenue/)).toHaveCount(0);

  // The estimate shows who approved it, and links to the invoice.
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'View estimate EST-0001' })).toHaveCount(0);
  await page.goto(newInvoice);
  await hydrated(page);
  await page.getByRole('link', { name: 'Pay invoice' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Pay invoices' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: /^Pay \$/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Payment received' })).toBeVisible();

  await saveStreet(page, '1200 Harbor Way');
});

test('declining a proposal asks for a reason and records the decision', async ({ page }) => {
  await signIn(page, 'billing@northwind.test');
  await page.getByRole('link', { name: 'View proposal PRO-0002' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Proposal PRO-0002' })).toBeVisible();
  await hydrated(page);
  await page.getByText('Decline this proposal').click();
  await page.getByRole('button', { name: 'Decline', exact: true }).click();
  await expect(page.getByLabel('Reason for declining')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Reason for declining').fill('We are staying on monthly billing this year.');
  await page.getByRole('button', { name: 'Decline', exact: true }).click();
  const decision = page.getByRole('region', { name: 'Decision' });
  await expect(decision).toContainText('Declined');
  await expect(decision).toContainText('Ben Carter');
  await expect(decision).toContainText('We are staying on monthly billing this year.');
  await expect(page.getByRole('button', { name: 'Approve and create invoice' })).toHaveCount(0);
});

test('an expired estimate says so and cannot be approved', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await page.getByRole('link', { name: 'View estimate EST-0003' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Estimate EST-0003' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'It can no longer be approved' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Approve and create invoice' })).toHaveCount(0);

  // The list shows where each one stands after the decisions above.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Estimates' }).click();
  const table = page.getByRole('table', { name: 'Estimates and proposals' });
  await expect(table.getByRole('row', { name: /EST-0001/ })).toContainText('Approved');
  await expect(table.getByRole('row', { name: /PRO-0002/ })).toContainText('Declined');
  await expect(table.getByRole('row', { name: /EST-0003/ })).toContainText('Expired');
});
