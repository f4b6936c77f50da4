"""``python -m analysis.bench [--section NAME ...] [--json]``: see :mod:`analysis.bench`."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from . import SECTIONS
from .common import BenchContext


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.bench", description=__doc__)
    parser.add_argument("--section", action="append", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--min-seconds", type=float, default=2.0, help="time each tool at least this long (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    ctx = BenchContext(min_seconds=args.min_seconds, quick=args.quick)
    if not ctx.shared_eval.is_dir():
        print(f"note: {ctx.shared_eval} is absent; sections that time gold text are skipped", file=sys.stderr)
    note = "ours and peers timed in this one process, one thread each, unless a section says otherwise"
    report = []
    for name in args.section or SECTIONS:
        module = importlib.import_module(f"{__package__}.{name}")
        if not args.json:
            print(f"== {module.TITLE}", flush=True)
        measurements = module.run(ctx)
        ours = measurements[0].kb_per_s if measurements else None
        for m in measurements:
            row = {
                "section": m.section,
                "tool": m.tool,
                "kb": round(m.kb, 1),
                "seconds": round(m.seconds, 3),
                "kb_per_s": round(m.kb_per_s, 1),
                "ours_vs_this": round(ours / m.kb_per_s, 1) if ours and m.kb_per_s and m.compared else None,
                "note": m.note,
                **m.figures,
            }
            report.append(row)
            if not args.json:
                ratio = "" if m is measurements[0] or not m.compared else f"   ours is {row['ours_vs_this']}x this"
                print(f"  {m.tool:<40} {row['kb_per_s']:>10,.1f} KB/s{ratio}  {m.note}")
        if not measurements:
            print("  (skipped: its input is absent)")
    if args.json:
        print(json.dumps({"cpu": note, "results": report}, indent=2))
    else:
        print(f"({note}; KB of UTF-8 article text per second of wall time, after start-up)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
