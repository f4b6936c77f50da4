"""Fact & figure timelines: dated events and numeric claims from news articles.

The pipeline flows one way: documents -> sentences -> mentions (time expressions,
quantities) -> facts (claims, events) -> timeline -> charts. Each stage is a function of
one document; :func:`run_corpus` streams a corpus through all of them and writes the
tables (Parquet and CSV); :func:`query` runs SQL over them (DuckDB on the Parquet).
"""

__version__ = "0.1.0"

from .corpus import Corpus, CorpusError, Document, Reject, iter_corpus, load_corpus, parse_published
from .pipeline import PIPELINE_VERSION, DocumentResult, process_document
from .query import connect, query
from .run import RunSummary, StrictModeError, run_corpus
from .sentences import QuoteSpan, Sentence, find_quotes, split_sentences
from .settings import Columns, Settings
from .storage import read_table
from .tables import to_frame

__all__ = [
    "PIPELINE_VERSION",
    "Columns",
    "Corpus",
    "CorpusError",
    "Document",
    "DocumentResult",
    "QuoteSpan",
    "Reject",
    "RunSummary",
    "Sentence",
    "Settings",
    "StrictModeError",
    "__version__",
    "connect",
    "find_quotes",
    "iter_corpus",
    "load_corpus",
    "parse_published",
    "process_document",
    "query",
    "read_table",
    "run_corpus",
    "split_sentences",
    "to_frame",
]
