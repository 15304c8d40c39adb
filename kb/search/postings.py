"""A term's postings in one Whoosh segment, read a block at a time: the one place that knows Whoosh's internals.

Whoosh's public matcher API hands out one posting per call (id(), weight(), next()), in Python,
for each of the tens of thousands of postings a question's terms have. Its on-disk matcher
(Whoosh 2.7's W3LeafMatcher) decodes a whole block of ids and weights at once; reading those
arrays, and skipping a block by its header's last id without decoding it, is what makes our
term-at-a-time scoring several times faster than Whoosh's own search (kb.search.scoring).

Private attributes used, all of W3LeafMatcher: _maxid (the block's last id, from its header),
_read_ids() and _read_weights() (decode the block into _ids and _weights), _next_block().
tests/search/test_postings.py checks the result against the public API on a real index. A
matcher without them (another codec or Whoosh version) is read through the public API.
"""

from bisect import bisect_left
from collections.abc import Iterator

from whoosh.reading import TermNotFound

BLOCK_ATTRIBUTES = ("_maxid", "_read_ids", "_read_weights", "_next_block")


def segment_postings(
    segment_reader, field: str, text: str, wanted: list[int] | None = None
) -> Iterator[tuple[int, float]]:
    """(document, weight) of one term in one segment, deleted documents included (the caller drops them).

    wanted: sorted segment-local document numbers, or None for all. A block holding none of them
    is skipped undecoded; the blocks read are given whole, so the caller still filters.
    """
    try:
        matcher = segment_reader.postings(field, text)
    except TermNotFound:
        return
    # A segment with deletions wraps its matcher; deletions are applied by the caller, once per segment.
    matcher = getattr(matcher, "child", matcher)
    if not all(hasattr(matcher, name) for name in BLOCK_ATTRIBUTES):
        while matcher.is_active():
            yield matcher.id(), matcher.weight()
            matcher.next()
        return
    first = 0  # no document of the current block comes before it
    while matcher.is_active():
        last = matcher._maxid
        if wanted is not None:
            position = bisect_left(wanted, first)
            if position == len(wanted):
                return
            if wanted[position] > last:
                first = last + 1
                matcher._next_block()
                continue
        matcher._read_ids()
        matcher._read_weights()
        yield from zip(matcher._ids, matcher._weights, strict=True)
        first = last + 1
        matcher._next_block()
