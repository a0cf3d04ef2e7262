"""Several backend workers: ``WEB_CONCURRENCY``, ``REFLEX_REDIS_URL`` and the
start files (``scripts/start.sh``, ``Procfile``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from piano_emotion.settings import SettingsError, load_settings, server_layout

ROOT = Path(__file__).resolve().parents[1]
CACHE = {"REDIS_URL": "redis://cache.internal:6379/1"}


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_one_worker_and_local_state_by_default():
    settings = load_settings({})
    assert settings.web_concurrency == 1
    assert settings.reflex_redis_url is None
    assert server_layout({}) == (None, 1)


def test_redis_state_defaults_to_two_workers_per_core():
    env = {**CACHE, "REFLEX_REDIS_URL": "redis://state.internal:6379/2"}
    settings = load_settings(env)
    assert settings.reflex_redis_url == "redis://state.internal:6379/2"
    assert settings.web_concurrency == min(16, max(2, 2 * (os.cpu_count() or 1)))


@pytest.mark.parametrize("name", ["WEB_CONCURRENCY", "GRANIAN_WORKERS"])
def test_the_worker_count_is_read(name):
    env = {**CACHE, "REFLEX_REDIS_URL": "rediss://:pw@state.internal:6380/0", name: "4"}
    assert load_settings(env).web_concurrency == 4


def test_web_concurrency_wins_over_granian_workers():
    env = {
        **CACHE,
        "REFLEX_REDIS_URL": "redis://state:6379/2",
        "WEB_CONCURRENCY": "3",
        "GRANIAN_WORKERS": "1",
    }
    assert server_layout(env) == ("redis://state:6379/2", 3)


def test_several_workers_without_redis_state_are_refused():
    with pytest.raises(SettingsError, match="WEB_CONCURRENCY=2 needs REFLEX_REDIS_URL"):
        load_settings({**CACHE, "WEB_CONCURRENCY": "2"})


def test_several_workers_with_the_in_process_cache_are_refused():
    with pytest.raises(SettingsError, match="needs a shared cache"):
        load_settings({"REFLEX_REDIS_URL": "redis://state:6379/2", "WEB_CONCURRENCY": "2"})


def test_upstash_also_counts_as_a_shared_cache():
    env = {
        "UPSTASH_REDIS_REST_URL": "https://eu1-cache.upstash.io",
        "UPSTASH_REDIS_REST_TOKEN": "token",
        "REFLEX_REDIS_URL": "redis://state.internal:6379/0",
        "WEB_CONCURRENCY": "3",
    }
    assert load_settings(env).web_concurrency == 3


@pytest.mark.parametrize("value", ["0", "17", "two"])
def test_an_invalid_worker_count_names_the_variable(value):
    env = {**CACHE, "REFLEX_REDIS_URL": "redis://state:6379/2", "WEB_CONCURRENCY": value}
    with pytest.raises(SettingsError, match="WEB_CONCURRENCY"):
        load_settings(env)


def test_an_upstash_rest_url_is_refused_as_state_store_with_a_clear_message():
    env = {"REFLEX_REDIS_URL": "https://eu1-clever-gnat-12345.upstash.io"}
    with pytest.raises(SettingsError) as error:
        load_settings(env)
    message = str(error.value)
    assert "REFLEX_REDIS_URL must be a plain Redis URL" in message
    assert "Upstash's REST API" in message


def test_an_unknown_scheme_is_refused():
    with pytest.raises(SettingsError, match="redis://, rediss:// or unix://"):
        load_settings({"REFLEX_REDIS_URL": "memcached://state:11211"})


@pytest.mark.parametrize(
    ("state", "cache"),
    [
        ("redis://10.0.0.5:6379/1", "redis://10.0.0.5:6379/1"),
        ("redis://10.0.0.5/0", "redis://10.0.0.5:6379"),
        ("redis://:pw@Cache.Internal:6379/3", "redis://cache.internal:6379/3"),
    ],
)
def test_state_and_cache_in_one_redis_database_are_refused(state, cache):
    with pytest.raises(SettingsError, match="same Redis database"):
        load_settings({"REFLEX_REDIS_URL": state, "REDIS_URL": cache})


def test_state_in_the_caches_upstash_database_is_refused():
    env = {
        "UPSTASH_REDIS_REST_URL": "https://eu1-cache.upstash.io",
        "UPSTASH_REDIS_REST_TOKEN": "token",
        "REFLEX_REDIS_URL": "rediss://default:pw@eu1-cache.upstash.io:6379",
    }
    with pytest.raises(SettingsError, match="Upstash database"):
        load_settings(env)


def test_another_database_of_the_same_redis_is_fine():
    env = {"REFLEX_REDIS_URL": "redis://10.0.0.5:6379/2", "REDIS_URL": "redis://10.0.0.5:6379/1"}
    assert load_settings(env).reflex_redis_url == "redis://10.0.0.5:6379/2"


def test_server_layout_reads_the_dotenv_file(tmp_path, monkeypatch):
    for name in ("REFLEX_REDIS_URL", "WEB_CONCURRENCY", "GRANIAN_WORKERS", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv("UPSTASH_REDIS_REST_URL", raising=False)
    (tmp_path / ".env").write_text(
        "REFLEX_REDIS_URL=redis://127.0.0.1:6379/2\nREDIS_URL=redis://127.0.0.1:6379/1\n"
        "WEB_CONCURRENCY=3\n"
    )
    assert server_layout() == ("redis://127.0.0.1:6379/2", 3)


def test_start_script_help_names_the_worker_option():
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "start.sh"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--workers N" in out and "WEB_CONCURRENCY" in out


def test_procfile_migrates_once_then_starts_the_workers():
    lines = dict(
        line.split(":", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert lines["release"].strip() == "./scripts/start.sh --migrate-only"
    assert "--no-migrate" in lines["web"]
    # No --workers: WEB_CONCURRENCY when set, else two per core (settings).
    assert "--workers" not in lines["web"]
    assert "--port ${PORT:-3000}" in lines["web"]


def test_the_production_server_runs_its_workers_on_uvloop():
    # Reflex's production server is granian with its "auto" event loop, which
    # is uvloop when installed (requirements.txt): 11 % less CPU per action
    # than asyncio's loop in the load test. granian._loops is where granian
    # resolves "auto"; a faster loop it preferred (rloop) would show here.
    import uvloop
    from granian._loops import loops

    loop = loops.get("auto")
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_a_tab_stays_a_minute_in_its_worker_and_its_lock_outlives_that():
    # rxconfig with a Redis for the state: opportunistic locking on, a 60 s
    # hold (each new hold reads, unpickles and writes back the tab's state),
    # and a lock that outlives the hold by a flush's margin under load.
    probe = (
        "import rxconfig;"
        "from reflex_base.environment import environment, oplock_hold_time;"
        "from reflex.config import get_config;"
        "print(environment.REFLEX_OPLOCK_ENABLED.get(),"
        " oplock_hold_time().total_seconds(), get_config().redis_lock_expiration)"
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("REFLEX_OPLOCK", "REFLEX_REDIS"))
    }
    env.update({**CACHE, "REFLEX_REDIS_URL": "redis://state.internal:6379/2"})
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-3:]
    enabled, hold_s, lock_ms = out[0], float(out[1]), int(out[2])
    assert enabled == "True"
    assert hold_s == 60
    assert lock_ms / 1000 - hold_s >= 30
