"""Registries (the refresher's memory of recently read views) and refresh
accounting, on every backend."""

from __future__ import annotations

import time

import pytest

from tests.cache.conftest import REMOTE_BACKENDS


def test_registry_put_get_drop(cache):
    assert cache.registry_get("hot:t1") == {}
    assert cache.registry_put("hot:t1", {"a": "1", "b": "2"}, 60) == 2
    assert cache.registry_put("hot:t1", {"b": "3", "c": "4"}, 60) == 3
    assert cache.registry_get("hot:t1") == {"a": "1", "b": "3", "c": "4"}
    cache.registry_drop("hot:t1", ["a", "missing"])
    assert cache.registry_get("hot:t1") == {"b": "3", "c": "4"}
    assert cache.registry_get("hot:t2") == {}  # one registry per name


def test_registry_get_of_some_fields(cache):
    cache.registry_put("hot:t1", {"a": "1", "b": "2", "c": "3"}, 60)
    assert cache.registry_get("hot:t1", ["c", "a", "missing"]) == {"c": "3", "a": "1"}
    assert cache.registry_get("hot:t1", []) == {}
    assert cache.registry_get("hot:t9", ["a"]) == {}


@pytest.mark.parametrize("backend", REMOTE_BACKENDS)
def test_registries_are_shared_by_two_workers(cache_pair):
    first, second = cache_pair
    first.registry_put("hot:t7", {"k": "v"}, 60)
    assert second.registry_get("hot:t7") == {"k": "v"}


def test_a_registry_expires_after_its_last_put(cache):
    cache.registry_put("hot:t1", {"a": "1"}, 0.2)
    assert cache.registry_get("hot:t1") == {"a": "1"}
    time.sleep(0.35)
    assert cache.registry_get("hot:t1") == {}


def test_registries_are_not_entries(cache):
    cache.registry_put("hot:t1", {"a": "1"}, 60)
    assert cache.get("reg:hot:t1") is None
    cache.invalidate_all()  # entries go, the registry (a hint) stays
    assert cache.registry_get("hot:t1") == {"a": "1"}


def test_bad_registry_names_are_refused(cache):
    for name in ("", "a\nb"):
        with pytest.raises(ValueError):
            cache.registry_put(name, {"a": "1"}, 60)


def test_refresh_loads_are_counted_as_refreshes_not_lookups(cache):
    cache.get_or_load("k", lambda: 1, 60, tags=["t1:clients"])  # a request: one miss
    cache.invalidate("t1:clients")
    with cache.refreshing() as context:
        assert cache.in_refresh
        assert cache.get_or_load("k", lambda: 2, 60, tags=["t1:clients"]) == 2
        # Already fresh: nothing loads.
        assert cache.get_or_load("k", lambda: 3, 60, tags=["t1:clients"]) == 2
    assert not cache.in_refresh
    assert (context.loads, context.stored, context.refused) == (1, 1, 0)
    assert (context.top_loads, context.top_stored) == (1, 1)
    assert cache.get_or_load("k", lambda: 4, 60, tags=["t1:clients"]) == 2  # a hit
    stats = cache.stats()
    assert (stats["hits"], stats["misses"], stats["refreshes"]) == (1, 1, 1)


@pytest.mark.parametrize("backend", REMOTE_BACKENDS)
def test_a_refresh_invalidated_while_it_loads_is_not_stored(cache_pair):
    first, second = cache_pair

    def loader():
        second.invalidate("t1:clients")  # another worker's write lands meanwhile
        return "old"

    with first.refreshing() as context:
        assert first.get_or_load("k", loader, 60, tags=["t1:clients"]) == "old"
    assert (context.loads, context.stored, context.refused) == (1, 0, 1)
    assert second.get_or_load("k", lambda: "new", 60, tags=["t1:clients"]) == "new"


def test_refreshing_is_per_thread(cache):
    import threading

    seen = []
    with cache.refreshing():
        thread = threading.Thread(target=lambda: seen.append(cache.in_refresh))
        thread.start()
        thread.join()
    assert seen == [False]
