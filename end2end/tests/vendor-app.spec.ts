import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { expect, test } from './fixtures';
import { hydrated, signIn } from './helpers';

// The vendor's whole door, from its side: its systems build a client over the operator API and
// register a webhook; its app (a tiny page served here) sends the client's person into the
// portal with a portal session; the person pays; the vendor's receiver hears `invoice.paid`,
// signed with the endpoint's secret.

type Received = { type: string; objectId: string; verified: boolean };

/** What the README tells receivers to do: HMAC-SHA256 over "<t>.<body>" with the secret. */
function verify(secret: string, header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  if (!parts.t || !parts.v1) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  return parts.v1.length === expected.length && crypto.timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected));
}

test("the vendor's app sends its client in to pay, and its receiver hears invoice.paid", async ({ page, browser }) => {
  // Staff make the key the vendor's systems use.
  await signIn(page, 'staff@acme.test');
  const portico = new URL(page.url()).origin;
  const made = await page.request.post('/api/staff/api-keys/create', {
    headers: { Origin: portico },
    form: { name: `Vendor systems ${Date.now()}` },
  });
  expect(made.status()).toBe(200);
  const key: string = (await made.json()).secret;
  const headers = { Authorization: `Bearer ${key}` };
  const api = (path: string) => `${portico}/api/operator/v1${path}`;

  // The vendor's app and webhook receiver, on one small server.
  let secret = '';
  let accountId = '';
  const received: Received[] = [];
  const app = http.createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/hooks') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const event = JSON.parse(body);
      received.push({
        type: event.type,
        objectId: event.data.object.id,
        verified: verify(secret, String(req.headers['portico-signature'] ?? ''), body),
      });
      res.writeHead(200).end('ok');
    } else if (req.url === '/billing') {
      // The app's server asks Portico for a single-use sign-in URL and sends the browser there.
      const session = await fetch(api('/portal-sessions'), {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          account_id: accountId,
          email: 'peggy@sterling.test',
          return_url: `${origin}/`,
          create: { name: 'Peggy Olson', role: 'owner' },
        }),
      });
      const { url } = await session.json();
      res.writeHead(303, { Location: url }).end();
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(
        '<!doctype html><html lang="en"><title>Sterling app</title><main><h1>Your Sterling workspace</h1>' +
          '<p><a href="/billing">Manage billing</a></p></main></html>',
      );
    }
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

  try {
    // The vendor's systems: where people may come back to, a webhook, a client with an invoice.
    expect((await page.request.put(api('/portal/return-origins'), { headers, data: { origins: [origin] } })).status()).toBe(200);
    const endpoint = await page.request.post(api('/webhook-endpoints'), {
      headers,
      data: { url: `${origin}/hooks`, events: ['invoice.paid'] },
    });
    expect(endpoint.status()).toBe(201);
    secret = (await endpoint.json()).secret;
    const account = await page.request.post(api('/accounts'), {
      headers,
      data: {
        name: 'Sterling Cooper', currency: 'USD', country: 'US', address_line1: '405 Madison Avenue',
        city: 'New York', region: 'NY', postal_code: '10017', billing_email: 'ap@sterling.test',
      },
    });
    expect(account.status()).toBe(201);
    accountId = (await account.json()).id;
    const issued = await page.request.post(api(`/accounts/${accountId}/invoices`), {
      headers,
      data: { lines: [{ description: 'Campaign setup', unit_amount: 45_000 }], tax_lines: [{ description: 'NY sales tax 8.875%', amount: 3_994 }] },
    });
    expect(issued.status()).toBe(201);
    const invoice = (await issued.json()).invoice;
    expect(invoice.total.amount).toBe(48_994);

    // The person, in the vendor's app, goes to billing.
    const context = await browser.newContext();
    const visitor = await context.newPage();
    await visitor.goto(`${origin}/`);
    await visitor.getByRole('link', { name: 'Manage billing' }).click();
    await expect(visitor.getByRole('heading', { level: 1, name: 'Peggy Olson' })).toBeVisible();
    await hydrated(visitor);
    await expect(visitor.getByRole('link', { name: 'Back to Acme Messaging' })).toHaveAttribute('href', `${origin}/`);

    // They save a card, then pay the invoice with it.
    await visitor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payment methods' }).click();
    await expect(visitor.getByRole('heading', { level: 1, name: 'Payment methods' })).toBeVisible();
    await visitor.getByLabel('Card number').pressSequentially('4242424242424242');
    await visitor.getByLabel('Expiry month').fill('08');
    await visitor.getByLabel('Expiry year').fill('2031');
    await visitor.getByLabel('Security code (CVC)').fill('321');
    await visitor.getByLabel('Name on card').fill('Peggy Olson');
    await visitor.getByRole('button', { name: 'Add card' }).click();
    await expect(visitor.getByRole('region', { name: 'Saved methods' })).toContainText('Visa •••• 4242');

    await visitor.goto(`/pay?invoice=${invoice.id}`);
    await expect(visitor.getByRole('heading', { level: 1, name: 'Pay invoices' })).toBeVisible();
    await hydrated(visitor);
    await expect(visitor.getByRole('table', { name: 'Invoices to pay' })).toContainText(invoice.number);
    await visitor.getByRole('group', { name: 'How would you like to pay?' }).getByRole('radio', { name: /^Visa •••• 4242/ }).check();
    await visitor.getByRole('button', { name: /^Pay \$/ }).click();
    await expect(visitor.getByRole('status').filter({ hasText: 'Payment received' })).toBeVisible();

    // The receiver hears it within seconds, signed.
    await expect.poll(() => received.filter((e) => e.type === 'invoice.paid').length, { timeout: 15_000 }).toBe(1);
    expect(received).toEqual([{ type: 'invoice.paid', objectId: invoice.id, verified: true }]);

    // And the way back leads to the vendor's app.
    await visitor.getByRole('link', { name: 'Back to Acme Messaging' }).click();
    await expect(visitor.getByRole('heading', { level: 1, name: 'Your Sterling workspace' })).toBeVisible();
    await context.close();

    // Staff see the delivery in the console's log.
    await page.goto('/staff/webhooks');
    await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
    const log = page.getByRole('table', { name: 'The latest deliveries, newest first' });
    await expect(log.getByRole('row').filter({ hasText: 'invoice.paid' }).first()).toContainText('Delivered');
    await expect(log.getByRole('row').filter({ hasText: 'invoice.paid' }).first()).toContainText('HTTP 200');
  } finally {
    app.close();
  }
});
