"""De-duplication of events: the same statement or happening told twice, within a
document or across a corpus, becomes one canonical event with all its mentions.

Two mentions are the same event when

* they have the same type and the same polarity (a denial is not the happening),
* their time intervals overlap,
* their speakers do not disagree (equal, or one of them unknown),
* their actors do not disagree (they share one, or one of them names none), and
  mentions in two documents come from documents about the same story (sharing one of
  their five most named actors),
* they are told in different sentences, and
* the Jaccard similarity of their word sets is at least ``threshold`` (0.5 by default),
  each set having at least ``min_words`` words (4).

The word set of a statement is what it reports (the quotation or the reported clause),
because outlets vary the reporting clause ("he said" / "he told an online press
conference") but not what was said; of any other event, its clause. Words are
lower-cased, reporting verbs and function words dropped (``stopwords`` in
``lexicons/events.yaml``), possessives and plural or verb endings trimmed, and numbers
left out: reports of one happening with different figures still merge (the figures then
meet in the ``conflicts`` table), while formulaic sentences that differ only in their
figures ("Revenue rose 21% to $243.4 million") keep too few words to merge. A statement
whose words are not known (its quotation is in another sentence) never merges.

Why Jaccard >= 0.5 on words: a repeated quote scores 0.8-1.0 and a rewrite of the same
sentence by another outlet 0.5-0.7, while two different sentences of news on one
story share names and topic words but rarely half of their words (0.1-0.3); a word set
rather than word n-grams keeps rewrites (reordered words, "told reporters" for "said")
above the line. Short clauses ("he said", "it fell") carry too little to tell apart,
hence the minimum size.

Each mention is compared with the canonical mentions before it (the first mention of
each group: earliest publication, then document, then position) and joins the most
similar one; candidates come from prefix filtering (the AllPairs method of Bayardo et
al.): exact, so no canonical mention above the threshold is missed, and with each word
set ordered rarest word first only mentions sharing a rare word are compared. The
corpus step runs it on one group of mentions at a time (same type, same year of ``time_start``), so
memory holds one group.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from .lexicons import load_lexicon

__all__ = [
    "DEFAULT_MIN_WORDS",
    "DEFAULT_THRESHOLD",
    "Mention",
    "cluster_mentions",
    "extend_group",
    "MentionClusters",
    "MentionStream",
    "jaccard",
    "mention_words",
    "prefix_length",
    "rarest_first",
]

DEFAULT_THRESHOLD = 0.5
DEFAULT_MIN_WORDS = 4

# Compared forms kept in the cache at most (a corpus's vocabulary, typos and names
# included, can grow without end).
_FORMS_CACHED = 200_000

# Words of letters (with inner apostrophes); numbers are left out (see mention_words).
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# The same for ASCII text, where ASCII classes find the same words faster.
_ASCII_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*", re.ASCII)


@functools.cache
def _stopwords() -> frozenset[str]:
    return frozenset(load_lexicon("events.yaml")["stopwords"])


def _stem(word: str) -> str:
    """A light suffix trim so that forms of one word meet: "troops" -> "troop",
    "evacuated"/"evacuating" -> "evacuat"."""
    for suffix, keep in (("'s", 2), ("’s", 2), ("ing", 4), ("ed", 4), ("es", 4), ("s", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def mention_words(text: str | None) -> frozenset[str]:
    """The words de-duplication compares: lower-cased, without stopwords and numbers,
    endings trimmed."""
    if not text:
        return frozenset()
    # a word never spans whitespace: the text's words are those of its runs between
    # spaces, each run read once per corpus (see _RunForms)
    return frozenset(itertools.chain.from_iterable(map(_run_forms().__getitem__, text.lower().split())))


class _Forms(dict):
    """Compared form of each word seen (``""`` for a stopword or a number): a cache, as
    the same words recur across a corpus, that a C-level ``map`` reads; emptied when a
    corpus's vocabulary makes it large."""

    def __missing__(self, word: str) -> str:
        if len(self) >= _FORMS_CACHED:
            self.clear()
        form = self[word] = _form(word)
        return form


