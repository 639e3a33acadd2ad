"""Check-in timing on APScheduler 3: one date job per key, rebuilt from the store.

Jobs are a cache of the store. Two settings matter (measured, see TELEGRAM-FACTS):
``misfire_grace_time=None`` so a job that fires late (busy loop, restart) still runs
instead of being silently dropped after 1 s, and ``replace_existing=True`` so
re-planning a promise never leaves two jobs behind. Callbacks are ``async def`` and
run on the event loop, so the store is never touched from a worker thread.

Only work due within the next ``horizon`` becomes an APScheduler job; later work
waits in a dict by key and one refill job, every half horizon, promotes what has come
within reach. Creating a job costs ~50 µs and ~1 KB, so 100,000 promises spread over a
month would otherwise cost seconds of start-up and ~100 MB, for jobs that mostly fire
weeks later.

Replacing or cancelling a key removes what was held for it at once, wherever it is
(``remove_job`` takes a job out of APScheduler's store; PTB's ``schedule_removal`` would
only mark it). An earlier heap of far work kept every replaced entry until its due
time: one user re-planning within every limit left ~62,000 stale entries an hour. The
refill now scans the dict instead (~5 ms per 100,000 waiting, twice an hour).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

Callback = Callable[[], Awaitable[None]]
REFILL_KEY = "scheduler:refill"


class APSchedulerJobs:
    def __init__(
        self,
        scheduler: AsyncIOScheduler,
        *,
        horizon: timedelta = timedelta(hours=1),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.scheduler = scheduler
        self.horizon = horizon
        self.clock = clock
        self._window_end = clock() + horizon
        self._later: dict[str, tuple[datetime, Callback]] = {}
        scheduler.add_job(
            self._refill,
            trigger=IntervalTrigger(seconds=horizon.total_seconds() / 2),
            id=REFILL_KEY,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def schedule(self, key: str, at: datetime, callback: Callback) -> None:
        self.cancel(key)
        if at <= self._window_end:
            self._add(key, at, callback)
        else:
            self._later[key] = (at, callback)

    def cancel(self, key: str) -> None:
        if self._later.pop(key, None) is None:
            with contextlib.suppress(JobLookupError):
                self.scheduler.remove_job(key)

    def _add(self, key: str, at: datetime, callback: Callback) -> None:
        self.scheduler.add_job(
            callback,
            trigger=DateTrigger(run_date=at),
            id=key,
            name=key,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    async def _refill(self) -> None:
        """Promote work that is now within the horizon to real jobs."""
        self._window_end = end = self.clock() + self.horizon
        due = [(key, at, callback) for key, (at, callback) in self._later.items() if at <= end]
        for key, at, callback in due:
            del self._later[key]
            self._add(key, at, callback)

    def pending(self) -> int:
        """Jobs waiting, promoted or not (for start-up logs and benchmarks)."""
        return len(self._later) + len(self.scheduler.get_jobs()) - 1
