"""Hand-edited lexicons (YAML/JSON data files next to this module), loaded once."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

import yaml

__all__ = ["alternation", "load_lexicon"]


@functools.cache
def load_lexicon(name: str) -> Any:
    """Parse ``analysis/lexicons/<name>`` (``.yaml``/``.yml`` or ``.json``), cached.

    Callers must not mutate what they get: the object is shared.
    """
    path = resources.files(__package__).joinpath(name)
    text = path.read_text(encoding="utf-8")
    if name.endswith(".json"):
        return json.loads(text)
    return yaml.safe_load(text)


def alternation(words: Iterable[str], case_sensitive: Iterable[str] = ()) -> str:
    """A regular expression matching any of ``words`` (longest first), built as a trie
    so that a scan fails fast on the first letter: an alternation of a hundred words is
    many times slower in Python's engine. A space in a word matches any whitespace;
    words not in ``case_sensitive`` match in any case.
    """
    exact = set(case_sensitive)
    words = [w for w in dict.fromkeys(words) if w]
    folded = _trie([w.lower() for w in words if w not in exact])
    kept = _trie([w for w in words if w in exact])
    parts = []
    if folded:
        parts.append(f"(?i:{folded})")
    if kept:
        parts.append(kept)
    return "|".join(parts) if parts else "(?!)"


def _trie(words: list[str]) -> str:
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_pattern(root)


def _trie_pattern(node: dict) -> str:
    alternatives = []
    ends = "" in node
    # longer continuations first: the regex engine takes the first alternative that fits
    for ch, child in sorted(((c, n) for c, n in node.items() if c), key=lambda item: item[0]):
        piece = r"\s+" if ch == " " else re.escape(ch)
        alternatives.append(piece + _trie_pattern(child))
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if ends else body