@functools.cache
def _forms() -> _Forms:
    return _Forms()


class _RunForms(dict):
    """The compared forms of each run of lower-cased text between spaces ("troops,",
    "u.s.", "leaders'"): the words of the pattern in it, stopwords and numbers left
    out. A cache like :class:`_Forms`: a corpus repeats its runs, so most runs cost one
    lookup instead of a pattern scan and a lookup per word."""

    def __missing__(self, run: str) -> tuple[str, ...]:
        if len(self) >= _FORMS_CACHED:
            self.clear()
        found = (_ASCII_WORD if run.isascii() else _WORD).findall(run)
        forms = self[run] = tuple(form for form in map(_forms().__getitem__, found) if form)
        return forms


@functools.cache
def _run_forms() -> _RunForms:
    return _RunForms()


def _form(word: str) -> str:
    if word[0].isdigit():
        return ""  # figures differ between reports of one happening
    return "" if word in _stopwords() else _stem(word)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a & b| / |a | b|, 0.0 for two empty sets."""
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


class Mention(NamedTuple):
    """What de-duplication needs to know of one event mention (a named tuple: the
    corpus step makes one per event). ``time_start``/``time_end`` are dates, or any
    values ordered like them (the corpus step gives day numbers)."""

    event_id: str
    doc_id: str
    sent_idx: int
    type: str
    negated: bool
    speaker: str | None
    time_start: dt.date | int | None
    time_end: dt.date | int | None
    words: frozenset[str]
    actors: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()

    @classmethod
    def of_row(cls, event_id, doc_id, sent_idx, kind, negated, speaker, start, end, words, actors, topics) -> "Mention":
        """A mention from the corpus step's columns: ``actors`` ``"; "``-joined (or
        None), ``topics`` a list of names (or None)."""
        return cls(
            event_id,
            doc_id,
            sent_idx,
            kind,
            bool(negated),
            speaker,
            start,
            end,
            words,
            frozenset(actors.split("; ")) if actors else _NO_NAMES,
            frozenset(topics) if topics else _NO_NAMES,
        )


_NO_NAMES: frozenset[str] = frozenset()


def _compatible(a: Mention, b: Mention) -> bool:
    if a.type != b.type or a.negated != b.negated:
        return False
    if a.doc_id == b.doc_id and a.sent_idx == b.sent_idx:
        return False  # one sentence does not tell one thing twice
    if a.actors and b.actors and not a.actors & b.actors:
        return False  # "Crossland closed at ..." is not "Automatic Data closed at ..."
    if a.doc_id != b.doc_id and a.topics and b.topics and not a.topics & b.topics:
        return False  # two documents about different stories
    if a.speaker and b.speaker and a.speaker != b.speaker:
        return False
    if None in (a.time_start, a.time_end, b.time_start, b.time_end):
        return True
    return a.time_start < b.time_end and b.time_start < a.time_end


def rarest_first(counts: Mapping[str, int]) -> Callable[[str], int]:
    """A sort key of compared words, rarest first by ``counts`` (how often each word
    as written occurs; words it lacks come before all), as prefix filtering orders
    them."""
    return _WordOrder(counts).__getitem__


def _by_length(word: str) -> tuple[int, str]:
    """Without word counts: longer words first (on the whole the rarer ones)."""
    return (-len(word), word)


class _WordOrder(dict):
    """The sort key of each compared word: its rank among the words of ``counts``
    ordered by how common they are (``(count, word)``), computed once for all; a word
    ``counts`` lacks gets, when first seen, a key below every rank (it is rare), lower
    for each further one. A fixed order, with int keys that sort faster than tuples.
    ``counts`` of words as written (lower-cased) are added up by compared form
    ("troops" and "troop" both count for "troop")."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        super().__init__()
        forms = _forms()
        by_form: dict[str, int] = defaultdict(int)
        for word, n in counts.items():
            form = forms[word.lower()] if word else ""
            if form:
                by_form[form] += n
        self.update((form, rank) for rank, form in enumerate(sorted(by_form, key=lambda f: (by_form[f], f)), start=1))
        self._unseen = 0

    def __missing__(self, word: str) -> int:
        self._unseen -= 1
        key = self[word] = self._unseen
        return key


