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
