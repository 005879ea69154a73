import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { TODAY, hydrated, isoDay, signIn } from './helpers';

// Staff make an operator API key in the console, the vendor's system uses it, staff revoke it.
// The usage pushed costs nothing, so the specs that read Northwind's balances are unaffected.

test('staff create an API key, see it once, use it and revoke it', async ({ page, request }) => {
  await signIn(page, 'staff@acme.test');
  await hydrated(page);
  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();

  // The name is required, and said so at the field.
  await page.getByRole('button', { name: 'Create key' }).click();
  const nameField = page.getByLabel('Name', { exact: true });
  await expect(nameField).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#api-key-name-error')).toContainText('Give the key a name');

  const name = `E2E sync ${Date.now()}`;
  await nameField.fill(name);
  await page.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByLabel('API key', { exact: true });
  await expect(shown).toHaveValue(/^pk_[A-Za-z0-9_-]{43}$/);
  const key = await shown.inputValue();
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(`${key.slice(0, 11)}…`);
  await expect(row).toContainText('Never');
  const violations = (await new AxeBuilder({ page }).analyze()).violations.filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  expect(violations.map((v) => v.id)).toEqual([]);

  // Shown once: after a reload only its prefix is left.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('API key', { exact: true })).toHaveCount(0);
  await expect(page.getByText(key)).toHaveCount(0);
  await expect(row).toContainText(`${key.slice(0, 11)}…`);

  // The vendor's system pushes usage and reads the client's service status with it.
  const headers = { Authorization: `Bearer ${key}` };
  // Usage is reported for a day that has begun on the server's calendar.
  const today = isoDay(TODAY);
  const pushed = await request.post('/api/operator/v1/usage', {
    headers,
    data: {
      records: [
        {
          id: `e2e-${Date.now()}`,
          account_id: 'acc_northwind',
          phone_number: '+1 206 555 0101',
          category: 'utility',
          date: today,
          messages: 12,
          cost: { amount: 0, currency: 'USD' },
        },
      ],
    },
  });
  expect(pushed.status()).toBe(200);
  const outcome = await pushed.json();
  expect(outcome.accepted).toBe(1);
  expect(outcome.results[0].status).toBe('accepted');
  const status = await request.get('/api/operator/v1/accounts/acc_northwind/service-status', { headers });
  expect(status.status()).toBe(200);
  const body = await status.json();
  expect(body.account_id).toBe('acc_northwind');
  expect(body.credit_balance.currency).toBe('USD');
  expect(typeof body.outbound_messaging.blocked).toBe('boolean');
  await page.reload();
  await hydrated(page);
  await expect(row).not.toContainText('Never');

  // Revoking asks first, and can be called off.
  const dialog = page.getByRole('dialog', { name: `Revoke “${name}”?` });
  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await dialog.getByRole('button', { name: 'Revoke key' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button', { name: `Revoke ${name}` })).toHaveCount(0);

  // From then on the key is refused.
  const refused = await request.get('/api/operator/v1/accounts/acc_northwind/service-status', { headers });
  expect(refused.status()).toBe(401);
  expect(refused.headers()['www-authenticate']).toMatch(/^Bearer/);
  expect((await refused.json()).error.code).toBe('invalid_api_key');
});

test('support staff see the API keys and billing rules but cannot change them', async ({ page }) => {
  await signIn(page, 'support@acme.test');
  await hydrated(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
  await expect(page.getByText('Creating and revoking API keys is for staff admins.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create key' })).toBeDisabled();

  await nav.getByRole('link', { name: 'Billing rules' }).click();
  await expect(page.getByRole('heading', { name: 'Billing rules', level: 1 })).toBeVisible();
  await expect(page.getByText('Changing the billing rules is for staff admins.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save rules' })).toBeDisabled();
  // The server refuses it too, with the same form the page would send.
  const refused = await page.request.post('/api/staff/billing-rules/save', {
    headers: { Origin: new URL(page.url()).origin },
    form: { payment_terms_days: '0', retry_days: '1, 3, 7', card_expiry_notice_days: '30' },
  });
  expect(refused.status()).toBe(403);
});
