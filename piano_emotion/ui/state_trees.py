"""A tab's state tree is freed as soon as Reflex has written it back to Redis.

Reflex's Redis state manager unpickles a tab's states into a tree in which
each state points to its parent and the parent to it (``parent_state``,
``substates``): a reference cycle. With our 60 s hold (``rxconfig.py``) a
tree lives in the worker for a minute, so it outlives the young collections
and ends up in the oldest generation; once written back it is garbage that
only a full collection finds, together with the page data it holds (lists
of clients, a dashboard). At 2,500 users a worker's full collections freed
150,000-350,000 such objects and stopped it for 0.7-3 s each (issue 9).

Every ``set_state`` of the manager is the last use of the tree it writes
(the end of a hold, or of an event without one: ``StateManagerRedis``), so
after it the tree's links are cut and reference counting frees it at once.
"""

from __future__ import annotations

import functools
from typing import Any

from reflex.istate.manager.redis import StateManagerRedis

_set_attribute = object.__setattr__  # the tree links are slots, not state vars


def break_tree(state: Any) -> None:
    """Cut the parent/substate links of ``state``'s whole tree."""
    root = state._get_root_state()
    pending = [root]
    while pending:
        node = pending.pop()
        pending.extend(node.substates.values())
        _set_attribute(node, "substates", {})
        _set_attribute(node, "parent_state", None)


def install() -> None:
    """Break every tree ``StateManagerRedis.set_state`` has written (or failed to)."""
    write = StateManagerRedis.set_state
    if getattr(write, "breaks_trees", False):
        return

    @functools.wraps(write)
    async def set_state_and_free(self, token, state, **kwargs):
        try:
            return await write(self, token, state, **kwargs)
        finally:
            if hasattr(state, "_get_root_state"):  # a BaseState tree (not a shared state)
                break_tree(state)

    set_state_and_free.breaks_trees = True
    StateManagerRedis.set_state = set_state_and_free
