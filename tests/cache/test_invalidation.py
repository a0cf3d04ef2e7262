"""Invalidation by tag: versioned namespaces, in every process, without KEYS or SCAN."""

from __future__ import annotations

import threading

import pytest

from tests.upstash_server import UpstashTestServer


def test_invalidate_hides_every_key_of_the_tag(cache):
    cache.set("client:1", "ana", 60, tags=["t1:clients"])
    loaded = cache.get_or_load("clients:list", lambda: ["ana", "luis"], 60, tags=["t1:clients"])
    assert loaded == ["ana", "luis"]
    cache.set("piano:9", "yamaha", 60, tags=["t1:pianos"])
    cache.set("untagged", "stays", 60)
    assert cache.get("clients:list") == ["ana", "luis"]

    cache.invalidate("t1:clients")

    assert cache.get("client:1") is None
    assert cache.get("clients:list") is None
    assert cache.get("piano:9") == "yamaha"
    assert cache.get("untagged") == "stays"
    # get_or_load sees the miss and loads again.
    assert cache.get_or_load("clients:list", lambda: ["nuevo"], 60, tags=["t1:clients"]) == [
        "nuevo"
    ]
    assert cache.get("clients:list") == ["nuevo"]


def test_a_key_with_two_tags_is_hidden_by_either(cache):
    for name in ("a", "b"):
        cache.set(f"both:{name}", name, 60, tags=["t1:clients", "t1:client:7"])
    cache.set("only-clients", 1, 60, tags=["t1:clients"])
    cache.set("only-client-7", 2, 60, tags=["t1:client:7"])

    cache.invalidate("t1:client:7")
    assert cache.get("both:a") is None
    assert cache.get("both:b") is None
    assert cache.get("only-client-7") is None
    assert cache.get("only-clients") == 1

    cache.set("both:a", "again", 60, tags=["t1:clients", "t1:client:7"])
    assert cache.get("both:a") == "again"
    cache.invalidate("t1:clients")
    assert cache.get("both:a") is None
    assert cache.get("only-clients") is None


def test_invalidate_several_tags_at_once_and_unknown_tags(cache):
    cache.set("x", 1, 60, tags=["tx"])
    cache.set("y", 2, 60, tags=["ty"])
    cache.set("z", 3, 60, tags=["tz"])
    cache.invalidate("tx", "ty", "never-used")
    assert (cache.get("x"), cache.get("y"), cache.get("z")) == (None, None, 3)
    cache.invalidate()  # nothing to do


def test_invalid_tags_are_refused(cache):
    for bad in ("", "line\nbreak", "unit\x1fsep"):
        with pytest.raises(ValueError):
            cache.set("k", 1, 60, tags=[bad])
        with pytest.raises(ValueError):
            cache.invalidate(bad)


@pytest.mark.parametrize("backend", ["redis", "upstash"])
def test_invalidation_reaches_every_instance(cache_pair):
    first, second = cache_pair
    first.set("client:1", {"name": "Ana"}, 60, tags=["t1:clients"])
    first.get_or_load("clients:list", lambda: ["Ana"], 60, tags=["t1:clients"])
    assert second.get("client:1") == {"name": "Ana"}
    assert second.get("clients:list") == ["Ana"]

    second.invalidate("t1:clients")

    assert first.get("client:1") is None
    assert first.get("clients:list") is None
    assert second.get("client:1") is None
    # The first instance loads again and the second sees the new value.
    assert first.get_or_load("clients:list", lambda: ["Ana", "Luis"], 60, tags=["t1:clients"]) == [
        "Ana",
        "Luis",
    ]
    assert second.get("clients:list") == ["Ana", "Luis"]


@pytest.mark.parametrize("backend", ["memory"])
def test_memory_instances_do_not_share(cache_pair):
    first, second = cache_pair
    first.set("k", 1, 60, tags=["t"])
    assert second.get("k") is None
    second.invalidate("t")
    assert first.get("k") == 1  # per process: another process's memory is untouched


