#!/usr/bin/env python3
"""What the WASM is made of: code bytes per crate (and per module of this crate).

Reads a .wasm with its name section (cargo's output before wasm-bindgen and wasm-opt, e.g.
target/front/wasm32-unknown-unknown/wasm-release/portico.wasm) and sums the size of each
function body by the crate its (mangled) name belongs to. Data segments are listed apart.

    python3 bench/wasm_breakdown.py [FILE.wasm] [--top 40] [--module portico]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "target/front/wasm32-unknown-unknown/wasm-release/portico.wasm"


def leb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def sections(data: bytes):
    pos = 8
    while pos < len(data):
        sid = data[pos]
        size, pos = leb(data, pos + 1)
        yield sid, data[pos : pos + size]
        pos += size


def function_names(custom: bytes) -> dict[int, str]:
    name_len, pos = leb(custom, 0)
    if custom[pos : pos + name_len] != b"name":
        return {}
    pos += name_len
    names = {}
    while pos < len(custom):
        kind = custom[pos]
        size, pos = leb(custom, pos + 1)
        end = pos + size
        if kind == 1:
            count, p = leb(custom, pos)
            for _ in range(count):
                index, p = leb(custom, p)
                length, p = leb(custom, p)
                names[index] = custom[p : p + length].decode("utf-8", "replace")
                p += length
        pos = end
    return names


def owner(name: str, module_of: str | None) -> str:
    """The crate (or crate::module) a mangled or demangled symbol belongs to."""
    # Legacy mangling: _ZN<len><seg><len><seg>...E; generic impls look like _ZN<..>$LT$...
    parts = []
    if name.startswith("_ZN"):
        pos = 3
        while pos < len(name) and name[pos].isdigit():
            m = re.match(r"\d+", name[pos:])
            n = int(m.group(0))
            pos += len(m.group(0))
            parts.append(name[pos : pos + n])
            pos += n
    else:
        parts = re.split(r"::", name)
    if not parts:
        return "?"
    first = parts[0]
    # `<T as Trait>` impls: attribute them to the type's crate.
    m = re.match(r"_?\$LT\$(?:\$RF\$)?(?:mut\$u20\$)?([a-z_][a-z0-9_]*)", first)
    if m:
        first = m.group(1)
    if module_of and first == module_of and len(parts) > 1:
        return f"{first}::{parts[1]}"
    return first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--module", default="portico", help="split this crate by its top-level module")
    args = parser.parse_args()
    data = Path(args.file).read_bytes()
    if data[:4] != b"\0asm":
        sys.exit(f"{args.file} is not a wasm module")
    imported = 0
    bodies: list[int] = []
    names: dict[int, str] = {}
    data_bytes = 0
    for sid, body in sections(data):
        if sid == 2:  # imports: functions among them take the first indices
            count, p = leb(body, 0)
            for _ in range(count):
                for _ in range(2):
                    length, p = leb(body, p)
                    p += length
                kind = body[p]
                p += 1
                if kind == 0:
                    _, p = leb(body, p)
                    imported += 1
                elif kind == 1:
                    p += 1
                    flags, p = leb(body, p)
                    _, p = leb(body, p)
                    if flags & 1:
                        _, p = leb(body, p)
                elif kind == 2:
                    flags, p = leb(body, p)
                    _, p = leb(body, p)
                    if flags & 1:
                        _, p = leb(body, p)
                elif kind == 3:
                    p += 2
        elif sid == 10:
            count, p = leb(body, 0)
            for _ in range(count):
                size, p = leb(body, p)
                bodies.append(size)
                p += size
        elif sid == 11:
            data_bytes = len(body)
        elif sid == 0:
            names.update(function_names(body))
    by_owner: Counter[str] = Counter()
    for i, size in enumerate(bodies):
        by_owner[owner(names.get(imported + i, "?"), args.module)] += size
    code = sum(bodies)
    print(f"{args.file}: {len(data):,} B; code {code:,} B in {len(bodies):,} functions; data {data_bytes:,} B")
    for name, size in by_owner.most_common(args.top):
        print(f"{size:>10,}  {size / code * 100:5.1f}%  {name}")


if __name__ == "__main__":
    main()
