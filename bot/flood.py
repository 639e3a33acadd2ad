"""The flood guard: each user's budget of actions over a sliding minute.

Every kind of update counts — messages, commands, edits, stickers and other non-text
messages, locations, group mentions — against one budget; button taps, which come in
runs (stepping the report hour), against a larger one of their own. The first action
over a budget is answered once ("slow down"); the rest of the flood gets nothing, or
the replies would become the flood, and writes nothing.

Transport-free: the Telegram adapter asks at its door, before an update is queued, so a
silenced update never waits in line or holds anything; the conversation asks itself
when a transport (the terminal chat, tests) calls it directly.
"""

from __future__ import annotations

import enum
import time
from collections import defaultdict, deque
from collections.abc import Callable

WINDOW = 60.0
TRACKED_USERS = 10_000


class Verdict(enum.Enum):
    ADMIT = "admit"
    WARN = "warn"  # the first action over the budget: say so, once
    SILENT = "silent"  # the rest of the flood: no reply, no write


class FloodGuard:
    def __init__(
        self,
        per_minute: int,
        taps_per_minute: int,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.per_minute = per_minute
        self.taps_per_minute = taps_per_minute
        self.clock = clock
        self._actions: defaultdict[int, deque[float]] = defaultdict(deque)
        self._taps: defaultdict[int, deque[float]] = defaultdict(deque)
        self._warned: set[int] = set()

    def check(self, user_id: int, *, tap: bool = False) -> Verdict:
        """Count one more action of the user; ADMIT while within the budget."""
        if tap:
            within = self._count(self._taps, user_id, self.taps_per_minute)
            return Verdict.ADMIT if within else Verdict.SILENT
        if self._count(self._actions, user_id, self.per_minute):
            self._warned.discard(user_id)
            return Verdict.ADMIT
        if user_id in self._warned:
            return Verdict.SILENT
        if len(self._warned) > TRACKED_USERS:
            self._warned.clear()
        self._warned.add(user_id)
        return Verdict.WARN

    def _count(self, recent: defaultdict[int, deque[float]], user_id: int, limit: int) -> bool:
        now = time.monotonic() if self.clock is None else self.clock()
        if len(recent) > TRACKED_USERS:  # forget users who have been quiet for a minute
            for key in [k for k, q in recent.items() if not q or now - q[-1] > WINDOW]:
                del recent[key]
        times = recent[user_id]
        while times and now - times[0] > WINDOW:
            times.popleft()
        if len(times) >= limit:
            return False
        times.append(now)
        return True
