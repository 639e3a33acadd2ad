"""Closed promises summed up by day, so a report over months never re-reads them.

A store keeps one ``DaySummary`` per UTC day (of due) that holds closed promises, and
rebuilds it from that day's records whenever one of them changes. Summaries add up:

* the tally of any span of quarter hours (``tally_between``): every time zone's midnight
  falls on a quarter hour, so a local week is counted exactly;
* the long-run reliability (``reliability_parts``): each day keeps its promises' weights
  relative to its own midnight, and one factor per day ages them to any ``now``;
* the longest run of kept promises (``Run``): a day's run joins its neighbours'.

``core.score.weekly_report`` takes the records of the weeks it shows in detail and the
summaries of every other day; the result equals the one from all the records (up to
float rounding in the reliability, see tests/core/test_history.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter

from core.models import Outcome, Promise
from core.tally import HALF_LIFE, VALUES, Tally, tally

__all__ = [
    "DAY",
    "QUARTER",
    "QUARTERS_PER_DAY",
    "DaySummary",
    "Run",
    "day_start",
    "join_runs",
    "reliability_parts",
    "run_of",
    "summarize_day",
    "summarize_days",
    "tally_between",
    "utc_day",
]

DAY = timedelta(days=1)
QUARTER = timedelta(minutes=15)
QUARTERS_PER_DAY = 96
_KEPT_ANY = frozenset((Outcome.KEPT, Outcome.LATE))
_in_due_order = attrgetter("due", "id")


def utc_day(moment: datetime) -> date:
    """The UTC day a promise due at ``moment`` is summed up under."""
    return moment.astimezone(UTC).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Run:
    """Kept-or-late promises in a row, as a piece that joins its neighbours in due order.

    Without a break, ``head``, ``tail`` and ``best`` are all the number of kept ones.
    Cancelled and open promises neither add to a run nor break it.
    """

    head: int = 0  # kept in a row before the first break
    tail: int = 0  # kept in a row after the last break
    best: int = 0
    broken: bool = False

    def then(self, later: Run) -> Run:
        """This piece followed by ``later``."""
        return Run(
            head=self.head if self.broken else self.head + later.head,
            tail=later.tail if later.broken else self.tail + later.tail,
            best=max(self.best, later.best, self.tail + later.head),
            broken=self.broken or later.broken,
        )


def run_of(ordered: Iterable[Promise]) -> Run:
    """The run of promises already in due order."""
    head = run = best = 0
    broken = False
    for promise in ordered:
        outcome = promise.outcome
        if outcome in _KEPT_ANY:
            run += 1
            best = max(best, run)
        elif outcome is not None and outcome is not Outcome.CANCELLED:
            if not broken:
                head, broken = run, True
            run = 0
    return Run(run if not broken else head, run, best, broken)


@dataclass(frozen=True, slots=True)
class DaySummary:
    """The closed promises due on one UTC day, counted."""

    day: date
    tally: Tally
    weight: float  # sum over scored promises of 2^((due - midnight) / half-life)
    value: float  # the same, each times its value (kept 1, late ½, else 0)
    run: Run
    quarters: tuple[tuple[int, Tally], ...]  # (quarter hour of the day, its tally), in order

    @property
    def start(self) -> datetime:
        return day_start(self.day)


def summarize_day(day: date, promises: Iterable[Promise]) -> DaySummary | None:
    """The summary of the closed promises among ``promises`` due on ``day``; None if none."""
    start = day_start(day)
    mine = sorted(
        (p for p in promises if p.outcome is not None and start <= p.due < start + DAY),
        key=_in_due_order,
    )
    if not mine:
        return None
    half_life = HALF_LIFE.total_seconds()
    weight = value = 0.0
    by_quarter: dict[int, list[Promise]] = {}
    for promise in mine:
        offset = (promise.due - start).total_seconds()
        by_quarter.setdefault(int(offset // QUARTER.total_seconds()), []).append(promise)
        assert promise.outcome is not None
        points = VALUES.get(promise.outcome)
        if points is not None:
            factor = 2.0 ** (offset / half_life)
            weight += factor
            value += factor * points
    quarters = tuple((q, tally(group)) for q, group in sorted(by_quarter.items()))
    return DaySummary(day, tally(mine), weight, value, run_of(mine), quarters)


def summarize_days(promises: Iterable[Promise]) -> list[DaySummary]:
    """One summary per UTC day among the closed promises, in day order."""
    by_day: dict[date, list[Promise]] = {}
    for promise in promises:
        if promise.outcome is not None:
            by_day.setdefault(utc_day(promise.due), []).append(promise)
    found = (summarize_day(day, group) for day, group in sorted(by_day.items()))
    return [summary for summary in found if summary is not None]


def tally_between(days: Iterable[DaySummary], start: datetime, end: datetime) -> Tally:
    """The tally of promises due in [start, end), from the summaries of their days.

    Exact when ``start`` and ``end`` fall on quarter hours (every local midnight does);
    otherwise a quarter hour counts where it begins.
    """
    total = Tally()
    for summary in days:
        first = summary.start
        if first >= end or first + DAY <= start:
            continue
        if start <= first and first + DAY <= end:
            total += summary.tally
            continue
        for quarter, counted in summary.quarters:
            if start <= first + quarter * QUARTER < end:
                total += counted
    return total


def reliability_parts(days: Iterable[DaySummary], now: datetime) -> tuple[float, float, int]:
    """(sum of weights, sum of weighted values, scored count) of the days, as of ``now``.

    A promise's weight is 2^(-age / half-life), and 1 for one not due yet. A day that
    has begun but not ended is taken as past; callers pass that day's records instead.
    """
    half_life = HALF_LIFE.total_seconds()
    total = weighted = 0.0
    scored = 0
    for summary in days:
        counted = summary.tally
        scored += counted.scored
        age = (now - summary.start).total_seconds()
        if age <= 0:
            total += counted.scored
            weighted += counted.kept + counted.late / 2
        else:
            factor = 2.0 ** (-age / half_life)
            total += factor * summary.weight
            weighted += factor * summary.value
    return total, weighted, scored


def join_runs(pieces: Sequence[tuple[datetime, Run]]) -> Run:
    """Runs joined in the order of their times."""
    joined = Run()
    for _, piece in sorted(pieces, key=lambda item: item[0]):
        joined = joined.then(piece)
    return joined
