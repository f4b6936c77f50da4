"""Fact & figure timelines: dated events and numeric claims from news articles.

The pipeline flows one way: documents -> sentences -> mentions (time expressions,
quantities) -> facts (claims, events) -> timeline -> charts. Each stage is a function of
one document; :func:`run_corpus` streams a corpus through all of them and writes the
tables (Parquet and CSV); :func:`query` runs SQL over them (DuckDB on the Parquet).
"""

__version__ = "0.1.0"

from .claims import Claim, extract_claims
from .conflicts import find_conflicts
from .corpus import Corpus, CorpusError, Document, Reject, iter_corpus, load_corpus, parse_published
from .dedup import cluster_mentions, mention_words
from .events import Event, extract_events
from .numbers import NumberSpan, find_numbers, find_numbers_in, parse_number
from .pipeline import PIPELINE_VERSION, DocumentResult, process_document
from .quantities import Quantity, extract_quantities
from .query import connect, query
from .run import RunSummary, StrictModeError, run_corpus
from .sentences import QuoteSpan, Sentence, find_quotes, split_sentences
from .settings import Columns, Settings
from .storage import read_table
from .tables import to_frame
from .timeline import build_corpus_tables, run_corpus_step
from .timexes import Timex, extract_timexes, timex_stage, value_interval

__all__ = [
    "Claim",
    "Columns",
    "Corpus",
    "CorpusError",
    "Document",
    "DocumentResult",
    "Event",
    "NumberSpan",
    "PIPELINE_VERSION",
    "Quantity",
    "QuoteSpan",
    "Reject",
    "RunSummary",
    "Sentence",
    "Settings",
    "StrictModeError",
    "Timex",
    "__version__",
    "build_corpus_tables",
    "cluster_mentions",
    "extract_claims",
    "extract_events",
    "extract_quantities",
    "extract_timexes",
    "find_conflicts",
    "find_numbers",
    "find_numbers_in",
    "connect",
    "find_quotes",
    "iter_corpus",
    "load_corpus",
    "mention_words",
    "parse_number",
    "parse_published",
    "process_document",
    "query",
    "read_table",
    "run_corpus",
    "run_corpus_step",
    "split_sentences",
    "timex_stage",
    "to_frame",
    "value_interval",
]
