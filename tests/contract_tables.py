"""Tables that follow the agreed timeline/conflicts contract, written like a run's output.

The rows are data (``tests/golden/contract_timeline.json``); this module only types them
with the contract's Arrow types and writes them as ``<table>/part-00000.parquet`` (and
``documents`` through the package's own writer), so chart, export and notebook tests
read them exactly as they would read a run that has the timeline stage.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.storage import write_table
from analysis.tables import SCHEMAS

from .conftest import load_golden

TIMELINE_SCHEMA = pa.schema(
    [
        ("item_id", pa.string()), ("kind", pa.string()), ("doc_id", pa.string()), ("sent_idx", pa.int32()),
        ("start", pa.int64()), ("end", pa.int64()), ("time_start", pa.date32()), ("time_end", pa.date32()),
        ("granularity", pa.string()), ("time_surface", pa.string()), ("time_basis", pa.string()),
        ("label", pa.string()), ("type", pa.string()), ("category", pa.string()), ("value", pa.float64()),
        ("low", pa.float64()), ("high", pa.float64()), ("qualifier", pa.string()), ("noun", pa.string()),
        ("source", pa.string()), ("title", pa.string()), ("published", pa.date32()), ("speaker", pa.string()),
        ("quoted", pa.bool_()), ("sentence", pa.string()), ("series_id", pa.string()), ("series_pos", pa.int32()),
        ("conflict", pa.bool_()), ("n_mentions", pa.int32()),
    ]
)  # fmt: skip
CONFLICTS_SCHEMA = pa.schema(
    [
        ("conflict_id", pa.string()), ("category", pa.string()), ("claim_a", pa.string()), ("claim_b", pa.string()),
        ("doc_a", pa.string()), ("doc_b", pa.string()), ("source_a", pa.string()), ("source_b", pa.string()),
        ("speaker_a", pa.string()), ("speaker_b", pa.string()), ("value_a", pa.float64()), ("value_b", pa.float64()),
        ("low_a", pa.float64()), ("high_a", pa.float64()), ("low_b", pa.float64()), ("high_b", pa.float64()),
        ("time_start", pa.date32()), ("time_end", pa.date32()), ("gap", pa.float64()),
    ]
)  # fmt: skip


def _typed(rows: list[dict], schema: pa.Schema) -> list[dict]:
    out = []
    for row in rows:
        typed = {}
        for field in schema:
            value = row.get(field.name)
            if value is not None and pa.types.is_date32(field.type):
                value = dt.date.fromisoformat(value)
            typed[field.name] = value
        out.append(typed)
    return out


def contract_rows() -> dict[str, list[dict]]:
    """The fixture's rows: documents, timeline (with source, title and published filled
    from the documents, sorted as the contract says) and conflicts."""
    data = load_golden("contract_timeline.json")
    documents = {d["doc_id"]: d for d in data["documents"]}
    timeline = []
    for row in data["timeline"]:
        doc = documents[row["doc_id"]]
        row = dict(row)
        row["source"] = doc["source"] or doc["title"] or doc["doc_id"]
        row["title"] = doc["title"]
        row["published"] = doc["published"]
        timeline.append(row)
    timeline.sort(key=lambda r: (r["time_start"] is None, r["time_start"] or "", r["kind"], r["doc_id"], r["start"]))
    return {"documents": data["documents"], "timeline": timeline, "conflicts": data["conflicts"]}


def write_contract_tables(out_dir: Path) -> Path:
    """Write the fixture as a run's output folder (documents, timeline, conflicts)."""
    rows = contract_rows()
    write_table(
        out_dir,
        "documents",
        [
            {**doc, "published": dt.date.fromisoformat(doc["published"]), "language": "en", "n_chars": 1000}
            for doc in rows["documents"]
        ],
    )
    for name, schema in (("timeline", TIMELINE_SCHEMA), ("conflicts", CONFLICTS_SCHEMA)):
        # Once the pipeline declares the table, write it as declared (more columns, null here).
        schema = SCHEMAS.get(name, schema)
        folder = Path(out_dir) / name
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(_typed(rows[name], schema), schema=schema)
        pq.write_table(table, folder / "part-00000.parquet")
    return Path(out_dir)
