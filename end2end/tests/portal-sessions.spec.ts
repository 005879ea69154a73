import { expect, test } from './fixtures';
import { hydrated, signIn } from './helpers';

// The vendor's app sends its signed-in user straight to their billing page: its server asks
// Portico for a single-use URL with an API key, the browser opens it, and the header leads back.

test("a person arrives from the vendor's app, uses the portal and finds the way back", async ({ page, browser }) => {
  // Staff make the key the vendor's server uses.
  await signIn(page, 'staff@acme.test');
  const origin = new URL(page.url()).origin;
  const made = await page.request.post('/api/staff/api-keys/create', {
    headers: { Origin: origin },
    form: { name: `Vendor app ${Date.now()}` },
  });
  expect(made.status()).toBe(200);
  const key: string = (await made.json()).secret;
  const headers = { Authorization: `Bearer ${key}` };

  // The vendor's server: its app's origin, then a portal session for Northwind's owner.
  const origins = await page.request.put('/api/operator/v1/portal/return-origins', {
    headers,
    data: { origins: ['https://app.acme.test'] },
  });
  expect(origins.status()).toBe(200);
  const created = await page.request.post('/api/operator/v1/portal-sessions', {
    headers,
    data: { account_id: 'acc_northwind', email: 'owner@northwind.test', return_url: 'https://app.acme.test/settings' },
  });
  expect(created.status()).toBe(201);
  const { url } = await created.json();

  // The person's browser, signed in to nothing here.
  const context = await browser.newContext();
  const visitor = await context.newPage();
  await visitor.goto(url);
  await expect(visitor.getByRole('heading', { level: 1, name: 'Nora Whitfield' })).toBeVisible();
  await hydrated(visitor);
  const back = visitor.getByRole('link', { name: 'Back to Acme Messaging' });
  await expect(back).toHaveAttribute('href', 'https://app.acme.test/settings');
  // The portal works as after any sign-in: navigation without a page load.
  await visitor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing history' }).click();
  await expect(visitor.getByRole('heading', { level: 1, name: 'Billing history' })).toBeVisible();
  await expect(back).toBeVisible();

  // The URL works once: opened again (say from the browser's history), it says so.
  const again = await context.newPage();
  await again.goto(url);
  await expect(again.getByRole('heading', { level: 1, name: "This sign-in link can't be used" })).toBeVisible();
  await context.close();
});
