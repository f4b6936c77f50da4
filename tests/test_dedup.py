"""De-duplication of event mentions: similarity, grouping and its guards."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.dedup import Mention, cluster_mentions, jaccard, mention_words

DAY = (dt.date(2021, 8, 17), dt.date(2021, 8, 18))
QUOTE = "Ultimately, the Afghan political leadership failed to stand up to the Taliban and to achieve the peaceful solution that Afghans desperately wanted"
REPEAT = "The Afghan political leadership failed to stand up to the Taliban and to achieve the peaceful solution that Afghans desperately wanted"


def _mention(n: int, text: str, *, doc: str = "d", sent: int | None = None, type_: str = "statement", speaker: str | None = "Stoltenberg", when=DAY, negated=False) -> Mention:
    return Mention(f"{doc}:e{n}", doc, n if sent is None else sent, type_, negated, speaker, when[0], when[1], mention_words(text))


def test_documents_about_other_stories_do_not_merge():
    a = Mention("x:e0", "x", 0, "other", False, None, *DAY, mention_words(REPEAT), topics=frozenset({"NATO", "Kabul"}))
    b = Mention("y:e0", "y", 0, "other", False, None, *DAY, mention_words(REPEAT), topics=frozenset({"Compaq"}))
    c = Mention("z:e0", "z", 0, "other", False, None, *DAY, mention_words(REPEAT), topics=frozenset({"Kabul"}))
    assert [root for root, _ in cluster_mentions([a, b, c])] == [0, 1, 0]


def test_named_actors_must_agree():
    a = Mention("x:e0", "x", 0, "other", False, None, *DAY, mention_words(REPEAT), actors=frozenset({"Crossland"}))
    b = Mention("y:e0", "y", 0, "other", False, None, *DAY, mention_words(REPEAT), actors=frozenset({"Automatic Data"}))
    assert cluster_mentions([a, b])[1][0] == 1


def test_words_compared():
    words = mention_words("NATO's remaining 800 civilian personnel, he said, were evacuated")
    assert words == {"nato", "remain", "civilian", "personnel", "evacuat"}
    assert mention_words("") == frozenset() and mention_words(None) == frozenset()
    assert mention_words("troops") == mention_words("troop")


def test_repeated_quote_is_one_event():
    clusters = cluster_mentions([_mention(0, QUOTE), _mention(1, REPEAT)])
    assert clusters[0] == (0, 1.0)
    assert clusters[1][0] == 0 and clusters[1][1] > 0.8


def test_a_different_figure_still_merges():
    a = "that the alliance was working to ensure the safety of its remaining 800 civilian personnel in Kabul"
    b = "that the alliance was working to ensure the safety of its remaining 900 civilian personnel in Kabul"
    assert cluster_mentions([_mention(0, a, doc="x"), _mention(0, b, doc="y")])[1] == (0, 1.0)


def test_guards():
    base = _mention(0, QUOTE)
    assert cluster_mentions([base, _mention(1, REPEAT, speaker="Biden")])[1][0] == 1, "speakers disagree"
    assert cluster_mentions([base, _mention(1, REPEAT, speaker=None)])[1][0] == 0, "an unknown speaker does not disagree"
    assert cluster_mentions([base, _mention(1, REPEAT, type_="other")])[1][0] == 1, "types differ"
    assert cluster_mentions([base, _mention(1, REPEAT, negated=True)])[1][0] == 1, "a denial"
    later = (dt.date(2021, 8, 20), dt.date(2021, 8, 21))
    assert cluster_mentions([base, _mention(1, REPEAT, when=later)])[1][0] == 1, "times do not overlap"
    assert cluster_mentions([base, _mention(1, REPEAT, sent=0)])[1][0] == 1, "one sentence"
    short = [_mention(0, "he said it fell"), _mention(1, "he said it fell")]
    assert cluster_mentions(short)[1][0] == 1, "too few words to tell apart"
    other_story = "The Taliban entered the presidential palace in Kabul as the president fled the country"
    assert cluster_mentions([base, _mention(1, other_story)])[1][0] == 1


def test_joins_the_most_similar_canonical_mention():
    a = "British troops will leave the airport in Kabul after the last evacuation flight"
    b = "British troops will leave the base in Kabul after the last evacuation flight lands"
    c = "British troops will leave the airport in Kabul after the last evacuation flights"
    m = [_mention(0, a), _mention(1, b), _mention(2, c)]
    clusters = cluster_mentions(m, threshold=0.9)
    assert clusters[1][0] == 1, "b is below 0.9 of a: canonical itself"
    assert clusters[2] == (0, 1.0), "c is a again, and more like a than like b"
    assert jaccard(m[2].words, m[0].words) > jaccard(m[2].words, m[1].words)


def test_many_copies_are_one_event():
    """Wire copies of one story: each joins the first, and it stays fast."""
    mentions = [_mention(i, REPEAT, doc=f"copy{i}", sent=0) for i in range(3000)]
    clusters = cluster_mentions(mentions)
    assert {root for root, _ in clusters} == {0}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from("alpha beta gamma delta epsilon zeta eta theta iota kappa".split()), min_size=0, max_size=8), max_size=25))
def test_every_mention_is_at_least_threshold_similar_to_its_canonical(texts):
    mentions = [_mention(i, " ".join(t)) for i, t in enumerate(texts)]
    clusters = cluster_mentions(mentions, threshold=0.5, min_words=2)
    for i, (root, similarity) in enumerate(clusters):
        assert root <= i and clusters[root][0] == root
        if root != i:
            assert similarity >= 0.5 and similarity == round(jaccard(mentions[i].words, mentions[root].words), 4)


_VOCABULARY = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_VOCABULARY), max_size=8), max_size=25),
    st.dictionaries(st.sampled_from(_VOCABULARY), st.integers(0, 50)),
)
def test_groups_do_not_depend_on_the_word_order_of_the_prefix_filter(texts, counts):
    """Prefix filtering is exact for any fixed order of words: counts only make it
    faster (the corpus step counts words cheaply, split at spaces)."""
    from analysis.dedup import MentionClusters

    mentions = [_mention(i, " ".join(t)) for i, t in enumerate(texts)]

    def groups(order_counts):
        clusters = MentionClusters(0.5, 2, order_counts)
        return [clusters.add(m) for m in mentions]

    assert groups(counts) == groups(None) == groups({w: -n for w, n in counts.items()})


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aBé ß1,.'’-_ the said troops\t\n\u00a0\u2003İΣ", max_size=60))
def test_compared_words_are_the_letter_words_of_the_plain_pattern(text):
    """Also across runs between spaces of any kind (words are read run by run, each
    run once per corpus), and letters whose lower case is longer ("İ")."""
    import re

    from analysis.dedup import _form

    words = {_form(w) for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d[\d,.]*", text.lower())} - {""}
    assert mention_words(text) == frozenset(words)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["statement", "meeting"]), st.sampled_from([1998, None]), st.lists(st.sampled_from(_VOCABULARY), max_size=8)),
        max_size=30,
    ),
    st.integers(1, 7),
)
def test_the_stream_of_batches_groups_as_clusters_of_each_group_do(events, batch_size):
    """The corpus step's stream (columns in batches, groups one after another) gives
    each event the canonical event that clustering its group alone gives."""
    from analysis.dedup import MentionClusters, MentionStream

    events = sorted(events, key=lambda e: (e[0], e[1] is not None, e[1] or 0))
    columns = {
        "event_id": [f"d:e{i}" for i in range(len(events))],
        "doc_id": ["d"] * len(events),
        "sent_idx": list(range(len(events))),
        "type": [kind for kind, _, _ in events],
        "negated": [False] * len(events),
        "speaker": [None] * len(events),
        "time_start": [None] * len(events),
        "time_end": [None] * len(events),
        "time_window": [window for _, window, _ in events],
        "compared": [" ".join(words) for _, _, words in events],
        "actors": [None] * len(events),
        "topics": [None] * len(events),
    }
    stream = MentionStream(0.5, 2)
    streamed: list[tuple[str, float]] = []
    for lo in range(0, len(events), batch_size):
        ids, similarities = stream.canonical({name: values[lo : lo + batch_size] for name, values in columns.items()})
        streamed += zip(ids, similarities)
    expected = []
    clusters, group = None, object()
    for i, (kind, window, words) in enumerate(events):
        if (kind, window) != group:
            clusters, group = MentionClusters(0.5, 2), (kind, window)
        mention = Mention(f"d:e{i}", "d", i, kind, False, None, None, None, mention_words(" ".join(words)))
        number, similarity = clusters.add(mention)
        expected.append((mention.event_id if number is None else clusters.canonical[number].event_id, similarity))
    assert streamed == expected


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_VOCABULARY[:6]), min_size=1, max_size=6),
            st.sampled_from(["Stoltenberg", "Biden", None]),
            st.sampled_from(["a", "b"]),
        ),
        max_size=30,
    )
)
def test_clusters_are_those_of_comparing_every_canonical_mention(items):
    """Prefix filtering and the shortcut for copies (equal word sets) give what a
    comparison with every earlier canonical mention gives: the most similar
    compatible one, the first of equals."""
    from analysis.dedup import MentionClusters, _compatible

    mentions = [_mention(i, " ".join(words), doc=doc, speaker=speaker) for i, (words, speaker, doc) in enumerate(items)]
    clusters = MentionClusters(0.5, 2)
    canonical: list = []
    for mention in mentions:
        expected: tuple = (None, 1.0)
        if len(mention.words) >= 2:
            best, best_similarity = None, 0.0
            for j, other in enumerate(canonical):
                similarity = jaccard(mention.words, other.words)
                if similarity >= 0.5 and (similarity > best_similarity or (similarity == best_similarity and j < best)) and _compatible(mention, other):
                    best, best_similarity = j, similarity
            if best is None:
                canonical.append(mention)
                expected = (len(canonical) - 1, 1.0)
            else:
                expected = (best, round(best_similarity, 4))
        assert clusters.add(mention) == expected


def _full_clusters(ordered: list, threshold: float, min_words: int) -> dict[str, tuple[str, float]]:
    from analysis.dedup import MentionClusters

    clusters = MentionClusters(threshold, min_words)
    found = {}
    for mention in ordered:
        number, similarity = clusters.add(mention)
        found[mention.event_id] = (mention.event_id, similarity) if number is None else (clusters.canonical[number].event_id, similarity)
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_VOCABULARY[:6]), min_size=0, max_size=6),
            st.sampled_from(["Stoltenberg", "Biden", None]),
            st.sampled_from(["a", "b", "c"]),
            st.booleans(),
        ),
        max_size=30,
    ),
    st.sampled_from([0.5, 0.7]),
)
def test_new_mentions_get_what_clustering_old_and_new_together_gives(items, threshold):
    """extend_group, the corpus step's rerun after added documents: for the new
    mentions, what clustering the whole group again gives, and never an answer
    when that would change an old mention's canonical event."""
    from analysis.dedup import extend_group

    mentions = [_mention(i, " ".join(words), doc=doc, speaker=speaker) for i, (words, speaker, doc, _) in enumerate(items)]
    is_new = {m.event_id: fresh for m, (*_, fresh) in zip(mentions, items)}
    key = {m.event_id: (i,) for i, m in enumerate(mentions)}  # the list is in canonical order
    old = [m for m in mentions if not is_new[m.event_id]]
    before = _full_clusters(old, threshold, 2)
    after = _full_clusters(mentions, threshold, 2)
    found = extend_group(
        [(key[m.event_id], m, before[m.event_id][0]) for m in old],
        [(key[m.event_id], m) for m in mentions if is_new[m.event_id]],
        threshold,
        2,
    )
    if found is None:  # only when an old canonical mention joins a new one
        assert any(before[m.event_id][0] == m.event_id and after[m.event_id][0] != m.event_id for m in old)
        return
    assert {m.event_id: found.get(m.event_id, before[m.event_id]) for m in old} == {m.event_id: after[m.event_id] for m in old}
    assert {m.event_id: found[m.event_id] for m in mentions if is_new[m.event_id]} == {m.event_id: after[m.event_id] for m in mentions if is_new[m.event_id]}


