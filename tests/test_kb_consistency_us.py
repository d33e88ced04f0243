"""Cross-entry consistency of US dates and figures in the knowledge base.

Loads every YAML file under knowledge/ with yaml.safe_load (no project imports) and checks that
statements which must agree across entries (and across writers) do agree with the checked fact sheet:
the presumption's effective date, the UFLPA's enactment date, the Entity List total of 144 (superseded on 3 August 2026), the
consumptive-demand dates, section 1 of the UFLPA, the 2025 high-priority sectors, the Hoshine WRO date
and the number of FLETF member agencies.

Only curator prose is checked (titles, summaries, excerpt texts and ladder steps), not the `questions`
or `aliases` people type. Dates are recognised in any common style ("21 June 2022", "June 21, 2022",
"2022-06-21") so that a writer who uses another style is still checked, not silently skipped.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

KB_DIR = Path(__file__).resolve().parent.parent / "knowledge"

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b", re.IGNORECASE)
MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE)
ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9\"(])")
# Words that end in a full stop without ending a sentence ("19 U.S.C. 1307", "Pub. L. 117-78", "FR Doc. ...").
ABBREVIATIONS = frozenset(
    "u.s.c u.s pub l no nos doc docs stat dec art arts sec secs h.r p.l co ltd inc st v e.g i.e para paras cf ch"
    .split()
)

PRESUMPTION_EFFECT = re.compile(
    r"took effect|takes effect|take effect|became effective|effective date|in effect|applied from|applies from"
    r"|entered into force|came into force|in force|enforcement began|began enforcing|begin enforcing",
    re.IGNORECASE,
)
UFLPA_NAME = re.compile(
    r"\bUFLPA\b|Uyghur Forced Labou?r Prevention Act|Uighur Forced Labou?r Prevention Act|117-78|H\.R\. 6256",
    re.IGNORECASE,
)
ENACTED_ON = re.compile(r"(?:signed(?: into law)?|enacted|approved|became law)\s+(?:on\s+)?(?P<date>.{6,20})", re.IGNORECASE)
TFTEA_NAME = re.compile(r"TFTEA|Trade Facilitation and Trade Enforcement Act|114-125", re.IGNORECASE)
SECTORS_2025 = re.compile(r"\b(steel|copper|lithium|caustic soda|red dates|jujubes?)\b", re.IGNORECASE)


def _dates(text: str) -> list[date]:
    """Every full date in a text, whatever its style."""
    found: list[date] = []
    for match in DAY_MONTH_YEAR.finditer(text):
        found.append(date(int(match[3]), MONTHS[match[2].lower()], int(match[1])))
    for match in MONTH_DAY_YEAR.finditer(text):
        found.append(date(int(match[3]), MONTHS[match[1].lower()], int(match[2])))
    for match in ISO.finditer(text):
        found.append(date(int(match[1]), int(match[2]), int(match[3])))
    return found


def _months(text: str) -> set[tuple[int, int]]:
    """Every (year, month) a text names, from full dates or month-year phrases."""
    months = {(d.year, d.month) for d in _dates(text)}
    for match in MONTH_YEAR.finditer(text):
        months.add((int(match[2]), MONTHS[match[1].lower()]))
    return months


def _sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping legal abbreviations such as "U.S.C." and "Pub. L." intact."""
    sentences: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        words = text[start:match.start()].split()
        last = words[-1].lower().strip("([\"'").rstrip(".") if words else ""
        if last in ABBREVIATIONS or len(last) == 1:
            continue
        sentences.append(text[start:match.start() + 1])
        start = match.end()
    sentences.append(text[start:])
    return [s for s in sentences if s.strip()]


def _prose(record: dict) -> list[str]:
    texts = [record.get("title"), record.get("summary")]
    texts += [excerpt.get("text") for excerpt in record.get("excerpts") or [] if isinstance(excerpt, dict)]
    for step in record.get("steps") or []:
        if isinstance(step, dict):
            texts += [step.get(key) for key in ("title", "what", "time_limits", "precedent", "status")]
    return [" ".join(t.split()) for t in texts if isinstance(t, str)]


