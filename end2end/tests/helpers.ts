import { expect, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

export const PASSWORD = 'portico-demo';

/** Waits until the shell has the server-rendered page: navigation stays in the page, and its
 *  islands are taken over (a page shown by navigation in the page), or wait for their first use
 *  (the first page of a visit: a click on one of their buttons is held until then). */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 15_000 });
}

/** The `.wasm` files the page asks for from now on (a list that grows as it does). */
export function wasmRequests(page: Page): string[] {
  const wasm: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.wasm')) wasm.push(request.url());
  });
  return wasm;
}

/** Holds the page's `.wasm` requests back, as a slow phone's network would, until the function
 *  returned is called; later ones then go through at once. */
export async function holdWasm(page: Page): Promise<() => void> {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

/** Signs in through the login form, as a person would (on another server than the suite's
 *  when `base` names one, e.g. http://127.0.0.1:41234). */
export async function signIn(page: Page, email: string, password = PASSWORD, base = ''): Promise<void> {
  await page.goto(`${base}/login`);
  await hydrated(page);
  await submitSignIn(page, email, password);
  if (password === PASSWORD) {
    // The session cookie exists once the app has left the login page.
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }
}

/** Fills the sign-in form on the page shown and sends it (with or without JavaScript). */
export async function submitSignIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// ------------------------------------------------------------------ the pinned calendar
//
// The e2e server's clock is pinned to PORTICO_E2E_TODAY (playwright.config.ts sets it, by
// default 2026-11-22; scripts/test-dates.sh runs the suite on other dates), and the demo lays
// its data out relative to that day. Every date and amount a spec asserts that depends on the
// calendar is derived here, from that date, by the rules the demo follows (src/server/demo/mod.rs).

/** The server's today (UTC), as a Date at midnight UTC. */
export const TODAY: Date = parseDay(process.env.PORTICO_E2E_TODAY ?? '2026-11-22');

export function parseDay(text: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new Error(`not a date like 2026-11-22: ${text}`);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

/** "2026-11-22". */
export function isoDay(day: Date): string {
  return day.toISOString().slice(0, 10);
}

/** The first day of the month `monthsBack` months before `day`'s. */
export function monthStart(day: Date, monthsBack = 0): Date {
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() - monthsBack, 1));
}

export function daysInMonth(day: Date): number {
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 0)).getUTCDate();
}

export function addDays(day: Date, days: number): Date {
  return new Date(day.getTime() + days * 86_400_000);
}

/** "November 2026", as the usage picker and the statements name a month. */
export function monthLabel(day: Date): string {
  return day.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** "2026-11", as the usage picker writes a month. */
export function monthValue(day: Date): string {
  return isoDay(day).slice(0, 7);
}

/** "$1,234.56" for an amount in cents. */
export function usd(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}$${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** `amount × numerator / denominator` in minor units, rounded half away from zero: Portico's
 *  one rounding rule (src/domain/money.rs), here for positive amounts. */
export function shareRounded(amount: number, numerator: number, denominator: number): number {
  return Math.floor((2 * amount * numerator + denominator) / (2 * denominator));
}

/** Northwind's figures in the demo as loaded on TODAY. */
export const NORTHWIND = (() => {
  // This month's license invoice: the partner plan and eight licenses at $15.
  const licenseInvoice = 49_900 + 8 * 1_500;
  // Two numbers onboarded on the 10th of last month, billed at that month's end: $15 × days
  // from the 10th (counted) to the month's end / days in that month, each, one rounding.
  const lastMonth = monthStart(TODAY, 1);
  const days = daysInMonth(lastMonth);
  const proratedInvoice = 2 * shareRounded(1_500, days - 9, days);
  const cardFee = (cents: number) => shareRounded(cents, 4, 100);
  return {
    licenseInvoice,
    proratedInvoice,
    outstanding: licenseInvoice + proratedInvoice,
    /** The 4 % card surcharge on an amount. */
    cardFee,
  };
})();

/** "Nov 22, 2026", as the portal writes a date. */
export function shortDate(day: Date): string {
  return day.toLocaleString('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
}

// ------------------------------------------------------------------ mail

/** An email's headers and body as text, the body decoded from base64 or quoted-printable. */
function decodeEmail(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split).trim() : '';
  if (/^Content-Transfer-Encoding: base64/im.test(headers)) {
    return `${headers}\n\n${Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')}`;
  }
  return `${headers}\n\n${body.replace(/=\r?\n/g, '')}`;
}

/** The body of the newest email to `to` that contains `pattern`, from the run's SMTP mailbox
 *  (waits for the outbox to deliver it). Quoted-printable soft breaks are joined. */
export async function emailTo(to: string, pattern: RegExp): Promise<RegExpMatchArray> {
  const dir = path.join(process.env.PORTICO_E2E_MAIL!, 'new');
  for (let attempt = 0; attempt < 150; attempt++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
    const messages = files
      .map((f) => ({ at: fs.statSync(f).mtimeMs, text: decodeEmail(fs.readFileSync(f, 'utf8')) }))
      .filter((m) => new RegExp(`^To: .*${to.replace(/[.]/g, '\\.')}`, 'mi').test(m.text))
      .sort((a, b) => b.at - a.at);
    for (const message of messages) {
      const match = message.text.match(pattern);
      if (match) return match;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email to ${to} matching ${pattern} in ${dir}`);
}
