import re
import shutil
import textwrap

from bot.engine import validate
from tests.conftest import FIXTURES

REBUTTAL_CONDITIONS = ("fully complied", "completely and substantively responded", "clear and convincing evidence")


def test_every_entry_marked_with_conditions_states_them_all_in_its_summary(shipped_engine):
    """Each listed condition's key words appear in its entry's summary (kb check enforces it too)."""
    marked = [e for e in shipped_engine.kb.entries.values() if e.conditions]
    assert "uflpa-exception" in {e.id for e in marked}
    for entry in marked:
        for condition in entry.conditions:
            words = [w for w in re.findall(r"[a-z0-9()]+", condition.lower()) if len(w) >= 4]
            assert all(w in entry.summary.lower() for w in words), (entry.id, condition)


def test_rebuttal_question_gets_all_three_conditions(shipped_engine):
    """'What do I have to prove to rebut the UFLPA presumption' answers with all three § 3(b) conditions."""
    answer = shipped_engine.ask("what do I have to prove to rebut the UFLPA presumption")
    assert answer.entry_id == "uflpa-exception"
    for condition in REBUTTAL_CONDITIONS:
        assert condition in answer.lead
    assert all("…" not in c.excerpt for c in answer.citations)


def test_summary_missing_a_condition_is_rejected(tmp_path):
    """An entry whose summary drops one of its listed conditions fails kb check at the conditions line."""
    kb = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "kb_registry", kb)
    (kb / "extra.yaml").write_text(textwrap.dedent("""\
        entries:
          - id: exception
            title: The exception
            area: uflpa
            questions: ["How do I rebut the presumption?"]
            summary: The importer must show clear and convincing evidence.
            conditions: [fully complied with the guidance, clear and convincing evidence]
            excerpts:
              - text: The Commissioner must find clear and convincing evidence.
                source: uflpa
                pinpoint: § 3(b)
                kind: paraphrase
            last_reviewed: 2026-11-29
        """))
    [problem] = validate(kb)[1]
    assert (problem.line, problem.entry_id) == (7, "exception")
    assert "omits the condition 'fully complied with the guidance'" in problem.message
