"""Every compiled pattern of the time-expression stage, built once from the data files.

``lexicons/timex_rules.yaml`` holds the rules (templates with ``{placeholder}`` word
lists from ``lexicons/timex.yaml`` and ``lexicons/named_dates.yaml``). :func:`compiled`
returns:

* ``finder``: one regular expression, the alternation of all rules in priority order,
  each rule a named group ``r<i>`` (``match.lastgroup`` says which rule matched);
* ``starts``: a :class:`StartScan` that finds, in one pass, every place where some
  rule can begin, with the longest start key there (the first characters of a match,
  up to twelve, worked out from the parsed rules); :meth:`TimexPatterns.rules_for`
  gives the rules that can begin with that key, in the same priority order, so the
  first of them that matches there is the one ``finder`` would match, without trying
  seventy rules at every word;
* per rule, its pattern with its named parts and the word boundaries: the match
  found at a place is also the reading of its parts;
* the cue patterns for tense and for numbers that are not years.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import hashlib
import json
import operator
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..numbers import parse_number

try:  # the parsed form of a pattern, to know how its matches can begin
    from re import _compiler as _sre_compiler
    from re import _constants as _sre_constants
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - another Python: every rule is tried everywhere
    _sre_parser = _sre_constants = _sre_compiler = None

from ..lexicons import load_lexicon, trie_of, trie_regex

__all__ = ["Rule", "TimexPatterns", "compiled", "lexicon", "named_dates"]

_FLAGS = re.IGNORECASE
# what a cue word may not follow: a letter or digit, or an apostrophe ("don't will")
NOT_WORD = r"\w'’"
NOT_WORD_OR_STOP = r"\w."  # "No. 2012" is not a year, nor is "A.2012"
_CACHED_KEYS = 50_000
_GROUP_NAME = re.compile(r"\(\?P<([A-Za-z_]\w*)>")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class Rule:
    """One extraction rule: its name, normaliser, and pattern (with its named parts,
    wrapped in the word boundaries every span has), compiled when first used."""

    name: str
    norm: str
    source: str  # the pattern
    body: str  # the pattern without named parts or boundaries
    parts: frozenset[str]  # the names of its parts

    @property
    def pattern(self) -> re.Pattern:
        return _compiled_rule(self.source)


@functools.cache
def _compiled_rule(source: str) -> re.Pattern:
    return re.compile(source, _FLAGS)


class _MatchOnFirstUse:
    """A rule's place among the match methods until the start scan first selects the
    rule: then the rule is compiled and its pattern's match takes the place. A small
    run meets few of the rules; compiling them all took a tenth of the start-up."""

    __slots__ = ("index", "matchers", "rule")

    def __init__(self, matchers: list, index: int, rule: Rule) -> None:
        self.matchers, self.index, self.rule = matchers, index, rule

    def __call__(self, text: str, pos: int, endpos: int) -> re.Match | None:
        match = self.matchers[self.index] = self.rule.pattern.match
        return match(text, pos, endpos)


def _matchers(rules: Sequence[Rule]) -> list[Callable[..., re.Match | None]]:
    """Each rule's match method, in rule order, each compiled on first use."""
    matchers: list = []
    matchers.extend(_MatchOnFirstUse(matchers, i, rule) for i, rule in enumerate(rules))
    return matchers


@dataclass(frozen=True)
class TimexPatterns:
    rules: tuple[Rule, ...]
    future_cue: CueWords
    past_cue: CueWords
    past_participle: re.Pattern
    not_year_after: re.Pattern
    not_year_before: re.Pattern
    function_word: re.Pattern
    future_preposition: re.Pattern
    date_modifier_before: re.Pattern
    duration_modifier_before: re.Pattern
    reporting_verbs: frozenset[str]
    starts: StartScan
    # start key (see start_key) -> indexes of the rules that can begin so, in order
    rules_by_key: dict[str, tuple[int, ...]]
    always: tuple[int, ...]
    # each rule's pattern.match, in rule order (see _MatchOnFirstUse)
    matchers: list[Callable[..., re.Match | None]]
    # the text a key was found as (in its case and spacing) -> rules_for
    _by_text: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False, compare=False)

    def rules_at(self, text: str, pos: int) -> tuple[int, ...]:
        """Indexes of the rules that can begin at ``pos``, in priority order."""
        place = self.starts.anywhere.match(text, pos)
        return self.rules_for(place[1]) if place else self.always

    def rules_for(self, begins: str) -> tuple[int, ...]:
        """Indexes of the rules that can begin with ``begins`` (the key a match of
        ``starts`` found), in priority order."""
        hit = self._by_text.get(begins)
        if hit is None:
            if len(self._by_text) > _CACHED_KEYS:
                self._by_text.clear()  # memory stays flat however many texts
            hit = self._by_text[begins] = self._lookup(start_key(begins))
        return hit

    def _lookup(self, key: str) -> tuple[int, ...]:
        table = self.rules_by_key
        for n in range(len(key), 0, -1):
            hit = table.get(key[:n])
            if hit is not None:
                return hit
        return self.always

    @functools.cached_property
    def finder(self) -> re.Pattern:
        """All rules in one alternation (what :meth:`rules_at` narrows down)."""
        return re.compile(_BEFORE + "(?:" + "|".join(f"(?P<r{i}>{r.body})" for i, r in enumerate(self.rules)) + ")" + _AFTER, _FLAGS)


def lexicon() -> dict:
    return load_lexicon("timex.yaml")


