"""Check-in timing on APScheduler 3: one date job per key, rebuilt from the store.

Jobs are a cache of the store. Two settings matter (measured, see TELEGRAM-FACTS):
``misfire_grace_time=None`` so a job that fires late (busy loop, restart) still runs
instead of being silently dropped after 1 s, and ``replace_existing=True`` so
re-planning a promise never leaves two jobs behind. Callbacks are ``async def`` and
run on the event loop, so the store is never touched from a worker thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger


class APSchedulerJobs:
    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self.scheduler = scheduler

    def schedule(self, key: str, at: datetime, callback: Callable[[], Awaitable[None]]) -> None:
        self.scheduler.add_job(
            callback,
            trigger=DateTrigger(run_date=at),
            id=key,
            name=key,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def cancel(self, key: str) -> None:
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(key)

    def __len__(self) -> int:
        return len(self.scheduler.get_jobs())
