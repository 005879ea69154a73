// Lighthouse's throttled phone for the bench's Playwright scripts (nav.mjs, first-use.mjs):
// a 412×823 touch screen, a 4x slower CPU, 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up.
import { chromium } from 'playwright-core';

export const launch = () => chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: ['--no-sandbox'] });

/** A browser context of the phone, signed in with `cookie` ("name=value") on `base`. */
export async function phoneContext(browser, base, cookie) {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: true, hasTouch: true });
  const [name, ...value] = cookie.split('=');
  await context.addCookies([{ name, value: value.join('='), url: base }]);
  return context;
}

/** A page of `context` on the phone's network and CPU, and its DevTools session. */
export async function phonePage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return { page, cdp };
}
