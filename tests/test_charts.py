"""Charts: dates as UTC datetime64, open bounds, series, conflicts, empty tables."""

from __future__ import annotations

import datetime as dt
import re

import altair as alt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import charts
from analysis.charts.figures import claim_frame
from analysis.charts.frames import TIMELINE_COLUMNS, as_utc, figure_bounds

from .conftest import load_golden
from .contract_tables import contract_rows, write_contract_tables

WHEN_CASES = load_golden("when_labels.json")["cases"]


@pytest.fixture(scope="module")
def contract_dir(tmp_path_factory):
    return write_contract_tables(tmp_path_factory.mktemp("contract"))


@pytest.fixture(scope="module")
def timeline(contract_dir):
    return charts.load_timeline(contract_dir)


@pytest.fixture(scope="module")
def conflicts(contract_dir):
    return charts.load_conflicts(contract_dir)


def _walk(node):
    """Every dict inside a Vega-Lite spec."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _temporal_encodings(spec: dict) -> list[dict]:
    return [node for node in _walk(spec) if node.get("type") == "temporal" and "field" in node]


def _title(spec: dict) -> str:
    title = spec.get("title")
    return title["text"] if isinstance(title, dict) else title


def _datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def _timestamp(value):
    return pd.NaT if value is None else pd.Timestamp(value, tz="UTC")


# --- frames ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", WHEN_CASES, ids=[c["label"] for c in WHEN_CASES])
def test_when_label_and_precision(case):
    start, end = _timestamp(case["time_start"]), _timestamp(case["time_end"])
    assert charts.when_label(start, end) == case["label"]
    assert charts.interval_precision(start, end) == case["precision"]


def test_as_utc_keeps_the_calendar_day_whatever_the_input():
    tokyo = pd.Series(pd.to_datetime(["2021-08-17 00:00"]).tz_localize("Asia/Tokyo"))
    new_york = pd.Series(pd.to_datetime(["2021-08-17 23:30"]).tz_localize("America/New_York"))
    inputs = [
        pd.Series([dt.date(2021, 8, 17)]),
        pd.Series(["2021-08-17"]),
        pd.Series([np.datetime64("2021-08-17", "D")]).astype("datetime64[s]"),
        tokyo,
        new_york,
        pd.Series([dt.datetime(2021, 8, 17, 18, 45)]),
    ]
    for values in inputs:
        result = as_utc(values)
        assert str(result.dtype) .startswith("datetime64") and str(result.dt.tz) == "UTC", values
        assert result.iloc[0] == pd.Timestamp("2021-08-17", tz="UTC"), values


def test_as_utc_turns_garbage_into_nat():
    result = as_utc(pd.Series(["not a date", None, float("nan"), "2021-02-30", 17]))
    assert result.isna().all()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
            st.text(max_size=12),
            st.integers(),
            st.floats(allow_nan=True),
        ),
        max_size=6,
    )
)
def test_as_utc_never_crashes(values):
    result = as_utc(pd.Series(values, dtype="object"))
    assert len(result) == len(values)
    assert str(result.dt.tz) == "UTC"


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.none(), st.dates(min_value=dt.date(1700, 1, 1), max_value=dt.date(2200, 12, 31))),
    st.one_of(st.none(), st.dates(min_value=dt.date(1700, 1, 1), max_value=dt.date(2200, 12, 31))),
)
def test_when_label_never_crashes_and_says_the_first_day(first, last):
    start = pd.NaT if first is None else pd.Timestamp(first, tz="UTC")
    end = pd.NaT if last is None else pd.Timestamp(last, tz="UTC")
    label = charts.when_label(start, end)
    assert isinstance(label, str) and label
    if first is not None and (last is None or last > first):
        assert str(first.year) in label


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "kind": st.sampled_from(["event", "claim", None, "other"]),
                "time_start": st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1)), st.text(max_size=10)),
                "time_end": st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1)), st.text(max_size=10)),
                "value": st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False), st.integers(-10, 10**9)),
                "low": st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False)),
                "high": st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False)),
                "type": st.one_of(st.none(), st.sampled_from(["attack", "statement", "troops", "x"])),
                "source": st.one_of(st.none(), st.text(max_size=8)),
                "label": st.one_of(st.none(), st.text(max_size=60)),
            }
        ),
        max_size=8,
    )
)
def test_every_chart_takes_any_timeline_rows(rows):
    """Bad rows (unreadable dates, ends before starts, missing columns) never raise."""
    timeline = pd.DataFrame(rows)
    for chart in (
        charts.event_timeline(timeline),
        charts.figures_chart(timeline),
        charts.small_multiples(timeline, by="source"),
        charts.small_multiples(timeline, by="type", kind="event"),
    ):
        assert "$schema" in chart.to_dict()


def test_figure_bounds_say_which_side_is_open():
    bounds = figure_bounds(
        pd.Series([100000, 10000, 1000, 5500, 800]),
        pd.Series([100000, None, None, 5000, 800]),
        pd.Series([None, 10000, 1000, 6000, 800]),
    )
    assert bounds["open_up"].tolist() == [True, False, False, False, False]
    assert bounds["open_down"].tolist() == [False, True, True, False, False]
    assert bounds["ranged"].tolist() == [False, False, False, True, False]
    assert bounds["lower"].tolist() == [100000, 10000, 1000, 5000, 800]
    assert bounds["upper"].tolist() == [100000, 10000, 1000, 6000, 800]


def test_pack_rows_separates_overlapping_reaches_only():
    day = pd.Timestamp("2021-08-01", tz="UTC")
    frame = pd.DataFrame(
        {
            "lane": ["a", "a", "a", "b"],
            "begin": [day, day + pd.Timedelta(days=1), day + pd.Timedelta(days=10), day],
            "end": [day + pd.Timedelta(days=n) for n in (5, 3, 12, 5)],
        }
    )
    rows = charts.pack_rows(frame, "lane", "begin", "end").tolist()
    assert rows == [0, 1, 0, 0]


# --- loading a run --------------------------------------------------------------------


def test_load_timeline_reads_the_contract_tables(timeline):
    expected = contract_rows()["timeline"]
    assert len(timeline) == len(expected)
    assert list(timeline.columns[: len(TIMELINE_COLUMNS)]) == list(TIMELINE_COLUMNS)
    assert str(timeline["time_start"].dtype).startswith("datetime64")
    # Sources fall back to the title when a document has none.
    assert "Twenty years in Afghanistan: a timeline" in set(timeline["source"])


def test_load_timeline_of_a_run_without_facts_is_empty_with_the_contract_columns(tmp_path):
    from analysis import run_corpus

    from .conftest import SEED_ARTICLE

    run_corpus(SEED_ARTICLE, tmp_path)
    timeline = charts.load_timeline(tmp_path)
    assert list(timeline.columns[: len(TIMELINE_COLUMNS)]) == list(TIMELINE_COLUMNS)
    if not {"events", "claims", "timeline"} & {p.name for p in tmp_path.iterdir()}:
        assert timeline.empty
    assert charts.load_conflicts(tmp_path).empty


def test_load_timeline_says_when_there_is_no_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m analysis run"):
        charts.load_timeline(tmp_path)


def test_compose_timeline_from_events_and_claims():
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "source": [None, "Wire"],
            "title": ["Headline A", "Headline B"],
            "published": pd.to_datetime(["2021-08-17", "2021-08-18"]),
        }
    )
    sentences = pd.DataFrame({"doc_id": ["a", "b"], "sent_idx": [0, 0], "text": ["First sentence.", "Other one."]})
    events = pd.DataFrame(
        {
            "event_id": ["a:e0", "a:e1", "b:e0"],
            "doc_id": ["a", "a", "b"],
            "sent_idx": [0, 0, 0],
            "start": [0, 5, 0],
            "end": [4, 9, 5],
            "trigger": ["said", "said", "met"],
            "type": ["statement", "statement", "meeting"],
            "actors": ["NATO", "NATO", None],
            "time_start": pd.to_datetime(["2021-08-17", "2021-08-17", "2021-08-16"]),
            "time_end": pd.to_datetime(["2021-08-18", "2021-08-18", "2021-08-17"]),
            "canonical_id": ["a:e0", "a:e0", "b:e0"],
            "n_mentions": [2, 2, 1],
            "timex_id": ["a:t0", None, None],
        }
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["b:c0"],
            "doc_id": ["b"],
            "sent_idx": [0],
            "start": [6],
            "end": [9],
            "surface": ["800"],
            "qualifier": ["more_than"],
            "value": [800.0],
            "low": [800.0],
            "high": [800.0],
            "noun": ["civilian personnel"],
            "category": ["personnel"],
            "time_start": pd.to_datetime(["2021-08-18"]),
            "time_end": pd.to_datetime(["2021-08-19"]),
            "series_id": [None],
            "series_pos": [None],
        }
    )
    timexes = pd.DataFrame({"timex_id": ["a:t0"], "surface": ["Tuesday"], "granularity": ["day"]})
    conflicts = pd.DataFrame({"claim_a": ["b:c0"], "claim_b": ["x:c9"]})
    timeline = charts.compose_timeline(
        {
            "documents": documents,
            "sentences": sentences,
            "events": events,
            "claims": claims,
            "timexes": timexes,
            "conflicts": conflicts,
        }
    )
    assert timeline["item_id"].tolist() == ["b:e0", "a:e0", "b:c0"]  # one row per canonical event, by time
    statement = timeline.set_index("item_id").loc["a:e0"]
    assert statement["source"] == "Headline A" and statement["sentence"] == "First sentence."
    assert statement["time_surface"] == "Tuesday" and statement["label"] == "NATO said"
    claim = timeline.set_index("item_id").loc["b:c0"]
    assert claim["kind"] == "claim" and claim["label"] == "over 800 civilian personnel" and bool(claim["conflict"])
    assert claim["type"] == "personnel" and claim["category"] == "personnel"


# --- the charts -----------------------------------------------------------------------


def test_event_timeline_has_an_overview_brush_that_zooms_the_detail(timeline):
    spec = charts.event_timeline(timeline).to_dict()
    detail, overview = spec["vconcat"]
    (zoom,) = [p for p in _walk(spec) if p.get("name") == "zoom" and "select" in p]
    assert zoom["select"] == {"type": "interval", "encodings": ["x"]}
    overview_views = {layer.get("name") for layer in overview["layer"]}
    assert set(zoom["views"]) <= overview_views, "the overview strip carries the interval brush"
    zoomed = [node for node in _walk(detail) if node.get("scale", {}).get("domain") == {"param": "zoom"}]
    assert zoomed, "the detail view's time axis follows the brush"
    marks = {layer["mark"]["type"] for layer in detail["layer"]}
    assert {"bar", "point", "text"} <= marks  # spans, days and open ends, labels


def test_event_timeline_draws_every_dated_event_once(timeline):
    expected = [r for r in contract_rows()["timeline"] if r["kind"] == "event"]
    dated = [r for r in expected if r["time_start"] or r["time_end"]]
    spec = charts.event_timeline(timeline).to_dict()
    rows = max(_datasets(spec), key=len)
    assert sorted(r["item_id"] for r in rows) == sorted(r["item_id"] for r in dated)
    assert "1 event without a date not shown." in spec["title"]["subtitle"]
    by_id = {r["item_id"]: r for r in rows}
    assert by_id["northern-ledger-2001-10-08:e2"]["open_end"] is True  # "since Sunday"
    assert by_id["explainer-2021-09-01:e4"]["open_start"] is True  # "until November 2001"
    assert by_id["harbour-post-2021-08-17:e1"]["point"] is True and by_id["explainer-2021-09-01:e3"]["point"] is False
    assert by_id["harbour-post-2021-08-17:e1"]["when"] == "17 Aug 2021"


def test_charts_send_dates_as_utc_datetimes_on_utc_scales(timeline, conflicts):
    """Never a bare date string (read as local time west of UTC): every time value is an
    ISO date-time with a UTC offset, and every time axis is a UTC scale."""
    for chart in (
        charts.event_timeline(timeline),
        charts.event_timeline(timeline, zoom_to=("2021-08-01", "2021-08-31")),
        charts.figures_chart(timeline, conflicts=conflicts),
        charts.small_multiples(timeline, by="source", kind="event"),
        charts.small_multiples(timeline, by="category"),
    ):
        spec = chart.to_dict()
        for encoding in _temporal_encodings(spec):
            if "scale" in encoding or "axis" in encoding:
                assert encoding.get("scale", {}).get("type") == "utc", encoding
        time_fields = {e["field"] for e in _temporal_encodings(spec)}
        assert time_fields
        for rows in _datasets(spec):
            for row in rows:
                for name in time_fields & set(row):
                    if row[name] is not None:
                        assert str(row[name]).endswith("+00:00"), (name, row[name])


def test_zoom_to_opens_the_brush_on_utc_days(timeline):
    spec = charts.event_timeline(timeline, zoom_to=("2021-08-01", "2021-08-31")).to_dict()
    (value,) = [p["value"] for p in _walk(spec) if p.get("name") == "zoom" and "value" in p]
    first, last = value["x"]
    assert (first["year"], first["month"], first["date"], first["utc"]) == (2021, 8, 1, True)
    assert (last["year"], last["month"], last["date"]) == (2021, 9, 1)  # the end of the 31st
    with pytest.raises(ValueError):
        charts.event_timeline(timeline, zoom_to=("2021-09-01", "2021-08-01"))


def test_event_timeline_keeps_the_most_mentioned_when_there_are_too_many(timeline):
    spec = charts.event_timeline(timeline, max_items=3).to_dict()
    rows = max(_datasets(spec), key=len)
    assert len(rows) == 3
    assert {r["item_id"] for r in rows} == {
        "northern-ledger-2001-10-08:e0",  # 3 mentions
        "northern-ledger-2001-10-08:e1",  # 2
        "harbour-post-2021-08-17:e0",  # 2, earlier than the other with 2
    }
    assert any("most-mentioned of 16 events" in line for line in spec["title"]["subtitle"])


def test_event_timeline_colours_event_types_with_fixed_colours(timeline):
    spec = charts.event_timeline(timeline).to_dict()
    (scale,) = {
        str(node["scale"]): node["scale"] for node in _walk(spec) if node.get("field") == "type" and "scale" in node
    }.values()
    colours = dict(zip(scale["domain"], scale["range"]))
    from analysis.charts.theme import style

    for event_type, colour in colours.items():
        assert colour == style()["event_type_colors"][event_type]
    assert style()["conflict_color"] not in colours.values()


def test_figures_chart_draws_bounds_series_and_conflicts(timeline, conflicts):
    spec = charts.figures_chart(timeline, conflicts=conflicts).to_dict()
    panels = spec["vconcat"]
    titles = [_title(p) for p in panels]
    assert titles[0].startswith("troops")  # the most frequent category first
    assert {t.split(" ")[0] for t in titles} == {"troops", "evacuees", "personnel", "money", "casualties"}
    troops = panels[0]
    filters = [layer.get("transform", [{}])[0].get("filter") for layer in troops["layer"]]
    assert "datum.open_up" in filters and "datum.open_down" in filters and "datum.ranged" in filters
    steps = [layer for layer in troops["layer"] if layer["mark"].get("type") == "line"]
    assert steps and steps[0]["mark"]["interpolate"] == "step-after"
    assert steps[0]["encoding"]["order"]["field"] == "series_pos"
    personnel = next(p for p in panels if _title(p).startswith("personnel"))
    rings = [layer for layer in personnel["layer"] if layer.get("transform", [{}])[0].get("filter") == "datum.conflict"]
    assert rings and rings[0]["mark"]["color"] == "#c62828"
    links = [layer for layer in personnel["layer"] if layer["mark"].get("strokeDash") == [3, 3]]
    assert links, "conflicting figures are joined"


def test_claim_frame_reads_open_bounds_from_the_table(timeline):
    frame, undated = claim_frame(timeline)
    by_label = frame.set_index("label")
    assert bool(by_label.loc["over 100,000 troops", "open_up"])
    assert bool(by_label.loc["less than 10,000 troops", "open_down"])
    assert bool(by_label.loc["up to 1,000 Afghan employees", "open_down"])
    assert bool(by_label.loc["5,000 to 6,000 people evacuated", "ranged"])
    assert undated == 0
    only_troops, _ = claim_frame(timeline, "troops")
    assert set(only_troops["category"]) == {"troops"} and len(only_troops) == 5


def test_figures_chart_of_some_categories(timeline):
    spec = charts.figures_chart(timeline, ["personnel", "troops"]).to_dict()
    assert [_title(p).split(" ")[0] for p in spec["vconcat"]] == ["personnel", "troops"]


def test_conflicts_chart_shows_both_claims_and_the_gap(conflicts):
    spec = charts.conflicts_chart(conflicts).to_dict()
    (panel,) = spec["vconcat"]
    rows = max(_datasets(spec), key=len)
    assert len(rows) == 2
    assert {r["figure"] for r in rows} == {"800", "≥ 1,200"}
    assert {r["said"] for r in rows} == {"Harbour Post (Stoltenberg)", "Evening Courier (A NATO official)"}
    assert rows[0]["row"] == "17 Aug 2021 (gap 400)"
    assert _title(panel) == "personnel"


def test_small_multiples_make_one_panel_per_value(timeline):
    spec = charts.small_multiples(timeline, by="category").to_dict()
    assert len(spec["concat"]) == 5 and spec["columns"] == 2
    spec = charts.small_multiples(timeline, by="source", kind="event").to_dict()
    assert len(spec["concat"]) == 5
    # Figures by source are split by category too: troops and dollars never share an axis.
    spec = charts.small_multiples(timeline, by="source").to_dict()
    titles = [_title(p) for p in spec["concat"]]
    assert len(titles) == 8 and titles[0] == "Harbour Post · troops (3)"
    spec = charts.small_multiples(timeline, by="category", kind="event", max_panels=3).to_dict()
    assert len(spec["concat"]) == 3  # events have no category: their type stands in
    with pytest.raises(ValueError):
        charts.small_multiples(timeline, by="colour")
    with pytest.raises(ValueError):
        charts.small_multiples(timeline, kind="quote")


@pytest.mark.parametrize(
    "make",
    [
        lambda t, c: charts.event_timeline(t),
        lambda t, c: charts.figures_chart(t, conflicts=c),
        lambda t, c: charts.figures_chart(t, "troops"),
        lambda t, c: charts.conflicts_chart(c),
        lambda t, c: charts.small_multiples(t),
        lambda t, c: charts.small_multiples(t, by="source", kind="event"),
    ],
    ids=["timeline", "figures", "figures-troops", "conflicts", "multiples", "multiples-events"],
)
def test_empty_tables_give_a_chart_that_says_so(make):
    from analysis.charts.frames import CONFLICT_COLUMNS

    empty_conflicts = pd.DataFrame(columns=list(CONFLICT_COLUMNS))
    chart = make(charts.empty_timeline(), empty_conflicts)
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "text"
    message = spec["datasets"][next(iter(spec["datasets"]))][0]["message"]
    assert message.startswith("No ")


def test_the_theme_is_active_and_notebooks_render_offline():
    assert alt.theme.active == charts.THEME_NAME
    assert alt.renderers.active == charts.NOTEBOOK_RENDERER == "jupyter"
    assert alt.renderers.options["offline"] is True
    bundle = charts.event_timeline(charts.empty_timeline())._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert alt.JupyterChart._is_offline, "the notebook renderer must not load Vega from a CDN"
    esm = alt.JupyterChart._esm
    assert not re.search(r"""(import|from)\s*\(?["']https?://""", esm), "no script is imported from the network"
    assert len(esm) > 300_000, "Vega, Vega-Lite and vega-embed are bundled in"


def test_big_timelines_are_thinned_not_refused():
    """A corpus-sized timeline (more rows than Altair inlines) still charts: conflicts
    and series first, the rest spread over time; the subtitle says so."""
    n = 12_000
    days = pd.to_datetime("2001-01-01") + pd.to_timedelta(np.arange(n) % 7000, unit="D")
    big = pd.DataFrame(
        {
            "item_id": [f"d{i}:c0" for i in range(n)],
            "kind": ["claim"] * (n // 2) + ["event"] * (n - n // 2),
            "doc_id": [f"d{i}" for i in range(n)],
            "time_start": days,
            "time_end": days + pd.Timedelta(days=1),
            "type": ["troops"] * (n // 2) + ["statement"] * (n - n // 2),
            "category": ["troops"] * (n // 2) + [None] * (n - n // 2),
            "value": np.arange(n, dtype=float),
            "source": [f"source {i % 7}" for i in range(n)],
            "label": [f"item {i}" for i in range(n)],
            "conflict": [i in (10, 11) for i in range(n)],
            "series_id": ["s0" if i in (20, 21, 22) else None for i in range(n)],
            "n_mentions": 1,
        }
    )
    conflicts = pd.DataFrame(
        {"conflict_id": [f"x{i}" for i in range(300)], "category": "troops", "claim_a": "d10:c0", "claim_b": "d11:c0",
         "value_a": 10.0, "value_b": 11.0, "low_a": 10.0, "high_a": 10.0, "low_b": 11.0, "high_b": 11.0,
         "time_start": "2001-01-11", "time_end": "2001-01-12", "gap": np.arange(300, dtype=float)}
    )  # fmt: skip
    figures = charts.figures_chart(big, max_items=3000).to_dict()
    shown = {r["item_id"] for r in _datasets(figures)[0]}
    assert len(shown) == 3000 and {"d10:c0", "d11:c0", "d20:c0", "d21:c0", "d22:c0"} <= shown
    assert any("Showing 3,000 of 6,000 figures" in line for line in figures["title"]["subtitle"])
    timeline = charts.event_timeline(big).to_dict()
    assert max(len(rows) for rows in _datasets(timeline)) == 2000
    multiples = charts.small_multiples(big, by="source").to_dict()
    assert sum(len(rows) for rows in _datasets(multiples)) <= 3000
    conflict_chart = charts.conflicts_chart(conflicts).to_dict()
    assert any("Showing the 200 widest of 300 conflicts" in line for line in conflict_chart["title"]["subtitle"])


def test_a_series_about_one_span_is_spread_across_it_in_order():
    """The seed's "over the past few years, from over 100,000 troops ... to less than
    10,000": two figures about the same years are drawn one after the other."""
    rows = [
        {"item_id": f"a:c{pos}", "kind": "claim", "time_start": "2017-08-17", "time_end": "2021-08-17",
         "value": value, "category": "troops", "series_id": "a:s0", "series_pos": pos}
        for pos, value in ((1, 10_000), (0, 100_000))
    ]  # fmt: skip
    frame, _ = claim_frame(pd.DataFrame(rows))
    when = frame.set_index("item_id")["time_mid"]
    start, end = pd.Timestamp("2017-08-17", tz="UTC"), pd.Timestamp("2021-08-17", tz="UTC")
    assert start < when["a:c0"] < when["a:c1"] < end
