#!/usr/bin/env python3
"""Fails when code imports a layer above its own. The layers, lowest first:

    domain -> wire -> server -> api -> ui

Each may use itself and the layers to its left, never one to its right: `server` never names
`api` or `ui`, `ui` never names `server`, `wire` and `domain` name nothing above them. (`ui`
skips `server`: pages reach the server only through `api`'s server functions.) The composition
root (`src/app.rs`, `src/main.rs`, `src/lib.rs`) wires them together and may name any.

    scripts/check-layers.py [SRC_DIR]     # default: the repository's src/
    scripts/check-layers.py --self-test   # shows that each kind of wrong-way import is caught
"""
import os
import re
import sys
import tempfile

LAYERS = ["domain", "wire", "server", "api", "ui"]
# What each layer may name besides itself.
ALLOWED = {
    "domain": set(),
    "wire": {"domain"},
    "server": {"domain", "wire"},
    "api": {"domain", "wire", "server"},
    "ui": {"domain", "wire", "api"},
}
ROOT_FILES = {"app.rs", "main.rs", "lib.rs"}
PATH = re.compile(r"\b(?:crate|portico)::(domain|wire|server|api|ui|app)\b")
COMMENT = re.compile(r"^\s*//")


def violations(src):
    found = []
    for dirpath, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
            top = rel.split(os.sep)[0]
            if rel in ROOT_FILES or top not in ALLOWED:
                continue
            layer = top
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    if COMMENT.match(line):
                        continue
                    for target in PATH.findall(line):
                        if target != layer and target not in ALLOWED[layer]:
                            found.append(f"{rel}:{number}: {layer} imports {target}: {line.strip()}")
    return found


def self_test():
    cases = {
        "server/x.rs": "use crate::api::payments::PayInvoices;",
        "ui/x.rs": "use crate::server::state::AppState;",
        "domain/x.rs": "fn f() -> crate::wire::error::AppError { todo!() }",
        "wire/x.rs": "use crate::server::db::Db;",
        "server/y.rs": "use crate::app::router;",
    }
    fine = {
        "ui/ok.rs": "use crate::api::payments::pay_invoices;\nuse crate::wire::error::AppError;",
        "api/ok.rs": "use crate::server::auth::authorize::authorize;",
        "server/ok.rs": "// crate::api is above us\nuse crate::wire::error::AppError;",
        "app.rs": "use crate::ui::app::App;\nuse crate::api::register_all;",
    }
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in {**cases, **fine}.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)) or tmp, exist_ok=True)
            with open(os.path.join(tmp, rel), "w") as f:
                f.write(text + "\n")
        found = violations(tmp)
    caught = {v.split(":")[0] for v in found}
    missed = set(cases) - caught
    wrong = caught - set(cases)
    if missed or wrong:
        print(f"self-test failed: missed {sorted(missed)}, flagged {sorted(wrong)}")
        return 1
    print(f"self-test: all {len(cases)} wrong-way imports caught, {len(fine)} allowed ones passed")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src")
    found = violations(src)
    for v in found:
        print(v)
    if found:
        print(f"{len(found)} import(s) go the wrong way (layers: {' -> '.join(LAYERS)})")
        return 1
    print(f"layers hold: {' -> '.join(LAYERS)}, nothing imports upward")
    return 0


if __name__ == "__main__":
    sys.exit(main())