def test_value_loaded_during_an_invalidation_is_returned_but_not_stored(cache):
    loader_started = threading.Event()
    release_loader = threading.Event()
    calls = []

    def slow_loader():
        calls.append(1)
        loader_started.set()
        assert release_loader.wait(10)
        return {"rows": [1, 2, 3]}  # read before the write that invalidated it

    result: list[object] = []
    worker = threading.Thread(
        target=lambda: result.append(
            cache.get_or_load("clients:list", slow_loader, 60, tags=["t1:clients"])
        )
    )
    worker.start()
    assert loader_started.wait(10)
    cache.invalidate("t1:clients")  # a write happened while the loader was reading
    release_loader.set()
    worker.join(10)
    assert not worker.is_alive()

    assert result == [{"rows": [1, 2, 3]}]
    assert calls == [1]
    cache.reset_metrics()
    assert cache.get("clients:list") is None  # not stored: it may be stale
    assert cache.stats()["misses"] == 1
    # The next load is stored normally.
    assert cache.get_or_load("clients:list", lambda: "fresh", 60, tags=["t1:clients"]) == "fresh"
    assert cache.get("clients:list") == "fresh"


def test_value_loaded_during_invalidate_all_is_not_stored(cache):
    loader_started = threading.Event()
    release_loader = threading.Event()

    def slow_loader():
        loader_started.set()
        assert release_loader.wait(10)
        return "stale"

    result: list[object] = []
    worker = threading.Thread(
        target=lambda: result.append(cache.get_or_load("k", slow_loader, 60, tags=["t"]))
    )
    worker.start()
    assert loader_started.wait(10)
    cache.invalidate_all()
    release_loader.set()
    worker.join(10)
    assert result == ["stale"]
    assert cache.get("k") is None


def test_invalidate_all(cache):
    cache.set("a", 1, 60)
    cache.set("b", 2, 60, tags=["tb"])
    cache.get_or_load("c", lambda: 3, 60, tags=["tc"])
    cache.invalidate_all()
    assert [cache.get(k) for k in ("a", "b", "c")] == [None, None, None]
    cache.set("a", 10, 60)
    assert cache.get("a") == 10


@pytest.mark.parametrize("backend", ["redis", "upstash"])
def test_invalidate_all_reaches_every_instance(cache_pair):
    first, second = cache_pair
    first.set("a", 1, 60)
    assert second.get("a") == 1
    second.invalidate_all()
    assert first.get("a") is None


@pytest.mark.parametrize("backend", ["redis", "upstash"])
def test_no_keys_or_scan_is_used(cache, backend, monkeypatch, request):
    """Invalidation touches tag counters only, never the keyspace."""
    for i in range(20):
        cache.set(f"k:{i}", i, 60, tags=["t1:clients", f"t1:client:{i}"])
    commands: list[str] = []

    def name(arg) -> str:
        return (arg.decode() if isinstance(arg, bytes) else str(arg)).upper()

    if backend == "redis":
        client = cache.backend.client
        original_execute = client.execute_command

        def recording_execute(*args, **options):
            commands.append(name(args[0]))
            return original_execute(*args, **options)

        monkeypatch.setattr(client, "execute_command", recording_execute)
        # Pipelines and transactions bypass execute_command: record what is packed.
        connection_class = cache.backend.pool.connection_class
        original_pack = connection_class.pack_commands

        def recording_pack(self, command_list):
            commands.extend(name(command[0]) for command in command_list)
            return original_pack(self, command_list)

        monkeypatch.setattr(connection_class, "pack_commands", recording_pack)
    else:
        server: UpstashTestServer = request.getfixturevalue("upstash_server")
        original_single, original_pipeline = server._single, server._pipeline

        def recording_single(args, b64):
            commands.append(name(args[0]))
            return original_single(args, b64)

        def recording_pipeline(command_list):
            commands.extend(name(command[0]) for command in command_list)
            return original_pipeline(command_list)

        monkeypatch.setattr(server, "_single", recording_single)
        monkeypatch.setattr(server, "_pipeline", recording_pipeline)

    cache.invalidate("t1:clients")
    cache.invalidate("t1:client:3", "t1:client:4")
    cache.invalidate_all()

    assert commands, "the recorder saw nothing"
    assert {"INCR", "INCRBY"} & set(commands), commands
    assert not {"KEYS", "SCAN", "DEL", "UNLINK", "FLUSHDB"} & set(commands), commands
    monkeypatch.undo()
    assert all(cache.get(f"k:{i}") is None for i in range(20))
