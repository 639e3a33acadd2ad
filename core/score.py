"""The reliability report as arithmetic: pure functions of (promises, now, time zone).

Weeks are local: Monday 00:00 to the next Monday 00:00 on the user's wall clock, so a
week with a DST change lasts 167 or 169 hours. A promise belongs to the week of its
*due* time, because that is when the word was meant to be kept. Bounds are built
from local dates and compared in UTC: Python compares two datetimes that share a
tzinfo by wall time alone, which goes wrong around a DST change.

The formulas and the reasons behind them are written up in docs/SCORING.md.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from core.history import (
    DaySummary,
    join_runs,
    reliability_parts,
    run_of,
    tally_between,
    utc_day,
)
from core.insight import WINDOW_WEEKS, Insight, find_insight
from core.models import Outcome, Promise, Routine
from core.tally import HALF_LIFE, VALUES, Tally, is_scored, tally, whole_percent

__all__ = [
    "CHART_WEEKS",
    "HALF_LIFE",
    "VALUES",
    "RoutineAdherence",
    "Tally",
    "WeekSummary",
    "WeeklyReport",
    "by_tag",
    "detail_days",
    "is_scored",
    "long_run_reliability",
    "longest_streak",
    "tally",
    "week_bounds",
    "week_is_empty",
    "weekly_report",
    "whole_percent",
]

CHART_WEEKS = 8
_KEPT_ANY = frozenset((Outcome.KEPT, Outcome.LATE))
_in_due_order = attrgetter("due", "id")  # ties on due broken by id: any input order, one answer


def longest_streak(promises: Iterable[Promise]) -> int:
    """Kept-or-late in a row by due time; cancelled and open promises neither add nor break."""
    return _streak(sorted(promises, key=_in_due_order))


def _streak(ordered: Iterable[Promise]) -> int:
    best = run = 0
    for promise in ordered:
        outcome = promise.outcome
        if outcome in _KEPT_ANY:
            run += 1
            best = max(best, run)
        elif outcome is not None and outcome is not Outcome.CANCELLED:
            run = 0
    return best


def long_run_reliability(promises: Iterable[Promise], now: datetime) -> float | None:
    """A time-decayed mean of outcomes, 0..100, with a half-life of four weeks.

    Each closed, scored promise has the value 1 (kept), ½ (late) or 0 and the weight
    2^(−age / 4 weeks), its age measured from its due time. The mean of the values
    under those weights is an exponential moving average that needs no warm-up: a
    new user's first kept promise reads 100 %, not the few percent a plain
    "r ← r·m + v·(1 − m)" started at zero would show.
    """
    # Stored times are UTC; comparing UTC with UTC skips a time-zone lookup per promise.
    now = now.astimezone(UTC)
    now_ts = now.timestamp()
    points = [
        (now_ts - promise.due.timestamp(), VALUES[outcome])
        for promise in promises
        if (outcome := promise.outcome) in VALUES
        and (promise.closed is None or promise.closed <= now)
    ]
    if not points:
        return None
    # A promise done before it fell due has age 0, not a negative one. Measured from
    # the youngest, the largest weight is 1: years of history never underflow to a
    # zero total, and the ratio is unchanged by that common factor.
    youngest = max(0.0, min(age for age, _ in points))
    half_life = HALF_LIFE.total_seconds()
    total = weighted = 0.0
    for age, value in points:
        weight = 2.0 ** ((youngest - age) / half_life) if age > youngest else 1.0
        total += weight
        weighted += weight * value
    return _percent(weighted, total)


def _percent(weighted: float, total: float) -> float:
    # A weighted mean of values in [0, 1] is in [0, 1]; float sums can overshoot by
    # one ulp (100.00000000000001), which a percentage must never show.
    return min(100.0, max(0.0, 100.0 * weighted / total))


def _reliability_with(
    promises: Iterable[Promise], history: Sequence[DaySummary], now: datetime
) -> float | None:
    """``long_run_reliability`` over the promises and the summed-up days together.

    Weights are absolute here (2^(-age / half-life), at most 1): the report's horizon
    is a year, 2^-13 at the oldest, far from underflow.
    """
    now = now.astimezone(UTC)
    now_ts = now.timestamp()
    half_life = HALF_LIFE.total_seconds()
    total, weighted, count = reliability_parts(history, now)
    for promise in promises:
        outcome = promise.outcome
        if outcome not in VALUES or (promise.closed is not None and promise.closed > now):
            continue
        age = now_ts - promise.due.timestamp()
        weight = 2.0 ** (-age / half_life) if age > 0 else 1.0
        total += weight
        weighted += weight * VALUES[outcome]
        count += 1
    return _percent(weighted, total) if count else None


# --- weeks ---------------------------------------------------------------------------


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # A midnight skipped by DST (clocks jump 00:00 → 01:00) resolves to the instant
    # the day actually starts.
    return datetime.combine(day, time(0), tzinfo=tz)


def week_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local Monday 00:00 of ``now``'s week and the next Monday 00:00: [start, end)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    return _midnight(monday, tz), _midnight(monday + timedelta(weeks=1), tz)


def detail_days(now: datetime, tz: ZoneInfo, week_of: datetime | None = None) -> tuple[date, date]:
    """The UTC days [first, last) whose promises ``weekly_report`` needs one by one.

    The insight's four weeks up to the reported one, and today: every other day can
    come summed up (``history``).
    """
    start, end = week_bounds(now if week_of is None else week_of, tz)
    window = _midnight(start.date() - timedelta(weeks=WINDOW_WEEKS - 1), tz)
    last = max(end - timedelta(microseconds=1), now)
    return utc_day(window), utc_day(last) + timedelta(days=1)


# --- the report ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekSummary:
    start: datetime  # local Monday 00:00
    tally: Tally


@dataclass(frozen=True, slots=True)
class RoutineAdherence:
    routine_id: str
    task: str
    this_kept: int
    this_total: int
    last_kept: int
    last_total: int


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    start: datetime
    end: datetime
    now: datetime
    this_week: Tally
    last_week: Tally
    delta: int | None
    longest_streak: int
    reliability: float | None
    by_tag: tuple[tuple[str, int, int], ...]
    insight: Insight
    cancelled: tuple[Promise, ...]
    routines: tuple[RoutineAdherence, ...]
    downtime_days: tuple[date, ...]
    weeks: tuple[WeekSummary, ...]
    best_streak: int = 0  # over every promise given, not only this week
    pending: int = 0  # due this week and not answered yet

    @property
    def is_empty(self) -> bool:
        return self.this_week.scored == 0


def week_is_empty(report: WeeklyReport) -> bool:
    return report.is_empty


def weekly_report(
    promises: Sequence[Promise],
    now: datetime,
    tz: ZoneInfo,
    routines: Sequence[Routine] = (),
    downtime: Sequence[tuple[datetime, datetime]] = (),
    week_of: datetime | None = None,
    history: Sequence[DaySummary] = (),
) -> WeeklyReport:
    """The report of the week holding ``week_of`` (default: ``now``'s week), as of ``now``.

    A weekly report sent late — the bot was down at its time, or it is set for a Monday
    morning — reports the week it was meant for, not the week it is sent in.

    ``history`` sums up closed promises of other days (``core.history``): then
    ``promises`` need only cover, in whole UTC days, the weeks shown in detail (the
    insight's four) and today, and no day may be in both. Counts, runs and the long-run
    reliability take both in; what needs each promise (tags, insight, routines) the
    promises alone.
    """
    start, end = week_bounds(now if week_of is None else week_of, tz)
    starts = [_midnight(start.date() - timedelta(weeks=back), tz) for back in range(7, -1, -1)]
    ordered = sorted(promises, key=_in_due_order)
    edges = [s.astimezone(UTC) for s in starts] + [end.astimezone(UTC)]
    buckets = _by_week(ordered, edges)
    this, last = buckets[-1], buckets[-2]
    tallies = [tally(bucket) for bucket in buckets]
    if history:
        tallies = [
            counted + tally_between(history, first, until)
            for counted, first, until in zip(tallies, edges[:-1], edges[1:], strict=True)
        ]
        reliability = _reliability_with(ordered, history, now)
        pieces = [(p.due, run_of((p,))) for p in ordered if p.outcome is not None]
        best_streak = join_runs([*pieces, *((day.start, day.run) for day in history)]).best
    else:
        reliability = long_run_reliability(ordered, now)
        best_streak = _streak(ordered)
    this_tally, last_tally = tallies[-1], tallies[-2]
    delta = None
    if this_tally.rounded is not None and last_tally.rounded is not None:
        delta = this_tally.rounded - last_tally.rounded
    insight = find_insight([p for bucket in buckets[-WINDOW_WEEKS:] for p in bucket], tz)
    return WeeklyReport(
        start=start,
        end=end,
        now=now,
        this_week=this_tally,
        last_week=last_tally,
        delta=delta,
        longest_streak=_streak(this),
        reliability=reliability,
        by_tag=by_tag(this),
        insight=insight,
        cancelled=tuple(p for p in this if p.outcome is Outcome.CANCELLED),
        routines=_routines(routines, this, last),
        downtime_days=_downtime_days(downtime, start.date(), tz),
        weeks=tuple(WeekSummary(s, t) for s, t in zip(starts, tallies, strict=True)),
        best_streak=best_streak,
        pending=sum(1 for p in this if p.is_open),
    )


def _by_week(ordered: Sequence[Promise], edges: Sequence[datetime]) -> list[list[Promise]]:
    """One pass with a binary search per promise, instead of a scan per week or group."""
    buckets: list[list[Promise]] = [[] for _ in range(len(edges) - 1)]
    first, last = edges[0], edges[-1]
    for promise in ordered:
        if first <= promise.due < last:
            buckets[bisect_right(edges, promise.due) - 1].append(promise)
    return buckets


def by_tag(promises: Iterable[Promise]) -> tuple[tuple[str, int, int], ...]:
    """(tag, kept_any, scored) for each tag among scored promises, most promises first."""
    counts: dict[str, list[int]] = {}
    shown: dict[str, str] = {}  # casefolded tag -> the spelling first seen
    for promise in promises:
        if not is_scored(promise):
            continue
        kept = promise.outcome in (Outcome.KEPT, Outcome.LATE)
        # A tag written twice on one promise, or as #Mom and #mom, counts once.
        for key, tag in {t.casefold(): t for t in promise.tags}.items():
            shown.setdefault(key, tag)
            pair = counts.setdefault(key, [0, 0])
            pair[0] += kept
            pair[1] += 1
    rows = [(shown[key], kept, scored) for key, (kept, scored) in counts.items()]
    return tuple(sorted(rows, key=lambda row: (-row[2], row[0].casefold())))


# --- routines and downtime -----------------------------------------------------------


def _routines(
    routines: Sequence[Routine], this: Sequence[Promise], last: Sequence[Promise]
) -> tuple[RoutineAdherence, ...]:
    def per_routine(promises: Sequence[Promise]) -> dict[str, list[Promise]]:
        found: dict[str, list[Promise]] = {}
        for promise in promises:
            if promise.routine_id is not None:
                found.setdefault(promise.routine_id, []).append(promise)
        return found

    this_by, last_by = per_routine(this), per_routine(last)
    rows: list[RoutineAdherence] = []
    for routine in routines:
        now_t, then_t = tally(this_by.get(routine.id, ())), tally(last_by.get(routine.id, ()))
        if routine.paused and not now_t.scored and not then_t.scored:
            continue
        rows.append(
            RoutineAdherence(
                routine.id,
                routine.task,
                now_t.kept_any,
                now_t.scored,
                then_t.kept_any,
                then_t.scored,
            )
        )
    return tuple(rows)


def _downtime_days(
    windows: Sequence[tuple[datetime, datetime]], monday: date, tz: ZoneInfo
) -> tuple[date, ...]:
    """Local days of this week touched by an offline stretch, each once, in order."""
    sunday = monday + timedelta(days=6)
    days: set[date] = set()
    for began, ended in windows:
        day = max(began.astimezone(tz).date(), monday)
        until = min(ended.astimezone(tz).date(), sunday)
        while day <= until:
            days.add(day)
            day += timedelta(days=1)
    return tuple(sorted(days))
