"""``bench/page_cost.py`` run for real: its figures are those of a warm cache.

The benchmark calls each page's ``on_load`` handler in its own process
against a real database and a Redis cache, and reports per page the CPU of
one load and the SQL statements, database round trips and Redis commands it
sent, first with every entry warm, then with the detail pages' records read
for the first time. Its figures are compared between runs and machines (the
read mix is the CPU the load test's reads cost), so they must mean what the
table says. A warm load that still reaches the database, or a "first read"
that does not, would measure something else without any error.

The test runs the command as it is used, in a subprocess, on a throw-away
MariaDB database filled by the demo command (which applies the migrations
itself) with two technicians, and a cache in Redis database 15 under a
namespace of its own (no other test uses that database; the namespace's
keys are deleted afterwards). Small numbers (two technicians, two rounds)
keep it to seconds.

Both counters the benchmark reads are server-wide (MariaDB's ``Questions``,
Redis's ``total_commands_processed``): other clients of the same servers can
only add to them, so the assertions on them are lower bounds, and the
comparisons are between figures that differ several times over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.page_cost import DETAILS, PAGES, READ_WEIGHTS
from tests.conftest import BENCH_REDIS_URL

ROOT = Path(__file__).resolve().parent.parent
TECHNICIANS = 2
ROUNDS = 2
REDIS_URL = BENCH_REDIS_URL
FIRST_READS = tuple(f"{page} (first read)" for page in DETAILS)
# What the subprocesses must not inherit from the developer's shell: the
# benchmark sets the database, cache and namespace itself, and an Upstash
# cache would win over its Redis.
NOT_INHERITED = {"DATABASE_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"}


def _environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _run(*command: str, timeout: float) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


@pytest.fixture
def demo_database_url(mariadb_databases) -> str:
    """A new MariaDB database, migrated, with the demo data of two technicians."""
    url = mariadb_databases.create()
    _run(
        *("piano_emotion.demo", "--technicians", str(TECHNICIANS)),
        *("--database-url", url, "--quiet"),
        timeout=120,
    )
    return url


def test_the_page_cost_bench_measures_warm_loads_and_first_reads(
    cache_namespace, demo_database_url, tmp_path
):
    # (Redis is checked first: a missing service skips before the data is loaded.)
    out = tmp_path / "page_cost.json"
    run = _run(
        *("bench.page_cost", "--database-url", demo_database_url),
        *("--redis-url", REDIS_URL, "--namespace", cache_namespace),
        *("--technicians", str(TECHNICIANS), "--rounds", str(ROUNDS), "--json", str(out)),
        timeout=120,
    )
    result = json.loads(out.read_text())
    pages = result["pages"]

    # Every page, warm and read for the first time, loaded by every technician
    # in every round (two technicians found: the demo gave each enough records).
    assert set(pages) == {*PAGES, *FIRST_READS}
    for page, row in pages.items():
        assert row["loads"] == TECHNICIANS * ROUNDS, (page, row)
        assert row["cpu_ms_mean"] > 0 and row["cpu_ms_median"] > 0, (page, row)
        assert page in run.stdout

    # Warm: every entry a hit, so no SQL, and the hits come from Redis.
    for page in PAGES:
        row = pages[page]
        assert row["sql_per_load"] == 0, (page, row)
        assert row["redis_commands_per_load"] >= 1, (page, row)

    # A record read for the first time misses: its page goes to the database
    # (every statement a round trip at least) and writes the entries back.
    for page in DETAILS:
        first, warm = pages[f"{page} (first read)"], pages[page]
        assert first["sql_per_load"] >= 1, (page, first)
        assert first["db_round_trips_per_load"] >= first["sql_per_load"], (page, first)
        assert first["redis_commands_per_load"] > warm["redis_commands_per_load"], (page, pages)

    # The read mix: the load test's reads weighted over the pages' CPU, with
    # the detail pages warm, then read for the first time.
    mix = result["read_mix_cpu_ms"]
    weights = sum(READ_WEIGHTS.values())

    def weighted(rows: dict) -> float:
        return sum(rows[page]["cpu_ms_mean"] * w for page, w in READ_WEIGHTS.items()) / weights

    first_reads = {**pages, **{page: pages[f"{page} (first read)"] for page in DETAILS}}
    assert mix["warm"] == pytest.approx(weighted(pages), abs=1e-3)
    assert mix["first_read"] == pytest.approx(weighted(first_reads), abs=1e-3)
    assert 0 < mix["warm"] < mix["first_read"], mix
    assert f"every entry warm: {mix['warm']:.3f} ms" in run.stdout
