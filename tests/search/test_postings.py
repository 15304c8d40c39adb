"""kb.search.postings reads Whoosh's private block structure: the same postings as the public API."""

import pytest
from whoosh import fields, index

from kb.search.postings import BLOCK_ATTRIBUTES, segment_postings


@pytest.fixture
def segment(tmp_path):
    """A segment whose common terms span many posting blocks (Whoosh writes 128 postings a block)."""
    storage = index.create_in(tmp_path, fields.Schema(text=fields.TEXT()))
    writer = storage.writer()
    for number in range(2000):
        writer.add_document(text=" ".join(["common", f"w{number % 7}"] + ["filler"] * (number % 4)))
    writer.commit()
    with storage.reader() as reader:
        yield reader


def public(reader, field, text):
    matcher = reader.postings(field, text)
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight()))
        matcher.next()
    return found


@pytest.mark.parametrize("text", ["common", "w3", "filler"])
def test_every_posting_as_the_public_api_gives_it(segment, text):
    assert all(hasattr(segment.postings("text", text), name) for name in BLOCK_ATTRIBUTES), (
        "this Whoosh's on-disk matcher has the block attributes the module reads"
    )
    assert list(segment_postings(segment, "text", text)) == public(segment, "text", text)


@pytest.mark.parametrize("every", [3, 170, 900])
def test_blocks_without_a_wanted_document_are_skipped_and_none_wanted_is_lost(segment, every):
    wanted = list(range(0, 2000, every))
    read = list(segment_postings(segment, "text", "common", wanted))
    assert {document for document, _ in read} >= set(wanted)
    assert len(read) < 2000 or every == 3  # whole blocks with nothing wanted were not read
    expected = dict(public(segment, "text", "common"))
    assert all(expected[document] == weight for document, weight in read)


def test_a_term_not_in_the_segment_has_no_postings(segment):
    assert list(segment_postings(segment, "text", "absent")) == []