class MentionClusters:
    """Mentions of one group added in canonical order; each joins the most similar
    earlier canonical mention it is compatible with and at least ``threshold`` similar
    to, or becomes canonical itself. Only canonical mentions are kept and indexed, so a
    story told a thousand times (wire copies) costs a thousand comparisons and the
    memory of one mention. A mention whose word set equals a canonical mention's
    (a copy: similarity 1, which no other can beat) joins the first compatible such
    canonical mention at once, without the candidate search.

    Candidates come from prefix filtering: with each word set in one fixed order, two
    sets with Jaccard >= t share a word among the first ``len - ceil(t * len) + 1``
    words of each. Exact for any fixed order (no canonical mention above the threshold
    is missed); rarest words first makes prefixes share few words, so ``counts`` (how
    often each word occurs, e.g. in the corpus) orders them when given, else longer
    words come first.
    """

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        min_words: int = DEFAULT_MIN_WORDS,
        counts: Mapping[str, int] | None = None,
    ) -> None:
        self.threshold = threshold
        self.min_words = min_words
        self.canonical: list[Mention] = []
        self._index: dict[str, list[int]] = defaultdict(list)
        self._copies: dict[frozenset[str], list[int]] = {}  # canonical mentions by word set
        self._prefix_lengths: list[int] = []
        if counts is None:
            self._order = _by_length
        else:
            self._order = (counts if isinstance(counts, _WordOrder) else _WordOrder(counts)).__getitem__

    def add(self, mention: Mention) -> tuple[int | None, float]:
        """The number of the canonical mention ``mention`` belongs to (an index into
        :attr:`canonical`; a new number when it is canonical itself) and its similarity
        to it; ``(None, 1.0)`` for a mention too short to compare, which is its own
        event and is not kept."""
        words = mention.words
        size = len(words)
        if size < self.min_words:
            return None, 1.0
        copies = self._copies.get(words)
        if copies is not None:
            # the best of a search: most similar (1), then the first (numbers ascend)
            for j in copies:
                if _compatible(mention, self.canonical[j]):
                    return j, 1.0
        prefix = sorted(words, key=self._order)[: self._prefix_length(size)]
        best, best_similarity = None, 0.0
        threshold, canonical, index = self.threshold, self.canonical, self._index
        least = threshold * size  # a set smaller than this cannot be similar enough
        # the canonical mentions sharing a prefix word, each once (the best is the most
        # similar, the first of equals, whatever order they are tried in)
        for j in set(itertools.chain.from_iterable(map(index.__getitem__, prefix))):
            other = canonical[j]
            other_size = len(other.words)
            if other_size < least or size < threshold * other_size:
                continue  # Jaccard <= small/large: cannot reach the threshold
            # the similarity first (jaccard inline): a set intersection is cheaper
            # than the compatibility checks, and few pairs reach the threshold
            shared = len(words & other.words)
            similarity = shared / (size + other_size - shared)
            if (
                similarity >= threshold
                and (similarity > best_similarity or (similarity == best_similarity and j < best))
                and _compatible(mention, other)
            ):
                best, best_similarity = j, similarity
        if best is not None:
            return best, round(best_similarity, 4)
        number = len(canonical)
        canonical.append(mention)
        for w in prefix:
            index[w].append(number)
        if copies is None:
            self._copies[words] = [number]
        else:
            copies.append(number)
        return number, 1.0

    def _prefix_length(self, size: int) -> int:
        """How many of a set's first words its prefix holds (computed once per size)."""
        lengths = self._prefix_lengths
        while len(lengths) <= size:
            lengths.append(prefix_length(len(lengths), self.threshold))
        return lengths[size]


