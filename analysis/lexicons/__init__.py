"""Hand-edited lexicons (YAML/JSON data files next to this module), loaded once."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

import yaml

__all__ = ["load_lexicon", "trie_alternation"]


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


def trie_alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` factored by common prefixes.

    Python's ``re`` tries the branches of ``a|b|c`` one after another at every position;
    a prefix tree (``(?:sa(?:id|ys?))``) lets it drop all but one branch at the first
    character, which makes a lexicon of hundreds of words about as fast as one word.
    A space in a word matches any run of whitespace. Case follows the caller's flags.
    """
    trie: dict = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_regex(trie) if trie else "(?!)"


def _trie_regex(node: dict) -> str:
    ends_here = "" in node
    branches = []
    for char in sorted(k for k in node if k):
        piece = r"\s+" if char == " " else re.escape(char)
        rest = _trie_regex(node[char])
        branches.append(piece + rest)
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else "(?:" + body + ")?"
    return body
