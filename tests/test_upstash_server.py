"""The Upstash REST test server, driven by the real ``upstash-redis`` client.

Everything runs against the real Redis on 127.0.0.1:6379 (skipped when it is not running,
a failure with ``REQUIRE_SERVICES=1``). Keys live under a prefix unique to this run and
are deleted at the end.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Iterator

import httpx
import pytest
import redis
import upstash_redis
import upstash_redis.asyncio
from upstash_redis.errors import UpstashError

from tests.conftest import REDIS_TEST_URL, redis_available, require_service, run_async
from tests.upstash_server import UpstashTestServer

PREFIX = "upstash-test:" + secrets.token_hex(4) + ":"

ODD_VALUES = [
    "plain",
    "",
    "héllo wörld ñandú",
    "日本語のテキスト",
    "emoji 🎹🎼 and ZWJ 👩‍👩‍👧",
    "עברית и русский",
    "e\u0301 combining",
    "nul \x00 bell \x07 del \x7f ÿ",
    "quotes \" ' back\\slash \r\n\t",
    '{"json": [1, 2.5, null]}',
    "OK",  # the one string the client's base64 decoder passes through verbatim
    "T0s=",  # base64-looking text must not be decoded twice
    "12345",
    "-1.5e3",
]

ODD_KEYS = [
    "with spaces",
    "a:b:c",
    "dash-under_score.dot",
    "ñandú:piano-ñ",
    "slash/and?query=1&x#hash%20",
    " leading and trailing ",
]


def key(name: str) -> str:
    return PREFIX + name


@pytest.fixture(scope="module")
def real_redis() -> Iterator[redis.Redis]:
    require_service(redis_available(), "Redis on 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS_TEST_URL)
    yield client
    stale = list(client.scan_iter(match=PREFIX + "*", count=1000))
    if stale:
        client.delete(*stale)
    client.close()


@pytest.fixture(scope="module")
def server(real_redis) -> Iterator[UpstashTestServer]:
    with UpstashTestServer(real_redis) as running:
        yield running


@pytest.fixture
def client(server) -> Iterator[upstash_redis.Redis]:
    server.set_down(False)
    server.fail_next(0)
    with upstash_redis.Redis(
        url=server.url, token=server.token, allow_telemetry=False, rest_retries=0
    ) as upstash:
        yield upstash


@pytest.fixture
def raw(server) -> Iterator[httpx.Client]:
    """Plain HTTP, without the ``Upstash-Encoding: base64`` header."""
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.token}"}
    ) as http:
        yield http


# --------------------------------------------------------------- strings and keys


@pytest.mark.parametrize("value", ODD_VALUES)
def test_set_get_round_trips_values(client, real_redis, value):
    name = key("value:" + secrets.token_hex(4))
    assert client.set(name, value) is True
    assert client.get(name) == value
    assert real_redis.get(name) == value.encode("utf-8")  # stored as UTF-8 bytes


@pytest.mark.parametrize("name", ODD_KEYS)
def test_keys_with_odd_characters(client, real_redis, name):
    full = key(name)
    client.set(full, "v-" + name)
    assert client.get(full) == "v-" + name
    assert real_redis.get(full.encode("utf-8")) == ("v-" + name).encode("utf-8")
    assert client.exists(full) == 1


def test_get_missing_key_is_none(client):
    assert client.get(key("missing:" + secrets.token_hex(4))) is None


def test_set_with_expiry_and_ttl(client):
    name = key("ttl")
    assert client.set(name, "v", ex=10) is True
    assert 0 < client.ttl(name) <= 10
    client.set(key("no-ttl"), "v")
    assert client.ttl(key("no-ttl")) == -1
    assert client.ttl(key("ttl-missing")) == -2


def test_set_nx_and_get_option(client):
    name = key("nx")
    assert client.set(name, "first", nx=True) is True
    assert client.set(name, "second", nx=True) is False  # nil reply → False
    assert client.set(name, "third", get=True) == "first"
    assert client.get(name) == "third"


def test_delete(client):
    client.set(key("del:1"), "a")
    client.set(key("del:2"), "b")
    assert client.delete(key("del:1"), key("del:2"), key("del:missing")) == 2
    assert client.get(key("del:1")) is None
    assert client.exists(key("del:1"), key("del:2")) == 0


def test_incr(client):
    name = key("counter")
    assert client.incr(name) == 1
    assert client.incrby(name, 41) == 42
    assert client.decr(name) == 41
    assert client.get(name) == "41"
    assert client.incrbyfloat(key("float"), 1.25) == 1.25


def test_mget_with_missing_and_unicode(client):
    client.mset({key("m:1"): "uno", key("m:ñ"): "ñoño 🎹"})
    assert client.mget(key("m:1"), key("m:missing"), key("m:ñ")) == ["uno", None, "ñoño 🎹"]


def test_hash_commands(client):
    name = key("hash")
    assert client.hset(name, values={"a": "1", "ñ": "piano 🎹"}) == 2
    assert client.hincrby(name, "a", 4) == 5
    assert client.hincrbyfloat(name, "f", 1.5) == 1.5
    assert client.hincrbyfloat(name, "f", 0.25) == 1.75
    assert client.hgetall(name) == {"a": "5", "ñ": "piano 🎹", "f": "1.75"}
    assert client.hget(name, "missing") is None


def test_list_and_sorted_set(client):
    assert client.rpush(key("list"), "a", "ñ", "🎹") == 3
    assert client.lrange(key("list"), 0, -1) == ["a", "ñ", "🎹"]
    client.zadd(key("z"), {"x": 1.5, "ñ": 2})
    assert client.zrange(key("z"), 0, -1, withscores=True) == [("x", 1.5), ("ñ", 2.0)]


def test_status_replies_other_than_ok(client):
    client.set(key("typed"), "v")
    assert client.ping() == "PONG"
    assert client.type(key("typed")) == "string"
    assert client.type(key("typed-missing")) == "none"


def test_large_value_round_trip(client, real_redis):
    chunk = "0123456789abcdef-ñ🎹\n"
    value = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    name = key("big")
    assert client.set(name, value) is True
    assert client.get(name) == value
    assert real_redis.strlen(name) == len(value.encode("utf-8"))


# ------------------------------------------------------- pipelines and transactions


def test_pipeline(client, server):
    before = server.request_count
    pipe = client.pipeline()
    pipe.set(key("p:1"), "ñ")
    pipe.incr(key("p:n"))
    pipe.incr(key("p:n"))
    pipe.get(key("p:1"))
    pipe.get(key("p:missing"))
    pipe.hset(key("p:h"), values={"k": "v"})
    pipe.hgetall(key("p:h"))
    assert pipe.exec() == [True, 1, 2, "ñ", None, 1, {"k": "v"}]
    assert server.request_count == before + 1  # one HTTP request for the batch


def test_pipeline_error_raises(client):
    client.set(key("p:str"), "x")
    pipe = client.pipeline()
    pipe.set(key("p:ok"), "1")
    pipe.lpush(key("p:str"), "y")  # WRONGTYPE
    with pytest.raises(UpstashError, match="WRONGTYPE"):
        pipe.exec()
    assert client.get(key("p:ok")) == "1"  # not atomic: the first command ran


def test_multi_exec(client, real_redis):
    tx = client.multi()
    tx.set(key("tx:a"), "1")
    tx.incr(key("tx:a"))
    tx.get(key("tx:a"))
    tx.mget(key("tx:a"), key("tx:missing"))
    assert tx.exec() == [True, 2, "2", ["2", None]]
    assert real_redis.get(key("tx:a")) == b"2"


def test_multi_exec_runtime_error_keeps_other_commands(client):
    client.set(key("tx:str"), "x")
    tx = client.multi()
    tx.lpush(key("tx:str"), "y")  # WRONGTYPE at EXEC time
    tx.set(key("tx:after"), "ran")
    with pytest.raises(UpstashError, match="WRONGTYPE"):
        tx.exec()
    assert client.get(key("tx:after")) == "ran"


def test_multi_exec_rejected_command_aborts_everything(raw):
    response = raw.post("/multi-exec", json=[["SET", key("tx:never"), "1"], ["NOSUCHCMD"]])
    assert response.status_code == 400
    errors = [item["error"] for item in response.json()]
    assert errors[0].startswith("EXECABORT")
    assert errors[1].startswith("ERR unknown command")
    assert raw.post("/", json=["EXISTS", key("tx:never")]).json() == {"result": 0}


# ------------------------------------------------------------------------- scripts


def test_script_load_and_evalsha(client):
    string_sha = client.script_load("return ARGV[1] .. '-' .. KEYS[1]")
    int_sha = client.script_load("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    array_sha = client.script_load("return {1, ARGV[1], {2, 'ñ'}, false}")
    assert len(string_sha) == 40
    assert client.script_exists(string_sha, "0" * 40) == [True, False]
    assert client.evalsha(string_sha, keys=[key("k")], args=["ñandú"]) == f"ñandú-{key('k')}"
    assert client.evalsha(int_sha, keys=[key("script-n")], args=[5]) == 5
    assert client.evalsha(int_sha, keys=[key("script-n")], args=[5]) == 10
    assert client.evalsha(array_sha, args=["🎹"]) == [1, "🎹", [2, "ñ"], None]


def test_eval(client):
    assert client.eval("return 1 + 1") == 2
    assert client.eval("return KEYS[1]", keys=[key("ñ k")]) == key("ñ k")
    assert client.eval("return ARGV[1]", args=["héllo"]) == "héllo"
    assert client.eval("return redis.call('GET', KEYS[1])", keys=[key("none")]) is None
    assert client.eval("return tostring(1.5)") == "1.5"


def test_evalsha_unknown_script(client):
    with pytest.raises(UpstashError, match=r"^NOSCRIPT"):
        client.evalsha("0" * 40)


def test_redis_errors_raise_with_their_code(client):
    client.set(key("err:str"), "x")
    with pytest.raises(UpstashError, match=r"^WRONGTYPE"):
        client.lpush(key("err:str"), "y")
    with pytest.raises(UpstashError, match=r"^ERR"):
        client.execute(["NOSUCHCMD", "x"])
    with pytest.raises(UpstashError, match=r"^ERR"):
        client.incr(key("err:str"))


# ------------------------------------------------------------ auth and outages


def test_wrong_token_raises(server):
    with upstash_redis.Redis(
        url=server.url, token="wrong-token", allow_telemetry=False, rest_retries=0
    ) as bad:
        with pytest.raises(UpstashError, match="Unauthorized"):
            bad.get(key("auth"))
        # A request-level error is a JSON object, not a list, and the client's pipeline
        # code iterates it: like against the real Upstash, that is an AttributeError.
        with pytest.raises((UpstashError, AttributeError)):
            bad.pipeline().get(key("auth")).exec()  # type: ignore[union-attr]


def test_missing_or_wrong_token_is_401(server):
    assert httpx.post(server.url, json=["PING"]).status_code == 401
    response = httpx.post(server.url, json=["PING"], headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}
    response = httpx.post(server.url, json=["PING"], headers={"Authorization": server.token})
    assert response.status_code == 401  # the "Bearer " scheme is required


def test_outage_503_makes_the_client_raise(client, server):
    server.set_down(True)
    try:
        with pytest.raises(UpstashError, match="Service Unavailable"):
            client.get(key("down"))
        with pytest.raises((UpstashError, AttributeError)):  # see test_wrong_token_raises
            client.pipeline().get(key("down")).exec()  # type: ignore[union-attr]
        assert httpx.post(server.url, json=["PING"]).status_code == 503
    finally:
        server.set_down(False)
    assert client.get(key("down")) is None


def test_outage_closed_connection_makes_the_client_raise(client, server):
    server.set_down(True, close=True)
    try:
        with pytest.raises(httpx.TransportError):
            client.get(key("down"))
    finally:
        server.set_down(False)
    assert client.set(key("down"), "back") is True


def test_fail_next(client, server):
    server.fail_next(2)
    for _ in range(2):
        with pytest.raises(UpstashError):
            client.get(key("flaky"))
    assert client.get(key("flaky")) is None


def test_client_retry_recovers_from_a_dropped_connection(server):
    with upstash_redis.Redis(
        url=server.url,
        token=server.token,
        allow_telemetry=False,
        rest_retries=1,
        rest_retry_interval=0,
    ) as retrying:
        server.fail_next(1, close=True)
        before = server.request_count
        assert retrying.set(key("retry"), "ok") is True
        assert server.request_count == before + 2


def test_stop_closes_keep_alive_connections(real_redis):
    server = UpstashTestServer(real_redis, token="other").start()
    with upstash_redis.Redis(
        url=server.url, token="other", allow_telemetry=False, rest_retries=0
    ) as upstash:
        assert upstash.ping() == "PONG"
        server.stop()
        with pytest.raises(httpx.TransportError):
            upstash.ping()
    server.stop()  # idempotent


# --------------------------------------------------------------------- concurrency


def test_concurrent_clients(server):
    name = key("concurrent")
    threads, per_thread = 8, 25
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with upstash_redis.Redis(
                url=server.url, token=server.token, allow_telemetry=False, rest_retries=0
            ) as upstash:
                for i in range(per_thread):
                    upstash.incr(name)
                    value = f"ñ-{threading.get_ident()}-{i}"
                    upstash.set(key(f"c:{threading.get_ident()}"), value)
                    assert upstash.get(key(f"c:{threading.get_ident()}")) == value
        except BaseException as exc:
            errors.append(exc)

    before = server.request_count
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with upstash_redis.Redis(url=server.url, token=server.token, allow_telemetry=False) as c:
        assert c.get(name) == str(threads * per_thread)
    assert server.request_count == before + threads * per_thread * 3 + 1


def test_async_client(server):
    async def scenario():
        async with upstash_redis.asyncio.Redis(
            url=server.url, token=server.token, allow_telemetry=False, rest_retries=0
        ) as upstash:
            assert await upstash.set(key("async"), "ñ 🎹") is True
            assert await upstash.get(key("async")) == "ñ 🎹"
            pipe = upstash.pipeline()
            pipe.incr(key("async:n"))
            pipe.get(key("async"))
            assert await pipe.exec() == [1, "ñ 🎹"]

    run_async(scenario())


# ---------------------------------------------------------- raw HTTP (no base64)


def test_raw_single_commands_are_plain(raw):
    assert raw.post("/", json=["SET", key("raw"), "héllo 🎹", "EX", 100]).json() == {"result": "OK"}
    assert raw.post("/", json=["GET", key("raw")]).json() == {"result": "héllo 🎹"}
    assert raw.post("/", json=["GET", key("raw-missing")]).json() == {"result": None}
    assert raw.post("/", json=["INCRBY", key("raw-n"), 2]).json() == {"result": 2}
    assert raw.post("/", json=["INCRBYFLOAT", key("raw-f"), 0.5]).json() == {"result": "0.5"}
    assert raw.post("/", json=["HSET", key("raw-h"), "a", "1", "b", "ñ"]).json() == {"result": 2}
    assert raw.post("/", json=["HGETALL", key("raw-h")]).json() == {"result": ["a", "1", "b", "ñ"]}
    assert raw.post("/", json=["EVAL", "return {1, {'x', 2}}", 0]).json() == {
        "result": [1, ["x", 2]]
    }


def test_raw_errors(raw):
    response = raw.post("/", json=["NOSUCHCMD"])
    assert response.status_code == 400
    assert response.json()["error"].startswith("ERR unknown command")
    assert raw.post("/", content=b"not json").status_code == 400
    assert raw.post("/", json=[]).status_code == 400
    assert raw.post("/", json=["SELECT", 1]).status_code == 400  # would poison the pool
    assert raw.post("/pipeline", json=[]).status_code == 400


def test_raw_pipeline_and_multi_exec(raw):
    response = raw.post(
        "/pipeline",
        json=[["SET", key("rp"), "ñ"], ["GET", key("rp")], ["LPUSH", key("rp"), "x"]],
    )
    assert response.status_code == 200
    assert response.json() == [
        {"result": "OK"},
        {"result": "ñ"},
        {"error": "WRONGTYPE Operation against a key holding the wrong kind of value"},
    ]
    response = raw.post("/multi-exec", json=[["INCR", key("rm")], ["INCR", key("rm")]])
    assert response.json() == [{"result": 1}, {"result": 2}]


def test_raw_path_form(raw, server):
    assert raw.get(f"/set/{key('path%20ñ')}/h%C3%A9llo", params={"EX": "100"}).json() == {
        "result": "OK"
    }
    assert raw.get(f"/get/{key('path%20ñ')}").json() == {"result": "héllo"}
    assert raw.post(f"/set/{key('path-body')}", content="bódy 🎹".encode()).json() == {
        "result": "OK"
    }
    assert raw.get(f"/get/{key('path-body')}").json() == {"result": "bódy 🎹"}
    assert 0 < raw.get(f"/ttl/{key('path%20ñ')}").json()["result"] <= 100
    token_in_query = httpx.get(server.url + "/ping", params={"_token": "test-token"})
    assert token_in_query.json() == {"result": "PONG"}


def test_raw_base64_encoding(raw, real_redis):
    real_redis.set(key("bin"), b"\x00\xff\xfe binary \x80")
    real_redis.rpush(key("b64-list"), "ñ", "OK")
    headers = {"Upstash-Encoding": "base64"}

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    def call(*command: object) -> object:
        return raw.post("/", json=list(command), headers=headers).json()["result"]

    assert call("GET", key("bin")) == b64(b"\x00\xff\xfe binary \x80")  # exact bytes
    assert call("SET", key("b64"), "v") == "OK"  # status OK stays verbatim
    assert call("PING") == b64(b"PONG")  # other status replies are encoded
    assert call("GET", key("missing")) is None
    assert call("INCR", key("b64-n")) == 1
    assert call("LRANGE", key("b64-list"), 0, -1) == [b64("ñ".encode()), "OK"]
    assert call("EVAL", "return {1, {'a', 2}}", 0) == [1, [b64(b"a"), 2]]
    piped = raw.post("/pipeline", json=[["GET", key("b64")], ["DBSIZE"]], headers=headers)
    assert piped.json()[0] == {"result": b64(b"v")}
    assert isinstance(piped.json()[1]["result"], int)
    # Without the header the invalid UTF-8 can only be approximated.
    assert raw.post("/", json=["GET", key("bin")]).json()["result"].endswith("binary \ufffd")
