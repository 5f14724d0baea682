from archive.cleaning import clean
from archive.duplicates import CopyFinder, normalized_hash, overlapping_chunks, signature
from archive.readers import read_file


def seed_text(seeds, prefix):
    (record,), _ = read_file(next(seeds.glob(f"{prefix}_*.txt")))
    return "\n\n".join(clean(record).paragraphs)


def test_the_two_formats_of_one_story_are_copies_and_the_other_story_is_not(seeds):
    finder = CopyFinder([("000", signature(seed_text(seeds, "000")))], threshold=0.5)
    assert [doc for doc, _ in finder.find("001", signature(seed_text(seeds, "001")))] == ["000"]
    assert finder.find("002", signature(seed_text(seeds, "002"))) == []


def test_a_paragraph_matches_the_run_together_block_that_contains_it():
    block = (
        "The Home Office said removals rose. The Refugee Council said the stunts promote division. "
        "Enver Solomon suggested the footage risked encouraging animosity like last year's race riots."
    )
    mine = [(1, "Enver Solomon suggested the footage risked encouraging animosity like last year's race riots.")]
    assert overlapping_chunks(mine, [(7, block), (8, "Something else entirely about the weather today.")]) == [(1, 7)]


def test_normalized_hash_ignores_case_punctuation_and_spacing():
    assert normalized_hash("He said: “Yes!”") == normalized_hash("he said  yes")
    assert normalized_hash("he said yes") != normalized_hash("he said no")


def test_short_bodies_are_never_copies_however_alike():
    finder = CopyFinder([("a", signature("Here it is"))], threshold=0.5)
    assert finder.find("b", signature("Here it is")) == []
    salutation = "Dave, see below. Thanks, Jeff"
    finder.add("c", signature(salutation))
    assert finder.find("d", signature(salutation)) == []


def test_a_forwarded_memo_is_a_copy_of_the_memo(seeds):
    story = seed_text(seeds, "000")
    finder = CopyFinder([("memo", signature(story))], threshold=0.5)
    forwarded = "Jeff, FYI below.\n\n" + story
    assert [doc for doc, _ in finder.find("mail", signature(forwarded))] == ["memo"]


def test_short_passages_are_never_marked_copies_of_each_other():
    assert overlapping_chunks([(1, "Dave,")], [(2, "Dave,")]) == []
    assert overlapping_chunks([(1, "Thanks for the update, Jeff")], [(2, "Thanks for the update, Jeff")]) == []
