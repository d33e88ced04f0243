"""Fixtures: every storage test runs against SQLite and PostgreSQL, each test on an empty database of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from bot.storage import Database
from tests.storage.stores import KINDS, Store, new_store

StoreFactory = Callable[[str], Awaitable[Store]]


@pytest_asyncio.fixture
async def make_store(tmp_path: Path) -> AsyncIterator[StoreFactory]:
    """Creates empty stores of a kind ("sqlite" or "postgres"); all are closed and dropped after the test."""
    stores: list[Store] = []

    async def make(kind: str) -> Store:
        store = await new_store(kind, tmp_path / f"data-{len(stores)}")
        stores.append(store)
        return store

    yield make
    for store in stores:
        await store.aclose()


@pytest_asyncio.fixture(params=KINDS)
async def store(request: pytest.FixtureRequest, make_store: StoreFactory) -> Store:
    return await make_store(request.param)


@pytest_asyncio.fixture
async def database(store: Store) -> Database:
    return await store.open()
