"""Dates and figures that must agree across the knowledge base (international topics; facts.md, November 2026).

Only curator text is checked (titles, summaries, excerpts and ladder steps): `questions` and `aliases` hold
community phrasing, which may repeat the very mistakes these tests guard against.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

KB_DIR = Path(__file__).resolve().parent.parent / "knowledge"

STEP_FIELDS = ("title", "who", "what", "time_limits", "precedent", "status")
# Tokens that end with a full stop without ending a sentence.
ABBREVIATIONS = {
    "art.", "arts.", "no.", "nos.", "para.", "paras.", "s.", "ss.", "c.", "e.g.", "i.e.", "pub.", "l.", "stat.",
    "u.s.", "u.s.c.", "s.c.", "doc.", "dec.", "v.", "cf.", "p.", "pp.", "mr.", "ms.", "dr.", "st.", "co.", "ltd.",
    "inc.", "etc.", "reg.", "gb.",
}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
FULL_DATE = re.compile(rf"\b(\d{{1,2}}) ({MONTHS}) (\d{{4}})\b")

CHINA = re.compile(r"\bChina(?:'s)?\b")
FORCED_LABOUR_CONVENTIONS = re.compile(r"\bC29\b|\bC105\b|\bNo\. 29\b|\bNo\. 105\b|forced labou?r conventions", re.I)
ARTICLE_33 = re.compile(r"\bArt(?:icle|\.)\s*33\b")
EU_FLR = re.compile(r"2024/3015|Forced Labou?r Regulation|\bFLR\b")
CEACR = re.compile(r"\bCEACR\b|Committee of Experts")
CAS = re.compile(r"\bCAS\b|Conference Committee|Committee on the Application of Standards")
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "twenty": 20,
}


def _number(word: str) -> int | None:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


@cache
def curated_texts() -> tuple[tuple[str, str], ...]:
    """(entry id, text) for every curator-written field of every entry and ladder, as readers see it (registry
    values substituted)."""
    from bot.engine import load_knowledge_base

    texts: list[tuple[str, str]] = []
    for entry in load_knowledge_base(KB_DIR).entries.values():
        fields = [entry.title, entry.summary, *(excerpt.text for excerpt in entry.excerpts)]
        fields += [getattr(step, key, "") for step in entry.steps for key in STEP_FIELDS]
        texts += [(entry.id, " ".join(str(field).split())) for field in fields if field]
    return tuple(texts)


def sentences() -> list[tuple[str, str]]:
    """(entry id, sentence) pairs; abbreviations such as "Art." or "No." do not end a sentence."""
    out: list[tuple[str, str]] = []
    for ident, text in curated_texts():
        pieces: list[str] = []
        for piece in re.split(r"(?<=[.!?])\s+", text):
            if pieces and pieces[-1].rsplit(" ", 1)[-1].lower() in ABBREVIATIONS:
                pieces[-1] += " " + piece
            else:
                pieces.append(piece)
        out += [(ident, piece) for piece in pieces]
    return out


def dates_in(sentence: str, month: str | None = None, year: str | None = None) -> list[str]:
    return [
        " ".join(match.groups())
        for match in FULL_DATE.finditer(sentence)
        if (month is None or match[2] == month) and (year is None or match[3] == year)
    ]


def about_china_forced_labour_conventions(sentence: str) -> bool:
    return bool(CHINA.search(sentence) and FORCED_LABOUR_CONVENTIONS.search(sentence))


def test_knowledge_base_has_text_to_check():
    """The loader finds the international entries this suite is about."""
    ids = {ident for ident, _ in curated_texts()}
    assert {"china-ilo-ratifications", "ilo-article-33-precedents", "eu-forced-labour-regulation"} <= ids


def test_china_registration_is_12_august_2022():
    """Every August 2022 date given for China's C29/C105 ratification is 12 August 2022."""
    wrong = [
        (ident, sentence)
        for ident, sentence in sentences()
        if about_china_forced_labour_conventions(sentence)
        and any(date != "12 August 2022" for date in dates_in(sentence, "August", "2022"))
    ]
    assert not wrong, wrong


def test_china_entry_into_force_is_12_august_2023():
    """C29/C105 entered into force for China on 12 August 2023, never on the registration date."""
    wrong = []
    for ident, sentence in sentences():
        if not about_china_forced_labour_conventions(sentence):
            continue
        if any(date != "12 August 2023" for date in dates_in(sentence, "August", "2023")):
            wrong.append((ident, sentence))
        if re.search(r"(?:into|in) force[^.;]{0,30}\b(?:on|since|from) 12 August 2022", sentence):
            wrong.append((ident, sentence))
    assert not wrong, wrong


