#!/usr/bin/env python3
"""The web benchmark behind bench/web.sh: one run, one table.

Builds nothing. Starts the release binary (target/release/portico) on a fresh SQLite demo
database with a pinned calendar, and prints:

  1. what the browser downloads: the WASM / JS / CSS the dashboard loads first, the same
     total for other pages a visitor may open first, and every asset of the app, raw / gzip /
     brotli (the copies `portico precompress` wrote);
  2. how assets are served: Content-Encoding, Cache-Control of the page and of its assets;
  3. dashboard SSR throughput (wrk, 32 connections, signed in) with and without the
     Accept-Encoding browsers send, as served (the rendered-page cache on, as shipped) and
     rendered for every request (a second server on the same database with the cache off), and
     the same bytes served by nginx (the static twin); and /healthz (one statement, nothing
     rendered), the floor of an answer that reads the database;
  4. dashboard latency, as served and rendered every time: unloaded, and open loop at a fixed
     offered rate (oha, with its latency correction for coordinated omission);
  5. queries per page rendered (cache off) for an account with 1 and with 500 invoices (sqlx's
     statement log, counted per request span);
  6. Lighthouse (npm `lighthouse`, headless Chromium) on signed-in pages, mobile and desktop;
  7. navigation on Lighthouse's throttled phone: a click on the main navigation until the next
     page is shown and until it is interactive, and the main thread's blocking time on the way
     (bench/nav.mjs, Playwright);
  8. the first page of a visit on the same phone: what it downloads while it loads and sits
     idle, and how long the first tap on an island's button waits for the WASM it fetches, with
     nothing cached and with the WASM cached (bench/first-use.mjs, Playwright).

Not a test: it measures and prints; it never fails because a figure is poor.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "target" / "release" / "portico"
SITE = REPO / "target" / "site"
TODAY = "2026-11-22"
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
PASSWORD = "portico-demo"
# The pages whose first download section 1 lists: the dashboard in detail, then where people
# land (signing in) and the heaviest pages.
# Pages a visitor may open first: the dashboard, the sign-in page, the main navigation's pages,
# and an estimate (an email's link opens it; the demo's open estimate).
FIRST_PAGES = [
    "/",
    "/login",
    "/billing-history",
    "/subscriptions",
    "/payment-methods",
    "/credit",
    "/usage",
    "/billing-details",
    "/estimates/est_nw_onboarding",
    "/profile",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kib(n: int) -> str:
    return f"{n:,} B ({n / 1024:,.1f} KiB)"


def answers(url: str, seconds: float) -> bool:
    """Waits until `url` answers 2xx, for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return True
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    return False


