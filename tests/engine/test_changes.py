"""Knowledge base snapshots and versions: stable over reloads, and what changed between two of them."""

import shutil
from datetime import date

from bot.engine import load_knowledge_base
from bot.engine.changes import ChangeSet, Snapshot, compare
from tests.conftest import FIXTURES

REGISTRY = FIXTURES / "kb_registry"


def _copy(tmp_path):
    kb = tmp_path / "kb"
    shutil.copytree(REGISTRY, kb)
    return kb


def test_version_is_the_same_for_the_same_files(tmp_path):
    """Two loads of the same files (e.g. two processes, or a restart) give the same version."""
    kb = _copy(tmp_path)
    assert Snapshot.of(load_knowledge_base(kb)).version == Snapshot.of(load_knowledge_base(REGISTRY)).version


def test_version_changes_with_a_value(tmp_path):
    """Editing one registry value changes the version."""
    kb = _copy(tmp_path)
    values = kb / "values.yaml"
    values.write_text(values.read_text().replace("as_of: 2026-11-29", "as_of: 2026-12-15"))
    assert Snapshot.of(load_knowledge_base(kb)).version != Snapshot.of(load_knowledge_base(REGISTRY)).version


def test_compare_reports_value_old_new_and_using_entries(tmp_path):
    """A value edit shows old -> new with both days, and every entry using it counts as changed."""
    kb = _copy(tmp_path)
    values = kb / "values.yaml"
    values.write_text(values.read_text().replace("187 entities", "190 entities").replace("2026-11-29", "2026-12-15"))
    changes = compare(Snapshot.of(load_knowledge_base(REGISTRY)), Snapshot.of(load_knowledge_base(kb)))
    [value] = changes.values
    assert (value.old, value.new) == ("187 entities (reported since 3 August 2026)", "190 entities (reported since 3 August 2026)")
    assert (value.old_as_of, value.new_as_of) == (date(2026, 11, 29), date(2026, 12, 15))
    assert changes.changed == ("entity-list-total", "entity-list-basics") == value.entries
    assert changes.description("entity_list_total") == "Number of entities on the UFLPA Entity List"


def test_compare_separates_added_and_removed_entries(tmp_path):
    """An entry removed and one added are listed apart from edits, with their titles kept."""
    kb = _copy(tmp_path)
    entries = kb / "entries.yaml"
    entries.write_text(entries.read_text().replace("id: presumption", "id: presumption-renamed"))
    changes = compare(Snapshot.of(load_knowledge_base(REGISTRY)), Snapshot.of(load_knowledge_base(kb)))
    assert (changes.added, changes.removed, changes.changed) == (("presumption-renamed",), ("presumption",), ())
    assert changes.title("presumption") == "The UFLPA rebuttable presumption"


def test_snapshot_and_change_set_survive_storage(tmp_path):
    """A snapshot and a change set read back from their JSON compare and describe the same as the originals."""
    old = Snapshot.of(load_knowledge_base(REGISTRY))
    kb = _copy(tmp_path)
    values = kb / "values.yaml"
    values.write_text(values.read_text().replace("187 entities", "190 entities"))
    new = Snapshot.of(load_knowledge_base(kb))
    stored = Snapshot.from_json(old.to_json())
    assert stored is not None and stored.version == old.version
    changes = compare(stored, new)
    assert ChangeSet.from_json(changes.to_json()) == changes


def test_damaged_stored_rows_read_as_nothing():
    """A stored snapshot or change set that is not valid JSON of the right shape gives None or an empty set."""
    assert Snapshot.from_json('{"entries": []}') is None
    assert ChangeSet.from_json("not json").empty
