"""Hand-edited lexicons (YAML/JSON data files next to this module), loaded once."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from typing import Any

import yaml

__all__ = ["alternation", "load_lexicon", "trie_of", "trie_regex"]


@functools.cache
def load_lexicon(name: str) -> Any:
    """Parse ``analysis/lexicons/<name>`` (``.yaml``/``.yml`` or ``.json``), cached.

    Callers must not mutate what they get: the object is shared.
    """
    path = resources.files(__package__).joinpath(name)
    text = path.read_text(encoding="utf-8")
    if name.endswith(".json"):
        return json.loads(text)
    return yaml.load(text, Loader=_SafeLoader)


# libyaml's parser when PyYAML was built with it: the same objects as the pure-Python
# safe loader, ten times sooner (0.2 s of every process's start-up for all lexicons).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    return trie_regex(words, lambda ch, branching: r"\s+" if ch == " " else re.escape(ch))


def trie_of(sequences: Iterable[Sequence[str]]) -> dict:
    """Sequences of atoms as a trie: nested dicts from atom to node; ``""`` in a node
    marks the end of a sequence."""
    root: dict = {}
    for atoms in sequences:
        node = root
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[""] = {}
    return root


def trie_regex(
    sequences: Iterable[Sequence[str]],
    atom_pattern: Callable[[str, bool], str],
    order: Callable[[str], Any] | None = None,
) -> str:
    """One pattern for sequences of atoms (the characters of words, say), shaped like a
    trie: at each branching one branch per next atom, ``atom_pattern(atom,
    branching)`` (``branching``: the node has several), in ``order`` (sorted by
    default); a sequence that goes on comes before one that ends there (the regex
    engine takes the first alternative that fits: longer matches first)."""
    root = trie_of(sequences)

    def emit(node: dict) -> str:
        atoms = sorted((atom for atom in node if atom), key=order)
        branching = len(atoms) > 1
        branches = [atom_pattern(atom, branching) + emit(node[atom]) for atom in atoms]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)