def named_dates() -> dict:
    return load_lexicon("named_dates.yaml")


def _phrase(text: str) -> str:
    """A phrase as a pattern: words escaped, any whitespace between them."""
    return r"\s+".join(re.escape(w) for w in str(text).split())


# What IGNORECASE matches for an ASCII letter (for i, k and s also İ ı, K and ſ).
_CASE_CLASSES = {c: c + c.upper() for c in "abcdefghijklmnopqrstuvwxyz"} | {"i": "iI\u0130\u0131", "k": "kK\u212a", "s": "sS\u017f"}
_SPACE = " "  # a phrase's atom for the white space between its words


def _phrase_atoms(phrase: str, cased: bool) -> list[str] | None:
    """A phrase as trie atoms (characters, _SPACE between words); ``None`` when a
    non-ASCII letter has case (then only a flat alternation is sure to match as
    IGNORECASE would)."""
    atoms: list[str] = []
    for word in phrase.split():
        if atoms:
            atoms.append(_SPACE)
        for ch in word:
            if not cased and not ch.isascii() and ch.lower() != ch.upper():
                return None
            atoms.append(ch if cased else ch.lower())
    return atoms


def _atom_pattern(atom: str, cased: bool, head: bool) -> str:
    if atom == _SPACE:
        return r"\s+"
    if head and not cased and len(_CASE_CLASSES.get(atom, "")) == 2:
        # a case-sensitive class: a branch that begins with one is skipped by the
        # regex engine at a glance, one that begins with an IGNORECASE letter is
        # entered and left (a word list is tried word by word). Not for i, k, s: a
        # class with a non-ASCII letter compiles to a table of a kilobyte.
        return f"(?-i:[{_CASE_CLASSES[atom]}])"
    return re.escape(atom)


def _phrase_trie(phrases: list[str], cased: bool) -> str | None:
    """Phrases as one trie-shaped pattern that matches what their alternation, longest
    first, matches: two phrases that can match at one place are one the other's
    prefix, and a trie tries the longer first too."""
    sequences = [_phrase_atoms(phrase, cased) for phrase in phrases]
    if any(atoms is None for atoms in sequences):
        return None
    return _trie_regex(sequences, lambda atom, head: _atom_pattern(atom, cased, head))


# Letters in about the order of how many English words begin with them: a scan tries
# a trie's branches in order, so the common ones come first (the order of branches
# that exclude each other changes nothing else).
_BRANCH_ORDER = {ch: rank for rank, ch in enumerate("tasoiwcbphfmdrelnguvyjkqz")}


def _branch_rank(atom: str) -> tuple[int, str]:
    return _BRANCH_ORDER.get(atom.lower(), len(_BRANCH_ORDER)), atom


def _trie_regex(sequences: Iterable[Sequence[str]], atom_pattern: Callable[[str, bool], str]) -> str:
    """:func:`analysis.lexicons.trie_regex` with the branches in _BRANCH_ORDER."""
    return trie_regex(sequences, atom_pattern, _branch_rank)


def words(items, *, cased: bool = False) -> str:
    """An alternation of phrases, longest first, shaped like a trie (see
    :func:`_phrase_trie`), for patterns compiled with IGNORECASE. ``cased`` phrases are
    matched as written or in capitals only (names: "May" but not "may")."""
    phrases = sorted({str(i) for i in items}, key=lambda s: (-len(s), s))
    if cased:
        phrases = sorted({v for p in phrases for v in (p, p.upper())}, key=lambda s: (-len(s), s))
    trie = _phrase_trie(phrases, cased)
    alternation = trie if trie is not None else "|".join(_phrase(p) for p in phrases)
    return f"(?-i:{alternation})" if cased else f"(?:{alternation})"


def words_after(items, not_after: str) -> str:
    """``(?<![not_after])`` then :func:`words` (case-blind phrases), written so that a
    search skips ahead: the pattern begins with the case-sensitive first letters of
    the phrases, the engine's cue to look only at those characters, and the
    lookbehind follows the first letter. ``not_after`` is the body of a character
    class ("\\w'’")."""
    phrases = sorted({str(i) for i in items}, key=lambda s: (-len(s), s))
    sequences = [_phrase_atoms(p, cased=False) for p in phrases]
    if not phrases or any(not atoms for atoms in sequences):
        return rf"(?<![{not_after}]){words(phrases)}"
    rests: dict[str, list[list[str]]] = {}
    for atoms in sequences:
        rests.setdefault(atoms[0], []).append(atoms[1:])
    branches = []
    for head in sorted(rests, key=_branch_rank):
        rest = _trie_regex([r for r in rests[head] if r], lambda atom, first: _atom_pattern(atom, False, first))
        if rest and any(not r for r in rests[head]):
            rest = f"(?:{rest})?"
        # each way IGNORECASE would match the first letter, as a plain literal
        for variant in _CASE_CLASSES.get(head, head):
            branches.append(f"{re.escape(variant)}(?<![{not_after}].)(?i:{rest})")
    return "(?-i:" + "|".join(branches) + ")"


def _abbreviations(names: list[str], full: set[str]) -> list[str]:
    """Abbreviations may end with a full stop: "Aug." and "Aug"."""
    out = []
    for name in names:
        if name in full:
            out.append(re.escape(name))
        else:
            out.append(re.escape(name) + r"\.?")
            out.append(re.escape(name.upper()) + r"\.?")
    return out


def _cased_raw(alternatives: list[str]) -> str:
    return "(?-i:" + "|".join(sorted(set(alternatives), key=lambda s: (-len(s), s))) + ")"


