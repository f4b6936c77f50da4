"""Exports: files that exist and parse, TimelineJS dates, the CLI, the same days in any TZ."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from analysis import export

from .conftest import ROOT, load_golden
from .contract_tables import contract_rows, write_contract_tables

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WHEN_CASES = load_golden("when_labels.json")["cases"]


@pytest.fixture(scope="module")
def contract_dir(tmp_path_factory):
    return write_contract_tables(tmp_path_factory.mktemp("contract"))


@pytest.fixture(scope="module")
def exported(contract_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("charts")
    summary = export.export_run(contract_dir, out)
    return out, summary


def svg_marks(svg_text: str) -> dict[str, int]:
    """Drawn items per Vega mark type in an SVG (``mark-symbol``: points, ...)."""
    root = ET.fromstring(svg_text)
    counts: dict[str, int] = {}
    for element in root.iter():
        classes = element.get("class", "").split()
        mark = next((c for c in classes if c.startswith("mark-")), None)
        if mark:
            counts[mark] = counts.get(mark, 0) + sum(1 for child in element if child.tag.endswith(("path", "line", "text")))
    return counts


def svg_texts(svg_text: str) -> list[str]:
    return [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg_text) if t.strip()]


def slide_interval(slide: dict) -> tuple[dt.date, dt.date]:
    """A TimelineJS slide's dates as a half-open interval (its end date is inclusive, at
    the precision given: a year, a month or a day)."""
    first = slide["start_date"]
    last = slide.get("end_date", first)
    start = dt.date(first["year"], first.get("month", 1), first.get("day", 1))
    if "day" in last:
        end = dt.date(last["year"], last["month"], last["day"]) + dt.timedelta(days=1)
    elif "month" in last:
        end = dt.date(last["year"] + last["month"] // 12, last["month"] % 12 + 1, 1)
    else:
        end = dt.date(last["year"] + 1, 1, 1)
    return start, end


def test_export_writes_every_chart_in_every_format(exported):
    out, summary = exported
    stems = ["timeline", "figures", "conflicts", "events_by_source", "figures_by_source"]
    expected = {f"{stem}{suffix}" for stem in stems for suffix in export.CHART_FORMATS.values()}
    expected.add(export.TIMELINEJS_FILE)
    assert {Path(f).name for f in summary.files} == expected
    assert {p.name for p in out.iterdir()} == expected
    assert summary.events == 16 and summary.claims == 11


def test_png_and_svg_exports_are_images_with_marks(exported):
    out, _ = exported
    for stem in ("timeline", "figures", "conflicts"):
        png = (out / f"{stem}.png").read_bytes()
        assert png.startswith(PNG_MAGIC) and len(png) > 10_000
        svg = (out / f"{stem}.svg").read_text(encoding="utf-8")
        marks = svg_marks(svg)
        assert marks.get("mark-symbol", 0) > 0, (stem, marks)
    timeline_marks = svg_marks((out / "timeline.svg").read_text(encoding="utf-8"))
    assert timeline_marks.get("mark-rect", 0) > 0  # spans are bars
    assert "What happened when" in svg_texts((out / "timeline.svg").read_text(encoding="utf-8"))


def test_html_export_works_offline(exported):
    out, _ = exported
    page = (out / "timeline.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']https?://", page), "no script may come from the network"
    assert not re.search(r"""import\s*\(?["']https?://""", page)
    assert "vega-lite" in page.lower() and "What happened when" in page
    assert len(page) > 300_000  # Vega, Vega-Lite and vega-embed inlined


def test_vegalite_json_export_is_the_chart(exported):
    out, _ = exported
    spec = json.loads((out / "timeline.vl.json").read_text(encoding="utf-8"))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert spec["title"]["text"] == "What happened when"
    assert any(len(rows) == 16 for rows in spec["datasets"].values())


def test_timelinejs_has_every_dated_item_at_its_precision(exported):
    out, _ = exported
    document = json.loads((out / export.TIMELINEJS_FILE).read_text(encoding="utf-8"))
    rows = contract_rows()["timeline"]
    dated = [r for r in rows if r["time_start"] or r["time_end"]]
    slides = document["events"]
    assert len(slides) == len(dated)
    assert len({s["unique_id"] for s in slides}) == len(slides)
    assert "16 dated events and 11 figures from 5 sources" in document["title"]["text"]["text"]
    for slide in slides:
        start = slide["start_date"]
        assert isinstance(start["year"], int) and 1 <= start.get("month", 1) <= 12 and 1 <= start.get("day", 1) <= 31
        assert slide["text"]["headline"] and slide["group"] and slide["display_date"]
        if "end_date" in slide:
            end = slide["end_date"]
            assert set(end) == set(start), "start and end at the same precision"
            assert tuple(end.values()) > tuple(start.values())
    by_id = {s["unique_id"]: s for s in slides}
    withdrawal = by_id["explainer-2021-09-01-e3"]
    assert withdrawal["start_date"] == {"year": 2021, "month": 5} and withdrawal["end_date"] == {"year": 2021, "month": 8}
    assert withdrawal["group"] == "withdrawal" and withdrawal["display_date"] == "May – Aug 2021"
    kabul = by_id["harbour-post-2021-08-17-e0"]
    assert kabul["start_date"] == {"year": 2021, "month": 8, "day": 15} and "end_date" not in kabul
    claim = by_id["courier-2021-08-18-c0"]
    assert claim["group"] == "personnel" and claim["text"]["headline"] == "at least 1,200 civilian staff (A NATO official)"
    assert "Evening Courier, A NATO official" in claim["text"]["text"]


@pytest.mark.parametrize("case", [c for c in WHEN_CASES if c["precision"] != "undated"], ids=lambda c: c["label"])
def test_timelinejs_dates(case):
    import pandas as pd

    timeline = pd.DataFrame(
        [{"item_id": "x:e0", "kind": "event", "time_start": case["time_start"], "time_end": case["time_end"], "label": "x"}]
    )
    (slide,) = export.timelinejs(timeline)["events"]
    assert slide["start_date"] == case["start_date"]
    assert slide.get("end_date") == case.get("end_date")
    assert slide["display_date"] == case["label"]
    if case["precision"] in ("day", "month", "year"):
        # Read back as TimelineJS reads it, the slide covers exactly the interval.
        first, end = slide_interval(slide)
        assert (first.isoformat(), end.isoformat()) == (case["time_start"], case["time_end"])


def test_timelinejs_escapes_html(tmp_path):
    import pandas as pd

    timeline = pd.DataFrame(
        [
            {
                "item_id": "a:e0",
                "kind": "event",
                "time_start": "2021-08-17",
                "time_end": "2021-08-18",
                "label": "<script>alert(1)</script>",
                "sentence": 'He said "5 < 6" & left.',
                "source": "A & B",
                "type": "statement",
            }
        ]
    )
    path = export.write_timelinejs(timeline, tmp_path / "t.json", kinds=["event"])
    (slide,) = json.loads(path.read_text(encoding="utf-8"))["events"]
    assert "<script>" not in slide["text"]["headline"] and "&lt;script&gt;" in slide["text"]["headline"]
    assert "5 &lt; 6" in slide["text"]["text"] and "A &amp; B" in slide["text"]["text"]


def test_export_of_a_run_without_facts_still_writes_parseable_files(tmp_path):
    from analysis import run_corpus

    from .conftest import SEED_ARTICLE

    run_corpus(SEED_ARTICLE, tmp_path / "tables")
    summary = export.export_run(tmp_path / "tables", tmp_path / "charts", ["svg", "timelinejs"])
    for path in map(Path, summary.files):
        if path.suffix == ".svg":
            assert ET.fromstring(path.read_text(encoding="utf-8")) is not None
        else:
            document = json.loads(path.read_text(encoding="utf-8"))
            assert len(document["events"]) == summary.events + summary.claims


def test_unknown_formats_are_refused(contract_dir, tmp_path):
    with pytest.raises(ValueError, match="gif"):
        export.export_run(contract_dir, tmp_path, ["svg", "gif"])


def _cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300
    )


