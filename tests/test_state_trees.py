"""A tab's state tree is freed by reference counting once Reflex's Redis state
manager has written it back (``piano_emotion/ui/state_trees.py``), against the
local Redis; what was written is read back intact."""

from __future__ import annotations

import gc
import uuid
import weakref

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from piano_emotion.ui import state_trees
from piano_emotion.ui.state.home import HomeState
from tests.conftest import REDIS_TEST_URL, redis_available, require_service, run_async


def tree(state):
    yield state
    for substate in state.substates.values():
        yield from tree(substate)


@pytest.fixture
def collector_off():
    """Only reference counting frees anything while a test runs."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_broken_tree_leaves_no_cycle(collector_off):
    root = State(_reflex_internal_init=True)
    home = root.get_substate(HomeState.get_full_name().split("."))
    states = list(tree(root))
    assert len(states) > 5
    alive = weakref.ref(root)

    state_trees.break_tree(home)  # any state of the tree: the whole tree

    assert all(s.parent_state is None and s.substates == {} for s in states)
    del root, home, states
    assert alive() is None  # freed at once
    assert gc.collect() == 0  # and nothing was left for the collector


def test_an_unbroken_tree_needs_the_collector(collector_off):
    """Why it matters: without the cut, the tree outlives its last reference."""
    root = State(_reflex_internal_init=True)
    alive = weakref.ref(root)
    del root
    assert alive() is not None
    gc.collect()
    assert alive() is None


def test_the_redis_manager_frees_each_tree_it_writes(collector_off):
    require_service(redis_available(), "Redis")
    state_trees.install()
    state_trees.install()  # idempotent: one wrapper, not two
    assert StateManagerRedis.set_state.breaks_trees
    assert not getattr(StateManagerRedis.set_state.__wrapped__, "breaks_trees", False)
    tab = f"tab-{uuid.uuid4().hex}"

    async def scenario():
        redis = Redis.from_url(REDIS_TEST_URL)
        manager = StateManagerRedis(redis=redis)
        try:
            token = BaseStateToken(ident=tab, cls=HomeState)
            async with manager.modify_state(token) as root:
                home = await root.get_state(HomeState)
                home.year, home.month = 2026, 11
                written = weakref.ref(root._get_root_state())
                del root, home
            freed = written() is None
            # What was written is whole: a new tree reads it back.
            async with manager.modify_state(token) as root:
                home = await root.get_state(HomeState)
                read_back = (home.year, home.month, home.lang)  # lang: UIState's, a parent
            return freed, read_back
        finally:
            keys = [key async for key in redis.scan_iter(f"{tab}*")]
            if keys:
                await redis.delete(*keys)
            await manager.close()
            await redis.aclose()

    freed, read_back = run_async(scenario())
    assert freed
    assert read_back == (2026, 11, "es")
