"""Cache benchmark: our layer against the raw client, on every backend.

For memory, Redis (127.0.0.1:6379) and Upstash's REST protocol over loopback
(tests/upstash_server.py forwarding to the same Redis), it prints operations
per second and p50/p95/p99 latency of a hit, a miss and a set, next to the
same operation done with the raw client, and the ratio ours ÷ raw.

    .venv/bin/python -m bench.cache_bench [--ops 20000] [--json out.json]

Targets (issue 4): on Redis a hit costs at most 1.3× a raw GET (p50) and its
p99 stays under 2 ms; on memory at least 200,000 hits per second.
"""

from __future__ import annotations

import argparse
import gc
import json
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import redis

from piano_emotion.cache import CacheService, build_cache

REDIS_URL = "redis://127.0.0.1:6379/0"
VALUE = {
    "id": 4711,
    "name": "María José García Ñúñez",
    "city": "Valladolid",
    "pianos": [{"brand": "Yamaha", "model": "U3", "year": 1987}],
    "balance": "1234.56",
}


@dataclass
class Figures:
    backend: str
    operation: str
    layer: str
    ops_per_s: float
    p50_us: float
    p95_us: float
    p99_us: float


ROUNDS = 5


def _timed(fn: Callable[[int], object], start: int, count: int) -> tuple[list[float], float]:
    samples = []
    gc.disable()
    try:
        began = time.perf_counter()
        for i in range(start, start + count):
            t0 = time.perf_counter()
            fn(i)
            samples.append(time.perf_counter() - t0)
        return samples, time.perf_counter() - began
    finally:
        gc.enable()


def measure_pair(
    backend: str,
    operation: str,
    ours: Callable[[int], object],
    raw: Callable[[int], object] | None,
    n: int,
) -> list[Figures]:
    """Time ours and raw in alternating rounds, so machine noise hits both alike."""
    layers = {"ours": ours} if raw is None else {"ours": ours, "raw": raw}
    for fn in layers.values():  # warm up connections and caches
        _timed(fn, 0, min(500, n))
    samples: dict[str, list[float]] = {name: [] for name in layers}
    totals = dict.fromkeys(layers, 0.0)
    per_round = max(1, n // ROUNDS)
    for round_index in range(ROUNDS):
        for name, fn in layers.items():
            got, elapsed = _timed(fn, round_index * per_round, per_round)
            samples[name] += got
            totals[name] += elapsed
    figures = []
    for name in layers:
        ordered = sorted(samples[name])

        def pct(q: float, ordered=ordered) -> float:
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6, 1)

        figures.append(
            Figures(
                backend,
                operation,
                name,
                round(len(ordered) / totals[name]),
                pct(0.50),
                pct(0.95),
                pct(0.99),
            )
        )
    return figures


def bench_backend(name: str, cache: CacheService, raw_get, raw_set, n: int) -> list[Figures]:
    prefix = f"bench:{secrets.token_hex(3)}:"
    payload = json.dumps(VALUE)
    cache.set("hot", VALUE, 600, tags=["t1:clients"])
    raw_set(prefix + "hot", payload)
    results = []
    results += measure_pair(
        name, "hit", lambda i: cache.get("hot"), lambda i: raw_get(prefix + "hot"), n
    )
    results += measure_pair(
        name,
        "hit (get_or_load)",
        lambda i: cache.get_or_load("hot", lambda: VALUE, 600, tags=["t1:clients"]),
        None,
        n,
    )
    results += measure_pair(
        name,
        "miss",
        lambda i: cache.get(f"missing:{i}"),
        lambda i: raw_get(f"{prefix}missing:{i}"),
        n,
    )
    results += measure_pair(
        name,
        "set",
        lambda i: cache.set(f"k:{i % 1000}", VALUE, 600, tags=["t1:clients"]),
        lambda i: raw_set(f"{prefix}k:{i % 1000}", payload),
        n,
    )
    return results  # fmt: skip


def print_table(results: list[Figures]) -> None:
    raw = {(r.backend, r.operation): r for r in results if r.layer == "raw"}
    header = (
        f"{'backend':<10}{'operation':<20}{'layer':<6}{'ops/s':>10}"
        f"{'p50 µs':>9}{'p95 µs':>9}{'p99 µs':>9}{'p50 ratio':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        base = raw.get((r.backend, r.operation.split(" ")[0]))
        ratio = f"{r.p50_us / base.p50_us:.2f}×" if base and r.layer == "ours" else ""
        print(
            f"{r.backend:<10}{r.operation:<20}{r.layer:<6}{r.ops_per_s:>10,}"
            f"{r.p50_us:>9}{r.p95_us:>9}{r.p99_us:>9}{ratio:>11}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=20_000, help="operations per measurement")
    parser.add_argument("--memory-ops", type=int, default=300_000)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    results: list[Figures] = []

    memory = build_cache(namespace=f"bench-{secrets.token_hex(3)}")
    store: dict[str, str] = {}
    results += bench_backend("memory", memory, store.get, store.__setitem__, args.memory_ops)
    memory.close()

    raw_redis = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        raw_redis.ping()
    except redis.RedisError:
        print("Redis on 127.0.0.1:6379 is not running: skipping redis and upstash", file=sys.stderr)
    else:
        namespace = f"bench-{secrets.token_hex(3)}"
        cache = build_cache(redis_url=REDIS_URL, namespace=namespace)
        results += bench_backend("redis", cache, raw_redis.get, raw_redis.set, args.ops)
        cache.close()

        from upstash_redis import Redis as Upstash

        from tests.upstash_server import UpstashTestServer

        with UpstashTestServer(redis.Redis.from_url(REDIS_URL)) as server:
            upstash = build_cache(
                upstash_url=server.url, upstash_token=server.token, namespace=namespace + "u"
            )
            raw_upstash = Upstash(
                url=server.url, token=server.token, allow_telemetry=False, rest_retries=0
            )
            results += bench_backend(
                "upstash", upstash, raw_upstash.get, raw_upstash.set, max(1000, args.ops // 5)
            )
            upstash.close()
        for key in raw_redis.scan_iter(f"{namespace}*"):
            raw_redis.delete(key)
        for key in raw_redis.scan_iter("bench:*"):
            raw_redis.delete(key)

    print_table(results)
    hits = {(r.backend, r.layer): r for r in results if r.operation == "hit"}
    print()
    if ("memory", "ours") in hits:
        print(f"memory hits per second: {hits['memory', 'ours'].ops_per_s:,} (target ≥ 200,000)")
    if ("redis", "ours") in hits:
        ours, raw = hits["redis", "ours"], hits["redis", "raw"]
        print(
            f"redis hit p50: {ours.p50_us} µs vs raw GET {raw.p50_us} µs = "
            f"{ours.p50_us / raw.p50_us:.2f}× (target ≤ 1.3×); "
            f"p99 {ours.p99_us} µs (target < 2,000)"
        )
    if args.json:
        with open(args.json, "w") as out:
            json.dump([asdict(r) for r in results], out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