def _load_fields() -> list[tuple[str, str]]:
    """(where, text) for every prose field of every entry and ladder under knowledge/."""
    fields: list[tuple[str, str]] = []
    for path in sorted(KB_DIR.rglob("*.y*ml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            continue
        for key in ("entries", "ladders"):
            for record in data.get(key) or []:
                if isinstance(record, dict):
                    where = f"{path.relative_to(KB_DIR)}:{record.get('id')}"
                    fields += [(where, text) for text in _prose(record)]
    return fields


FIELDS = _load_fields()
SENTENCES = [(where, sentence) for where, text in FIELDS for sentence in _sentences(text)]


def test_sentence_splitter_keeps_legal_abbreviations():
    """The sentence helper does not split inside "19 U.S.C. 1307" or "Pub. L. 117-78"."""
    assert _sentences("See 19 U.S.C. 1307 and Pub. L. 117-78. Next one.") == [
        "See 19 U.S.C. 1307 and Pub. L. 117-78.", "Next one."
    ]


def test_date_parser_reads_every_style():
    """The date helper reads day-month, month-day and ISO dates alike."""
    assert _dates("on 21 June 2022, June 21, 2022 and 2022-06-21") == [date(2022, 6, 21)] * 3


def test_knowledge_base_has_us_prose():
    """The US files are loaded, so the checks below are not vacuous."""
    assert any(where.startswith("us/") for where, _ in FIELDS)


def test_presumption_took_effect_on_21_june_2022():
    """Every sentence about the UFLPA presumption taking effect gives 21 June 2022 and no other date."""
    checked = 0
    for where, sentence in SENTENCES:
        if "presumption" in sentence.lower() and PRESUMPTION_EFFECT.search(sentence):
            checked += 1
            dates = _dates(sentence)
            assert date(2022, 6, 21) in dates, f"{where}: no 21 June 2022 in: {sentence}"
            assert set(dates) == {date(2022, 6, 21)}, f"{where}: another date beside 21 June 2022: {sentence}"
    assert checked >= 3


def test_uflpa_enacted_on_23_december_2021():
    """Every 'signed/enacted/approved on <date>' statement about the UFLPA gives 23 December 2021."""
    checked = 0
    for where, sentence in SENTENCES:
        if not UFLPA_NAME.search(sentence) or TFTEA_NAME.search(sentence):
            continue
        for match in ENACTED_ON.finditer(sentence):
            dates = _dates(match["date"])
            if dates:
                checked += 1
                assert dates[0] == date(2021, 12, 23), f"{where}: UFLPA enactment date is not 23 December 2021: {sentence}"
    assert checked >= 2


def test_entity_list_total_144_is_dated_january_or_august_2025():
    """A sentence giving the Entity List total of 144 is dated January or August 2025; a later date only marks it superseded."""
    checked = 0
    for where, sentence in SENTENCES:
        if re.search(r"\b144\b", sentence) and re.search(r"entit", sentence, re.IGNORECASE):
            checked += 1
            months = _months(sentence)
            assert months & {(2025, 1), (2025, 8)}, f"{where}: 144 without a January/August 2025 date: {sentence}"
            late = [d for d in _dates(sentence) if d > date(2025, 8, 19)]
            superseded = re.search(r"supersed|until|\b187\b|entity_list_total", sentence, re.IGNORECASE)
            assert not late or superseded, f"{where}: 144 tied to a date after 19 August 2025 as if current: {sentence}"
    assert checked >= 3


def test_consumptive_demand_repeal_enforced_from_10_march_2016():
    """Text about the consumptive-demand repeal gives 10 March 2016 for enforcement, never another March 2016 day."""
    checked = 0
    for where, text in FIELDS:
        if "consumptive" not in text.lower():
            continue
        for day in _dates(text):
            if (day.year, day.month) == (2016, 3):
                checked += 1
                assert day == date(2016, 3, 10), f"{where}: consumptive-demand date {day} is not 10 March 2016: {text}"
    assert checked >= 1


def test_tftea_signed_on_24_february_2016():
    """Every 'signed <date>' statement about TFTEA gives 24 February 2016."""
    checked = 0
    for where, sentence in SENTENCES:
        if not TFTEA_NAME.search(sentence):
            continue
        for match in re.finditer(r"signed(?: into law)?\s+(?:on\s+)?(?P<date>.{6,20})", sentence, re.IGNORECASE):
            dates = _dates(match["date"])
            if dates:
                checked += 1
                assert dates[0] == date(2016, 2, 24), f"{where}: TFTEA signing date is not 24 February 2016: {sentence}"
    assert checked >= 1


def test_uflpa_section_1_is_not_called_a_short_title():
    """No text calls section 1 of the enacted UFLPA its short title without saying it is not."""
    for where, text in FIELDS:
        lowered = text.lower()
        if re.search(r"short[ -]title", lowered) and re.search(r"\bsec(tion|\.)?\s*1\b", lowered):
            assert re.search(r"\bnot\b", lowered), f"{where}: section 1 described as a short title: {text}"


def test_2025_high_priority_sectors_are_dated_2025():
    """Sentences adding steel, copper, lithium, caustic soda or red dates as high-priority sectors name 2025."""
    checked = 0
    for where, sentence in SENTENCES:
        lowered = sentence.lower()
        if SECTORS_2025.search(sentence) and "priority" in lowered and re.search(r"\b(add|added|adds|designat)", lowered):
            checked += 1
            assert "2025" in sentence, f"{where}: 2025 sectors not dated 2025: {sentence}"
    assert checked >= 2


def test_hoshine_wro_dated_24_june_2021():
    """Every sentence dating the Hoshine WRO in 2021 gives 24 June 2021."""
    checked = 0
    for where, sentence in SENTENCES:
        lowered = sentence.lower()
        if re.search(r"xpcc|tomato|tvpra|region-wide", lowered):
            continue  # sentences listing several orders or actions are not dating the Hoshine WRO alone
        if "hoshine" in lowered and re.search(r"\bWROs?\b|withhold release order", sentence, re.IGNORECASE):
            for day in _dates(sentence):
                if day.year == 2021:
                    checked += 1
                    assert day == date(2021, 6, 24), f"{where}: Hoshine WRO date {day} is not 24 June 2021: {sentence}"
    assert checked >= 1


@pytest.mark.parametrize("wrong", ["six member agencies", "6 member agencies", "eight member agencies", "8 member agencies"])
def test_fletf_has_seven_member_agencies(wrong):
    """No text gives the FLETF a number of member agencies other than seven."""
    offenders = [where for where, text in FIELDS if wrong in text.lower()]
    assert not offenders, f"FLETF member count given as '{wrong}' in: {offenders}"