def test_chart_command(contract_dir, tmp_path):
    result = _cli("chart", "--tables", str(contract_dir), "--out", str(tmp_path / "c"), "--format", "svg,timelinejs")
    assert result.returncode == 0, result.stderr
    assert "Charted 16 dated event(s) and 11 figure(s)" in result.stdout
    assert (tmp_path / "c" / "timeline.svg").is_file() and (tmp_path / "c" / export.TIMELINEJS_FILE).is_file()
    assert not (tmp_path / "c" / "timeline.png").exists()


def test_chart_command_errors_are_one_line(tmp_path):
    missing = _cli("chart", "--tables", str(tmp_path / "nothing"), "--out", str(tmp_path / "c"))
    assert missing.returncode == 2 and missing.stderr.startswith("error:") and "Traceback" not in missing.stderr
    assert "python -m analysis run" in missing.stderr


# --- the same days in every time zone ------------------------------------------------

_ZOOMED_SVG = textwrap.dedent(
    """
    import sys
    from analysis import charts, export
    timeline = charts.load_timeline(sys.argv[1])
    chart = charts.event_timeline(timeline, zoom_to=("2021-08-10", "2021-08-20"))
    export.save_chart(chart, sys.argv[2], ["svg", "json"])
    """
)
_NAIVE_SVG = textwrap.dedent(
    """
    import sys
    import altair as alt, pandas as pd, vl_convert as vlc
    frame = pd.DataFrame({"day": ["2021-08-17", "2021-08-18"], "n": [1, 2]})
    chart = alt.Chart(frame).mark_point().encode(x=alt.X("day:T", axis=alt.Axis(format="%d %b %Y")), y="n:Q")
    open(sys.argv[2] + ".svg", "w").write(vlc.vegalite_to_svg(chart.to_dict(), vl_version="6.4"))
    """
)


