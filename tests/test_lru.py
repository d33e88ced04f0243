"""The bounded least-recently-used map behind the bot's in-memory caches."""

from bot.lru import LRUCache


def test_past_capacity_the_least_recently_used_key_goes():
    """Putting a key past capacity drops the one used longest ago; a refreshing read counts as a use."""
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3


def test_a_read_without_refresh_does_not_keep_a_key():
    """get(refresh=False) leaves the order alone, so the key read is still the first to go."""
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a", refresh=False) == 1
    cache.put("c", 3)
    assert "a" not in cache and len(cache) == 2


def test_putting_an_existing_key_updates_and_refreshes_it():
    """A second put replaces the value and makes the key the most recent."""
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("c", 3)
    assert cache.get("a") == 10 and "b" not in cache
