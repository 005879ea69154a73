// Client-side navigation on a throttled phone: how long after a click on the main navigation
// the next page is shown, and how long the main thread is blocked on the way. Part 7 of
// bench/web.py, which starts the server and signs in; run on its own as
//   node bench/nav.mjs <base URL> <session cookie name=value> [rounds]
// The phone is Lighthouse's (phone.mjs). The page the
// click starts from is loaded and hydrated first (its assets cached), so only the navigation
// is timed.
import { launch, phoneContext, phonePage } from './phone.mjs';

const [base, cookie, rounds = '3'] = process.argv.slice(2);
// [from, link in the main navigation, to, the next page's heading starts with]
const WALK = [
  ['/', 'Usage', '/usage', 'Usage'],
  ['/usage', 'Billing history', '/billing-history', 'Billing history'],
  ['/billing-history', 'Subscriptions', '/subscriptions', 'Subscriptions'],
  ['/subscriptions', 'Payment methods', '/payment-methods', 'Payment methods'],
];

const browser = await launch();
const context = await phoneContext(browser, base, cookie);
const { page } = await phonePage(context);

// Every document keeps a list of its long tasks, and notes when the app took it over (the
// wall clock, which the browser and this script share); a click that loads a document starts
// both afresh.
await page.addInitScript(() => {
  window.__hydratedAt = null;
  new MutationObserver(() => {
    if (window.__hydratedAt === null && document.body?.dataset.hydrated) window.__hydratedAt = Date.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
});

const results = new Map();
for (let round = 0; round < Number(rounds); round++) {
  for (const [from, link, to, heading] of WALK) {
    await page.goto(base + from);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60_000 });
    await page.waitForTimeout(1000);
    // A page swapped in without a document load is marked afresh when its islands are live.
    await page.evaluate(() => { window.__longTasks = []; window.__hydratedAt = null; });
    const started = Date.now();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
    await page.waitForFunction(
      ([path, text]) => location.pathname === path && document.querySelector('main h1')?.textContent.trim().startsWith(text),
      [to, heading],
      { polling: 'raf', timeout: 60_000 },
    );
    const shown = Date.now() - started;
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 60_000 });
    // A client-side render is live when shown.
    const interactive = Math.max(shown, ((await page.evaluate(() => window.__hydratedAt)) ?? 0) - started);
    await page.waitForTimeout(1500);
    const blocking = await page.evaluate(() => (window.__longTasks || []).reduce((sum, d) => sum + Math.max(0, d - 50), 0));
    const documentLoad = await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.name ?? '');
    const key = `${from} -> ${to}`;
    if (!results.has(key)) results.set(key, []);
    results.get(key).push({ shown, interactive, blocking: Math.round(blocking), load: new URL(documentLoad).pathname === to });
  }
}
await browser.close();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const [key, runs] of results) {
  const loads = runs.filter((r) => r.load).length;
  console.log(
    `${key.padEnd(36)} shown ${String(median(runs.map((r) => r.shown))).padStart(5)} ms  ` +
      `interactive ${String(median(runs.map((r) => r.interactive))).padStart(5)} ms  ` +
      `blocking ${String(median(runs.map((r) => r.blocking))).padStart(4)} ms  ` +
      `document loads ${loads}/${runs.length}  (median of ${runs.length})`,
  );
}
