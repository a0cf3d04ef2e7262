"""The collector's settings for a backend worker (``gc_tuning``): what exists
when it starts is frozen, and the young generation is collected far less
often than CPython's default."""

from __future__ import annotations

import gc

import pytest

from piano_emotion import gc_tuning
from tests.conftest import run_async


@pytest.fixture
def restored_gc():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class Cycle:
    def __init__(self):
        self.me = self


def test_tune_gc_freezes_what_exists_and_sets_the_thresholds(restored_gc):
    survivor = Cycle()
    gc_tuning.tune_gc()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (
        gc_tuning.YOUNG_THRESHOLD,
        gc_tuning.MIDDLE_THRESHOLD,
        gc_tuning.OLD_THRESHOLD,
    )
    assert gc_tuning.YOUNG_THRESHOLD > 700  # CPython's default
    # A frozen object is out of the collector's sight, not lost.
    assert not any(obj is survivor for obj in gc.get_objects())
    assert survivor.me is survivor


def test_cycles_made_after_tuning_are_still_collected(restored_gc):
    gc_tuning.tune_gc()
    garbage = Cycle()
    del garbage
    assert gc.collect() >= 1


def test_the_lifespan_task_tunes_as_the_backend_starts(restored_gc):
    async def start():
        async with gc_tuning.gc_lifespan():
            return gc.get_threshold()[0]

    assert run_async(start()) == gc_tuning.YOUNG_THRESHOLD


def test_the_app_tunes_after_its_other_lifespan_tasks():
    from piano_emotion.piano_emotion import app

    assert app.get_lifespan_tasks()[-1] is gc_tuning.gc_lifespan