def _render_in(tz: str, script: str, tables: Path, stem: Path) -> None:
    env = {"TZ": tz, "PATH": "/usr/bin:/bin", "HOME": str(stem.parent)}
    result = subprocess.run(
        [sys.executable, "-c", script, str(tables), str(stem)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


def test_renderer_reads_the_time_zone_so_the_date_test_can_fail(contract_dir, tmp_path):
    """The control: a chart of bare date strings (what the charts must never send)
    moves a day under TZ=America/New_York, so the renderer does see the zone."""
    for tz in ("UTC", "America/New_York"):
        _render_in(tz, _NAIVE_SVG, contract_dir, tmp_path / tz.replace("/", "_"))
    utc = svg_texts((tmp_path / "UTC.svg").read_text())
    new_york = svg_texts((tmp_path / "America_New_York.svg").read_text())
    assert "17 Aug 2021" in utc and "16 Aug 2021" in new_york and utc != new_york


def test_same_dates_and_positions_under_any_time_zone(contract_dir, tmp_path):
    """Exported under TZ=UTC and TZ=America/New_York, every chart is the same file:
    the same date labels at the same positions."""
    outputs = {}
    for tz in ("UTC", "America/New_York"):
        folder = tmp_path / tz.replace("/", "_")
        env = {"TZ": tz, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        result = _cli("chart", "--tables", str(contract_dir), "--out", str(folder), "--format", "svg,json,timelinejs", env=env)
        assert result.returncode == 0, result.stderr
        _render_in(tz, _ZOOMED_SVG, contract_dir, folder / "zoomed")
        outputs[tz] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    assert outputs["UTC"].keys() == outputs["America/New_York"].keys()
    for name, content in outputs["UTC"].items():
        assert content == outputs["America/New_York"][name], f"{name} differs between time zones"
    zoomed = outputs["UTC"]["zoomed.svg"].decode("utf-8")
    labels = svg_texts(zoomed)
    # Day ticks of the zoomed view (d3's multi-format: weekdays, Sundays as "Aug 15"):
    # 17 August 2021 was a Tuesday, so a day's shift would show as "Mon 16" there.
    assert {"Aug 15", "Mon 16", "Tue 17", "2002", "2020"} <= set(labels)
    # The event of 15 August sits on the "Aug 15" tick, not beside it.
    tick_x = re.search(r'translate\(([-\d.]+),[-\d.]+\)"[^>]*>Aug 15</text>', zoomed).group(1)
    point_x = re.search(r'aria-label="Taliban take Kabul, 15 Aug 2021[^"]*"[^>]*translate\(([-\d.]+),', zoomed).group(1)
    assert float(point_x) == pytest.approx(float(tick_x), abs=0.01)
