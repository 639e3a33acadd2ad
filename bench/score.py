"""How fast is the reliability report for a user with years of history?

    .venv/bin/python bench/score.py                  # figures
    .venv/bin/python bench/score.py --write-example  # also (re)draws docs/score-chart.png

A seeded user with five years of small promises (about 9,000: callbacks, errands,
being on time, two daily routines, the odd repair and renegotiation). Times the
work behind /score (weekly_report + render_score) and the 8-week chart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.chart import render_chart  # noqa: E402
from bot.report_text import render_score  # noqa: E402
from core.insight import find_insight  # noqa: E402
from core.kinds import detect_kind  # noqa: E402
from core.models import Outcome, Promise, Recurrence, Routine  # noqa: E402
from core.score import weekly_report  # noqa: E402

TZ_NAME = "Europe/Berlin"
TZ = ZoneInfo(TZ_NAME)
NOW = datetime(2026, 11, 27, 19, 0, tzinfo=TZ)  # a Friday evening

TASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("call mom back", ("#mom",)),
    ("text Sam about Saturday", ("@sam",)),
    ("reply to the landlord", ()),
    ("send the report to Ana", ("#work",)),
    ("be at the station", ()),
    ("pick up the kids at school", ("#kids",)),
    ("buy milk", ()),
    ("bring the drill back to Tom", ("@tom",)),
    ("pay the electricity bill", ()),
    ("book the dentist", ()),
    ("listen to Mia without my phone", ("#mia",)),
    ("review Jo's pull request", ("#work",)),
    ("meet Lea for coffee", ("@lea",)),
    ("get back to the plumber", ()),
)
ROUTINES = (
    Routine("r1", 1, "phone away at breakfast", Recurrence((0, 1, 2, 3, 4, 5, 6), 8, 0), NOW),
    Routine("r2", 1, "walk the dog before work", Recurrence((0, 1, 2, 3, 4), 7, 15), NOW),
)


def _outcome(rng: random.Random, hour: int, skill: float) -> Outcome:
    """Evenings slip more often than mornings, as they do for most people."""
    miss = (0.16 if hour >= 17 else 0.07) * (2.0 - skill)
    roll = rng.random()
    if roll < 0.03:
        return Outcome.CANCELLED
    roll -= 0.03
    if roll < miss * 0.7:
        return Outcome.BROKEN
    if roll < miss:
        return Outcome.UNANSWERED
    if roll < miss + 0.12:
        return Outcome.LATE
    return Outcome.KEPT


def make_history(now: datetime, days: int, per_day: float, seed: int) -> list[Promise]:
    """One user's promises over ``days`` up to ``now``; the last few hours stay open."""
    rng = random.Random(seed)
    promises: list[Promise] = []
    broken: list[Promise] = []
    start = now - timedelta(days=days)
    for day in range(days + 1):
        local_day = (start + timedelta(days=day)).astimezone(TZ).date()
        skill = 0.75 + 0.25 * rng.random()  # some weeks go better than others
        count = max(0, round(rng.gauss(per_day, 1.2)))
        slots: list[tuple[int, int, str, tuple[str, ...], str | None, str | None]] = []
        for _ in range(count):
            task, tags = rng.choice(TASKS)
            slots.append(
                (rng.randint(7, 22), rng.choice((0, 5, 15, 30, 45)), task, tags, None, None)
            )
        if rng.random() < 0.85:
            slots.append((8, 0, ROUTINES[0].task, (), "r1", None))
        if local_day.weekday() < 5 and rng.random() < 0.75:
            slots.append((7, 15, ROUTINES[1].task, (), "r2", None))
        if broken and rng.random() < 0.25:
            old = broken.pop()
            slots.append((rng.randint(9, 20), 0, old.task, old.tags, None, old.id))
        for hour, minute, task, tags, routine_id, repair_of in slots:
            due = datetime(local_day.year, local_day.month, local_day.day, hour, minute, tzinfo=TZ)
            created = due - timedelta(minutes=rng.choice((5, 10, 30, 90, 240, 1500)))
            outcome: Outcome | None = _outcome(rng, hour, skill)
            closed: datetime | None = due + timedelta(minutes=rng.choice((0, 2, 20, 60)))
            if due > now - timedelta(hours=2):
                outcome, closed = None, None
            promise = Promise(
                id=f"p{len(promises)}",
                user_id=1,
                task=task,
                due=due.astimezone(UTC),
                created=created.astimezone(UTC),
                tags=tags,
                kind=detect_kind(task),
                outcome=outcome,
                closed=closed.astimezone(UTC) if closed else None,
                renegotiations=1 if rng.random() < 0.04 else 0,
                repair_of=repair_of,
                routine_id=routine_id,
            )
            promises.append(promise)
            if outcome is Outcome.BROKEN:
                broken.append(promise)
    rng.shuffle(promises)  # a store hands them over in its own order
    return promises


def _timed(fn: object, runs: int) -> tuple[float, float]:
    assert callable(fn)
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def _figures(median: float, p95: float) -> str:
    return f"median {median:6.1f} ms   p95 {p95:6.1f} ms"


def write_example(path: Path) -> None:
    """Eight weeks of a realistic user, one of them spent away: the chart shows a gap."""
    holiday = datetime(2026, 10, 26, tzinfo=TZ), datetime(2026, 11, 2, tzinfo=TZ)
    promises = [
        p
        for p in make_history(NOW, days=8 * 7 + 3, per_day=2.2, seed=7)
        if not holiday[0] <= p.due < holiday[1]
    ]
    report = weekly_report(promises, NOW, TZ, ROUTINES)
    path.write_bytes(render_chart(report.weeks, TZ_NAME))
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    print(render_score(report))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-example", action="store_true", help="redraw docs/score-chart.png")
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()

    promises = make_history(NOW, days=5 * 365, per_day=3.5, seed=1)
    print(f"history: {len(promises):,} promises over 5 years ({TZ_NAME})")

    def score() -> str:
        return render_score(weekly_report(promises, NOW, TZ, ROUTINES))

    report = weekly_report(promises, NOW, TZ, ROUTINES)
    render_chart(report.weeks, TZ_NAME)  # first call loads fonts: not what a user waits for
    median, p95 = _timed(score, args.runs)
    print(f"weekly_report + render_score: {_figures(median, p95)}  (target < 100 ms)")
    # Where it slips looks at four weeks only: its share, measured in the same run.
    window = [p for p in promises if p.due >= (NOW - timedelta(weeks=4)).astimezone(UTC)]
    median, p95 = _timed(lambda: find_insight(window, TZ), args.runs)
    print(f"  of which find_insight ({len(window)} in 4 weeks): {_figures(median, p95)}")
    median, p95 = _timed(lambda: render_chart(report.weeks, TZ_NAME), max(10, args.runs // 3))
    print(f"render_chart:                 {_figures(median, p95)}  (target < 400 ms)")
    if args.write_example:
        write_example(ROOT / "docs" / "score-chart.png")


if __name__ == "__main__":
    main()
