"""Knowledge files are untrusted: hostile YAML, oversized files and links out of the folder become one clear problem."""

import os
import shutil

import pytest

from bot.engine import loader, validate
from tests.conftest import FIXTURES
from tests.engine.hostile_yaml import billion_laughs


@pytest.fixture
def kb(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "kb_small", target)
    return target


def only_problem(kb_dir):
    kb, problems = validate(kb_dir)
    assert len(problems) == 1, [str(p) for p in problems]
    return kb, problems[0]


def test_billion_laughs_is_one_problem_at_its_first_anchor(kb):
    """Anchored lists of aliases (6 levels here; the CLI test runs all 9) are refused at the first anchor, file:line."""
    (kb / "laughs.yaml").write_text(billion_laughs(6))
    kb_loaded, problem = only_problem(kb)
    assert (problem.file, problem.line) == ("knowledge/laughs.yaml", 2)
    assert "YAML anchors are not allowed" in problem.message and "&a" in problem.message
    assert "glossary-wro" in kb_loaded.entries  # the other files still load


def test_an_alias_of_a_plain_value_is_refused(kb):
    """Even one harmless-looking anchor and alias is refused: the format never needs them."""
    (kb / "alias.yaml").write_text("synonyms:\n  - [forced labour, &fl forced labor]\n  - [*fl, compulsory labour]\n")
    _, problem = only_problem(kb)
    assert problem.line == 2 and "anchors are not allowed" in problem.message


def test_file_over_the_size_limit_is_refused_unread(kb):
    """A file over MAX_FILE_BYTES is one problem naming its size and the limit."""
    (kb / "huge.yaml").write_text("synonyms:\n" + "  - [a, b]\n" * (loader.MAX_FILE_BYTES // 11 + 1))
    _, problem = only_problem(kb)
    assert problem.file == "knowledge/huge.yaml" and f"limit of {loader.MAX_FILE_BYTES:,} bytes per file" in problem.message


def test_folder_over_the_total_limit_stops_reading(kb, monkeypatch):
    """Once the folder passes MAX_TOTAL_BYTES, one problem says so and no further file is read."""
    monkeypatch.setattr(loader, "MAX_TOTAL_BYTES", 4000)
    _, problems = validate(kb)
    refusals = [p for p in problems if "over the limit of 4,000 bytes" in p.message]
    assert len(refusals) == 1 and "this file and any after it are not read" in refusals[0].message


def test_too_many_values_in_one_file_is_refused(kb):
    """A file with more than MAX_FILE_NODES values is refused at the value that passes the limit."""
    words = ",".join(["w"] * loader.MAX_FILE_NODES)
    (kb / "wide.yaml").write_text(f"synonyms:\n  - [{words}]\n")
    _, problem = only_problem(kb)
    assert problem.line == 2 and f"the limit is {loader.MAX_FILE_NODES:,} per file" in problem.message


def test_deep_nesting_is_refused(kb):
    """Lists nested deeper than MAX_DEPTH are one problem, not a RecursionError."""
    (kb / "deep.yaml").write_text("synonyms: " + "[" * 100 + "]" * 100 + "\n")
    _, problem = only_problem(kb)
    assert f"nested more than {loader.MAX_DEPTH} deep" in problem.message


def test_a_number_with_thousands_of_digits_is_a_problem_not_a_crash(kb):
    """Python refuses to convert a 5,000-digit integer; that becomes a problem for the file."""
    (kb / "digits.yaml").write_text("synonyms:\n  - [a, " + "9" * 5000 + "]\n")
    _, problem = only_problem(kb)
    assert problem.file == "knowledge/digits.yaml" and "cannot read file" in problem.message


def test_a_list_as_mapping_key_is_a_problem_not_a_crash(kb):
    """A complex key (`? [a, b]`) would be unhashable; it is refused with its line."""
    (kb / "key.yaml").write_text("synonyms: []\n? [a, b]\n: c\n")
    _, problem = only_problem(kb)
    assert problem.line == 2 and "mapping key must be a plain word" in problem.message


def test_problem_messages_cap_long_values(kb):
    """A 20,000-character bad url is shown cut short, so one problem stays one short line."""
    text = (kb / "sources.yaml").read_text()
    (kb / "sources.yaml").write_text(text.replace("url: https://", "url: http://" + "x" * 20_000, 1))
    _, problem = only_problem(kb)
    assert "url must be an https link" in problem.message and len(str(problem)) < 300


def test_file_symlink_out_of_the_folder_is_refused(kb, tmp_path):
    """A *.yaml link to a file outside the knowledge folder is refused by name; its entries are not served."""
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text((kb / "entries.yaml").read_text().replace("glossary-wro", "smuggled-entry"))
    (kb / "linked.yaml").symlink_to(outside)
    kb_loaded, problem = only_problem(kb)
    assert problem.file == "knowledge/linked.yaml" and "outside the knowledge folder" in problem.message
    assert "smuggled-entry" not in kb_loaded.entries


def test_file_symlink_within_the_folder_is_read(kb):
    """A link whose target lies inside the folder is read like any file."""
    (kb / "extra").mkdir()
    (kb / "extra" / "more.yml").write_text("synonyms:\n  - [cotton, xinjiang cotton]\n")
    (kb / "alias-of-more.yaml").symlink_to(kb / "extra" / "more.yml")
    kb_loaded, problems = validate(kb)
    assert problems == [] and kb_loaded.synonyms.count(("cotton", "xinjiang cotton")) == 2


def test_directory_symlink_is_not_followed(kb, tmp_path):
    """A linked directory is never entered: its files are neither loaded nor reported."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "more.yaml").write_text((kb / "entries.yaml").read_text().replace("glossary-wro", "smuggled-entry"))
    (kb / "linked-dir").symlink_to(outside, target_is_directory=True)
    kb_loaded, problems = validate(kb)
    assert problems == [] and "smuggled-entry" not in kb_loaded.entries
    assert not any("linked-dir" in name for name in kb_loaded.files)


def test_a_fifo_named_yaml_is_refused_without_blocking(kb):
    """A named pipe is not a regular file: refused at once instead of waiting for a writer."""
    os.mkfifo(kb / "pipe.yaml")
    _, problem = only_problem(kb)
    assert problem.file == "knowledge/pipe.yaml" and "not a regular file" in problem.message
