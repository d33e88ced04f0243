"""The shipped knowledge base's curated questions: enough per entry, and each one pointing at a single entry."""

from collections import defaultdict

MIN_QUESTIONS = 6


def normalise(question: str) -> str:
    """Case, runs of spaces and trailing punctuation do not make two questions different."""
    return " ".join(question.lower().split()).rstrip(" ?!.")


def test_every_entry_and_ladder_has_at_least_six_questions(shipped_engine):
    """Each entry and ladder lists at least six curated questions, so users' wordings have something close to match."""
    entries = shipped_engine.kb.entries
    assert shipped_engine.kb.ladders, "ladders must be part of the check"
    short = {eid: len(entry.questions) for eid, entry in entries.items() if len(entry.questions) < MIN_QUESTIONS}
    assert short == {}


def test_no_two_entries_share_a_question(shipped_engine):
    """A curated question belongs to one entry only: the same wording under two entries would point both ways."""
    owners = defaultdict(set)
    for eid, entry in shipped_engine.kb.entries.items():
        for question in entry.questions:
            owners[normalise(question)].add(eid)
    shared = {question: sorted(ids) for question, ids in owners.items() if len(ids) > 1}
    assert shared == {}
