import { defineConfig } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Portico's end-to-end tests. scripts/test.sh runs them after `cargo leptos build --release`;
// by hand: `cd end2end && npx playwright test`.
//
// Each run starts the release binary on 127.0.0.1:3100 with a fresh SQLite database in a new
// temp dir. Specs find that dir through environment variables set here (the workers inherit
// them from the main process, which is why they are only set when still unset):
//   PORTICO_E2E_DIR  the run's temp dir
//   PORTICO_E2E_DB   the SQLite file the server uses   (<dir>/e2e.db)
//   PORTICO_E2E_LOG  everything the server printed     (<dir>/server.log)
//   PORTICO_E2E_MAIL the mailbox (maildir) of the run's SMTP server (<dir>/mail): the server
//                    delivers its outbox to aiosmtpd on loopback, as it would to a real relay
//
// The server's calendar is pinned (its `[server] today`) to PORTICO_E2E_TODAY, 2026-11-22
// unless set, and its billing scheduler is off: every date and amount a spec asserts is the
// same whatever day the suite runs on (the specs derive what depends on the date from it, in
// helpers.ts). scripts/test-dates.sh runs the suite on other dates. Specs about the calendar
// itself (the scheduler, expiry, month ends) start servers of their own pinned to what they need.
//
// Overrides:
//   PORTICO_E2E_TODAY the pinned date (YYYY-MM-DD)
//   PORTICO_E2E_URL  test a server that is already running there; no server is started
//                    (then PORTICO_E2E_DB / PORTICO_E2E_LOG do not describe that server)
//   PORTICO_E2E_BIN  the server binary (default: <repo>/target/release/portico)
//   PORTICO_E2E_PORT the port of the run's server (default 3100; its SMTP server is 25 above)

const repoRoot = path.resolve(__dirname, '..');
const port = Number(process.env.PORTICO_E2E_PORT ?? 3100);
const ownServerURL = `http://127.0.0.1:${port}`;
const externalURL = process.env.PORTICO_E2E_URL;

const runDir = (process.env.PORTICO_E2E_DIR ||= fs.mkdtempSync(
  path.join(os.tmpdir(), 'portico-e2e-'),
));
const dbFile = (process.env.PORTICO_E2E_DB ||= path.join(runDir, 'e2e.db'));
const logFile = (process.env.PORTICO_E2E_LOG ||= path.join(runDir, 'server.log'));
const today = (process.env.PORTICO_E2E_TODAY ||= '2026-11-22');
const mailDir = (process.env.PORTICO_E2E_MAIL ||= path.join(runDir, 'mail'));
const smtpPort = port + 25;

const serverBin = path.resolve(
  repoRoot,
  process.env.PORTICO_E2E_BIN ?? path.join('target', 'release', 'portico'),
);

// The shell ignores SIGINT/SIGTERM so that `tee` keeps the log open until the server has
// written its last line; the server installs its own handlers and shuts down gracefully when
// Playwright signals the process group. pipefail: a crashing server fails the start.
const serverCommand =
  `exec bash -c 'trap "" INT TERM; set -o pipefail; ` +
  `"$0" serve --demo 2>&1 | tee "$1"' ` +
  `${shellQuote(serverBin)} ${shellQuote(logFile)}`;

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // One server and one database per run, shared by all specs, which run in file order.
  workers: 1,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    baseURL: externalURL ?? ownServerURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    locale: 'en-US',
    timezoneId: 'UTC',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        // Debian's Chromium: Playwright's own browser downloads are not available here.
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: externalURL
    ? undefined
    : [
      {
        // A real SMTP server (scripts/setup.sh --test installs aiosmtpd): emails are read from
        // its mailbox, as a person reads them.
        command: `exec python3 -m aiosmtpd -n -l 127.0.0.1:${smtpPort} -c aiosmtpd.handlers.Mailbox ${shellQuote(mailDir)}`,
        port: smtpPort,
        reuseExistingServer: false,
        timeout: 30_000,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      },
      {
        command: serverCommand,
        cwd: repoRoot,
        env: {
          DATABASE_URL: `sqlite://${dbFile}?mode=rwc`,
          PORTICO_SERVER_SITE_ADDR: `127.0.0.1:${port}`,
          PORTICO_SERVER_PUBLIC_URL: ownServerURL,
          PORTICO_SERVER_TODAY: today,
          PORTICO_BILLING_SCHEDULER: 'false',
          PORTICO_MAIL_SMTP_HOST: '127.0.0.1',
          PORTICO_MAIL_SMTP_PORT: String(smtpPort),
          PORTICO_MAIL_POLL_SECONDS: '1',
          RUST_LOG: 'info',
        },
        url: `${ownServerURL}/healthz`,
        reuseExistingServer: false,
        timeout: 60_000,
        stdout: 'pipe',
        stderr: 'pipe',
        gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      },
    ],
});

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
