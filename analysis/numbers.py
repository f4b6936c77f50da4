"""Numbers written in digits, in words or both: "1,000", "2.4 million", "$5.4m",
"one and a half", "a third", "twenty-one trillion", "tens of thousands", "3 dozens".

Usable on its own:

>>> parse_number("one and a half")
1.5
>>> [(n.surface, n.value) for n in find_numbers("from over 100,000 troops down to zero")]
[('100,000', 100000.0), ('zero', 0.0)]

The words come from ``lexicons/numbers.yaml``. Scanning is two steps: one regular
expression finds the atoms (a digit string, a number word, a connector such as "and",
"point", "over"), consecutive atoms joined only by spaces, hyphens or connectors form a
chunk, and a small parser reads each chunk into one or more numbers ("3 hundred and 2
hundred" is two numbers, "one hundred and three and two thirds" is one). Every value
returned is finite.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .lexicons import alternation, load_lexicon

__all__ = ["NumberSpan", "currency_before", "find_numbers", "find_numbers_in", "parse_number"]


# Patterns used per number, compiled once.
_DIGIT_RUN = re.compile(r"\d+")
_FRACTION_SLASH = re.compile(r"[/⁄]")
_EURO_DECIMAL = re.compile(r"\d{1,3}(?:\.\d{3})+,\d+")
_TIMES_TEN_POWER = re.compile(r"[x×]10\^")
_HYPHEN_WORD = re.compile(r"-\w")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_THOUSANDS = re.compile(r"\d{1,3},\d{3}")


@dataclass(slots=True)
class NumberSpan:
    """A number found in a text (read-only by convention; not frozen, for speed).

    Attributes:
        start, end: character offsets (end exclusive) of the number's words.
        surface: ``text[start:end]``.
        value: the number (a vague amount's base: "hundreds" is 100).
        low, high: bounds of a vague amount ("hundreds": 100 and 1,000), else ``None``.
        form: ``cardinal``, ``fraction``, ``ordinal``, ``vague`` or ``date_part`` (a
            number inside a numeric date such as 5/17/2018).
        digits: written (at least partly) with digits.
        multiplier: a scale word or suffix multiplied it ("2.4 million", "$5.4m").
    """

    start: int
    end: int
    surface: str
    value: float
    low: float | None = None
    high: float | None = None
    form: str = "cardinal"
    digits: bool = True
    multiplier: bool = False


# ---------------------------------------------------------------------------- patterns


@dataclass(frozen=True, slots=True)
class _Words:
    values: dict  # word -> (kind, value)
    digit_atom: re.Pattern
    word_atom: re.Pattern
    digit_start: re.Pattern
    word_start: re.Pattern
    gap: re.Pattern
    named: frozenset
    not_denominators: frozenset
    suffix: dict
    currency_suffix: dict
    groups: dict
    blockers: dict


@functools.cache
def _words() -> _Words:
    lex = load_lexicon("numbers.yaml")
    values: dict[str, tuple[str, float]] = {}
    for kind in ("units", "teens", "tens", "scales", "groups"):
        for word, value in lex[kind].items():
            values[word] = (kind.rstrip("s") if kind != "tens" else "tens", float(value))
    for word, bounds in lex["vague"].items():
        values[word] = ("vague", float(bounds[0]), float(bounds[1]))
    for word, value in lex["ordinals"].items():
        values[word] = ("ordinal", float(value))
        plural = word + "s" if not word.endswith("y") else word[:-1] + "ies"
        values[plural] = ("ordinals", float(value))
    for word, value in lex["fraction_words"].items():
        values[word] = ("fracword", float(value))
    for word in lex["negative"]:
        values[word] = ("neg", -1.0)
    number_words = sorted((w for w in values if " " not in w), key=len, reverse=True)
    vague_phrases = sorted((w for w in values if " " in w), key=len, reverse=True)
    word_alt = alternation(number_words)
    vague_alt = alternation(vague_phrases)
    suffix = dict(lex["suffix_multipliers"])
    currency_suffix = dict(lex["currency_suffix_multipliers"])
    suffix_alt = "|".join(re.escape(s) for s in sorted(suffix, key=len, reverse=True))
    spaced_alt = "|".join(re.escape(s) for s in sorted(lex["spaced_suffixes"], key=len, reverse=True))
    sep = r"[ \u00a0\u202f\u2009]"
    digits = (
        r"(?P<sci>\d+(?:\.\d+)?(?:[eE][-+]?\d+|[xX×]10\^[-+−]?\d+|\^[-+]{0,2}\d+)(?![\w^]))"
        r"|(?P<dotted>\d+(?:\.\d+){2,})(?![\d])"
        r"|(?P<date>\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4})(?![\d/])"
        r"|(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)(?!\d)"
        r"|(?P<frac>\d+[/⁄]\d+)(?![\d/])"
        r"|(?P<vulgar>[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])"
        r"|(?P<ord>\d+(?i:st|nd|rd|th))(?![a-zA-Z])"
        r"|(?P<num>\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?(?!\d)"  # Indian grouping
        r"|\d{1,3}(?:\.\d{3})+,\d+(?!\d)"  # 1.111,11
        r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])"
        rf"|\d{{1,3}}(?:{sep}\d{{3}})+(?:\.\d+)?(?![\d,.]\d|\d)"
        r"|\d+(?:\.\d+)?(?!\d)|\.\d+(?!\d))"
        rf"(?P<suffix>(?:(?-i:{suffix_alt})|[ ](?-i:{spaced_alt}))(?![A-Za-z]))?"
    )
    # An atom where a scan below found a digit, sign or point (case matters only where
    # the pattern says so), or where it found a number word (in any case).
    digit_atom = re.compile(
        rf"(?P<sign>(?<![\w\d.,])[-−](?=\d))?(?<![a-z\d_])(?<!\d[,.])(?:{digits})"
        rf"|(?<=\d)(?P<glued>[{_VULGAR_CHARS}])"  # the fraction of "2½"
    )
    word_atom = re.compile(rf"\b(?P<vague>{vague_alt})\b|\b(?P<word>{word_alt})\b", re.IGNORECASE)
    # Where an atom may start: cheap to scan for, so the full pattern runs only there.
    # Two scans, each starting with one character class, which the regex engine skips
    # through in C: a sign, point or digit run (an atom never starts inside a digit
    # run), or a vulgar fraction; and a number word after a character that is not a
    # letter, on the lower-cased text with a space in front (a case-sensitive scan is
    # much faster). They never overlap: digits are not letters. The digit scan's class
    # is ASCII plus all of the rest: a class holding \d (a Unicode category) or the
    # minus sign costs the engine a third more at every character; the alternatives
    # after it let through only what the plain class would ("-−.", digits, fractions).
    digit_start = re.compile(
        rf"[-.0-9\x80-\U0010ffff](?:(?<=[-−])\.?\d+|(?<=\.)\d+|(?<=\d)\d*|(?<=[{_VULGAR_CHARS}]))"
    )
    lowered = number_words + vague_phrases
    word_start = re.compile(rf"[^a-z](?:{alternation(lowered, case_sensitive=lowered)})(?![a-z])")
    # What may stand between two atoms of one chunk.
    gap = re.compile(
        r"(?:\s*[-‐‑]\s*|\s+|\s+and\s+|\s*,?\s+and\s+an?\s+|\s+and\s+one\s+(?=half|quarter)|\s+an?\s+"
        r"|\s+point\s+|\s+over\s+|\s+out\s+of\s+|\s+in\s+|\s+of\s+an?\s+|\s+of\s+)",
        re.IGNORECASE,
    )
    return _Words(
        values=values,
        digit_atom=digit_atom,
        word_atom=word_atom,
        digit_start=digit_start,
        word_start=word_start,
        gap=gap,
        named=frozenset(lex["named_expressions"]),
        not_denominators=frozenset(lex["not_denominators"]),
        suffix=suffix,
        currency_suffix=currency_suffix,
        groups={k: float(v) for k, v in lex["groups"].items()},
        blockers={k: frozenset(v) for k, v in lex["lone_word_blockers"].items()},
    )


_VULGAR_CHARS = "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"
_VULGAR = {"½": 0.5, "⅓": 1 / 3, "⅔": 2 / 3, "¼": 0.25, "¾": 0.75, "⅕": 0.2, "⅖": 0.4, "⅗": 0.6,
           "⅘": 0.8, "⅙": 1 / 6, "⅚": 5 / 6, "⅛": 0.125, "⅜": 0.375, "⅝": 0.625, "⅞": 0.875}
_ARTICLE = re.compile(r"\b(an?)\s+$", re.IGNORECASE)


@functools.cache
def currency_before() -> re.Pattern:
    """A currency sign or code that ends the text it searches (written right before a
    number: "$", "US $", "HK$", "€", "Rs.", "USD"), from ``lexicons/units.yaml``; group 1
    is the form as written. Shared with the quantity stage: one list of currencies."""
    units = load_lexicon("units.yaml")
    forms = [form for forms in units["currency_before"].values() for form in forms]
    return re.compile(rf"(?:(?<=[^\w$€£¥₹₪])|^)({alternation(forms, units['case_sensitive'])})\s?$")


# ---------------------------------------------------------------------------- atoms


@dataclass(slots=True)
class _Atom:
    start: int
    end: int
    kind: str  # digits | frac | unit | teen | tens | scale | group | vague | ordinal | ordinals | fracword | neg | date | skip
    value: float
    high: float | None = None
    gap: str = ""  # the text between the previous atom and this one (lower case)
    multiplier: bool = False
    word: str = ""  # the atom's text, lower case


def _atoms(text: str, start: int, end: int, found: tuple[list[int], list[int]] | None = None) -> list[_Atom]:
    """The atoms of ``text[start:end]``; ``found`` is where they may begin (offsets from
    ``start`` of the digit and of the word scan) when a scan of the whole text knows."""
    w = _words()
    atoms: list[_Atom] = []
    pos = start
    starts, words = found if found is not None else _atom_starts(text[start:end])
    if words:
        word_starts = set(words)
        starts = sorted(starts + words) if starts else words
    for offset in starts:
        at = start + offset
        if at < pos:
            continue
        if words and offset in word_starts:
            m = w.word_atom.match(text, at, end)
        else:
            m = w.digit_atom.match(text, at, end)
            if m is None and text[at] in "-−.":
                m = w.digit_atom.match(text, at + 1, end)  # "5-10W": a hyphen, not a sign
        if m is None or m.end() == m.start():
            continue
        pos = m.end()
        kind, value, high, multiplier = _classify(m, text, w)
        if kind is None:
            continue
        if kind == "date_parts":
            for part in _DIGIT_RUN.finditer(m.group()):
                atoms.append(_Atom(m.start() + part.start(), m.start() + part.end(), "date", float(part.group())))
            continue
        end_at = m.end() + (1 if multiplier and kind == "digits" and not m.group("suffix") else 0)  # "$5.4m"
        pos = end_at
        atoms.append(_Atom(m.start(), end_at, kind, value, high, "", multiplier, m.group().lower()))  # positional: cheaper
    return atoms


def _atom_starts(segment: str) -> tuple[list[int], list[int]]:
    """Where atoms may begin in ``segment``: the offsets the digit scan finds, and those
    of the words the number-word scan finds."""
    w = _words()
    lower = segment.lower()
    if len(lower) != len(segment):  # a few characters lower-case to two: keep offsets exact
        lower = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in segment)
    starts = [c.start() for c in w.digit_start.finditer(segment)]
    words = [c.start() for c in w.word_start.finditer(" " + lower)]  # each one before its word
    return starts, words


def _atom_starts_in(text: str, spans: Sequence[tuple[int, int]]) -> dict[int, tuple[list[int], list[int]]] | None:
    """``_atom_starts(text[a:b])`` of each span that has a start, by the span's index,
    from one scan of the whole text (spans in order, not overlapping: a document's
    sentences), or ``None`` when that scan may find otherwise than the scans of the
    spans would: the text lower-cases to another length, a match lies outside every
    span or runs over a span's end, or a span has a letter right before or after it
    (the number-word scan looks at the characters around a word)."""
    w = _words()
    lower = text.lower()
    if len(lower) != len(text):
        return None
    for a, b in spans:
        if lower[a - 1 : a].islower() or lower[b : b + 1].islower():
            return None  # only a-z matter to the word scan, but any letter is rare here
    # a word match begins at the character before the word: in " " + lower, at the
    # word's own offset in the text; the word ends one before the match's end there
    words = [(m.start(), m.end() - 1) for m in w.word_start.finditer(" " + lower)]
    found: dict[int, tuple[list[int], list[int]]] = {}
    starts = [a for a, _ in spans]
    for slot, matches in enumerate(([m.span() for m in w.digit_start.finditer(text)], words)):
        for start, end in matches:
            k = bisect.bisect_right(starts, start) - 1
            if k < 0 or end > spans[k][1]:
                return None
            found.setdefault(k, ([], []))[slot].append(start - starts[k])
    return found


def _classify(m: re.Match, text: str, w: _Words):
    """(kind, value, high, multiplied) of one atom match; kind None to drop it.

    The atom pattern's named groups do not nest, so the last one that closed says which
    alternative matched ("suffix" is the multiplier after a plain number)."""
    group = m.lastgroup
    if group == "word":
        entry = w.values[m.group("word").lower()]
        return entry[0], entry[1], (entry[2] if len(entry) > 2 else None), False
    if group == "num" or group == "suffix":
        number = _plain_digits(m.group("num"))
        multiplier = False
        if group == "suffix":
            number *= w.suffix[m.group("suffix").strip()]
            multiplier = True
        else:
            factor = _currency_suffix(text, m, w)
            if factor:
                number *= factor
                multiplier = True
        return "digits", (-number if m.group("sign") else number), None, multiplier
    if group == "vague":
        key = " ".join(m.group("vague").lower().split())
        entry = w.values[key]
        return "vague", entry[1], entry[2], False
    sign = -1.0 if m.group("sign") else 1.0
    surface = m.group()
    if group == "dotted" or group == "date":
        if surface in w.named:
            return "named", math.nan, None, False
        return "date_parts", 0.0, None, False
    if group == "clock":
        return "clock", 0.0, None, False
    if group == "vulgar" or group == "glued":
        return "frac", _VULGAR[surface], None, False
    if group == "frac":
        if surface in w.named or m.group("frac") in w.named:
            return "named", math.nan, None, False
        num, den = _FRACTION_SLASH.split(m.group("frac"))
        if float(den) == 0:
            return None, 0.0, None, False
        return "frac", sign * float(num) / float(den), None, False
    if group == "ord":
        return "ordinal", float(m.group("ord")[:-2]), None, False
    return "digits", sign * _scientific(m.group("sci")), None, False


def _currency_suffix(text: str, m: re.Match, w: _Words):
    """"$5.4m": a lower-case m/b after digits is a multiplier only after a currency."""
    after = text[m.end() : m.end() + 2]
    if not after or after[0] not in w.currency_suffix or (len(after) > 1 and after[1].isalpha()):
        return None
    if not currency_before().search(text[max(0, m.start() - 12) : m.start()]):
        return None
    return w.currency_suffix[after[0]]


def _plain_digits(s: str) -> float:
    if s.isdecimal():
        return float(s)  # most numbers: no separator
    if not s.isascii() or " " in s:
        s = s.replace("\u00a0", "").replace("\u202f", "").replace("\u2009", "").replace(" ", "")
    if "," in s:
        if "." in s and _EURO_DECIMAL.fullmatch(s):
            return float(s.replace(".", "").replace(",", "."))
        return float(s.replace(",", ""))
    return float(s)


def _scientific(s: str) -> float:
    s = s.replace("−", "-")
    try:
        if "^" in s:
            if _TIMES_TEN_POWER.search(s):
                base, exp = _TIMES_TEN_POWER.split(s)
                return float(base) * 10.0 ** float(exp)
            base, exp = s.split("^", 1)
            exp_sign = -1.0 if exp.count("-") % 2 else 1.0
            return float(base) ** (exp_sign * float(exp.lstrip("+-")))
        return float(s)
    except (OverflowError, ValueError):
        return math.inf


# ---------------------------------------------------------------------------- chunks


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[NumberSpan]:
    """Every number in ``text[start:end]``, in order, with offsets into ``text``.

    Args:
        text: the text.
        start, end: the part of it to scan (a sentence of a document).

    Returns:
        Numbers in text order; spans do not overlap. Ordinals ("3rd", "the third") come
        with ``form="ordinal"``; named expressions ("9/11", "24/7") and clock times are
        left out.
    """
    end = len(text) if end is None else end
    return _numbers(text, _atoms(text, start, end))


def find_numbers_in(text: str, spans: Sequence[tuple[int, int]]) -> list[list[NumberSpan]]:
    """``[find_numbers(text, a, b) for a, b in spans]`` for the sentences of a document
    (spans in order, not overlapping), with one scan of the whole text for where
    numbers may begin instead of one per sentence; a sentence without any is skipped.

    Args:
        text: the text.
        spans: start and end of each part to read.

    Returns:
        The numbers of each span, as :func:`find_numbers` finds them.
    """
    found = _atom_starts_in(text, spans)
    if found is None:
        return [find_numbers(text, a, b) for a, b in spans]
    return [_numbers(text, _atoms(text, a, b, found[k])) if k in found else [] for k, (a, b) in enumerate(spans)]


def _numbers(text: str, atoms: list[_Atom]) -> list[NumberSpan]:
    """The numbers atoms make: runs of atoms that join (see :func:`_joins`), each read."""
    w = _words()
    numbers: list[NumberSpan] = []
    chunk: list[_Atom] = []
    for atom in atoms:
        if chunk:
            gap = text[chunk[-1].end : atom.start]
            if _joins(chunk[-1], atom, gap, w):
                atom.gap = gap.lower()
                chunk.append(atom)
                continue
            numbers.extend(_read_chunk(text, chunk))
        chunk = [atom]
    if chunk:
        numbers.extend(_read_chunk(text, chunk))
    return [n for n in numbers if math.isfinite(n.value)]


def _joins(prev: _Atom, atom: _Atom, gap: str, w: _Words) -> bool:
    if atom.kind == "vague" and atom.word in w.groups and prev.kind in _CARDINAL and gap.isspace():
        return True  # "3 dozens"
    if prev.kind in ("named", "clock", "date", "vague") or atom.kind in ("named", "clock", "date", "vague"):
        return False
    if not gap:
        # "10k" is one atom; "2million"; "2½"
        return prev.kind == "digits" and (atom.kind in ("scale", "group") or atom.word in _VULGAR)
    if not w.gap.fullmatch(gap):
        return False
    if "\n" in gap:
        return False
    stripped = gap.strip().lower()
    if stripped in ("-", "‐", "‑"):
        # "5,000-6,000" is a range (two numbers); "twenty-one", "one-eighth" are one.
        return not (prev.kind == "digits" and atom.kind == "digits")
    if prev.kind == "digits" and atom.kind == "digits" and not stripped:
        # "2  1/4" is a mixed fraction; "423 0000" two numbers
        return False
    return True


def _read_chunk(text: str, atoms: list[_Atom]) -> list[NumberSpan]:
    """Parse one chunk of atoms into numbers."""
    if len(atoms) == 1 and atoms[0].kind == "digits":  # the common case: "1,000", "$5.4m"
        a = atoms[0]
        return [NumberSpan(a.start, a.end, text[a.start : a.end], a.value, None, None, "cardinal", True, a.multiplier)]
    out: list[NumberSpan] = []
    atoms = _compound_ordinals(atoms)
    w = _words()
    i = 0
    n = len(atoms)
    while i < n:
        atom = atoms[i]
        if atom.kind in ("named", "clock"):
            i += 1
            continue
        if atom.kind == "date":
            out.append(_span(text, atom.start, atom.end, atom.value, form="date_part", digits=True))
            i += 1
            continue
        j, value, form, low, high, multiplied = _parse(atoms, i)
        if j <= i:
            i += 1
            continue
        first = atoms[i]
        begin = first.start
        if first.kind in ("scale", "group", "fracword", "ordinal", "ordinals") and form != "ordinal":
            article = _ARTICLE.search(text, max(0, begin - 4), begin)
            if article:
                begin = article.start(1)  # "a dozen", "a third", "a million"
        if form == "ordinal" and j == i + 1 and first.value >= 3:
            article = _ARTICLE.search(text, max(0, begin - 4), begin)
            if article and _ends_phrase(text, first.end):
                begin, value, form = article.start(1), 1.0 / first.value, "fraction"  # "a fifth", "a third of"
        if j == i + 1 and first.word in w.blockers and _previous_word(text, begin) in w.blockers[first.word]:
            i = j
            continue  # "the one you mentioned", "the second half"
        if j == i + 1 and first.word in ("quarter", "quarters") and begin == first.start and not _ends_phrase(text, first.end):
            i = j
            continue  # "the first quarter": a period, not a fraction
        digits = any(a.kind in ("digits", "frac") for a in atoms[i:j])
        out.append(_span(text, begin, atoms[j - 1].end, value, low, high, form, digits, multiplied))
        i = j
    return out


def _compound_ordinals(atoms: list[_Atom]) -> list[_Atom]:
    """Join a tens word and a unit ordinal into one ordinal where they name one
    denominator: "twenty-first", "thirty-fifths", and "one hundred thirty fifths"
    (100/35) but not "twenty fifths" (20/5) or "hundred and thirty fifths" (130/5)."""
    out: list[_Atom] = []
    for k, atom in enumerate(atoms):
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "tens"
            and atom.kind in ("ordinal", "ordinals")
            and atom.value < 10
            and (atom.gap.strip() in ("-", "‐") or (len(out) > 1 and prev.gap.strip() not in ("and",) and out[-2].kind in _CARDINAL + ("scale",)))
        ):
            out[-1] = _Atom(prev.start, atom.end, atom.kind, prev.value + atom.value, gap=prev.gap, word=prev.word + "-" + atom.word)
            continue
        out.append(atom)
    return out


_NEXT_WORD = re.compile(r"\s*([\w'’]+)?")
_PREVIOUS_WORD = re.compile(r"([\w'’-]+)\W*$")


def _ends_phrase(text: str, end: int) -> bool:
    """Nothing but "of", punctuation or the end follows ("a third of", "a fifth.")."""
    if _HYPHEN_WORD.match(text[end : end + 2]):
        return False  # "a third-party"
    m = _NEXT_WORD.match(text, end)
    word = (m.group(1) or "").lower() if m else ""
    return word in ("", "of")


def _previous_word(text: str, start: int) -> str:
    m = _PREVIOUS_WORD.search(text, max(0, start - 30), start)
    if not m:
        return ""
    word = m.group(1).lower().rstrip("-")
    return "'s" if word.endswith(("'s", "’s")) else word


def _span(text, start, end, value, low=None, high=None, form="cardinal", digits=True, multiplier=False) -> NumberSpan:
    return NumberSpan(start, end, text[start:end], float(value), low, high, form, digits, multiplier)


# ---------------------------------------------------------------------------- parser

_CARDINAL = ("unit", "teen", "tens", "digits")


def _parse(atoms: list[_Atom], i: int):
    """Read one number from ``atoms[i:]``.

    Returns ``(j, value, form, low, high, multiplied)`` where ``atoms[i:j]`` were used
    (``j == i`` when no number starts at ``i``).
    """
    n = len(atoms)
    sign = 1.0
    start = i
    if atoms[i].kind == "neg":
        if i + 1 >= n or atoms[i + 1].kind not in _CARDINAL + ("frac", "fracword"):
            return i, 0.0, "", None, None, False
        sign = -1.0
        i += 1
    atom = atoms[i]
    if atom.kind == "vague":
        return i + 1, atom.value, "vague", atom.value, atom.high, False
    if atom.kind == "ordinal" and not atom.gap:
        return i + 1, atom.value, "ordinal", None, None, False
    if atom.kind in ("ordinal", "ordinals", "scale", "group", "fracword", "frac") or atom.kind in _CARDINAL:
        pass
    else:
        return start, 0.0, "", None, None, False

    # integer (or decimal) part
    j, value, mult, last_kind = _cardinal(atoms, i)
    form = "cardinal"
    if j == i:
        value = None
    # "point" decimals: "two hundred point zero three"
    if value is not None and j < n and atoms[j].gap.strip() == "point":
        j, value = _point(atoms, j, value)
    # fractions: "two thirds", "a hundredth", "one and a half", "3/4", "2 1/4"
    frac_j, frac_value, frac_mult = _fraction_after(atoms, i, j, value, last_kind)
    if frac_j > j or (value is None and frac_j > i):
        j, value, form = frac_j, frac_value, "fraction"
        mult = mult or frac_mult
    if value is None:
        return start, 0.0, "", None, None, False
    # "one over three", "two out of five hundred", "1 in twenty-one"
    if j < n and atoms[j].gap.strip() in ("over", "out of", "in") and atoms[j].kind in _CARDINAL:
        k, denominator, _, _ = _cardinal(atoms, j)
        if k > j and denominator and abs(value) < abs(denominator) and float(value).is_integer():
            j, value, form = k, value / denominator, "fraction"
    # "3 dozens", "three hundred and two dozens", "half a dozen"
    if j < n and atoms[j].kind == "group" and atoms[j].gap.strip() in ("", "a", "an"):
        value, j, mult = value * atoms[j].value, j + 1, True
    if form == "cardinal" and j == i + 1 and atoms[i].kind in ("ordinal", "ordinals"):
        return i + 1, atoms[i].value, "ordinal", None, None, False
    value = sign * value
    if not math.isfinite(value):
        return j, math.inf, form, None, None, mult
    return j, value, form, None, None, mult


def _cardinal(atoms: list[_Atom], i: int):
    """An integer written in words, digits or both, with its scale words.

    Returns ``(j, value, multiplied, last_kind)``; ``j == i`` when none starts here.
    A group cannot follow a complete group of the same size ("3 hundred and 2 hundred"
    is two numbers), so the parse stops there.
    """
    n = len(atoms)
    total = 0.0
    current = 0.0
    have = False
    last_kind = ""
    biggest_scale = math.inf
    multiplied = False
    j = i
    checkpoint = (i, 0.0, False, "")
    segment = 0.0  # what was added since the last scale word ("two" in "three hundred and two dozens")
    scaled_before = False
    while j < n:
        atom = atoms[j]
        gap = atom.gap.strip() if j > i else ""
        if j > i and gap not in ("", "-", "‐", "‑", "and"):
            break
        kind = atom.kind
        if gap == "and":
            if not have or kind not in _CARDINAL or atom.value == 0:
                break
            if _mixed_fraction_follows(atoms, j, last_kind, biggest_scale):
                break
        if kind in _CARDINAL:
            v = atom.value
            if kind == "digits":
                if have and last_kind not in ("scale",):
                    break
                if have and v >= _place(last_kind, current):
                    break
                if atom.multiplier:
                    multiplied = True
            elif have:
                if last_kind in ("unit", "teen", "digits"):
                    break
                if last_kind == "tens" and kind != "unit":
                    break
                if last_kind == "tens" and v == 0:
                    break
                if last_kind == "scale" and current == 0 and total and v >= _place("scale", total):
                    break
            if last_kind == "scale":
                checkpoint = (j, total + current, multiplied, last_kind)
                segment = 0.0
            current += v
            segment += v
            have = True
            last_kind = "digits" if kind == "digits" else kind
            j += 1
            continue
        if kind == "scale":
            s = atom.value
            if s == 100:
                if current >= 100 and (last_kind != "digits" or scaled_before):
                    j, total, multiplied, last_kind = checkpoint
                    current = 0.0
                    if j == i:
                        return i, 0.0, False, ""
                    return j, total, multiplied, last_kind
                current = (current or 1.0) * 100
            else:
                if s > biggest_scale or (total and s > total + current and current == 0):
                    total = (total + current) * s
                    current = 0.0
                elif s == biggest_scale:
                    break
                else:
                    total += (current or (0.0 if have else 1.0) or 1.0) * s
                    current = 0.0
                    biggest_scale = s
            have = True
            multiplied = True
            scaled_before = True
            last_kind = "scale"
            j += 1
            continue
        if (kind == "group" or (kind == "vague" and atom.word in _words().groups)) and gap in ("",) and (have or j == i):
            size = _words().groups.get(atom.word, atom.value)
            if not have:
                current = size
            else:
                current += segment * (size - 1)
            have = True
            multiplied = True
            last_kind = "scale"
            j += 1
            break
        break
    if not have:
        return i, 0.0, False, ""
    return j, total + current, multiplied, last_kind


def _place(last_kind: str, current: float) -> float:
    """The largest number that may be added after ``current`` in one integer."""
    if last_kind == "scale":
        return current if current else math.inf
    return 10.0


def _mixed_fraction_follows(atoms: list[_Atom], j: int, last_kind: str, biggest_scale: float = math.inf) -> bool:
    """At an "and": does a fraction follow that stands on its own ("twenty and three
    fifths" is 20 + 3/5) rather than taking the whole number as numerator ("one hundred
    and thirty fifths" is 130/5)? "and a half"/"and three quarters" always stand alone."""
    k = j
    n = len(atoms)
    while k < n and atoms[k].kind in ("unit", "teen", "tens", "digits") and (k == j or atoms[k].gap.strip() in ("", "-")):
        k += 1
    if k >= n or atoms[k].kind not in ("ordinals", "ordinal", "fracword"):
        return False
    if atoms[k].kind == "fracword" or biggest_scale < math.inf:
        return True
    return last_kind != "scale"


def _point(atoms: list[_Atom], j: int, value: float):
    """Decimals after "point": single digits are read one by one ("zero three" is .03),
    a larger number as written ("seventy-one" is .71)."""
    n = len(atoms)
    digits = ""
    k = j
    if atoms[k].kind == "unit":
        while k < n and atoms[k].kind == "unit" and (k == j or atoms[k].gap.strip() == ""):
            digits += str(int(atoms[k].value))
            k += 1
    else:
        k2, number, _, _ = _cardinal(atoms, j)
        if k2 > j and float(number).is_integer():
            digits = str(int(number))
            k = k2
    if not digits:
        return j, value
    if not math.isfinite(value):
        return k, value  # "1e308 hundred point zero": decimals of no finite number
    return k, float(f"{int(value)}.{digits}") if value >= 0 else -float(f"{int(-value)}.{digits}")


def _fraction_after(atoms: list[_Atom], i: int, j: int, value, last_kind: str):
    """A fraction starting at ``atoms[i]`` (numerator ``atoms[i:j]`` worth ``value``),
    or a fraction part after "and". Returns ``(end, value, multiplied)``; ``end`` is
    ``j`` when there is none."""
    n = len(atoms)
    # a digit fraction right after an integer: "2 1/4", "- 1 4/5"
    if value is not None and j < n and atoms[j].kind == "frac" and atoms[j].gap.strip() == "" and 0 < atoms[j].value < 1:
        return j + 1, value + atoms[j].value, False
    if value is None and atoms[i].kind == "frac":
        return _scaled(atoms, i + 1, atoms[i].value)
    # "half", "half million", "a hundredth", "a quarter million": the denominator comes first
    if value is None and atoms[i].kind in ("fracword", "ordinals"):
        if atoms[i].kind != "fracword" and atoms[i].value < 3:
            return i, None, False
        return _scaled(atoms, i + 1, 1.0 / atoms[i].value)
    # a numerator then a denominator: "two thirds", "twenty-three fifths", "a half"
    if j < n and atoms[j].kind in ("ordinals", "ordinal", "fracword") and atoms[j].gap.strip() in ("", "-", "‐"):
        den_atom = atoms[j]
        if value is None or (den_atom.kind != "fracword" and den_atom.value < 3):
            return j, value, False  # "first"/"second" are not denominators
        return _scaled(atoms, j + 1, value / den_atom.value)
    # "one and a half", "twenty and three fifths", "3 million and a quarter"
    if value is not None and j < n and atoms[j].gap.strip().startswith("and"):
        gap = atoms[j].gap.strip()
        k = j
        if gap in ("and a", "and an", "and one", ", and a") or gap.endswith(" a") or gap.endswith(" an"):
            numerator = 1.0
            den_index = k
        else:
            k2, numerator, _, _ = _cardinal(atoms, k)
            if k2 == k:
                return j, value, False
            den_index = k2
        if den_index >= n or atoms[den_index].kind not in ("fracword", "ordinals", "ordinal"):
            return j, value, False
        den = atoms[den_index]
        if den.kind != "fracword" and den.value in (1.0, 2.0):
            return j, value, False
        fraction = numerator / den.value
        end, scaled, mult = _scaled(atoms, den_index + 1, fraction)
        if end > den_index + 1:
            # "five and a half million": the scale applies to the whole
            scale = scaled / fraction if fraction else 1.0
            if last_kind == "scale":
                return end, value + scaled, True
            return end, (value + fraction) * scale, True
        if last_kind == "scale" and _last_scale(atoms, i, j) >= 1000:
            # "one million and a half": a half of the last scale
            return end, value + fraction * _last_scale(atoms, i, j), True
        return end, value + fraction, False
    return j, value, False


def _last_scale(atoms: list[_Atom], i: int, j: int) -> float:
    for k in range(j - 1, i - 1, -1):
        if atoms[k].kind == "scale":
            return atoms[k].value
    return 1.0


def _scaled(atoms: list[_Atom], k: int, fraction: float):
    """A fraction followed by a scale word: "half million", "two thirds of a million"."""
    n = len(atoms)
    if k < n and atoms[k].kind in ("scale", "group") and atoms[k].gap.strip() in ("", "of a", "of an", "a", "an"):
        return k + 1, fraction * atoms[k].value, True
    return k, fraction, False


def parse_number(text: str) -> float | None:
    """The number that ``text`` is, as a whole, or ``None``.

    Args:
        text: a number in digits, words or both ("1,000", "2.4 million", "one and a
            half", "a third", "twenty-one trillion three hundred").

    Returns:
        Its value (finite), or ``None`` when the text is not one number.

    >>> parse_number("one and a half")
    1.5
    >>> parse_number("tens of thousands")
    10000.0
    >>> parse_number("1,5")  # a comma that cannot group thousands is a decimal one
    1.5
    >>> parse_number("the cat") is None
    True
    """
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if not stripped:
        return None
    if _DECIMAL_COMMA.fullmatch(stripped) and not _THOUSANDS.fullmatch(stripped):
        return float(stripped.replace(",", "."))  # "1,5" alone: a decimal comma
    numbers = find_numbers(stripped)
    if len(numbers) != 1:
        return None
    number = numbers[0]
    before = stripped[: number.start]
    after = stripped[number.end :]
    if before.strip() or after.strip(" .,"):
        return None
    if number.form == "ordinal" or not math.isfinite(number.value):
        return None
    return number.value
