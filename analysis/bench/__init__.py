"""``make bench``: our stages and their peers on the same text, in one run.

Each section is a module of this package with ``run(ctx) -> list[Measurement]``; the
first measurement of a section is ours, the others are peers, and the report gives
KB/s and each peer's ratio to ours. Benchmarks report figures; they assert nothing
(tests assert behaviour).
"""

# Section modules, in report order. Add a section by adding its module here.
SECTIONS = ["pipeline", "timex", "quantities", "timeline", "scale"]