def test_npc_approval_is_20_april_2022():
    """The first date after each mention of the NPC Standing Committee's approval is 20 April 2022."""
    approval = re.compile(rf"(?:\bNPC\b|National People's Congress)[^;]*?\b(\d{{1,2}} (?:{MONTHS}) \d{{4}})")
    wrong = [
        (ident, sentence)
        for ident, sentence in sentences()
        for match in approval.finditer(sentence)
        if match[1] != "20 April 2022"
    ]
    assert not wrong, wrong


def test_china_fundamental_convention_count_is_never_wrong():
    """No text gives China a count of fundamental conventions other than seven of ten."""
    wrong_count = re.compile(
        r"\b(?:four|five|six|eight|nine|4|5|6|8|9)\s+(?:out\s+)?of\s+(?:the\s+)?(?:ten|10|eight|8)\b", re.I
    )
    wrong = [
        (ident, sentence)
        for ident, sentence in sentences()
        if CHINA.search(sentence) and re.search(r"fundamental|core", sentence, re.I) and wrong_count.search(sentence)
    ]
    assert not wrong, wrong


def test_china_seven_of_ten_fundamentals_is_stated():
    """The knowledge base states that China has ratified seven of the ten fundamental conventions."""
    stated = [
        ident
        for ident, sentence in sentences()
        if CHINA.search(sentence) and re.search(r"\bseven\b[^.]{0,30}\bten\b[^.]{0,30}fundamental", sentence, re.I)
    ]
    assert stated


def test_article_33_is_never_described_as_used_once_or_twice():
    """Sentences about Article 33 never say it was used once or twice (it has been used three times)."""
    wrong = [
        (ident, sentence)
        for ident, sentence in sentences()
        if ARTICLE_33.search(sentence)
        and re.search(r"(?<!not )\b(?:once|twice|one time|two times|only time)\b", sentence, re.I)
    ]
    assert not wrong, wrong


def test_article_33_three_uses_is_stated():
    """The knowledge base states that Article 33 has been used three times."""
    stated = [ident for ident, sentence in sentences() if re.search(r"\bused three times\b", sentence)]
    assert "ilo-article-33-precedents" in stated


def test_article_33_vote_figures_travel_together():
    """The Myanmar 2000 (252-41-31) and Belarus 2023 (301-54-108) votes are always quoted whole."""
    wrong = []
    for ident, sentence in sentences():
        if re.search(r"\b252\b", sentence) and not (re.search(r"\b41\b", sentence) and re.search(r"\b31\b", sentence)):
            wrong.append((ident, sentence))
        if re.search(r"\b301\b", sentence) and not (re.search(r"\b54\b", sentence) and re.search(r"\b108\b", sentence)):
            wrong.append((ident, sentence))
    assert not wrong, wrong


def test_myanmar_2000_measures_dates():
    """November 2000 dates for the Myanmar measures are 16 (Governing Body decision) or 30 (effect)."""
    wrong = [
        (ident, sentence)
        for ident, sentence in sentences()
        if any(date not in ("16 November 2000", "30 November 2000") for date in dates_in(sentence, "November", "2000"))
    ]
    assert not wrong, wrong


def test_second_myanmar_commission_was_not_set_up_in_2021():
    """The second Myanmar commission of inquiry dates from March 2022, not 2021."""
    wrong = [
        (ident, sentence)
        for ident, sentence in sentences()
        if re.search(r"commission of inquiry", sentence, re.I)
        and re.search(r"\b(?:set up|established|appointed)\s+(?:in\s+)?(?:\w+\s+)?2021\b", sentence)
    ]
    assert not wrong, wrong


def test_commissions_of_inquiry_count_is_14_or_the_reported_15():
    """Every count of ILO commissions of inquiry is the ILO's 2022 count (14) or the reported current one (15)."""
    counts = [
        (ident, match[1])
        for ident, sentence in sentences()
        for match in re.finditer(r"\b(\w+)\s+(?:ILO\s+)?commissions of inquiry\b", sentence, re.I)
        if _number(match[1]) is not None
    ]
    assert counts
    # The ILO's own "To date, 12 Commissions of Inquiry have been established" (26 March 2018) is quoted as history.
    assert all(_number(word) in (14, 15) or word == "12" for _, word in counts), counts
    twelve = [sentence for _, sentence in sentences() if re.search(r"\b12 commissions of inquiry\b", sentence, re.I)]
    assert all("To date, 12 Commissions of Inquiry have been established" in sentence for sentence in twelve), twelve


def test_eu_flr_never_in_force_on_14_december_2024():
    """No text gives 14 December 2024 (a known error for the EU FLR's entry into force)."""
    wrong = [(ident, text) for ident, text in curated_texts() if re.search(r"\b14 December 2024\b", text)]
    assert not wrong, wrong