@functools.cache
def counting_values() -> dict[str, float]:
    """The value of every word or phrase the time patterns count with: the number words
    of ``timex.yaml``, read by the number parser (:func:`analysis.numbers.parse_number`),
    and its counting words that are no numbers ("a week", "a couple of days").

    Raises:
        ValueError: a listed number word is one the number parser cannot read.
    """
    lex = lexicon()
    values = {word: parse_number(word) for word in lex["numbers"]}
    unread = [word for word, value in values.items() if value is None]
    if unread:
        raise ValueError(f"timex.yaml lists number words the number parser does not read: {unread}")
    values.update({word: float(value) for word, value in lex["counting_words"].items()})
    return values


_SPACE_OR_HYPHEN = "[\\s-]"  # a trie atom: one white space or hyphen ("twenty-one")


def _number_trie(tens: list[str], teens: list[str], ones: list[str], ones_alone: bool = True) -> str:
    """Tens (alone or joined to ones by one space or hyphen), teens and ones as one
    trie: what ``tens([\\s-]ones)?|teens|ones`` matches (without ``|ones`` unless
    ``ones_alone``), in the same order (at a place those alternatives match longest
    first too), in one pass instead of three."""
    sequences = [_phrase_atoms(w, cased=False) for w in tens + teens + (ones if ones_alone else [])]
    sequences += [_phrase_atoms(t, cased=False) + [_SPACE_OR_HYPHEN] + _phrase_atoms(o, cased=False) for t in tens for o in ones]
    return "(?:" + _trie_regex(sequences, lambda atom, head: atom if atom == _SPACE_OR_HYPHEN else _atom_pattern(atom, False, head)) + ")"


