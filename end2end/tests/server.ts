import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// A Portico server of a spec's own, for specs about the calendar: its clock pinned where the
// spec needs it (a month's last minute, a week later), on a database the spec owns. The shared
// e2e server (playwright.config.ts) keeps its own calendar and data.

const repoRoot = path.resolve(__dirname, '..', '..');
const binary = path.resolve(repoRoot, process.env.PORTICO_E2E_BIN ?? path.join('target', 'release', 'portico'));

export type OwnServer = {
  url: string;
  log: string;
  stop: () => Promise<void>;
};

export type ServerOptions = {
  /** The SQLite file; created with the demo data laid out on `today` when it does not exist. */
  database: string;
  /** `[server] today`: a date (noon UTC) or an instant like 2026-11-30T23:59:45Z. */
  today: string;
  /** Run the billing scheduler, polling every second. */
  scheduler?: boolean;
  /** Where the server's output goes. */
  log: string;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startServer(options: ServerOptions): Promise<OwnServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const out = fs.openSync(options.log, 'a');
  const child: ChildProcess = spawn(binary, ['serve', '--demo'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${options.database}?mode=rwc`,
      PORTICO_SERVER_SITE_ADDR: `127.0.0.1:${port}`,
      PORTICO_SERVER_PUBLIC_URL: url,
      PORTICO_SERVER_TODAY: options.today,
      PORTICO_BILLING_SCHEDULER: options.scheduler ? 'true' : 'false',
      PORTICO_BILLING_POLL_SECONDS: '1',
      RUST_LOG: 'info',
    },
    stdio: ['ignore', out, out],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) {
        return {
          url,
          log: options.log,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
            fs.closeSync(out);
          },
        };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  fs.closeSync(out);
  throw new Error(`the server pinned to ${options.today} did not start; see ${options.log}`);
}