def prefix_length(size: int, threshold: float) -> int:
    """How many words of a set of ``size`` words any set at least ``threshold`` similar
    to it must share one of, whichever they are: similar sets share at least
    ``ceil(threshold * size)`` words, so ``size - ceil(threshold * size) + 1`` of its
    words always hold one of them."""
    return size - math.ceil(threshold * size - 1e-9) + 1


def cluster_mentions(
    mentions: Sequence[Mention],
    threshold: float = DEFAULT_THRESHOLD,
    min_words: int = DEFAULT_MIN_WORDS,
) -> list[tuple[int, float]]:
    """Group mentions of the same event (see :class:`MentionClusters`).

    Args:
        mentions: in canonical order (the first mention of a group is its canonical
            event: earliest publication, then document, then position).
        threshold: least Jaccard similarity of a mention to its canonical mention.
        min_words: mentions with fewer compared words are never merged.

    Returns:
        For each mention, the index of its canonical mention and its similarity to it
        (1.0 for a canonical mention itself).
    """
    clusters = MentionClusters(threshold, min_words)
    first: list[int] = []  # canonical number -> index of its mention
    out = []
    for i, m in enumerate(mentions):
        number, similarity = clusters.add(m)
        if number is None:
            out.append((i, 1.0))
            continue
        if number == len(first):
            first.append(i)
        out.append((first[number], similarity))
    return out


def extend_group(
    old: Sequence[tuple[tuple, Mention, str]],
    new: Sequence[tuple[tuple, Mention]],
    threshold: float = DEFAULT_THRESHOLD,
    min_words: int = DEFAULT_MIN_WORDS,
) -> dict[str, tuple[str, float]] | None:
    """What clustering one group's old and new mentions together gives, from what
    clustering the old ones gave (:class:`MentionClusters`' greedy clustering, replayed
    where new mentions can change it); ``None`` when that cannot be told without the
    old mentions left out (then cluster the whole group again).

    Greedy clustering decides each mention from the canonical mentions before it. A new
    mention that joins one changes no other decision. One that becomes canonical is a
    new choice for the later mentions similar enough to it: a mention that joined
    another now joins it if it is more similar (or as similar and earlier), and a
    canonical mention now joins it, so the mentions that had joined that one choose
    again: the new canonical mentions if one is at least as good as the lost one,
    else (their next best is an old one not known here) ``None``.

    Args:
        old: ``(order key, mention, canonical event id)`` of the old mentions that
            matter: every one at least ``threshold`` similar to a new one (more do no
            harm), with the canonical mention of each and, of each that is canonical,
            its members. Order keys sort mentions in canonical order (publication,
            document, position) and are unique.
        new: ``(order key, mention)`` of the new mentions, in any order.
        threshold, min_words: as for :class:`MentionClusters`.

    Returns:
        ``{event_id: (canonical event id, similarity)}`` for every new mention and for
        each old one whose canonical event changes, or None.
    """
    known = {m.event_id: (key, m, canonical_id) for key, m, canonical_id in old}
    still_canonical = [(key, m) for key, m, canonical_id in old if canonical_id == m.event_id and len(m.words) >= min_words]
    lost: set[str] = set()
    new_canonical: list[tuple[tuple, Mention]] = []
    found: dict[str, tuple[str, float]] = {}
    items = sorted([(key, m, True) for key, m in new] + [(key, m, False) for key, m, _ in old], key=lambda item: item[0])
    for key, mention, is_new in items:
        if len(mention.words) < min_words:
            if is_new:
                found[mention.event_id] = (mention.event_id, 1.0)
            continue
        if is_new:
            options = [pair for pair in still_canonical if pair[1].event_id not in lost] + new_canonical
            best_key, best, similarity = _most_similar(mention, key, options, threshold)
            if best is None:
                new_canonical.append((key, mention))
                found[mention.event_id] = (mention.event_id, 1.0)
            else:
                found[mention.event_id] = (best.event_id, round(similarity, 4))
            continue
        best_key, best, similarity = _most_similar(mention, key, new_canonical, threshold)
        was = known[mention.event_id][2]
        if was == mention.event_id:  # canonical: no old mention before it was a choice
            if best is not None:
                lost.add(mention.event_id)
                found[mention.event_id] = (best.event_id, round(similarity, 4))
            continue
        if was not in known:
            return None
        was_key, was_mention, _ = known[was]
        was_similarity = _similarity(mention.words, was_mention.words)
        if best is not None and (similarity > was_similarity or (similarity == was_similarity and best_key < was_key)):
            found[mention.event_id] = (best.event_id, round(similarity, 4))
        elif was in lost:
            return None  # its next best may be an old canonical mention not known here
    return found