def _number_words(lex: dict) -> tuple[str, str]:
    """Patterns for spelled numbers and for spelled years."""
    numbers = counting_values()
    ones = [w for w, v in numbers.items() if 1 <= v <= 9 and " " not in w and w not in ("a", "an")]
    teens = [w for w, v in numbers.items() if 10 <= v <= 19 and " " not in w and w != "dozen"]
    tens = [w for w, v in numbers.items() if 20 <= v <= 90 and v % 10 == 0]
    ones_alt = words(ones)
    below_100 = _number_trie(tens, teens, ones)
    scaled = rf"{below_100}\s+(?:hundred|thousand)(?:\s+(?:and\s+)?{below_100})?"
    phrases = words([w for w in numbers if " " in w or w in ("a", "an", "dozen", "hundred", "thousand", "zero")])
    number = rf"(?:{scaled}|{phrases}(?:\s+and\s+a\s+half)?|{below_100})"
    centuries = words(["eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])
    year_word = (
        rf"(?:{centuries}[\s-]+(?:hundred|oh[\s-]{ones_alt}|{_number_trie(tens, teens, ones, ones_alone=False)})"
        rf"|two[\s-]+thousand(?:[\s-]+(?:and[\s-]+)?{below_100})?)"
    )
    return number, year_word


def _placeholders() -> dict[str, str]:
    lex = lexicon()
    named = named_dates()
    month_names = [n for names in lex["months"].values() for n in names]
    full_months = {names[0] for names in lex["months"].values()}
    ambiguous = set(lex["ambiguous_months"])
    weekday_full = [names[0] for names in lex["weekdays"].values()]
    weekday_abbr = [n for names in lex["weekdays"].values() for n in names[1:]]
    number_words, year_word = _number_words(lex)
    digits = r"[0-9]+(?:[.,][0-9]+)?(?:\s+[0-9]/[0-9]{1,2}|\s*½)?"
    units = lex["units"]
    unit_sg = list(units)
    unit_pl = [u["plural"] for u in units.values()]
    ordinals = lex["ordinals"]
    dom_words = [w for w, v in ordinals.items() if 1 <= v <= 31]
    seasons = list(lex["seasons"])
    season_safe = words([s for s in seasons if s != "fall"]) + "|(?-i:Fall|FALL)"
    clock = (
        r"(?:(?:[01]?[0-9]|2[0-4])(?:[:.][0-5][0-9])?\s*(?:[ap]\.\s?m\.?|[ap]m\b)"
        r"|(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?(?:\s?(?:hrs|hours|h)\b)?(?!\s*[ap]\.?m)"
        r"|(?:[01]?[0-9]|2[0-4])\s+o'clock"
        r"|(?:[01]?[0-9])\s+in\s+the\s+(?:morning|afternoon|evening)"
        rf"|{words(lex['clock_words'])})"
    )
    era = r"(?-i:B\.C\.E\.|B\.C\.?|BCE|BC|A\.D\.|AD|CE|C\.E\.)"
    return {
        "month": _cased_raw(_abbreviations(month_names, full_months)),
        "month_name": words([m for m in full_months if m not in ambiguous], cased=True),
        "month_amb": words(ambiguous, cased=True),
        "month_intro": words(lex["month_introducers"]),
        "weekday": words(weekday_full, cased=True),
        "weekday_abbr": _cased_raw([re.escape(a) + r"\." for a in weekday_abbr]),
        "dom": r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?![0-9%]|[:.,/][0-9])",
        "dom_word": words(dom_words),
        "year": r"(?:1[0-9]{3}|20[0-9]{2})(?![0-9%]|[.,:/][0-9])",
        "year_word": year_word,
        "num": rf"(?:{digits}|{number_words})",
        "num_adj": rf"(?:[0-9]+(?:\.[0-9]+)?|{number_words})",
        "vague": words(lex["vague_numbers"]),
        "unit": words(unit_sg + unit_pl),
        "unit_sg": words(unit_sg),
        "unit_pl": words(unit_pl),
        "season": words(seasons),
        "season_safe": season_safe,
        "day_part": words(lex["day_parts"]),
        "clock": clock,
        "tz": words(lex["time_zones"]),
        "date_mod": words(lex["date_modifiers"]),
        "dur_mod": words(lex["duration_modifiers"]),
        "dur_dir": words(lex["duration_directions"]),
        "rel_day": words(lex["relative_days"]),
        "rel_offset": words(lex["relative_offsets"]),
        "year_ago": words(lex["year_ago_words"]),
        "present_ref": words(lex["present_ref"]),
        "past_ref": words(lex["past_ref"]),
        "future_ref": words(lex["future_ref"]),
        "set_adverb": words(lex["set_adverbs"]),
        "temporal_adjective": words(lex["temporal_adjectives"]),
        "named_fixed": words(named["fixed"], cased=True),
        "named_yearly": words(named["yearly"], cased=True),
        "ordinal_q": r"(?:first|second|third|fourth|final|1st|2nd|3rd|4th)",
        "ordinal_word": words([w for w, v in ordinals.items() if 1 <= v <= 21]),
        "era": era,
        "era_before": r"(?-i:A\.D\.|AD)",
    }


def _expand(template: str, values: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        try:
            return values[m[1]]
        except KeyError:
            raise KeyError(f"unknown placeholder {{{m[1]}}} in timex_rules.yaml") from None

    return _PLACEHOLDER.sub(sub, template)


# Around every span: not inside a word or a number, not after a currency sign.
_NOT_AFTER = "$£€¥#@'’"
_BEFORE = rf"(?<![\w{_NOT_AFTER}])(?<![0-9][.,])"
_AFTER = r"(?![\w%@])"

# How many first characters of a place select the rules tried there: up to
# KEY_LENGTH, and about KEY_BUDGET keys per rule (or twice its SHORT_KEY-character
# ones), families of keys that multiply cut shorter (a rule that begins with a
# number and a unit word has tens of thousands of 11-character beginnings; one that
# begins with "the" needs them: "the company" is not "the coming"). Longer keys and
# larger budgets try fewer rules in vain but take longer to compile (11 and 500:
# about a second more than six-character keys, for a quarter of the rule attempts
# on news text).
KEY_LENGTH = 11
SHORT_KEY = 6
KEY_BUDGET = 500
_WILD = "\0"  # "any character may come here": a key ends
_KEY_DIGITS = str.maketrans("0123456789", "0000000000")
_WHITE_SPACE = re.compile(r"\s+")  # what a key space stands for
# the letters IGNORECASE matches with i and s that str.lower() leaves alone or
# lengthens ("İn March" begins like "in march")
_IGNORECASE_LETTERS = str.maketrans("\u0130\u0131\u017f", "iis")


def start_key(text: str) -> str:
    """The first KEY_LENGTH characters of ``text`` as rules are indexed: lower case,
    every digit ``0``, every run of white space one space."""
    key = _WHITE_SPACE.sub(" ", text.translate(_IGNORECASE_LETTERS).lower()).translate(_KEY_DIGITS)
    return key[:KEY_LENGTH]


@functools.lru_cache(maxsize=1024)
def _key_char(ch: str) -> str:
    return start_key(ch) or " "


def _charset(items) -> set[str] | None:
    """Characters of a parsed ``[...]`` as key characters, ``None`` when too many."""
    c = _sre_constants
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] < 64:
            chars.update(chr(x) for x in range(av[0], av[1] + 1))
        elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            chars.add("0")
        elif op is c.CATEGORY and av is c.CATEGORY_SPACE:
            chars.add(" ")
        else:
            return None
    keyed = {_key_char(ch) for ch in chars}
    return keyed if len(keyed) <= 40 else None


def _extended(prefixes: set[str], ch: str) -> set[str]:
    """``prefixes`` followed by the key character ``ch`` (a run of spaces is one)."""
    if ch == " ":
        return {p if p.endswith(" ") else p + " " for p in prefixes}
    return {p + ch for p in prefixes}


def _begin(nodes, prefixes: set[str], length: int, limit: float) -> set[str]:
    """Extend ``prefixes`` by what ``nodes`` (a parsed sequence) can match first, up to
    ``length`` key characters; a prefix that meets anything unlistable ends in _WILD.
    Beyond ``limit`` prefixes, the largest families are cut short (see :func:`_bound`)."""
    # _WILD only ever ends a prefix: "in" finds it sooner than endswith
    done = {p for p in prefixes if len(p) >= length or _WILD in p}
    live = prefixes - done
    items = getattr(nodes, "data", nodes)  # a parsed sequence's list of nodes
    k = 0
    while k < len(items) and live:
        op, av = items[k]
        run = _literal_run(items, k, length) if op is _sre_constants.LITERAL else ""
        if len(run) > 1 and len(done) + len(live) <= 2 * limit:
            # letters in a row extend every prefix at once: one by one, the prefixes
            # would only grow or end, never reach the bound
            grown = {(p + run)[:length] for p in live}
            ended = {p for p in grown if len(p) >= length}
            k += len(run)
        else:
            grown = _begin_node(op, av, live, length, limit)
            ended = {p for p in grown if len(p) >= length or _WILD in p}
            k += 1
        done |= ended
        live = grown - ended
        if len(done) + len(live) > 2 * limit:
            bounded = _bound(done | live, limit)
            done = {p for p in bounded if len(p) >= length or _WILD in p}
            live = bounded - done
    return done | live


def _literal_run(items, k: int, length: int) -> str:
    """The key characters of the literal nodes from ``items[k]`` on, up to ``length``
    of them, none a space (a space joins a run of spaces before it)."""
    run = []
    literal = _sre_constants.LITERAL
    while k < len(items) and len(run) < length:
        op, av = items[k]
        if op is not literal:
            break
        ch = _key_char(chr(av))
        if ch == " " or len(ch) != 1:
            break
        run.append(ch)
        k += 1
    return "".join(run)


def _begin_node(op, av, live: set[str], length: int, limit: float) -> set[str]:
    """``live`` prefixes extended by one parsed node (see :func:`_begin`)."""
    c = _sre_constants
    if op is c.LITERAL:
        return _extended(live, _key_char(chr(av)))
    if op is c.IN:
        chars = _charset(av)
        return {p + _WILD for p in live} if chars is None else set().union(*(_extended(live, ch) for ch in chars))
    if op is c.BRANCH:
        return set().union(*(_begin(alternative, live, length, limit) for alternative in av[1]))
    if op is c.SUBPATTERN:
        return _begin(av[3], live, length, limit)
    if op is c.ATOMIC_GROUP:
        return _begin(av, live, length, limit)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, body = av
        result = set(live) if low == 0 else set()
        current = live
        most = min(high, length + 1)
        for count in range(1, most + 1):
            grown = _begin(body, current, length, limit)
            if grown == current:
                # a fixed point ("\s+": one key space; every prefix complete): the
                # later repetitions give the same prefixes
                if most >= low:
                    result |= grown
                break
            current = grown
            if count >= low:
                result |= current
        return result
    if op is c.ASSERT and av[0] == 1:
        # a lookahead: what comes next begins as it says, and then anything
        return {q if q.endswith(_WILD) or len(q) >= length else q + _WILD for q in _begin(av[1], live, length, limit)}
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return live  # zero width, or a condition on what comes before
    return {p + _WILD for p in live}


def _bound(prefixes: set[str], limit: float) -> set[str]:
    """Fewer than ``limit`` prefixes: families of prefixes that share their first ``n``
    characters are cut to those, the largest first, ``n`` from KEY_LENGTH - 1 down to
    SHORT_KEY until few enough. Numbers and word lists multiply prefixes ("the coming
    two", "the coming 00", ...): they lose their tails while the others keep their
    length ("the coming" is not "the company")."""
    bounded = set(prefixes)
    for n in range(KEY_LENGTH - 1, SHORT_KEY - 1, -1):
        # the prefixes whose key is longer than n (_WILD only ever ends a prefix), by
        # their first n characters: how many share each
        longer = [p for p in bounded if len(p) > n + 1 or (len(p) == n + 1 and p[-1] != _WILD)]
        sizes = collections.Counter(map(operator.itemgetter(slice(n)), longer))
        # the largest first, until few enough; a family of one is never cut
        size = len(bounded)
        cut = set()
        for negative_size, family in sorted((-k, family) for family, k in sizes.items() if k > 1):
            if size <= limit:
                break
            size += negative_size + (family + _WILD not in bounded)
            cut.add(family)
        if cut:
            bounded.difference_update([p for p in longer if p[:n] in cut])
            bounded.update(family + _WILD for family in cut)
        if size <= limit:
            break
    return bounded


def _keys(parsed: list, length: int, limit: float = float("inf")) -> set[str] | None:
    keys = set()
    for prefix in _begin(parsed, {""}, length, limit):
        key = prefix.split(_WILD)[0]
        if not key:
            return None
        keys.add(key)
    return keys


def first_keys(body: str, length: int = KEY_LENGTH, limit: float = float("inf")) -> set[str] | None:
    """Start keys (see :func:`start_key`) one of which begins every match of
    ``body``, up to ``length`` key characters (and about ``limit`` keys, see
    :func:`_bound`); a shorter key stands for any continuation. ``None`` when a
    match may begin with anything."""
    if _sre_parser is None:
        return None
    parsed = list(_sre_parser.parse(body, _FLAGS))
    short = _keys(parsed, SHORT_KEY)
    if short is None or len(short) > 2 * limit:
        return short  # already more keys than _bound keeps: longer ones would be cut
    # room to keep what tells apart beginnings that share six characters
    return _keys(parsed, length, max(limit, 2 * len(short)))


def _key_atom(ch: str, head: bool) -> str:
    return r"\s+" if ch == " " else "[0-9]" if ch == "0" else re.escape(ch)


def _trie_pattern(keys: set[str]) -> str:
    """One pattern that matches the longest of ``keys`` (key characters: a space is
    any white space, ``0`` any digit) that begins the text (the branches of a key
    trie exclude each other)."""
    return _trie_regex(keys, _key_atom)


def _trie_nodes(keys: Iterable[str], state) -> list:
    """The parsed form of ``_trie_pattern(keys)`` (what Python's regex parser makes of
    it: the same compiled code), built from the trie itself: writing and parsing the
    pattern of twenty thousand keys took most of the stage's start-up."""
    c = _sre_constants
    root = trie_of(keys)
    space = (c.MAX_REPEAT, (1, c.MAXREPEAT, _sre_parser.SubPattern(state, [(c.IN, [(c.CATEGORY, c.CATEGORY_SPACE)])])))
    digit = (c.IN, [(c.RANGE, (ord("0"), ord("9")))])

    def atom(ch: str) -> tuple:
        return space if ch == " " else digit if ch == "0" else (c.LITERAL, ord(ch))

    def emit(node: dict) -> list:
        nodes = []
        while "" not in node and len(node) == 1:  # one way on: no branch, no end
            ((ch, node),) = node.items()
            nodes.append(atom(ch))
        chars = [ch for ch in node if ch]
        if len(chars) > 1:
            chars.sort(key=_branch_rank)
        branches = [[atom(ch), *emit(node[ch])] for ch in chars]
        if not branches:
            return nodes
        if len(branches) == 1:
            body = branches[0]
        elif all(len(b) == 1 and b[0][0] in (c.LITERAL, c.IN) for b in branches):
            # single characters: the parser makes a set of them
            members = [m for b in branches for m in ([b[0]] if b[0][0] is c.LITERAL else b[0][1])]
            body = [(c.IN, _sre_parser._uniq(members))]
        else:
            body = [(c.BRANCH, (None, [_sre_parser.SubPattern(state, b) for b in branches]))]
        if "" in node:  # a key ends here: "(?:body)?"
            body = [(c.MAX_REPEAT, (0, 1, _sre_parser.SubPattern(state, body)))]
        nodes.extend(body)
        return nodes

    return emit(root)


def lowered_as_ignorecase(low: str) -> bool:
    """Whether IGNORECASE matches key letters in a lowered text (whose length did not
    change) just where they are: not so with ı or ſ, which it reads as i and s (İ
    lengthens when lowered)."""
    return "\u0131" not in low and "\u017f" not in low


# Where the scan patterns hold the keys: a lookahead whose group 1 is the longest key
# (a placeholder character no key holds, replaced by the keys' parsed nodes)
_KEY_SLOT = r"(?=(\x00))"

# The ASCII characters a place may follow (not a word character, nor in _NOT_AFTER).
_ASCII_SEPARATORS = frozenset(chr(i) for i in range(128) if not re.match(r"\w", chr(i)) and chr(i) not in _NOT_AFTER)


@dataclass(frozen=True)
class StartScan:
    """Finds, in one pass, the places where some rule can begin and the longest key
    there (group 1 of the patterns: see :func:`start_key`).

    The scan runs on ``text.lower()`` with a case-sensitive pattern when lowering
    keeps every offset and matches what IGNORECASE would, and it looks for the
    character before a place rather than for the place: a word character is then
    skipped in the engine's tight loop and a word start costs one attempt, where
    lookbehinds at every character and IGNORECASE branches cost four times as much.
    A non-ASCII character before a place (a curly quote, a dash) is let through by
    the pattern and checked here: it is rare, and listing every non-word character
    of Unicode in the pattern would make the engine test each one.
    """

    keys: frozenset[str] | None  # None: some rule may begin with anything

    @functools.cached_property
    def key_pattern(self) -> str:
        """Group 1 of the patterns: the longest key (any non-space without keys)."""
        return r"\S" if self.keys is None else _trie_pattern(self.keys)

    @functools.cached_property
    def after_separator(self) -> re.Pattern:
        """On the lowered text after one space: an ASCII separator (or any non-ASCII
        character), then a key."""
        separators = "".join("\\" + ch if ch in "\\]^-[" else ch for ch in sorted(_ASCII_SEPARATORS))
        return self._compile(f"[{separators}\\x80-\\U0010ffff](?<![0-9][.,])" + _KEY_SLOT)

    @functools.cached_property
    def anywhere(self) -> re.Pattern:
        """On the text itself, IGNORECASE, with the word boundaries of every rule."""
        return self._compile(_BEFORE + _KEY_SLOT, _FLAGS)

    def _compile(self, wrapper: str, flags: int = 0) -> re.Pattern:
        """``wrapper`` with the key pattern in place of _KEY_SLOT's group, put there
        as parsed nodes (see :func:`_trie_nodes`) where Python's parser is at hand."""
        if self.keys is None or _sre_compiler is None:
            return re.compile(wrapper.replace(_KEY_SLOT, f"(?=({self.key_pattern}))"), flags)
        return _sre_compiler.compile(self.parsed(wrapper, flags), flags)

    def parsed(self, wrapper: str, flags: int = 0):
        """The parsed form of ``wrapper`` with the keys' nodes in _KEY_SLOT's group."""
        c = _sre_constants
        tree = _sre_parser.parse(wrapper, flags)
        (op, (direction, lookahead)) = tree.data[-1]
        ((group_op, (group, _, _, slot)),) = lookahead.data
        if (op, direction, group_op, group, slot.data) != (c.ASSERT, 1, c.SUBPATTERN, 1, [(c.LITERAL, 0)]):
            raise ValueError(f"{wrapper!r} does not end with the key slot")
        slot.data[:] = _trie_nodes(self.keys, tree.state)
        slot.width = None  # measured on the placeholder when the parser closed the group
        tree.state.groupwidths[1] = slot.getwidth()
        return tree

    def places(self, text: str) -> Iterator[re.Match]:
        """A match at every place, in text order: the place is ``m.end() - 1`` (the
        matches are in the text after one added space) and ``m[1]`` its key as
        written (maybe lowered)."""
        low = text.lower()
        if len(low) != len(text) or not (low.isascii() or lowered_as_ignorecase(low)):
            return self.anywhere.finditer(" " + text)  # the space passes _BEFORE as the start does
        found = self.after_separator.finditer(" " + low)
        if low.isascii():
            return found
        return (m for m in found if _may_precede(m[0]))


def _may_precede(ch: str) -> bool:
    """Whether a place may follow ``ch`` (the added space, or a character of the
    text): not a word character, nor in _NOT_AFTER."""
    return ch in _ASCII_SEPARATORS or not (ch.isascii() or ch.isalnum() or ch in _NOT_AFTER)


@dataclass(frozen=True)
class CueWords:
    """A list of cue words ("will", "said") read in short stretches of text around a
    time expression, whole words (not after a letter, digit or apostrophe). In a
    lowered stretch that reads as IGNORECASE would (see :func:`lowered_as_ignorecase`)
    a case-sensitive pattern of plain letters is used: twice as fast."""

    anywhere: re.Pattern  # IGNORECASE, on any text
    lowered: re.Pattern | None  # on lowered text

    @classmethod
    def of(cls, items) -> CueWords:
        sequences = [_phrase_atoms(str(item), cased=False) for item in items]
        lowered = None
        if all(sequences):
            plain = _trie_regex(sequences, lambda atom, head: r"\s+" if atom == _SPACE else re.escape(atom))
            lowered = re.compile(rf"(?<![{NOT_WORD}])(?:{plain})(?!\w)")
        return cls(re.compile(rf"{words_after(items, NOT_WORD)}(?!\w)", _FLAGS), lowered)

    def _pattern_for(self, text: str) -> tuple[re.Pattern, str]:
        if self.lowered is not None:
            low = text.lower()
            if len(low) == len(text) and (low.isascii() or lowered_as_ignorecase(low)):
                return self.lowered, low
        return self.anywhere, text

    def finditer(self, text: str) -> Iterator[re.Match]:
        """Cues in ``text`` (offsets into it; the matched words may be lowered)."""
        pattern, searched = self._pattern_for(text)
        return pattern.finditer(searched)

    def search(self, text: str) -> re.Match | None:
        pattern, searched = self._pattern_for(text)
        return pattern.search(searched)

    def fullmatch(self, text: str) -> re.Match | None:
        return self.anywhere.fullmatch(text)


@functools.cache
def compiled() -> TimexPatterns:
    """All patterns of the stage, compiled once per process."""
    with _without_cycle_collection():
        return _compile_all()


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """The cycle collector paused: building the patterns makes hundreds of thousands
    of short-lived acyclic objects (prefix sets, parsed nodes), and each generation
    of them made it walk every object alive (a fifth of the start-up)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# The start keys of each rule (:func:`first_keys`) take half of the patterns'
# start-up to work out, and follow from the rules and this module alone: they are
# kept in this file (made by ``python -m analysis.timexes``), used while its
# stamp is that of the rules and code at hand, and worked out again otherwise.
RULE_KEYS_FILE = Path(__file__).with_name("rule_keys.json")


def _rules() -> list[Rule]:
    values = _placeholders()
    rules = []
    for spec in load_lexicon("timex_rules.yaml")["rules"]:
        body = _expand(spec["pattern"], values)
        plain = _GROUP_NAME.sub("(?:", body)
        parts = frozenset(m[1] for m in _GROUP_NAME.finditer(body))
        rules.append(Rule(spec["name"], spec["norm"], _BEFORE + "(?:" + body + ")" + _AFTER, plain, parts))
    return rules


def _keys_stamp(bodies: Sequence[str]) -> str:
    """What the start keys of rules with these (plain) ``bodies`` follow from: the
    bodies, the key settings, this module's code and the regex parser's version."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(json.dumps([list(sys.version_info[:2]), KEY_LENGTH, SHORT_KEY, KEY_BUDGET, list(bodies)]).encode())
    return digest.hexdigest()


def rule_keys(bodies: Sequence[str]) -> list[set[str] | None]:
    """The start keys of each rule body (:func:`first_keys`, with the stage's key
    settings): from :data:`RULE_KEYS_FILE` when it was made from the same rules and
    code, else worked out."""
    try:
        saved = json.loads(RULE_KEYS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    if saved.get("stamp") == _keys_stamp(bodies) and len(saved.get("keys", ())) == len(bodies):
        return [None if keys is None else set(keys) for keys in saved["keys"]]
    return _worked_out_keys(bodies)


def _worked_out_keys(bodies: Sequence[str]) -> list[set[str] | None]:
    return [first_keys(body, KEY_LENGTH, KEY_BUDGET) for body in bodies]


def write_rule_keys(path: Path = RULE_KEYS_FILE) -> Path:
    """Work out the start keys of the rules and save them (sorted, so the file only
    changes when they do) with their stamp in ``path``."""
    bodies = [rule.body for rule in _rules()]
    keys = _worked_out_keys(bodies)
    saved = {"stamp": _keys_stamp(bodies), "keys": [None if k is None else sorted(k) for k in keys]}
    path.write_text(json.dumps(saved, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def _compile_all() -> TimexPatterns:
    lex = lexicon()
    rules = _rules()
    keys_of = rule_keys([rule.body for rule in rules])
    always = tuple(i for i, keys in enumerate(keys_of) if keys is None)
    all_keys = set().union(*(k for k in keys_of if k))
    direct: dict[str, set[int]] = {}
    for i, keys in enumerate(keys_of):
        for key in keys or ():
            direct.setdefault(key, set()).add(i)
    rules_by_key = {}
    for key in all_keys:
        # a rule whose key is this one or a prefix of it can begin here
        hits = set(always).union(*(direct.get(key[:n], ()) for n in range(1, len(key) + 1)))
        rules_by_key[key] = tuple(sorted(hits))
    # group 1: the longest key at the place, what selects the rules tried there
    starts = StartScan(None if always else frozenset(all_keys))
    starts.after_separator  # compiled now, with the rest
    return TimexPatterns(
        rules=tuple(rules),
        future_cue=CueWords.of(lex["future_cues"]),
        past_cue=CueWords.of(lex["past_cues"]),
        past_participle=re.compile(r"(?<![\w'’-])(?-i:[a-z]{2,}ed)(?![\w-])"),
        date_modifier_before=re.compile(rf"{words_after(lex['date_modifiers'], NOT_WORD + '-')}[\s-]*$", _FLAGS),
        duration_modifier_before=re.compile(rf"{words_after(lex['duration_modifiers'], NOT_WORD + '-')}\s+$", _FLAGS),
        reporting_verbs=frozenset(v.lower() for v in load_lexicon("speech.yaml")["reporting_verbs"]),
        future_preposition=re.compile(rf"{words_after(lex['future_prepositions'], NOT_WORD)}\s+(?:the\s+)?$", _FLAGS),
        function_word=re.compile(rf"\s+{words(lex['function_words'])}(?!\w)|\s*(?:[^\w\s]|$)", _FLAGS),
        not_year_after=re.compile(rf"{words_after(lex['not_year_after'], NOT_WORD_OR_STOP)}\s*$", _FLAGS),
        not_year_before=re.compile(rf"^\s*{words(lex['not_year_before'])}(?!\w)", _FLAGS),
        starts=starts,
        rules_by_key=rules_by_key,
        always=always,
        matchers=_matchers(rules),
    )


# ------------------------------------------------------------------ fixed patterns
# The small patterns of the normalisers and the TIMEX3 value grammar, compiled here
# with the rules so that every pattern of the stage is in one place.

# a clause ends at punctuation or a coordinating word ("said it would, and ...")
CLAUSE_BREAK = re.compile(r"[,;:()\"“”—–]|\s-\s|\b(?:and|but|while|whereas)\b")
# the word right before a date, unless an auxiliary precedes it ("will be paid")
VERB_BEFORE_DATE = re.compile(
    r"(?<!\bwill )(?<!\bwould )(?<!\bbe )(?<!\bis )(?<!\bare )(?<!\bbeen )(?<!\bhas )(?<!\bhave )(?<!\bto )(?<!\bmust )"
    r"\b(\w+)\s+(?:(?:on|in)\s+)?$",
    re.IGNORECASE,
)
LEADING_NUMBER = re.compile(r"\d+")
PLAIN_DIGITS = re.compile(r"[\d.]+")
SPACES_OR_HYPHENS = re.compile(r"[\s-]+")
CLOCK_NUMBER = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?")
HYPHENATED_QUARTER = re.compile(r"\w-quarter")
CURRENCY_BEFORE = re.compile(r"\$\s?$")
LETTER_HYPHEN_BEFORE = re.compile(r"[A-Za-z]-$")
# "1500, 2000 and 2500 troops": a number in a list of counts
COUNT_LIST_AFTER = re.compile(r"\s*(?:,|and|or|to)\s*\d{1,3}(?:,\d{3})*\s+[a-z]")
AGE_AFTER = re.compile(r"\s+old\b|[\s-]old\b")
# "$500 million a year", "four flights a week": a rate
RATE_BEFORE = re.compile(
    r"(?:\d|\b(?:million|billion|thousand|hundred|dozen|percent|cents?|dollars?|times|flights|seats|shares|hours|days))\S*\s+(?:\S+\s+)?$",
    re.IGNORECASE,
)
# words that place a bare duration on the calendar: "over two decades"
PLACING_WORDS = re.compile(r"(?:over|in|during|throughout|for|across|within)\s+(?:the\s+)?$", re.IGNORECASE)

# TIMEX3 values
CALENDAR_VALUE = re.compile(
    r"""^(?:
        (?P<bc>BC)(?P<bc_year>\d{1,4})
      | (?P<century>\d{2})
      | (?P<decade>\d{3})
      | (?P<year>\d{4})
        (?:-(?:
            W(?P<week>\d{1,2})(?P<weekend>-WE)?
          | Q(?P<quarter>[1-4])
          | H(?P<half>[12])
          | (?P<season>SP|SU|FA|WI)
          | (?P<month>\d{2})(?:-(?P<day>\d{2})
              (?:T(?:(?P<part>MO|AF|EV|NI|DT)|(?P<hour>\d{2})(?::(?P<minute>\d{2}))?(?::\d{2})?))?)?
        ))?
    )$""",
    re.VERBOSE,
)
DURATION_VALUE = re.compile(
    r"^P(?:(?P<date>(?:(?:\d+(?:\.\d+)?|X)(?:DE|CE|ML|Y|M|W|D|Q|L|E|C))+))?(?:T(?P<time>(?:(?:\d+(?:\.\d+)?|X)[HMS])+))?$"
)
DURATION_PART = re.compile(r"(\d+(?:\.\d+)?|X)(DE|CE|ML|Y|M|W|D|Q|L|E|C|H|S)")
PADDED_DECADE = re.compile(r"(\d{1,3})X+")
SHORT_WEEK = re.compile(r"(\d{4}-W)(\d)(\b.*)")
