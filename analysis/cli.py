"""Command line: ``python -m analysis COMMAND ...``.

Bad input and bad arguments end with a one-line message and a non-zero exit (2 for
usage, 1 for a strict-mode rejection or a failed check), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from . import __version__
from .corpus import CorpusError, parse_published
from .query import MEMORY_SIZE
from .settings import Columns, Settings

__all__ = ["main"]

EVALUATION_KINDS = {
    "timex": "analysis.evaluation.timex",
    "quantities": "analysis.evaluation.quantities",
    "claims": "analysis.evaluation.claims",
    "events": "analysis.evaluation.events",
}


def _date_arg(value: str):
    try:
        return parse_published(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("reading the input")
    group.add_argument(
        "--published",
        type=_date_arg,
        metavar="DATE",
        help="publication date (YYYY-MM-DD) for articles that lack one; without it they are rejected",
    )
    group.add_argument(
        "--encoding-fallback",
        metavar="CODEC",
        help="decode files that are not UTF-8 with this codec (e.g. cp1252) instead of rejecting them",
    )
    defaults = Columns()
    meanings = {
        "text": "the article text",
        "published": "the publication date",
        "doc_id": "the article id",
        "title": "the headline",
        "source": "the outlet",
        "url": "the address",
    }
    for name, meaning in meanings.items():
        group.add_argument(
            f"--{name.replace('_', '-')}-column",
            dest=f"{name}_column",
            default=getattr(defaults, name),
            metavar="NAME",
            help=f"column of JSONL/CSV/Parquet inputs holding {meaning} (default: %(default)s)",
        )


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def _memory_size(value: str) -> str:
    if not MEMORY_SIZE.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an amount of memory such as 512MB or 2GB")
    return value.strip()


def _add_scale_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("large corpora")
    group.add_argument(
        "--workers", type=_positive_int, metavar="N", help="worker processes (default: one per core)"
    )
    group.add_argument(
        "--batch-size",
        type=_positive_int,
        default=Settings().batch_size,
        metavar="N",
        help="documents per batch handed to a worker and per Parquet part (default: %(default)s)",
    )
    group.add_argument(
        "--corpus-memory",
        type=_memory_size,
        default=Settings().corpus_memory,
        metavar="SIZE",
        help="memory of the corpus step (de-duplication, conflicts, timeline) before it spills "
        "to disk, e.g. 512MB or 2GB (default: %(default)s)",
    )
    group.add_argument(
        "--engine",
        choices=["local", "dask"],
        default=None,
        help="local worker processes (default), or a Dask cluster (needs pip install -e '.[dask]')",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --engine dask; "
        "without it, --engine dask starts a LocalCluster)",
    )
    group.add_argument(
        "--rebuild",
        action="store_true",
        help="process every document again (by default only new and changed ones are)",
    )
    group.add_argument(
        "--csv",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep <table>.csv beside the Parquet (default: yes; --no-csv for large corpora)",
    )


def _settings_from(args: argparse.Namespace) -> Settings:
    columns = Columns(
        text=args.text_column,
        published=args.published_column,
        doc_id=args.doc_id_column,
        title=args.title_column,
        source=args.source_column,
        url=args.url_column,
    )
    return Settings(
        published=args.published,
        encoding_fallback=args.encoding_fallback,
        columns=columns,
        strict=getattr(args, "strict", False),
        progress=getattr(args, "progress", None),
        workers=getattr(args, "workers", None),
        batch_size=getattr(args, "batch_size", Settings().batch_size),
        corpus_memory=getattr(args, "corpus_memory", Settings().corpus_memory),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description=(
            "Fact & figure timelines: turn news articles into tables of dated events and "
            "numeric claims, and chart them."
        ),
        epilog="Run `python -m analysis COMMAND --help` for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="extract the tables from a folder or file of articles",
        description=(
            "Read articles (a folder of .md/.txt files with optional YAML front matter and of "
            ".jsonl/.csv/.parquet files with one article a row, or one such file), run the pipeline "
            "in worker processes and write every table as Parquet and CSV. Inputs that cannot be used "
            "are listed in the rejects table with the reason; the others are processed. Run again on "
            "the same --out and only new or changed articles are processed; an interrupted run "
            "continues where it stopped."
        ),
    )
    run.add_argument("path", type=Path, help="folder of articles, or one article or table file")
    run.add_argument(
        "--out", type=Path, default=Path("data/processed"), metavar="DIR", help="output folder (default: %(default)s)"
    )
    run.add_argument("--strict", action="store_true", help="stop with exit status 1 at the first rejected input")
    run.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress: documents, KB/s, rejects, ETA (default: on a terminal, when there are more than a handful of articles)",
    )
    _add_scale_options(run)
    _add_input_options(run)

    query = commands.add_parser(
        "query",
        help="SQL over the tables of a run (DuckDB on the Parquet files)",
        description=(
            "Run one SQL statement over the tables written by `run` (each table is a view over its "
            "Parquet parts, so large outputs are read in place). Example: "
            "python -m analysis query \"SELECT speaker, count(*) AS n FROM sentences GROUP BY ALL ORDER BY n DESC\""
        ),
    )
    query.add_argument("sql", help="the SQL statement; tables by name (documents, sentences, rejects, ...)")
    query.add_argument(
        "--out", type=Path, default=Path("data/processed"), metavar="DIR", help="the tables' folder, as given to run --out (default: %(default)s)"
    )
    query.add_argument(
        "--format",
        choices=["table", "csv", "jsonl"],
        default="table",
        help="table: the first --max-rows rows, aligned; csv or jsonl: every row, streamed (default: %(default)s)",
    )
    query.add_argument("--max-rows", type=_positive_int, default=50, metavar="N", help="rows shown by --format table (default: %(default)s)")
    query.add_argument(
        "--save", type=Path, metavar="FILE", help="write every row to FILE instead (.csv, .jsonl or .parquet, by its suffix)"
    )

    evaluate = commands.add_parser(
        "evaluate",
        help="score the pipeline against a gold file",
        description="Score the pipeline against a gold JSONL file (formats: ../shared/eval/README.md).",
    )
    evaluate.add_argument("kind", choices=sorted(EVALUATION_KINDS), help="what to evaluate")
    evaluate.add_argument("gold", type=Path, help="gold JSONL file")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of a report")

    chart = commands.add_parser(
        "chart",
        help="export the charts and a TimelineJS file from the tables of a run",
        description=(
            "Chart the tables of a run (the timeline of events and figures, conflicts) and write each "
            "chart as offline HTML (scripts inlined), PNG, SVG and Vega-Lite JSON, plus a TimelineJS "
            "JSON file. Nothing is fetched from the network."
        ),
    )
    chart.add_argument(
        "--tables", type=Path, default=Path("data/processed"), metavar="DIR",
        help="output folder of `run` to read (default: %(default)s)",
    )  # fmt: skip
    chart.add_argument(
        "--out", type=Path, default=Path("data/charts"), metavar="DIR", help="where to write (default: %(default)s)"
    )
    chart.add_argument(
        "--format", dest="formats", default="html,png,svg,json,timelinejs", metavar="LIST",
        help="comma-separated formats among html, png, svg, json, timelinejs (default: %(default)s)",
    )  # fmt: skip
    return parser


def _run(args: argparse.Namespace) -> int:
    from .engines import EngineError
    from .engines.manifest import OutputLocked
    from .engines.steps import CorpusStepError
    from .run import StrictModeError, run_corpus

    settings = _settings_from(args)
    engine = args.engine or ("dask" if args.scheduler else "local")
    if args.scheduler and engine != "dask":
        print("error: --scheduler is for --engine dask", file=sys.stderr)
        return 2
    try:
        summary = run_corpus(
            args.path, args.out, settings, engine=engine, scheduler=args.scheduler, rebuild=args.rebuild, csv=args.csv
        )
    except StrictModeError as exc:
        print(f"error (--strict): {exc}", file=sys.stderr)
        return 1
    except (OutputLocked, EngineError, CorpusStepError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(summary.format())
    return 0


def _query(args: argparse.Namespace) -> int:
    import duckdb

    from .query import connect, write_result
    from .storage import table_names

    try:
        connection = connect(args.out)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with connection:
        try:
            relation = connection.sql(args.sql)
            if relation is None:
                return 0
            write_result(relation, args.format, sys.stdout, save=args.save, max_rows=args.max_rows)
        except duckdb.Error as exc:
            tables = ", ".join(table_names(args.out))
            first_line = str(exc).strip().splitlines()[0]
            print(f"error: {first_line} (tables in {args.out}: {tables})", file=sys.stderr)
            return 2
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    if not args.gold.is_file():
        print(f"error: {args.gold}: no such gold file", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(EVALUATION_KINDS[args.kind])
    except ModuleNotFoundError as exc:
        if exc.name == EVALUATION_KINDS[args.kind]:
            print(f"error: evaluation of {args.kind} is not available in this version", file=sys.stderr)
            return 2
        raise
    try:
        report = module.evaluate(args.gold)
    except ValueError as exc:
        print(f"error: {args.gold}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        print(module.format_report(report))
    return 0


def _chart(args: argparse.Namespace) -> int:
    from .export import export_run

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    try:
        summary = export_run(args.tables, args.out, formats)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary.format())
    return 0


COMMANDS = {"run": _run, "query": _query, "evaluate": _evaluate, "chart": _chart}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        resume = "; run the same command again to continue (finished batches are kept)" if args.command == "run" else ""
        print(f"interrupted{resume}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
