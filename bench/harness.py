"""Shared set-up for the benchmarks that run the real bot process.

Seeds a data directory through the real TinyDBStore (fsync switched off while seeding
only, so a 100,000-promise set-up takes seconds, not minutes), and reads a process's
peak RSS from /proc.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.models import Promise, Recurrence, Routine, UserSettings  # noqa: E402
from storage.tinydb_store import TinyDBStore  # noqa: E402


@contextmanager
def no_fsync() -> Iterator[None]:
    """Seeding only: the figures measured afterwards use real fsyncs."""
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def seed(
    data_dir: Path,
    *,
    users: int,
    open_per_user: int,
    routines_per_user: int = 0,
    first_user: int = 10_000_000,
    due_from: datetime | None = None,
    due_spread: timedelta = timedelta(days=30),
) -> list[int]:
    """Users with open promises due in the future (spread out) and optional routines."""
    store = TinyDBStore(data_dir)
    now = datetime.now(UTC)
    start = due_from or now + timedelta(hours=1)
    ids = []
    total = users * max(1, open_per_user)
    step = due_spread / total
    n = 0
    with no_fsync():
        for u in range(users):
            user_id = first_user + u
            ids.append(user_id)
            store.put_user(UserSettings(user_id=user_id, chat_id=user_id, created=now))
            for k in range(open_per_user):
                store.put_promise(
                    Promise(
                        id=f"s{user_id:x}{k}",
                        user_id=user_id,
                        task=f"seeded promise {k}",
                        due=start + step * n,
                        created=now,
                        tags=("#seed",),
                    )
                )
                n += 1
            for r in range(routines_per_user):
                store.put_routine(
                    Routine(
                        id=f"r{user_id:x}{r}",
                        user_id=user_id,
                        task=f"routine {r}",
                        rule=Recurrence(tuple(range(7)), (7 + r) % 24, 0),
                        created=now,
                    )
                )
    return ids


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: Sequence[float], unit: str = "ms", scale: float = 1000) -> str:
    if not values:
        return "n/a"
    return (
        f"median {statistics.median(values) * scale:.1f} {unit}, "
        f"p99 {percentile(values, 99) * scale:.1f} {unit}, "
        f"max {max(values) * scale:.1f} {unit} (n={len(values)})"
    )
