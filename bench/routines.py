"""Start-up with routines: 10,000 users × 5 routines plus 100,000 pending one-off promises.

Seeds the data directory through the real TinyDBStore, starts the real `keepword run`
process against the fake Bot API server, and measures:
- seconds from process start until it answers a message, and until every job is
  restored (restoring runs in the background while the bot already answers);
- the process's peak RSS (VmHWM);
- in-process, the time to compute one day's occurrences of all 50,000 routines
  (``next_occurrence`` from local midnight to midnight, in the users' zones and in a
  mix of zones with daylight saving), and the time of ``due_occurrences`` for all of
  them after a week of downtime (the catch-up at start).

Targets (issue: daily routines): ready < 5 s, peak RSS < 400 MB.
Run: .venv/bin/python bench/routines.py [--users N] [--routines R] [--per-user K]
     [--profile]   (also cProfile Conversation.restore in-process on the seeded store)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from harness import ROOT, peak_rss_mb, seed

from core.models import Routine
from core.routines import due_occurrences
from core.timephrase import next_occurrence
from storage.tinydb_store import TinyDBStore
from tests.e2e.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI

MIXED_ZONES = tuple(
    ZoneInfo(name)
    for name in ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC")
)


async def start_up(data: Path, log: Path) -> tuple[float, float, float, str]:
    """Seconds until the first answer and until every job is restored; peak RSS in MB."""
    async with FakeBotAPI() as api:
        bot = BotProcess(api, data, log_path=log)
        probe = 1
        started = time.monotonic()
        await bot.start(wait_ready=False)
        try:
            api.send_text(probe, "call mom back in 1 hour")
            ack = await api.wait_for_message(probe, "Got it", timeout=120)
            ready = ack.t_monotonic - started
            while "restored {" not in bot.log():
                await asyncio.sleep(0.05)
            restored = time.monotonic() - started
            assert bot.process is not None
            rss = peak_rss_mb(bot.process.pid)
        finally:
            await bot.stop()
    line = next(x for x in bot.log().splitlines() if "restored {" in x)
    return ready, restored, rss, line.split(": ", 1)[-1]


def load_routines(data: Path) -> list[tuple[Routine, ZoneInfo]]:
    store = TinyDBStore(data)
    found: list[tuple[Routine, ZoneInfo]] = []
    for snap in store.snapshot():
        if snap.user is None:
            continue
        tz = ZoneInfo(snap.user.tz)
        found.extend((routine, tz) for routine in snap.routines)
    return found


def day_of_occurrences(routines: list[tuple[Routine, ZoneInfo]], day: datetime) -> int:
    """Every occurrence of every routine on the routine's local calendar day ``day``."""
    count = 0
    for routine, tz in routines:
        start = datetime.combine(day.date(), datetime.min.time(), tz)
        end = start + timedelta(days=1)
        at = next_occurrence(routine.rule, start - timedelta(microseconds=1), tz)
        while at < end:
            count += 1
            at = next_occurrence(routine.rule, at, tz)
    return count


def catch_up(routines: list[tuple[Routine, ZoneInfo]], now: datetime) -> int:
    """``due_occurrences`` after a week down: one asked, the rest skipped, per routine."""
    asked = 0
    for routine, tz in routines:
        week_ago = replace(routine, last_occurrence=now - timedelta(days=7))
        asked += due_occurrences(week_ago, now, tz).latest is not None
    return asked


def timed(label: str, work: Callable[..., int], *args: object) -> float:
    t = time.perf_counter()
    result = work(*args)
    took = time.perf_counter() - t
    print(f"{label}: {took * 1000:.0f} ms ({result:,})")
    return took


def profile_restore(data: Path) -> None:
    """Where start-up time goes: Conversation.restore on the seeded store, in-process."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.context import Context
    from bot.conversation import Conversation
    from bot.scheduler import APSchedulerJobs

    class NoOutbox:
        async def send(self, chat_id: int, reply: object) -> int | None:
            return None

        async def edit(self, chat_id: int, message_id: int, reply: object) -> bool:
            return False

    async def run() -> dict[str, int]:
        jobs = APSchedulerJobs(AsyncIOScheduler(timezone=UTC))
        ctx = Context(TinyDBStore(data), NoOutbox(), jobs, lambda: datetime.now(UTC))
        return await Conversation(ctx).restore()

    profiler = cProfile.Profile()
    t = time.perf_counter()
    profiler.enable()
    counts = asyncio.run(run())
    profiler.disable()
    print(f"\nrestore in-process: {time.perf_counter() - t:.2f} s {counts}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)


async def measure(users: int, routines: int, per_user: int, profile: bool) -> None:
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        data = Path(tmp) / "data"
        t = time.perf_counter()
        seed(data, users=users, open_per_user=per_user, routines_per_user=routines)
        print(
            f"seeded {users:,} users × {routines} routines + {users * per_user:,} pending "
            f"promises in {time.perf_counter() - t:.1f} s"
        )
        ready, restored, rss, line = await start_up(data, Path(tmp) / "bot.log")
        print(f"bot log: {line}")
        print(f"start-up until the first answer: {ready:.2f} s   (target < 5 s)")
        print(f"every job restored after: {restored:.2f} s (in the background, answering)")
        print(f"peak RSS: {rss:.0f} MB   (target < 400 MB)")

        loaded = load_routines(data)
        mixed = [(r, MIXED_ZONES[n % len(MIXED_ZONES)]) for n, (r, _) in enumerate(loaded)]
        now = datetime.now(UTC)
        label = f"one day's occurrences, {len(loaded):,} routines"
        timed(f"{label}, users' zones", day_of_occurrences, loaded, now)
        timed("one day's occurrences, five zones with DST", day_of_occurrences, mixed, now)
        timed("catch-up after a week down (due_occurrences)", catch_up, mixed, now)
        if profile:
            profile_restore(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--routines", type=int, default=5, help="routines per user")
    parser.add_argument("--per-user", type=int, default=10, help="pending promises per user")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(measure(args.users, args.routines, args.per_user, args.profile))


if __name__ == "__main__":
    main()
