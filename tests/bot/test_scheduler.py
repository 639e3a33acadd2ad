"""The APScheduler adapter: near work becomes a job at once, far work waits in a heap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.scheduler import APSchedulerJobs
from tests.bot.fakes import ManualClock

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def job_ids(scheduler: AsyncIOScheduler) -> set[str]:
    return {job.id for job in scheduler.get_jobs()} - {"scheduler:refill"}


async def nothing() -> None:
    return None


async def test_far_work_is_promoted_when_the_window_reaches_it() -> None:
    clock = ManualClock(NOW)
    scheduler = AsyncIOScheduler(timezone=UTC)
    jobs = APSchedulerJobs(scheduler, horizon=timedelta(hours=1), clock=clock)
    jobs.schedule("p:near", NOW + timedelta(minutes=10), nothing)
    jobs.schedule("p:far", NOW + timedelta(days=3), nothing)
    assert job_ids(scheduler) == {"p:near"}
    assert jobs.pending() == 2

    clock.advance(days=3)
    await jobs._refill()
    assert job_ids(scheduler) == {"p:near", "p:far"}


async def test_replanning_and_cancelling_far_work_leaves_no_stale_job() -> None:
    clock = ManualClock(NOW)
    scheduler = AsyncIOScheduler(timezone=UTC)
    jobs = APSchedulerJobs(scheduler, horizon=timedelta(hours=1), clock=clock)
    jobs.schedule("p:a", NOW + timedelta(days=2), nothing)
    jobs.schedule("p:a", NOW + timedelta(days=5), nothing)  # renegotiated
    jobs.schedule("p:b", NOW + timedelta(days=2), nothing)
    jobs.cancel("p:b")
    clock.advance(days=2)
    await jobs._refill()
    assert job_ids(scheduler) == set()
    clock.advance(days=3)
    await jobs._refill()
    assert job_ids(scheduler) == {"p:a"}
    jobs.schedule("p:a", NOW + timedelta(minutes=1), nothing)  # back inside the window
    jobs.cancel("p:a")
    assert job_ids(scheduler) == set()
    assert jobs.pending() == 0


async def test_a_job_late_by_more_than_a_second_still_runs() -> None:
    """APScheduler's default misfire grace of 1 s would silently drop it."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    jobs = APSchedulerJobs(scheduler)
    fired = asyncio.Event()

    async def checkin() -> None:
        fired.set()

    jobs.schedule("p:late", datetime.now(UTC) - timedelta(minutes=5), checkin)
    scheduler.start()
    try:
        await asyncio.wait_for(fired.wait(), timeout=5)
    finally:
        scheduler.shutdown(wait=False)


def held(jobs: APSchedulerJobs) -> int:
    """Everything the adapter keeps in its own collections, whatever they are."""
    return sum(len(v) for v in vars(jobs).values() if isinstance(v, list | dict | set))


async def test_replacing_a_far_check_in_1000_times_holds_one_job() -> None:
    clock = ManualClock(NOW)
    scheduler = AsyncIOScheduler(timezone=UTC)
    jobs = APSchedulerJobs(scheduler, horizon=timedelta(hours=1), clock=clock)
    scheduler.start(paused=True)
    try:
        for n in range(1000):
            jobs.schedule("p:far", NOW + timedelta(days=30, minutes=n), nothing)
            jobs.schedule(f"p:undone{n}", NOW + timedelta(days=60), nothing)
            jobs.cancel(f"p:undone{n}")
            jobs.schedule("p:near", NOW + timedelta(minutes=10 + n % 30), nothing)
        assert jobs.pending() == 2
        assert held(jobs) == 1  # p:far, and nothing stale beside it
        assert job_ids(scheduler) == {"p:near"}
        assert len(scheduler.get_jobs()) == 2  # p:near and the refill job

        clock.advance(days=30, minutes=999)
        await jobs._refill()
        assert held(jobs) == 0
        assert job_ids(scheduler) == {"p:near", "p:far"}
        assert scheduler.get_job("p:far").next_run_time == NOW + timedelta(days=30, minutes=999)
    finally:
        scheduler.shutdown(wait=False)
