"""The cyclic garbage collector, set for a server that holds many connections.

Every event of every tab leaves cyclic garbage (the state tree Reflex
unpickles for it: each substate points to its parent and back), which only
the collector frees. With CPython's defaults (a collection of the young
generation every 700 new objects, the oldest every 100 of those) a backend
worker serving 300-375 websockets held about 160,000 objects outside the
app's own (each connection's coroutines, finished events' state trees) and
scanned them all in a full collection every 15 s: 150-360 ms during which
none of its events ran (issue 9's load test, 1,500 users: p95 101 ms,
5.8 ms of CPU per action).

So, when a backend worker starts serving (``gc_lifespan``):

- everything alive then (modules, pages, compiled components: 550,000
  objects) is moved out of the collector's sight (``gc.freeze``) and never
  scanned again; it lives as long as the process anyway;
- the young generation is collected every ``YOUNG_THRESHOLD`` new objects
  instead of 700: most objects die by reference counting well before, so
  far fewer are promoted (and scanned again) in the older generations, and
  the full collections that stopped a worker for a quarter of a second
  become rare (see ``OLD_THRESHOLD``).

Same load after it: p95 36 ms and 4.8 ms of CPU per action; memory 4 %
more (2.02 GiB).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

YOUNG_THRESHOLD = 20_000  # new objects between two young collections (CPython: 700)
MIDDLE_THRESHOLD = 10  # young collections per middle one (CPython's own)
# Middle collections per full one (CPython: 10). What the full collections
# free is mostly the state trees of events that outlived two younger
# collections (Reflex keeps a tab's state for a second after its events):
# at 2,500 users, 92 % of what a worker's oldest generation held was such
# garbage. With 10, no full collection came in 35 minutes of load tests and
# the app grew from 2.4 to 3.3 GiB; with 3, each worker made one (0.8 s,
# 155,000 objects freed) during two back-to-back runs of 2,500 users, and
# the app stayed at 2.5-2.6 GiB. (Since ``ui/state_trees.py`` cuts those
# trees apart once written back, reference counting frees them: at 2,000
# users no full collection came in 90 s of CPU per worker.)
OLD_THRESHOLD = 3


def tune_gc() -> None:
    """Freeze what exists now and set the thresholds above (see the module
    docstring). Call it once the app is built; calling it again only freezes
    what was created since."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)


@contextlib.asynccontextmanager
async def gc_lifespan() -> AsyncIterator[None]:
    """Reflex lifespan task: tune the collector as the backend starts (the
    app is built by then), in the backend only (not where tests import it)."""
    tune_gc()
    yield