def test_eu_flr_dates_agree():
    """EU FLR sentences give 12/13 December 2024 (publication, entry into force) and 14 December 2027 (application)."""
    wrong = []
    for ident, sentence in sentences():
        if not EU_FLR.search(sentence):
            continue
        if any(date not in ("12 December 2024", "13 December 2024") for date in dates_in(sentence, "December", "2024")):
            wrong.append((ident, sentence))
        if any(date != "14 December 2027" for date in dates_in(sentence, year="2027")):
            wrong.append((ident, sentence))
    assert not wrong, wrong


def test_eu_flr_main_entry_states_both_dates():
    """The main EU FLR entry gives entry into force (13 December 2024) and application (14 December 2027)."""
    text = " ".join(text for ident, text in curated_texts() if ident == "eu-forced-labour-regulation")
    assert "13 December 2024" in text
    assert "14 December 2027" in text


def test_canada_ban_date_is_1_july_2020():
    """Every 2020 date given for Canada's tariff item 9897.00.00 is 1 July 2020."""
    wrong = [
        (ident, sentence)
        for ident, sentence in sentences()
        if re.search(r"9897|\bCanada\b", sentence) and any(date != "1 July 2020" for date in dates_in(sentence, year="2020"))
    ]
    assert not wrong, wrong


def test_mexico_mechanism_dates():
    """Mexico's acuerdo is dated 17 February 2023 (publication) and 18 May 2023 (effect); the first request was
    dismissed on 14 November 2023."""
    wrong = [
        (ident, sentence)
        for ident, sentence in sentences()
        if re.search(r"\bMexic|acuerdo|\bSTPS\b", sentence)
        and any(date not in ("17 February 2023", "18 May 2023", "14 November 2023") for date in dates_in(sentence, year="2023"))
    ]
    assert not wrong, wrong


def test_ceacr_has_20_experts():
    """Every count of CEACR members is 20."""
    counts = [
        (ident, match[1])
        for ident, sentence in sentences()
        if CEACR.search(sentence)
        for match in re.finditer(r"\b(\w+)\s+(?:independent\s+)?(?:experts|jurists)\b", sentence)
        if _number(match[1]) is not None
    ]
    assert counts
    assert all(_number(word) == 20 for _, word in counts), counts


def test_governing_body_composition():
    """Governing Body titular seats are given as 56 = 28 government + 14 employer + 14 worker."""
    wrong = []
    for ident, sentence in sentences():
        mentions_size = re.search(r"Governing Body", sentence) and re.search(r"\b56\b", sentence)
        if mentions_size and not (re.search(r"\b28\b", sentence) and len(re.findall(r"\b14\b", sentence)) >= 2):
            wrong.append((ident, sentence))
    assert not wrong, wrong


def test_human_rights_council_vote_is_19_17_11():
    """The 6 October 2022 Human Rights Council vote is always 19 against, 17 for, 11 abstentions."""
    wrong = []
    for ident, sentence in sentences():
        if not re.search(r"Human Rights Council|\bHRC\b|19-17-11", sentence):
            continue
        against = re.findall(r"\b(\d+) (?:votes )?against\b", sentence)
        in_favour = re.findall(r"\b(\d+) (?:votes )?(?:for|in favour)\b", sentence)
        abstentions = re.findall(r"\b(\d+) abstentions\b", sentence)
        if any(n != "19" for n in against) or any(n != "17" for n in in_favour) or any(n != "11" for n in abstentions):
            wrong.append((ident, sentence))
    assert not wrong, wrong


def _nearest_committee_before(sentence: str, position: int) -> str | None:
    mentions = [(m.start(), "CEACR") for m in CEACR.finditer(sentence[:position])]
    mentions += [(m.start(), "CAS") for m in CAS.finditer(sentence[:position])]
    return max(mentions)[1] if mentions else None


def test_deep_concern_is_the_ceacr_and_deplored_is_the_cas():
    """'Deep concern' (February 2022) is attributed to the CEACR and 'deplored' (June 2022) to the CAS."""
    wrong = []
    for ident, sentence in sentences():
        for phrase, owner in (("deep concern", "CEACR"), ("deplored", "CAS")):
            for match in re.finditer(phrase, sentence, re.I):
                speaker = _nearest_committee_before(sentence, match.start())
                if speaker is not None and speaker != owner:
                    wrong.append((ident, sentence))
    assert not wrong, wrong


def test_timeline_event_dates_appear_in_their_text():
    """Each timeline entry's event_date is written out in its title, summary or excerpts."""
    wrong = []
    for path in sorted(KB_DIR.rglob("*.y*ml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("entries") or []:
            if item.get("area") != "timeline" or not item.get("event_date"):
                continue
            parts = [int(part) for part in str(item["event_date"]).split("-")]
            month_year = f"{MONTHS.split('|')[parts[1] - 1]} {parts[0]}"
            written = f"{parts[2]} {month_year}" if len(parts) == 3 else month_year  # month-only dates
            text = " ".join(text for ident, text in curated_texts() if ident == item["id"])
            if written not in text:
                wrong.append((item["id"], written))
    assert not wrong, wrong
