"""Day summaries add up to what the records say: one report from either, the same."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from core.history import (
    DAY,
    Run,
    day_start,
    run_of,
    summarize_day,
    summarize_days,
    tally_between,
    utc_day,
)
from core.models import Kind, Outcome, Promise
from core.score import detail_days, tally, week_bounds, weekly_report

ZONES = [
    ZoneInfo(name)
    for name in ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "UTC")
]
NOW = datetime(2026, 11, 27, 19, 7, tzinfo=UTC)
SPAN = 40 * 7 * 24 * 60  # minutes: forty weeks back


def promise(n: int, minutes: int, outcome: Outcome | None, **changes: object) -> Promise:
    due = NOW + timedelta(minutes=minutes)
    base = Promise(
        id=f"p{n:03d}",
        user_id=1,
        task="call mom back",
        due=due,
        created=due - timedelta(minutes=45),
        tags=("#mom",) if n % 3 else ("@sam",),
        kind=Kind.CALLBACK,
        outcome=outcome,
        closed=None if outcome is None else min(due, NOW),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


fields = st.tuples(
    st.integers(-SPAN, 3 * 7 * 24 * 60),
    st.sampled_from([None, *Outcome]),
    st.booleans(),
    st.integers(0, 1),
)
histories = st.lists(fields, max_size=60).map(
    lambda rows: [
        promise(n, minutes, outcome, repair_of="x" if repair else None, renegotiations=reneg)
        for n, (minutes, outcome, repair, reneg) in enumerate(rows)
    ]
)


def split(promises: list[Promise], now: datetime, tz: ZoneInfo, week_of: datetime | None):
    """What a store hands the report: records of the detail days (and every open one)."""
    first, last = detail_days(now, tz, week_of)
    inside = [p for p in promises if p.is_open or first <= utc_day(p.due) < last]
    outside = [p for p in promises if not p.is_open and not first <= utc_day(p.due) < last]
    return inside, summarize_days(outside)


@settings(max_examples=300, deadline=None)
@given(histories, st.sampled_from(ZONES), st.integers(-3, 0), st.integers(0, 6 * 24 * 60))
def test_a_report_from_summaries_equals_the_report_from_records(
    promises: list[Promise], tz: ZoneInfo, weeks_back: int, minutes: int
) -> None:
    now = NOW - timedelta(minutes=minutes)
    week_of = None if weeks_back == 0 else now + timedelta(weeks=weeks_back)
    promises = [p for p in promises if p.closed is None or p.closed <= now]
    records, history = split(promises, now, tz, week_of)
    whole = weekly_report(promises, now, tz, week_of=week_of)
    summed = weekly_report(records, now, tz, week_of=week_of, history=history)
    assert replace(summed, reliability=None) == replace(whole, reliability=None)
    if whole.reliability is None:
        assert summed.reliability is None
    else:
        assert summed.reliability is not None
        assert math.isclose(summed.reliability, whole.reliability, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(histories, st.sampled_from(ZONES), st.integers(-10, 2))
def test_a_local_week_is_counted_exactly_from_quarter_hours(
    promises: list[Promise], tz: ZoneInfo, weeks: int
) -> None:
    start, end = week_bounds(NOW + timedelta(weeks=weeks), tz)
    closed = [p for p in promises if not p.is_open]
    expected = tally(p for p in closed if start <= p.due < end)
    assert tally_between(summarize_days(closed), start, end) == expected


@given(st.lists(st.sampled_from([*Outcome]), max_size=30), st.integers(0, 30))
def test_runs_join_like_one_long_run(outcomes: list[Outcome], cut: int) -> None:
    ordered = [promise(n, n, outcome) for n, outcome in enumerate(outcomes)]
    joined = run_of(ordered[:cut]).then(run_of(ordered[cut:]))
    assert joined == run_of(ordered)


def test_a_run_without_a_break_is_all_kept() -> None:
    kept = [promise(n, n, Outcome.KEPT) for n in range(3)]
    cancelled = promise(9, 1, Outcome.CANCELLED)
    assert run_of([*kept[:1], cancelled, *kept[1:]]) == Run(3, 3, 3, False)
    broken = promise(8, 2, Outcome.BROKEN)
    assert run_of([kept[0], broken, kept[1], kept[2]]) == Run(1, 2, 2, True)


def test_a_day_summary_holds_only_that_days_closed_promises() -> None:
    day = date(2026, 11, 27)
    midnight = day_start(day)
    inside = promise(1, 0, Outcome.KEPT, due=midnight)
    late = promise(2, 0, Outcome.LATE, due=midnight + DAY - timedelta(microseconds=1))
    next_day = promise(3, 0, Outcome.KEPT, due=midnight + DAY)
    still_open = promise(4, 0, None, due=midnight + timedelta(hours=1))
    summary = summarize_day(day, [inside, late, next_day, still_open])
    assert summary is not None
    assert summary.tally == tally([inside, late])
    assert [q for q, _ in summary.quarters] == [0, 95]
    assert summarize_day(day, [next_day, still_open]) is None
