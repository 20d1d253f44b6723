"""Run every benchmark, print the table and write it into the README between markers.

Each module's `run()` returns rows: {name, value, unit, baseline, baseline_value, ratio, goal,
met}. `python -m bench [--only NAME ...] [--no-readme]`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sys
from pathlib import Path

from shared.clock import SHANGHAI, wall_now

MODULES = ("replication", "scenarios", "stories", "pages", "ofd")
README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def table(rows: list[dict]) -> str:
    lines = ["| benchmark | result | baseline (same run) | ratio | goal | met |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[r.get("met")]
        lines.append(f"| {r['name']} | {r['value']:,.1f} {r['unit']} | "
                     f"{r.get('baseline') or '—'} | {ratio} | {r.get('goal') or '—'} | {met} |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text("utf-8")
    block = f"{START}\n{text}\n{END}"
    if START in readme:
        readme = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, readme,
                        flags=re.S)
    else:
        readme += f"\n{block}\n"
    README.write_text(readme, "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", nargs="*", choices=MODULES)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    for name in args.only or MODULES:
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        rows.extend(importlib.import_module(f"bench.{name}").run())
    stamp = wall_now().astimezone(SHANGHAI).strftime("%Y-%m-%d")
    text = f"Measured {stamp} on {machine()}.\n\n{table(rows)}"
    print(text)
    if not args.no_readme and not args.only:
        write_readme(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
