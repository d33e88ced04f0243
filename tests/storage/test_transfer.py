"""`db export` / `db import`: one JSON document, idempotent import, SQLite -> PostgreSQL round trip."""

from __future__ import annotations

import copy
import json
import re

import pytest

from bot import cli
from bot.storage import Database, open_database
from bot.storage.transfer import FORMAT, FORMAT_VERSION, ImportFormatError, export_document, import_document
from tests.storage.conftest import StoreFactory
from tests.storage.stores import Store

BIG_ID = 1_300_000_000_000_000_001


async def populate(database: Database) -> None:
    """A bit of everything, including 64-bit ids, a DM vote, repeated rows and a guild with channels only."""
    await database.set_cooldown(BIG_ID, 3)
    await database.set_feedback_log_channel(BIG_ID, BIG_ID + 5)
    await database.set_log_unanswered(BIG_ID, False)
    await database.set_updates_channel(BIG_ID, BIG_ID + 6)
    await database.add_ask_channel(BIG_ID, BIG_ID + 1)
    await database.add_ask_channel(BIG_ID, BIG_ID + 2)
    await database.add_ask_channel(42, 43)  # no guild_config row
    await database.add_explainer(
        message_id=BIG_ID + 10, guild_id=BIG_ID, channel_id=BIG_ID + 1, entry_id="wro", fingerprint="f", pinned=True
    )
    await database.update_explainer_fingerprint(BIG_ID + 10, "g")
    await database.add_explainer(message_id=7, guild_id=42, channel_id=43, entry_id="uflpa", fingerprint="h", pinned=False)
    vote = await database.add_feedback(guild_id=BIG_ID, entry_id="wro", question="What is a WRO?", helpful=False)
    await database.set_feedback_reason(vote, "too vague")
    await database.add_feedback(guild_id=None, entry_id="wro", question="What is a WRO?", helpful=True)
    await database.add_feedback(guild_id=None, entry_id="wro", question="What is a WRO?", helpful=True)
    for question in ("Is tea covered?", "Is tea covered?", "What about cobalt?"):
        await database.log_unanswered(question)


def without_timestamps(document: dict) -> dict:
    """The document with the timestamps blanked (two separately populated stores differ only there)."""
    clean = copy.deepcopy(document)
    for key, fields in (("explainers", ("posted_at", "refreshed_at")), ("feedback", ("created_at",)),
                        ("unanswered", ("asked_at",))):
        for record in clean[key]:
            for name in fields:
                record[name] = "T" if record[name] is not None else None
    return clean


async def test_export_document_shape(database: Database) -> None:
    """The export names its format and version and holds every section, with no surrogate row ids."""
    await populate(database)
    document = await export_document(database)
    assert (document["format"], document["format_version"]) == (FORMAT, FORMAT_VERSION)
    assert [g["guild_id"] for g in document["guilds"]] == [42, BIG_ID]
    assert document["guilds"][1] == {
        "guild_id": BIG_ID, "cooldown_per_minute": 3, "feedback_log_channel_id": BIG_ID + 5, "log_unanswered": False,
        "updates_channel_id": BIG_ID + 6, "ask_channel_ids": [BIG_ID + 1, BIG_ID + 2],
    }
    assert (len(document["explainers"]), len(document["feedback"]), len(document["unanswered"])) == (2, 3, 3)
    assert all("id" not in row for row in document["feedback"] + document["unanswered"])


async def test_export_without_updates_channel_still_imports(store: Store, make_store: StoreFactory) -> None:
    """An export made before updates channels existed imports, with no updates channel."""
    source = await store.open()
    await populate(source)
    document = await export_document(source)
    for guild in document["guilds"]:
        del guild["updates_channel_id"]
    target = await (await make_store(store.kind)).open()
    await import_document(target, document)
    assert (await target.guild_config(BIG_ID)).cooldown_per_minute == 3
    assert (await target.guild_config(BIG_ID)).updates_channel_id is None


async def test_export_is_json_serialisable_losslessly(database: Database) -> None:
    """The export survives json dumps/loads unchanged, 64-bit ids included."""
    await populate(database)
    document = await export_document(database)
    assert json.loads(json.dumps(document)) == document


async def test_import_into_empty_database_restores_everything(store: Store, make_store: StoreFactory) -> None:
    """Importing an export into an empty database of the same kind reproduces the export exactly."""
    source = await store.open()
    await populate(source)
    document = await export_document(source)
    target = await (await make_store(store.kind)).open()
    await import_document(target, document)
    assert await export_document(target) == document


async def test_imported_state_is_served_by_the_api(store: Store, make_store: StoreFactory) -> None:
    """After an import the normal API sees the restored config, explainers and gaps."""
    source = await store.open()
    await populate(source)
    target = await (await make_store(store.kind)).open()
    await import_document(target, await export_document(source))
    config = await target.guild_config(BIG_ID)
    assert (config.ask_channel_ids, config.log_unanswered) == ({BIG_ID + 1, BIG_ID + 2}, False)
    assert [e.fingerprint for e in await target.explainers(BIG_ID)] == ["g"]
    assert await target.feedback_counts("wro") == (2, 1)
    assert (await target.gaps()).unanswered[0] == ("is tea covered?", 2)


