import json

from bot.render.json import answer_to_dict
from bot.render.text import render_text

STABLE_FIELDS = {"question", "answered", "confidence", "answer", "citations", "suggestions"}
CITATION_FIELDS = {"rank", "entry_id", "title", "excerpt", "source_id", "source_title", "pinpoint", "url", "score"}


def test_json_keeps_the_stable_field_names(small_engine):
    """The JSON object has the documented fields, with citations and suggestions in their documented shape."""
    data = answer_to_dict(small_engine.ask("what is a wro"))
    assert set(data) >= STABLE_FIELDS
    assert set(data["citations"][0]) >= CITATION_FIELDS
    json.dumps(data)


def test_text_answer_shows_numbered_sources_and_disclaimer(small_engine):
    """The terminal answer lists [1] with pinpoint and URL, then the last-reviewed date and disclaimer."""
    text = render_text(small_engine.ask("what is a wro"), small_engine.prompts)
    assert "[1] UFLPA, § 1 (Pub. L. 117-78" in text and "https://" in text
    assert "Last reviewed 2026-11-27" in text and "not legal advice" in text


def test_quoted_excerpt_is_shown_in_quotation_marks(small_engine):
    """A verbatim quote is marked as such; a paraphrase is not."""
    text = render_text(small_engine.explain("uflpa-exception"), small_engine.prompts)
    assert "“completely and substantively responded to all inquiries”" in text
    assert "“The Commissioner" not in text


def test_source_line_does_not_repeat_title_pinpoint_or_citation():
    """A source whose pinpoint and citation start with its title is named once, with the rest of the citation."""
    from bot.engine.answer import Citation
    from bot.render.text import source_line

    citation = Citation(1, "e", "t", "x", "s", "19 CFR 151.16", "19 CFR 151.16 (T.D. 99-65, 64 FR 43608)",
                        "19 CFR 151.16", "https://www.ecfr.gov/x", "1999-08-11", 0.0, False)
    assert source_line(citation) == "[1] 19 CFR 151.16 (T.D. 99-65, 64 FR 43608, 1999-08-11) https://www.ecfr.gov/x"


def _registry_engine():
    from bot.engine import Engine
    from tests.conftest import FIXTURES, ROOT

    return Engine.load(FIXTURES / "kb_registry", ROOT / "prompts")


def test_notes_render_as_note_lines_not_citations():
    """A curator's note shows as a 'Note:' line and is never numbered as a citation."""
    from bot.render.text import render_text

    engine = _registry_engine()
    answer = engine.explain("entity-list-total")
    text = render_text(answer, engine.prompts)
    assert "Note: The official Entity List page was not read for this figure." in text
    assert all("not read" not in c.excerpt for c in answer.citations)


def test_json_keeps_fields_and_adds_notes():
    """The JSON answer carries the notes in a `notes` list and keeps every earlier field."""
    from bot.render.json import answer_to_dict

    data = answer_to_dict(_registry_engine().explain("entity-list-total"))
    assert data["notes"] == ["The official Entity List page was not read for this figure."]
    assert {"question", "answered", "confidence", "answer", "citations", "suggestions", "reason", "entry_id",
            "last_reviewed", "disclaimer"} <= set(data)


def test_answer_resting_only_on_secondary_sources_says_as_reported_by():
    """When every citation shown is a secondary report, the answer names the publisher as reported."""
    answer = _registry_engine().explain("entity-list-total")
    assert answer.attribution.startswith("As reported by Trade Weekly")


def test_answer_with_an_official_source_has_no_reported_line():
    """An answer citing an official source carries no 'as reported by' line."""
    assert _registry_engine().explain("presumption").attribution == ""
