import pytest

from archive.chunking import chunk_document, split_sentences
from archive.cleaning import clean
from archive.readers import read_file


def test_sentences_split_on_terminal_punctuation_but_not_abbreviations():
    text = "Mr. Smith met Ms. Jones in the U.S. capital. “We agreed,” he said. Then J. Doe left! Next."
    assert split_sentences(text) == [
        "Mr. Smith met Ms. Jones in the U.S. capital.",
        "“We agreed,” he said.",
        "Then J. Doe left!",
        "Next.",
    ]


@pytest.fixture
def count(embedder):
    return embedder.count_tokens


def test_a_paragraph_is_one_chunk_with_document_context(count):
    first = "One paragraph that says enough to stand alone."
    second = "Another one, which is long enough to be a passage too."
    chunks = chunk_document("d1", "A title", [first, second], count, 192, 32)
    assert [(c.doc_id, c.position, c.paragraph, c.title) for c in chunks] == [
        ("d1", 0, 0, "A title"),
        ("d1", 1, 1, "A title"),
    ]
    assert chunks[0].context == "" and chunks[1].context == first


def test_salutations_sign_offs_and_lone_lines_join_a_neighbour_instead_of_being_passages(count):
    paragraphs = [
        "Dave,",
        "Here is the revised schedule for the pipeline capacity auction next week.",
        "Let me know if the numbers look wrong to you.",
        "Thanks,",
        "Jeff",
    ]
    chunks = chunk_document("m", "Schedule", paragraphs, count, 192, 32, min_words=8)
    assert [c.text for c in chunks] == [
        "Dave, Here is the revised schedule for the pipeline capacity auction next week.",
        "Let me know if the numbers look wrong to you. Thanks, Jeff",
    ]
    assert [c.paragraph for c in chunks] == [0, 2]


def test_a_short_paragraph_stays_alone_when_no_neighbour_has_room(count):
    long = " ".join(["word"] * 49) + "."
    chunks = chunk_document("d", "t", [long, "Short one.", long], count, 50, 8, min_words=8)
    assert [c.text for c in chunks] == [long, "Short one.", long]


def test_a_document_shorter_than_the_minimum_is_still_one_passage(count):
    chunks = chunk_document("d", "t", ["Here it is"], count, 192, 32, min_words=8)
    assert [c.text for c in chunks] == ["Here it is"]


def test_long_paragraphs_split_on_sentences_within_the_model_window(seeds, count):
    (record,), _ = read_file(next(seeds.glob("001_*.txt")))
    cleaned = clean(record)
    chunks = chunk_document("001", "t", cleaned.paragraphs, count, 60, 32)
    sentences = {s for p in cleaned.paragraphs for s in split_sentences(p)}
    assert len(chunks) > len(cleaned.paragraphs)
    for chunk in chunks:
        assert count([chunk.text])[0] <= 60
        assert all(s in sentences for s in split_sentences(chunk.text)), "a chunk starts or ends mid-sentence"


def test_a_quote_keeps_the_speaker_named_in_the_paragraph_before(seeds, count):
    (record,), _ = read_file(next(seeds.glob("000_*.txt")))
    chunks = chunk_document("000", "t", clean(record).paragraphs, count, 192, 32)
    quote = next(c for c in chunks if c.text.startswith("“It was not long ago"))
    assert "Enver Solomon" in quote.context


def test_a_sentence_longer_than_the_window_is_cut_at_clauses_not_lost(count):
    sentence = ", ".join(f"clause number {i} of a very long sentence" for i in range(60)) + "."
    chunks = chunk_document("d", "t", [sentence], count, 50, 16)
    assert all(c.n_tokens <= 50 for c in chunks)
    assert " ".join(c.text for c in chunks).split() == sentence.split()