async def test_reimport_adds_nothing(store: Store, database: Database) -> None:
    """Importing the same export twice leaves every table exactly as after the first import."""
    await populate(database)
    document = await export_document(database)
    first = await import_document(database, document)
    second = await import_document(database, document)
    assert (first.feedback_added, first.unanswered_added, first.ask_channels_added) == (0, 0, 0)
    assert (second.feedback_added, second.unanswered_added, second.ask_channels_added) == (0, 0, 0)
    assert await export_document(database) == document
    assert await store.raw_count(database, "feedback") == 3


async def test_import_merges_into_existing_data(database: Database) -> None:
    """Import keeps rows already there and adds only the repeated rows the file has more of."""
    await database.log_unanswered("Is tea covered?")
    await database.add_ask_channel(9, 10)
    document = await export_document(database)
    document["unanswered"] = document["unanswered"] * 3  # the same question asked three times at that moment
    document["guilds"][0]["ask_channel_ids"] = [10, 11]
    report = await import_document(database, document)
    assert (report.unanswered_added, report.ask_channels_added) == (2, 1)
    assert await database.unanswered_count() == 3
    assert (await database.guild_config(9)).ask_channel_ids == {10, 11}


async def test_import_does_not_double_a_vote_whose_reason_came_later(database: Database) -> None:
    """A vote exported before its reason was given is recognised on re-import, not added again."""
    vote = await database.add_feedback(guild_id=1, entry_id="wro", question="q", helpful=False)
    document = await export_document(database)
    await database.set_feedback_reason(vote, "outdated")
    report = await import_document(database, document)
    assert report.feedback_added == 0
    assert await database.feedback_counts("wro") == (0, 1)


async def test_import_refreshes_cached_guild_config(database: Database) -> None:
    """Guild config read before an import is not served stale from the cache afterwards."""
    await database.set_cooldown(1, 2)
    document = await export_document(database)
    document["guilds"][0]["cooldown_per_minute"] = 9
    assert (await database.guild_config(1)).cooldown_per_minute == 2
    await import_document(database, document)
    assert (await database.guild_config(1)).cooldown_per_minute == 9


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "something-else"}, "not a database export"),
        ({"format_version": 99}, "unsupported export format_version 99"),
        ({"guilds": [{"guild_id": "12"}]}, "guilds[0].guild_id: expected a Discord id"),
        ({"unanswered": [{"question": "q"}]}, "unanswered[0]: missing 'asked_at'"),
    ],
)
async def test_import_rejects_bad_documents_without_writing(
    store: Store, database: Database, change: dict, message: str
) -> None:
    """A foreign, newer or malformed document is refused with a pointed message and nothing is written."""
    document = await export_document(database) | {"unanswered": [{"question": "q", "asked_at": "t"}]} | change
    with pytest.raises(ImportFormatError, match=re.escape(message)):
        await import_document(database, document)
    assert await store.raw_count(database, "unanswered") == 0


async def test_sqlite_to_postgres_round_trip_is_identical(make_store: StoreFactory) -> None:
    """SQLite -> export -> import into PostgreSQL -> export gives the identical JSON document."""
    sqlite = await (await make_store("sqlite")).open()
    await populate(sqlite)
    exported = json.dumps(await export_document(sqlite), indent=2)
    postgres = await (await make_store("postgres")).open()
    await import_document(postgres, json.loads(exported))
    assert json.dumps(await export_document(postgres), indent=2) == exported


async def test_both_backends_export_the_same_state_alike(make_store: StoreFactory) -> None:
    """The same operations on SQLite and on PostgreSQL export to the same document (timestamps aside)."""
    documents = []
    for kind in ("sqlite", "postgres"):
        database = await (await make_store(kind)).open()
        await populate(database)
        documents.append(without_timestamps(await export_document(database)))
    assert documents[0] == documents[1]


def test_cli_export_then_import_into_another_database(store: Store, make_store: StoreFactory, tmp_path, monkeypatch,
                                                      capsys) -> None:
    """`python -m bot db export FILE` then `db import FILE` (twice) copies the state, chosen by DATA_DIR/DATABASE_URL."""
    import asyncio

    async def fill() -> None:
        database = await open_database(store.settings)
        try:
            await populate(database)
        finally:
            await database.close()

    asyncio.run(fill())
    backup = tmp_path / "backup.json"
    for name, value in store.env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["db", "export", str(backup)]) == 0
    assert cli.main(["db", "export", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(backup.read_text(encoding="utf-8"))

    target = asyncio.run(make_store(store.kind))
    for name, value in target.env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["db", "import", str(backup)]) == 0
    assert cli.main(["db", "import", str(backup)]) == 0
    assert "0 new feedback row(s), 0 new unanswered question(s)" in capsys.readouterr().err
    copy_path = tmp_path / "copy.json"
    assert cli.main(["db", "export", str(copy_path)]) == 0
    assert copy_path.read_text(encoding="utf-8") == backup.read_text(encoding="utf-8")


def test_cli_export_refuses_a_missing_sqlite_file(tmp_path, monkeypatch, capsys) -> None:
    """Exporting from a DATA_DIR without a database fails with a message instead of exporting an empty new one."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("DATABASE_URL", "")
    assert cli.main(["db", "export", str(tmp_path / "out.json")]) == 1
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()


def test_cli_import_refuses_a_non_export(tmp_path, monkeypatch, capsys) -> None:
    """Importing a JSON file that is not an export fails with a message and creates no database."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", "")
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": "world"}', encoding="utf-8")
    assert cli.main(["db", "import", str(bogus)]) == 1
    assert "not a database export" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()
