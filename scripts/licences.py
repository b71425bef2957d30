#!/usr/bin/env python3
"""The licences of what the shipped binaries are built from: crates/core/assets/licences.txt.

Every library that the desktop app, the `tessera` CLI or the hub links (normal dependencies
only: build scripts, macros' own helpers and tests are not shipped), on any platform, with its
version and licence as its authors declare it; then the fonts the printed cards embed. The
About box and `tessera --licences` show this file, and the packages carry it.

    scripts/licences.py          write it
    scripts/licences.py --check  fail if it is out of date (make test)
"""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "crates/core/assets/licences.txt"
SHIPPED = ["tessera-app", "tessera-cli", "tessera-hub"]
FONTS = [
    ("DejaVu Sans (regular and bold)", "2.37",
     "Bitstream Vera Fonts licence; the DejaVu changes are in the public domain"),
]


def shipped_packages(metadata):
    by_id = {p["id"]: p for p in metadata["packages"]}
    nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
    workspace = set(metadata["workspace_members"])
    roots = [pid for pid in workspace if by_id[pid]["name"] in SHIPPED]
    seen, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            # A proc-macro runs in the compiler, not in the binary.
            if by_id[dep["pkg"]]["targets"][0]["kind"] == ["proc-macro"]:
                continue
            if any(kind["kind"] is None for kind in dep["dep_kinds"]):
                todo.append(dep["pkg"])
    return sorted(
        (by_id[pid] for pid in seen if pid not in workspace),
        key=lambda p: (p["name"].lower(), p["version"]),
    )


def render(packages):
    lines = [
        "# What Tessera is built from, and under which licences (scripts/licences.py writes it).",
        "# name<TAB>version<TAB>licence",
        "",
        "[fonts]",
    ]
    lines += [f"{name}\t{version}\t{licence}" for name, version, licence in FONTS]
    lines += ["", "[libraries]"]
    lines += [
        f"{p['name']}\t{p['version']}\t{p.get('license') or 'see its repository: ' + (p.get('repository') or '?')}"
        for p in packages
    ]
    return "\n".join(lines) + "\n"


def main():
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    )
    text = render(shipped_packages(metadata))
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text() != text:
            sys.exit(f"{OUT.relative_to(ROOT)} is out of date: run scripts/licences.py")
        return
    OUT.write_text(text)
    print(f"{OUT.relative_to(ROOT)}: {len(text.splitlines())} lines")


if __name__ == "__main__":
    main()