def _most_similar(mention: Mention, key: tuple, options: Sequence[tuple[tuple, Mention]], threshold: float) -> tuple[tuple | None, Mention | None, float]:
    """The most similar compatible option before ``key`` (the first of equals) with
    its key and similarity, if one is at least ``threshold`` similar."""
    best_key, best, best_similarity = None, None, 0.0
    for other_key, other in options:
        if other_key >= key:
            continue
        similarity = _similarity(mention.words, other.words)
        if (
            similarity >= threshold
            and (similarity > best_similarity or (similarity == best_similarity and other_key < best_key))
            and _compatible(mention, other)
        ):
            best_key, best, best_similarity = other_key, other, similarity
    return best_key, best, best_similarity


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    # the formula of MentionClusters.add, so that equal sets give equal floats; two
    # empty sets are copies of each other, as there
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 1.0


class MentionStream:
    """Canonical events of a stream of event mentions that comes in batches of
    columns, sorted by group (type and year) and within a group in canonical order
    (publication date, document, position), as the corpus step reads them. Memory holds
    the canonical mentions of one group.

    Args:
        threshold, min_words: see :class:`MentionClusters`.
        counts: how often each word occurs (orders words for prefix filtering).
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, min_words: int = DEFAULT_MIN_WORDS, counts: Mapping[str, int] | None = None) -> None:
        self.threshold = threshold
        self.min_words = min_words
        # one sort key per word for every group
        self._order = counts if counts is None or isinstance(counts, _WordOrder) else _WordOrder(counts)
        self._group: object = object()
        self._clusters = MentionClusters(threshold, min_words, self._order)

    def fresh(self) -> "MentionStream":
        """A stream with the same settings and word order and no group begun (for
        another run of whole groups; the word order is shared, not rebuilt)."""
        return MentionStream(self.threshold, self.min_words, self._order)

    def canonical(self, events: Mapping[str, Sequence]) -> tuple[list[str], list[float]]:
        """The canonical event id and the similarity to it of each event of a batch.

        Args:
            events: columns ``event_id``, ``doc_id``, ``sent_idx``, ``type``,
                ``negated``, ``speaker``, ``time_start``, ``time_end`` (dates or day
                numbers), ``time_window`` (with ``type``, the group), ``compared`` (the
                text compared: what a statement reports, else the clause), ``actors``
                (``"; "``-joined) and ``topics`` (the document's most named actors).
        """
        ids: list[str] = []
        similarities: list[float] = []
        min_words = self.min_words
        columns = [events[name] for name in ("event_id", "doc_id", "sent_idx", "type", "negated", "speaker", "time_start", "time_end", "time_window", "compared", "actors", "topics")]
        for event_id, doc_id, sent_idx, kind, negated, speaker, start, end, window, compared, actors, topics in zip(*columns):
            words = mention_words(compared)
            if len(words) < min_words:
                ids.append(event_id)  # too short to compare: its own event (and no group needs it)
                similarities.append(1.0)
                continue
            if (kind, window) != self._group:
                self._group = (kind, window)
                self._clusters = MentionClusters(self.threshold, min_words, self._order)
            clusters = self._clusters
            mention = Mention.of_row(event_id, doc_id, sent_idx, kind, negated, speaker, start, end, words, actors, topics)
            number, similarity = clusters.add(mention)
            ids.append(clusters.canonical[number].event_id)
            similarities.append(similarity)
        return ids, similarities
