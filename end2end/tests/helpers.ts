import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'portico-demo';

/** Waits until the WASM app has taken over the server-rendered page. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 15_000 });
}

/** Signs in through the login form, as a person would. */
export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (password === PASSWORD) {
    // The session cookie exists once the app has left the login page.
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }
}
