#!/usr/bin/env python3
"""Checks that a Portico server binary and the site it serves agree. Builds nothing.

Starts BINARY (default target/release/portico) on a free loopback port with a fresh SQLite
database, reads the pages a visitor opens first, and checks every script, module, preload and
stylesheet they name (the JS and WASM the shell's module loads included) exists under the site
root and is served with 200 (the shell's module itself, `/pkg/shell.<hash>.js`, is made by the
server at start from this build's names and served from memory). A server built without cargo-leptos's environment asks for files the
site does not have (e.g. `pkg/portico_bg.wasm`), and its pages never hydrate: this says so.

    scripts/check-site.py [BINARY] [--site-root target/site]
"""

from __future__ import annotations

import argparse
import html.parser
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/login", "/pay/not-a-link"]


class Links(html.parser.HTMLParser):
    """Collects the site files a page refers to."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[str] = []
        self.in_script = False
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and a.get("rel") in ("modulepreload", "preload", "stylesheet") and a.get("href"):
            self.files.append(a["href"] or "")
        if tag == "script":
            if a.get("src"):
                self.files.append(a["src"] or "")
            self.in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.scripts.append(data)


def is_shell_module(path: str) -> bool:
    return re.fullmatch(r"/pkg/shell(\.[A-Za-z0-9_-]+)?\.js", path) is not None


def hydration_files(script: str) -> list[str]:
    """The JS and WASM the shell's module imports: its call ends with
    `("/pkg/<name>.js", "/pkg/<name>.wasm")` (see `hydration_module` in src/wire/site.rs)."""
    match = re.search(r'\)\("([^"]+\.js)", "([^"]+\.wasm)"\)', script)
    return list(match.groups()) if match else []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", nargs="?", default=str(REPO_ROOT / "target/release/portico"))
    parser.add_argument("--site-root", default=str(REPO_ROOT / "target/site"))
    args = parser.parse_args()
    site_root = Path(args.site_root)
    if not Path(args.binary).is_file():
        print(f"check-site: no server binary at {args.binary}", file=sys.stderr)
        return 1

    work = Path(tempfile.mkdtemp(prefix="portico-site-check-"))
    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite://{work}/check.db?mode=rwc",
        PORTICO_SERVER_SITE_ADDR=f"127.0.0.1:{port}",
        PORTICO_SERVER_PUBLIC_URL=f"http://127.0.0.1:{port}",
        PORTICO_SERVER_SITE_ROOT=str(site_root),
        PORTICO_BILLING_SCHEDULER="false",
        RUST_LOG="warn",
    )
    log = open(work / "server.log", "wb")
    server = subprocess.Popen([args.binary, "serve"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    problems: list[str] = []
    try:
        for _ in range(300):
            if server.poll() is not None:
                break
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            problems.append("the server did not answer /healthz within 30 s")
        if server.poll() is not None:
            problems.append(f"the server exited with status {server.returncode}")
        checked = 0
        for page in PAGES if not problems else []:
            status, body = fetch(base + page)
            links = Links()
            links.feed(body.decode("utf-8", "replace"))
            files = links.files + [f for s in links.scripts for f in hydration_files(s)]
            for module in [f for f in links.files if is_shell_module(f)]:
                files += hydration_files(fetch(base + module)[1].decode("utf-8", "replace"))
            if not any(f.endswith(".wasm") for f in files):
                problems.append(f"{page} (status {status}) names no WASM to hydrate with")
            for path in sorted(set(files)):
                if not path.startswith("/"):
                    continue
                on_disk = site_root / path.lstrip("/").split("?")[0]
                served, _ = fetch(base + path)
                checked += 1
                if not on_disk.is_file() and not is_shell_module(path):
                    problems.append(f"{page} links {path}, which is not under {site_root}")
                if served != 200:
                    problems.append(f"{page} links {path}, which the server answers with {served}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    if problems:
        print("check-site: the server and the site disagree:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        print(f"  (server log: {work / 'server.log'})", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"ok: {checked} linked site files exist under {site_root} and are served")
    return 0


if __name__ == "__main__":
    sys.exit(main())
