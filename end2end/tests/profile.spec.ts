import { expect, test } from './fixtures';
import { PASSWORD, hydrated, signIn, submitSignIn } from './helpers';
import type { Page } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

const EMAIL = 'support@acme.test';
const NEW_PASSWORD = 'a-new-password-1';

/** Fills the password form on /profile and sends it. */
async function changePassword(page: Page, current: string, next: string): Promise<void> {
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password').fill(next);
  await page.getByRole('button', { name: 'Change password' }).click();
}

const confirmation = (page: Page) => page.getByRole('status').filter({ hasText: 'Password changed.' });

test('a person changes their password: a wrong current one is said at its field, then the change is confirmed', async ({ page }) => {
  await signIn(page, EMAIL);
  await page.goto('/profile');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Password' })).toBeVisible();
  await expect(confirmation(page)).toBeHidden();

  await changePassword(page, 'not-my-password', NEW_PASSWORD);
  await expect(page.getByText('That is not your current password.')).toBeVisible();
  await expect(page.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Current password')).toBeFocused();

  await changePassword(page, PASSWORD, NEW_PASSWORD);
  await expect(confirmation(page)).toBeVisible();
  await expect(page).toHaveURL(/\/profile\?changed=1$/);
  // Still signed in here: the console answers.
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Clients' })).toBeVisible();

  // Signed out, only the new password signs in.
  await page.context().clearCookies();
  await page.goto('/login');
  await submitSignIn(page, EMAIL, PASSWORD);
  await expect(page.getByRole('alert').filter({ hasText: "don't match an account" })).toBeVisible();
  await submitSignIn(page, EMAIL, NEW_PASSWORD);
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));

  // Back to the demo's password for the specs that follow.
  await page.goto('/profile');
  await hydrated(page);
  await changePassword(page, NEW_PASSWORD, PASSWORD);
  await expect(confirmation(page)).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the password form posts itself and the page says the change is done', async ({ page }) => {
    await page.goto('/login');
    await submitSignIn(page, EMAIL);
    await expect(page).toHaveURL(/\/$/);
    await page.goto('/profile');
    await changePassword(page, 'not-my-password', NEW_PASSWORD);
    await expect(page.getByText('That is not your current password.')).toBeVisible();
    await changePassword(page, PASSWORD, NEW_PASSWORD);
    await expect(confirmation(page)).toBeVisible();
    await changePassword(page, NEW_PASSWORD, PASSWORD);
    await expect(confirmation(page)).toBeVisible();
  });
});