class Server:
    """The release binary on a database in `work`, pinned to TODAY, scheduler and mail off."""

    def __init__(self, work: Path, log_filter: str, name: str, extra_env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = work / f"{name}.log"
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": f"sqlite://{work}/bench.db?mode=rwc",
                "PORTICO_SERVER_SITE_ADDR": f"127.0.0.1:{self.port}",
                "PORTICO_SERVER_PUBLIC_URL": self.base,
                "PORTICO_SERVER_SITE_ROOT": str(SITE),
                "PORTICO_SERVER_TODAY": TODAY,
                "PORTICO_BILLING_SCHEDULER": "false",
                "PORTICO_MAIL_SMTP_HOST": "",
                "PORTICO_MAIL_POLL_SECONDS": "3600",
                "RUST_LOG": log_filter,
                "NO_COLOR": "1",
            }
        )
        env.update(extra_env or {})
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([str(BIN), "serve", "--demo"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        if not answers(f"{self.base}/healthz", seconds=30):
            self.stop()
            sys.exit(f"the server did not start; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: D102
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def request(url: str, *, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        resp = OPENER.open(req, timeout=30)
    except urllib.error.HTTPError as e:  # 3xx/4xx answers are answers here
        resp = e
    return resp.status, resp.headers, resp.read()


def session_cookie(headers) -> str:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith("portico_session="):
            return value.split(";", 1)[0]
    sys.exit("no session cookie in the answer")


def sign_in(server: Server, email: str) -> str:
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    status, headers, _ = request(
        f"{server.base}/api/login",
        data=body,
        headers={"Origin": server.base, "Content-Type": "application/x-www-form-urlencoded"},
    )
    return session_cookie(headers)


def api_key(server: Server) -> str:
    cookie = sign_in(server, "staff@acme.test")
    _, _, body = request(
        f"{server.base}/api/staff/api-keys/create",
        data=urllib.parse.urlencode({"name": "bench"}).encode(),
        headers={"Origin": server.base, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    return json.loads(body)["secret"]


def api(server: Server, key: str, path: str, payload: dict) -> dict:
    status, _, body = request(
        f"{server.base}/api/operator/v1{path}",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    if status >= 300:
        sys.exit(f"POST {path}: {status} {body[:300]!r}")
    return json.loads(body)


# ------------------------------------------------------------------------------------- sizes


def encoded_sizes(path: Path) -> tuple[int, int, int]:
    raw = path.stat().st_size
    gz = Path(f"{path}.gz")
    br = Path(f"{path}.br")
    gz_size = gz.stat().st_size if gz.exists() else len(gzip.compress(path.read_bytes(), 9))
    br_size = br.stat().st_size if br.exists() else -1
    return raw, gz_size, br_size


# The shell's module (`/pkg/shell.<hash>.js`) is made by the server at start and served from
# memory, not from the site: its text and its sizes raw / gzip / brotli, as served.
SERVED: dict[str, tuple[str, tuple[int, int, int]]] = {}


def load_served_modules(server: "Server", html: str) -> None:
    for rel in set(re.findall(r"/pkg/shell(?:\.[A-Za-z0-9_-]+)?\.js", html)) - SERVED.keys():
        _, _, raw = request(f"{server.base}{rel}")
        _, _, gz = request(f"{server.base}{rel}", headers={"Accept-Encoding": "gzip"})
        _, _, br = request(f"{server.base}{rel}", headers={"Accept-Encoding": "br"})
        SERVED[rel] = (raw.decode(), (len(raw), len(gz), len(br)))


def sizes_of(rel: str) -> tuple[int, int, int]:
    return SERVED[rel][1] if rel in SERVED else encoded_sizes(SITE / rel.lstrip("/"))


def asset_paths_in(html: str) -> list[str]:
    """What a page makes the browser fetch from /pkg before it is interactive: the stylesheet,
    the shell's module, the main JS and WASM, and (split build) the loader and the pieces of the
    page's own code, which the page preloads."""
    found = named_assets(html)
    # An islands build (its shell's module takes over `leptos-island`s) fetches the JS and WASM
    # on the first page of a visit only for an island that asks to be taken over at load
    # (`data-take-over="at-load"` inside it); the others wait for their first use.
    if not IslandsAtLoad.found(html):
        return sorted(p for p in found if p.endswith(".css") or p in SERVED)
    return sorted(found | set(island_code(html)))


def named_assets(html: str) -> set[str]:
    """The files under /pkg that a page names, and those its shell's module names."""
    found = set(re.findall(r"""(/pkg/[^"'\s)]+\.(?:wasm|js|css))""", html))
    for rel in [p for p in found if p in SERVED]:
        found.update(re.findall(r'"(/pkg/[^"]+\.(?:js|wasm))"', SERVED[rel][0]))
    return found


def island_code(html: str) -> list[str]:
    """The JS and WASM that the shell fetches for islands (once a visit)."""
    code = {p for p in named_assets(html) if p.endswith((".js", ".wasm")) and p not in SERVED}
    # An unhashed WASM sits beside the JS with the same stem.
    for js in [p for p in code if p.endswith(".js")]:
        for wasm in (js[: -len(".js")] + ".wasm", js[: -len(".js")] + "_bg.wasm"):
            if (SITE / wasm.lstrip("/")).exists():
                code.add(wasm)
    return sorted(code)


class IslandsAtLoad(HTMLParser):
    """Whether a page has an island the shell takes over at load (see `hydration.js`): one
    holding a `data-take-over="at-load"` element. The others are taken over at their first use."""

    def __init__(self):
        super().__init__()
        self.islands = 0  # how deep inside `leptos-island`s the parser is
        self.any = False

    def handle_starttag(self, tag, attrs):
        if tag == "leptos-island":
            self.islands += 1
        elif self.islands and dict(attrs).get("data-take-over") == "at-load":
            self.any = True

    def handle_endtag(self, tag):
        if tag == "leptos-island" and self.islands:
            self.islands -= 1

    @classmethod
    def found(cls, html: str) -> bool:
        parser = cls()
        parser.feed(html)
        return parser.any


def is_piece(rel: str) -> bool:
    """A lazily loaded piece of a split build (named by the split manifest)."""
    name = rel.rsplit("/", 1)[-1]
    return name.startswith(("chunk_", "split_"))


def sum_sizes(rels: list[str], kind: str = "") -> list[int]:
    total = [0, 0, 0]
    for rel in rels:
        if rel.endswith(kind):
            total = [a + b for a, b in zip(total, sizes_of(rel))]
    return total


def report_sizes(first_pages: dict[str, str]) -> dict:
    """`first_pages` maps a page to its HTML; the first is the one shown in detail."""
    print("\n## 1. What the browser downloads")
    page, html = next(iter(first_pages.items()))
    first = asset_paths_in(html)
    print(f"{'asset (loaded first by ' + page + ')':<52} {'raw':>11} {'gzip':>11} {'brotli':>11}")
    for rel in [r for r in first if not is_piece(r)]:
        raw, gz, br = sizes_of(rel)
        print(f"{rel[:52]:<52} {raw:>11,} {gz:>11,} {br:>11,}")
    pieces = [r for r in first if is_piece(r)]
    if pieces:
        raw, gz, br = sum_sizes(pieces)
        print(f"{f'{len(pieces)} pieces of the page (split build)':<52} {raw:>11,} {gz:>11,} {br:>11,}")
    app = [0, 0, 0]
    for path in sorted((SITE / "pkg").rglob("*")):
        if path.suffix in (".wasm", ".js") and path.is_file():
            app = [a + b for a, b in zip(app, encoded_sizes(path))]
    for _, served in SERVED.values():
        app = [a + b for a, b in zip(app, served)]
    wasm, everything = sum_sizes(first, ".wasm"), sum_sizes(first)
    print(f"{'first page, WASM':<52} {wasm[0]:>11,} {wasm[1]:>11,} {wasm[2]:>11,}")
    print(f"{'first page, all of the above':<52} {everything[0]:>11,} {everything[1]:>11,} {everything[2]:>11,}")
    print(f"{'whole app, every .wasm and .js (and the shell)':<52} {app[0]:>11,} {app[1]:>11,} {app[2]:>11,}")
    code = island_code(html)
    used = sum_sizes(code)
    print(f"{'first use of an island (JS and WASM, once a visit)':<52} {used[0]:>11,} {used[1]:>11,} {used[2]:>11,}")
    print(f"\n{'first page a visitor opens':<40} {'files':>6} {'WASM raw':>11} {'WASM brotli':>12} {'all brotli':>11}")
    every = set(first) | set(code)
    for other, other_html in first_pages.items():
        assets = asset_paths_in(other_html)
        every.update(assets)
        other_wasm, other_all = sum_sizes(assets, ".wasm"), sum_sizes(assets)
        print(f"{other:<40} {len(assets):>6} {other_wasm[0]:>11,} {other_wasm[2]:>12,} {other_all[2]:>11,}")
    # Section 2 shows how each of them is served, the islands' JS and WASM too.
    return {"first_wasm": wasm, "app": app, "assets": sorted(every)}


def report_serving(server: Server, cookie: str, assets: list[str]) -> None:
    print("\n## 2. How it is served")
    _, headers, _ = request(f"{server.base}/", headers={"Cookie": cookie, "Accept-Encoding": BROWSER_ACCEPT_ENCODING})
    print(f"{'/ (dashboard HTML)':<52} encoding={headers.get('Content-Encoding', 'identity'):<8} cache-control={headers.get('Cache-Control')}")
    pieces = [a for a in assets if is_piece(a)]
    # Every piece is shown by its largest one; the rest are served the same way.
    shown = [a for a in assets if not is_piece(a)]
    if pieces:
        shown.append(max(pieces, key=lambda r: (SITE / r.lstrip("/")).stat().st_size))
    for rel in shown:
        _, headers, body = request(f"{server.base}{rel}", headers={"Accept-Encoding": BROWSER_ACCEPT_ENCODING})
        print(
            f"{rel[:52]:<52} encoding={headers.get('Content-Encoding', 'identity'):<8} "
            f"cache-control={headers.get('Cache-Control')} bytes={len(body):,}"
        )
    if pieces:
        policies = set()
        for rel in pieces:
            _, headers, _ = request(f"{server.base}{rel}", headers={"Accept-Encoding": BROWSER_ACCEPT_ENCODING})
            policies.add((headers.get("Content-Encoding", "identity"), headers.get("Cache-Control")))
        print(f"{'all ' + str(len(pieces)) + ' pieces of the page':<52} " + "; ".join(f"encoding={e} cache-control={c}" for e, c in sorted(policies)))
    # The same file 60 times, 8 at a time: from disk, or compressed again for each request?
    rel = max((a for a in assets if a.endswith(".wasm")), key=lambda r: (SITE / r.lstrip("/")).stat().st_size, default=None)
    if rel and shutil.which("curl"):
        start = time.monotonic()
        subprocess.run(
            f"seq 60 | xargs -P8 -I{{}} curl -s -o /dev/null -H 'Accept-Encoding: {BROWSER_ACCEPT_ENCODING}' {server.base}{rel}",
            shell=True,
            check=True,
        )
        print(f"60 requests for {rel[:60]}, 8 at a time: {time.monotonic() - start:.2f} s")


# --------------------------------------------------------------------------------- throughput


def wrk(url: str, headers: dict, seconds: int) -> float:
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        print(f"  (wrk saw {non2xx.group(1)} non-2xx answers from {url})")
    return float(match.group(1)) if match else 0.0


def static_twin(work: Path, body: bytes, encoding: str | None) -> tuple[subprocess.Popen, str]:
    """nginx serving the dashboard's exact bytes (and Content-Encoding) from one file."""
    root = work / "twin"
    root.mkdir(exist_ok=True)
    (root / "index.html").write_bytes(body)
    os.chmod(work, 0o755)
    os.chmod(root, 0o755)
    port = free_port()
    encoding_header = f"add_header Content-Encoding {encoding};" if encoding else ""
    conf = work / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 2;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ default_type "text/html; charset=utf-8"; {encoding_header} try_files /index.html =404; }}
    }}
}}
"""
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    if not answers(f"{base}/", seconds=5):
        sys.exit(f"nginx did not start; see {work}/nginx-error.log")
    return proc, base


# A second server on the same database with the rendered-page cache off: every request renders.
NO_PAGE_CACHE = {"PORTICO_SERVER_PAGE_CACHE_MIB": "0"}


def report_throughput(server: Server, rendering: Server, cookie: str, work: Path, seconds: int) -> dict:
    print("\n## 3. Dashboard SSR throughput (wrk -t2 -c32, signed in; this machine's cores are shared with wrk)")
    compressed = {"Cookie": cookie, "Accept-Encoding": BROWSER_ACCEPT_ENCODING}
    _, headers, body = request(f"{server.base}/", headers=compressed)
    encoding = headers.get("Content-Encoding")
    plain_rps = wrk(f"{server.base}/", {"Cookie": cookie}, seconds)
    browser_rps = wrk(f"{server.base}/", compressed, seconds)
    rendered_rps = wrk(f"{rendering.base}/", compressed, seconds)
    # The floor of any answer that reads the database once: no session, no page, two bytes.
    # What a signed-in page could reach if rendering cost nothing, its session read aside.
    health_rps = wrk(f"{server.base}/healthz", {}, seconds)
    twin, twin_base = static_twin(work, body, encoding)
    try:
        twin_rps = wrk(f"{twin_base}/", {"Accept-Encoding": BROWSER_ACCEPT_ENCODING}, seconds)
    finally:
        twin.terminate()
        twin.wait()
    ratio = browser_rps / twin_rps if twin_rps else 0.0
    rendered_ratio = rendered_rps / twin_rps if twin_rps else 0.0
    print("dashboard as served (the rendered-page cache on, as shipped; nothing changes during the run):")
    print(f"  no Accept-Encoding                          {plain_rps:>10,.0f} requests/s")
    print(f"  Accept-Encoding: {BROWSER_ACCEPT_ENCODING:<27} {browser_rps:>10,.0f} requests/s  ({encoding or 'identity'}, {len(body):,} B)")
    print("dashboard rendered for every request (cache off)")
    print(f"  Accept-Encoding: {BROWSER_ACCEPT_ENCODING:<27} {rendered_rps:>10,.0f} requests/s")
    print(f"static twin (nginx, the same {len(body):,} bytes)    {twin_rps:>10,.0f} requests/s")
    print(f"ratio SSR / static                            {ratio:>10.3f}   (rendered every time: {rendered_ratio:.3f})")
    health_ratio = health_rps / twin_rps if twin_rps else 0.0
    print(f"/healthz (one statement, nothing rendered)    {health_rps:>10,.0f} requests/s  (ratio to the twin {health_ratio:.3f})")
    return {"plain": plain_rps, "browser": browser_rps, "rendered": rendered_rps, "twin": twin_rps, "ratio": ratio,
            "healthz": health_rps}


def oha(url: str, headers: dict, extra: list[str]) -> dict:
    args = ["oha", "--no-tui", "--output-format", "json"] + extra
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def report_latency(server: Server, rendering: Server, cookie: str, rate: int, seconds: int) -> dict:
    print(f"\n## 4. Dashboard latency (oha; open loop at {rate}/s with latency correction)")
    headers = {"Cookie": cookie, "Accept-Encoding": BROWSER_ACCEPT_ENCODING}

    def line(name: str, result: dict) -> None:
        pct = result["latencyPercentiles"]
        summary = result["summary"]
        print(
            f"{name:<40} served {summary['requestsPerSec']:>8,.0f}/s  success {summary['successRate'] * 100:5.1f}%  "
            f"p50 {pct['p50'] * 1000:7.2f} ms  p99 {pct['p99'] * 1000:7.2f} ms  max {summary['slowest'] * 1000:7.2f} ms"
        )

    results = {}
    for label, target in [("as served", server), ("rendered every time", rendering)]:
        unloaded = oha(f"{target.base}/", headers, ["-n", "300", "-c", "1"])
        loaded = oha(f"{target.base}/", headers, ["-z", f"{seconds}s", "-q", str(rate), "-c", "64", "--latency-correction"])
        line(f"{label}: unloaded (one at a time)", unloaded)
        line(f"{label}: offered {rate}/s for {seconds} s", loaded)
        results[label] = {
            "unloaded_p50_ms": unloaded["latencyPercentiles"]["p50"] * 1000,
            "p99_ms": loaded["latencyPercentiles"]["p99"] * 1000,
            "served": loaded["summary"]["requestsPerSec"],
        }
    return results


# ----------------------------------------------------------------------------------- queries

SIGNED_IN_PAGES = [
    "/",
    "/invoices/{invoice}",
    "/subscriptions",
    "/credit",
    "/estimates",
    "/pay",
    "/payments",
    "/billing-history",
    "/usage",
    "/billing-details",
    "/payment-methods",
    "/team",
    "/activity",
    "/profile",
]

def count_queries(server: Server, cookie: str, pages: list[str]) -> dict[str, int]:
    """Statements logged while each page is rendered. Leptos runs a page's data loads in tasks
    of their own, outside the request's span, so every statement in the window counts; the
    webhook worker's once-a-second poll can land in a window, so the least of three is kept.
    One pass first, uncounted, after the server's start-up work: it opens the pool's connections
    (each runs its PRAGMAs once) so the counts are what a page costs on a running server."""
    time.sleep(2)
    for page in pages:
        request(f"{server.base}{page}", headers={"Cookie": cookie})
    counts = {}
    for page in pages:
        tries = []
        for _ in range(3):
            offset = server.log_path.stat().st_size
            status, _, _ = request(f"{server.base}{page}", headers={"Cookie": cookie})
            time.sleep(0.05)
            with open(server.log_path, "rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", "replace")
            tries.append(text.count("sqlx::query") if status == 200 else -status)
        counts[page] = min(tries)
    return counts


def seeded_account(server: Server, key: str, invoices: int, state: dict) -> None:
    """Adds invoices to the bench's own account (made on first call) until it has `invoices`."""
    if "account" not in state:
        account = api(
            server,
            key,
            "/accounts",
            {
                "name": "Bench Ltd",
                "currency": "USD",
                "country": "US",
                "company_name": "Bench Ltd",
                "address_line1": "1 Main Street",
                "city": "Austin",
                "region": "TX",
                "postal_code": "78701",
            },
        )
        state["account"] = account["id"]
        state["count"] = 0
    while state["count"] < invoices:
        invoice = api(
            server,
            key,
            f"/accounts/{state['account']}/invoices",
            {"lines": [{"description": f"Work {state['count'] + 1}", "unit_amount": 10_000 + state["count"]}]},
        )
        state.setdefault("invoice", invoice["invoice"]["id"])
        state["count"] += 1


def portal_cookie(server: Server, key: str, account: str) -> str:
    session = api(
        server,
        key,
        "/portal-sessions",
        {"account_id": account, "email": "owner@bench.test", "create": {"name": "Bench Owner", "role": "owner"}},
    )
    path = "/portal/" + session["url"].split("/portal/", 1)[1]
    _, headers, _ = request(f"{server.base}{path}")
    return session_cookie(headers)


# -------------------------------------------------------------------------------- lighthouse


def chrome_env() -> dict:
    """The environment for a tool that drives Chromium: Debian's, unless CHROME_PATH names another."""
    return dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", shutil.which("chromium") or "/usr/bin/chromium"))


def lighthouse(url: str, cookie: str, preset: str, work: Path) -> dict:
    out = work / f"lh-{preset}-{abs(hash(url))}.json"
    args = [
        str(REPO / "bench" / "node_modules" / ".bin" / "lighthouse"),
        url,
        "--quiet",
        "--only-categories=performance",
        "--output=json",
        f"--output-path={out}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ]
    if preset == "desktop":
        args.append("--preset=desktop")
    env = chrome_env()
    subprocess.run(args, env=env, check=True, capture_output=True)
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "score": round(report["categories"]["performance"]["score"] * 100),
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "lcp_element": lcp_element(audits),
    }


def lcp_element(audits: dict) -> str:
    """The element Lighthouse timed as the largest paint (what to look at when LCP is late)."""
    try:
        first = audits["largest-contentful-paint-element"]["details"]["items"][0]
        node = first["items"][0]["node"]
    except (KeyError, IndexError, TypeError):
        return "?"
    return node.get("selector") or node.get("nodeLabel") or "?"


def report_lighthouse(server: Server, cookie: str, pages: list[str], work: Path) -> dict:
    print("\n## 6. Lighthouse (performance; headless Chromium; mobile = its default throttled phone)")
    results = {}
    for page in pages:
        for preset in ("mobile", "desktop"):
            try:
                r = lighthouse(f"{server.base}{page}", cookie, preset, work)
            except subprocess.CalledProcessError as e:
                print(f"{page:<28} {preset:<8} lighthouse failed: {e.stderr[-300:]!r}")
                continue
            results[(page, preset)] = r
            print(
                f"{page:<28} {preset:<8} score {r['score']:>3}  CLS {r['cls']:.3f}  TBT {r['tbt']:>5.0f} ms  "
                f"LCP {r['lcp']:>6.0f} ms ({r['lcp_element']})  transferred {r['bytes'] / 1024:,.0f} KiB"
            )
    return results


def report_in_browser(heading: str, script: str, server: Server, cookie: str) -> None:
    """Runs one of the bench's Playwright scripts (three rounds) and prints what it prints."""
    print(f"\n## {heading}")
    run = subprocess.run(
        ["node", str(REPO / "bench" / script), server.base, cookie, "3"],
        env=chrome_env(),
        capture_output=True,
        text=True,
        cwd=REPO / "bench",
    )
    print(run.stdout.rstrip() if run.returncode == 0 else f"{script} failed: {run.stderr[-500:]!r}")


# ------------------------------------------------------------------------------------- main


def main() -> None:
    global BIN, SITE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of each load run")
    parser.add_argument("--rate", type=int, default=1000, help="offered requests/s for the open-loop run")
    parser.add_argument("--skip", action="append", default=[], help="skip a part: load, queries, lighthouse, navigation, first-use")
    parser.add_argument("--bin", type=Path, default=BIN, help="the server binary (hash.txt beside it)")
    parser.add_argument("--site", type=Path, default=SITE, help="the site it serves (a build kept aside)")
    parser.add_argument("--pages", default="/,/subscriptions,/billing-history,/payment-methods,/billing-details,/usage,/credit,/invoices/{invoice}")
    args = parser.parse_args()
    # Another build (one kept aside to compare before and after) replaces the defaults.
    BIN, SITE = args.bin.resolve(), args.site.resolve()
    if not BIN.exists():
        sys.exit("no target/release/portico: build first (cargo leptos build --release; target/release/portico precompress)")

    work = Path(tempfile.mkdtemp(prefix="portico-bench-"))
    print(f"# Portico web bench — release build, demo data, calendar pinned to {TODAY}, {os.cpu_count()} cores")
    server = Server(work, "warn", "server")
    try:
        cookie = sign_in(server, "owner@northwind.test")
        first_pages = {}
        for page in FIRST_PAGES:
            _, _, html = request(f"{server.base}{page}", headers={} if page == "/login" else {"Cookie": cookie})
            first_pages[page] = html.decode()
            load_served_modules(server, first_pages[page])
        sizes = report_sizes(first_pages)
        report_serving(server, cookie, sizes["assets"])
        if "load" not in args.skip:
            rendering = Server(work, "warn", "rendering", NO_PAGE_CACHE)
            try:
                report_throughput(server, rendering, cookie, work, args.seconds)
                report_latency(server, rendering, cookie, args.rate, args.seconds)
            finally:
                rendering.stop()
        key = api_key(server)
        seeded: dict = {}
        seeded_account(server, key, 1, seeded)
        invoice = seeded["invoice"]
        bench_cookie = portal_cookie(server, key, seeded["account"])
        if "lighthouse" not in args.skip:
            _, _, history = request(f"{server.base}/billing-history", headers={"Cookie": cookie})
            found = re.search(r"/invoices/(inv_[A-Za-z0-9]+)", history.decode())
            northwind_invoice = found.group(1) if found else invoice
            pages = [p.replace("{invoice}", northwind_invoice) for p in args.pages.split(",")]
            report_lighthouse(server, cookie, pages, work)
        if "navigation" not in args.skip:
            heading = "7. Navigation (a click on the main navigation; Lighthouse's throttled phone, assets cached)"
            report_in_browser(heading, "nav.mjs", server, cookie)
        if "first-use" not in args.skip:
            heading = "8. First use of an island (Lighthouse's throttled phone; a page loaded, idle 3 s, then a tap)"
            report_in_browser(heading, "first-use.mjs", server, cookie)
    finally:
        server.stop()

    if "queries" not in args.skip:
        print("\n## 5. Queries per page rendered (one account with 1 invoice, then with 500; sqlx's statement log")
        print("per request; the rendered-page cache off, which would answer a page shown again with the session's)")
        counter = Server(work, "warn,sqlx::query=debug", "queries", NO_PAGE_CACHE)
        try:
            pages = [p.replace("{invoice}", invoice) for p in SIGNED_IN_PAGES]
            one = count_queries(counter, bench_cookie, pages)
            seeded_account(counter, key, 500, seeded)
            many = count_queries(counter, bench_cookie, pages)
        finally:
            counter.stop()
        print(f"{'page':<40} {'1 invoice':>10} {'500 invoices':>13}")
        for page in pages:
            label = page.replace(invoice, "{id}")
            print(f"{label:<40} {one[page]:>10} {many[page]:>13}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