def test_an_earlier_copy_becomes_the_canonical_mention_of_its_old_copies():
    from analysis.dedup import extend_group

    first, copy = _mention(1, REPEAT, doc="first"), _mention(2, REPEAT, doc="copy")
    old = [((1,), first, first.event_id), ((2,), copy, first.event_id)]
    earlier = _mention(0, REPEAT, doc="earlier")
    assert extend_group(old, [((0,), earlier)]) == {e.event_id: (earlier.event_id, 1.0) for e in (earlier, first, copy)}
    later = _mention(3, QUOTE, doc="later")
    assert extend_group(old, [((3,), later)]) == {later.event_id: (first.event_id, round(jaccard(later.words, first.words), 4))}


def test_a_member_whose_next_best_is_not_known_asks_for_clustering_again():
    from analysis.dedup import extend_group

    first, rewrite = _mention(1, QUOTE, doc="first"), _mention(2, REPEAT, doc="rewrite")
    shorter = _mention(0, "the Afghan political leadership failed to stand up to the Taliban", doc="earlier")
    # the rewrite is less like the earlier, shorter mention than like the one it joined
    assert jaccard(rewrite.words, shorter.words) < jaccard(rewrite.words, first.words)
    assert jaccard(first.words, shorter.words) >= 0.5
    assert extend_group([((1,), first, first.event_id), ((2,), rewrite, first.event_id)], [((0,), shorter)]) is None
