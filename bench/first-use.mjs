// The first page of a visit on Lighthouse's throttled phone: what it downloads while it loads
// and sits idle, and how long the first tap on an island's button waits for the WASM that the
// tap fetches (hydration.js takes islands over at their first use). Part 8 of bench/web.py,
// which starts the server and signs in; run on its own as
//   node bench/first-use.mjs <base URL> <session cookie name=value> [rounds]
// Cold: a new browser profile (nothing cached). Cached: the same profile, a new document (the
// WASM in the HTTP cache, compiled again).
import { launch, phoneContext, phonePage } from './phone.mjs';

const [base, cookie, rounds = '3'] = process.argv.slice(2);
// [page, the button tapped, what shows when the island has done it]
const USES = [
  ['/subscriptions', 'Manage Partner plan', (page) => page.getByRole('dialog', { name: 'Manage Partner plan' })],
  // Sent empty: the island refuses it at its fields.
  ['/billing-details', 'Add contact', (page) => page.getByRole('region', { name: 'Billing contacts' }).locator('input[aria-invalid="true"]').first()],
];

const browser = await launch();

const phone = async (context) => {
  const { page, cdp } = await phonePage(context);
  // Bytes on the wire per kind of file, from the browser's own account.
  const wire = { wasm: 0, all: 0 };
  const urls = new Map();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    wire.all += e.encodedDataLength;
    if ((urls.get(e.requestId) || '').split('?')[0].endsWith('.wasm')) wire.wasm += e.encodedDataLength;
  });
  return { page, wire };
};

const results = new Map();
const note = (key, value) => {
  if (!results.has(key)) results.set(key, []);
  results.get(key).push(value);
};
for (let round = 0; round < Number(rounds); round++) {
  for (const [path, button, shows] of USES) {
    const context = await phoneContext(browser, base, cookie);
    for (const visit of ['cold', 'cached']) {
      const { page, wire } = await phone(context);
      await page.goto(base + path);
      await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60_000 });
      await page.waitForTimeout(3000);
      const loaded = { ...wire };
      const started = Date.now();
      await page.getByRole('button', { name: button }).tap();
      await shows(page).waitFor({ state: 'visible', timeout: 60_000 });
      note(`${path} ${visit}`, { waited: Date.now() - started, loadedWasm: loaded.wasm, loadedAll: loaded.all, tapWasm: wire.wasm - loaded.wasm });
      await page.close();
    }
    await context.close();
  }
}
await browser.close();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const [key, runs] of results) {
  const m = (f) => median(runs.map(f)).toLocaleString('en-US');
  console.log(
    `${key.padEnd(28)} page load: WASM ${m((r) => r.loadedWasm).padStart(7)} B, all ${m((r) => r.loadedAll).padStart(7)} B  ` +
      `first tap: WASM ${m((r) => r.tapWasm).padStart(7)} B, waited ${m((r) => r.waited).padStart(5)} ms  (median of ${runs.length})`,
  );
}
