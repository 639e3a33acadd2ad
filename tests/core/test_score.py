"""The score's arithmetic as tables, always with an explicit clock and time zone."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.insight import lead_time, time_of_day
from core.models import Kind, Outcome, Promise, Recurrence, Routine
from core.score import (
    CHART_WEEKS,
    Tally,
    long_run_reliability,
    longest_streak,
    tally,
    week_bounds,
    week_is_empty,
    weekly_report,
    whole_percent,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

K, L, B, U, C = Outcome.KEPT, Outcome.LATE, Outcome.BROKEN, Outcome.UNANSWERED, Outcome.CANCELLED
# Friday 27 Nov 2026, 20:00 in Berlin; the week is Mon 23 Nov – Sun 29 Nov.
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=BERLIN)
THIS_MONDAY = datetime(2026, 11, 23, tzinfo=BERLIN)
_ids = itertools.count()


def make(
    due: datetime,
    outcome: Outcome | None = K,
    *,
    tags: tuple[str, ...] = (),
    kind: Kind = Kind.OTHER,
    lead: timedelta = timedelta(hours=3),
    repair_of: str | None = None,
    renegotiations: int = 0,
    routine_id: str | None = None,
    task: str = "call mom back",
    closed: datetime | None = None,
) -> Promise:
    due = due.astimezone(UTC)
    return Promise(
        id=f"p{next(_ids):05d}",
        user_id=1,
        task=task,
        due=due,
        created=due - lead,
        tags=tags,
        kind=kind,
        outcome=outcome,
        closed=(closed or due + timedelta(minutes=1)) if outcome is not None else None,
        repair_of=repair_of,
        renegotiations=renegotiations,
        routine_id=routine_id,
    )


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def week(outcomes: str, monday: datetime, hour: int = 10, **kw: object) -> list[Promise]:
    """'KKLB' -> promises due on consecutive hours of that Monday."""
    codes = {"K": K, "L": L, "B": B, "U": U, "C": C, "O": None}
    start = monday.replace(hour=hour)
    return [
        make(start + timedelta(hours=i), codes[c], **kw)  # type: ignore[arg-type]
        for i, c in enumerate(outcomes)
    ]


# --- percent and counts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "kept_any", "scored", "percent", "rounded"),
    [
        ((7, 2, 1, 1), 9, 11, 800 / 11, 73),  # the product's example: 9 of 11 kept · 73%
        ((0, 3, 0, 0), 3, 3, 50.0, 50),  # late only: half marks
        ((4, 0, 0, 0), 4, 4, 100.0, 100),
        ((0, 0, 2, 3), 0, 5, 0.0, 0),
        ((1, 1, 0, 0), 2, 2, 75.0, 75),
        ((2, 1, 1, 0), 3, 4, 62.5, 63),  # exact half rounds up, not to even
        ((1, 0, 2, 0), 1, 3, 100 / 3, 33),
        ((0, 0, 0, 0), 0, 0, None, None),  # empty week
    ],
)
def test_percent_counts_late_as_half(
    counts: tuple[int, int, int, int],
    kept_any: int,
    scored: int,
    percent: float | None,
    rounded: int | None,
) -> None:
    t = Tally(*counts)
    assert (t.kept_any, t.scored) == (kept_any, scored)
    assert t.percent == pytest.approx(percent) if percent is not None else t.percent is None
    assert t.rounded == rounded


@pytest.mark.parametrize(("value", "whole"), [(72.5, 73), (72.49, 72), (0.5, 1), (99.5, 100)])
def test_whole_percent_rounds_halves_up(value: float, whole: int) -> None:
    assert whole_percent(value) == whole


def test_tally_ignores_open_and_lists_cancelled_apart() -> None:
    ps = week("KKLBUCCO", THIS_MONDAY)
    t = tally(ps)
    assert (t.kept, t.late, t.broken, t.unanswered, t.cancelled) == (2, 1, 1, 1, 2)
    assert t.scored == 5
    assert t.percent == pytest.approx((2 + 0.5) / 5 * 100)


def test_repaired_means_a_kept_or_late_repair_and_renegotiated_any_changed_time() -> None:
    ps = [
        make(at(23), K, repair_of="x1"),
        make(at(24), L, repair_of="x2"),
        make(at(25), B, repair_of="x3"),  # a broken repair repairs nothing
        make(at(25, 12), K),
        make(at(26), K, renegotiations=2),
        make(at(26, 12), C, renegotiations=1),
    ]
    t = tally(ps)
    assert (t.repaired, t.renegotiated) == (2, 2)
    assert t.scored == 5  # renegotiated, never scored as broken


# --- weeks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "tz", "monday"),
    [
        (datetime(2026, 11, 29, 23, 59, tzinfo=BERLIN), BERLIN, date(2026, 11, 23)),
        (datetime(2026, 11, 30, 0, 0, tzinfo=BERLIN), BERLIN, date(2026, 11, 30)),
        (datetime(2026, 11, 29, 23, 59, tzinfo=NEW_YORK), NEW_YORK, date(2026, 11, 23)),
        (datetime(2026, 11, 30, 0, 0, tzinfo=NEW_YORK), NEW_YORK, date(2026, 11, 30)),
        (datetime(2026, 11, 29, 23, 59, tzinfo=TOKYO), TOKYO, date(2026, 11, 23)),
        (datetime(2026, 11, 30, 0, 0, tzinfo=TOKYO), TOKYO, date(2026, 11, 30)),
        # Sunday 15:00 UTC is already Monday 00:00 in Tokyo, still Sunday in New York.
        (datetime(2026, 11, 29, 15, 0, tzinfo=UTC), TOKYO, date(2026, 11, 30)),
        (datetime(2026, 11, 30, 4, 59, tzinfo=UTC), NEW_YORK, date(2026, 11, 23)),
        (datetime(2026, 11, 30, 5, 0, tzinfo=UTC), NEW_YORK, date(2026, 11, 30)),
    ],
)
def test_week_runs_from_local_monday_midnight(now: datetime, tz: ZoneInfo, monday: date) -> None:
    start, end = week_bounds(now, tz)
    assert start.tzinfo is not None
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    assert local_start.date() == monday
    assert (local_start.hour, local_start.minute) == (0, 0)
    assert local_end.date() == monday + timedelta(days=7)
    assert start <= now < end


@pytest.mark.parametrize(
    ("now", "hours"),
    [
        (datetime(2026, 3, 25, 12, 0, tzinfo=BERLIN), 167),  # clocks go forward Sun 29 Mar
        (datetime(2026, 10, 21, 12, 0, tzinfo=BERLIN), 169),  # clocks go back Sun 25 Oct
        (datetime(2026, 11, 25, 12, 0, tzinfo=BERLIN), 168),
    ],
)
def test_dst_weeks_last_167_or_169_hours(now: datetime, hours: int) -> None:
    start, end = week_bounds(now, BERLIN)
    # Subtract in UTC: two datetimes sharing a tzinfo subtract by wall time.
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)
    assert end.astimezone(BERLIN).hour == 0


def test_week_bounds_refuses_a_naive_clock() -> None:
    with pytest.raises(ValueError, match="aware"):
        week_bounds(datetime(2026, 11, 27, 12, 0), BERLIN)


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK, TOKYO])
def test_promises_count_in_the_week_of_their_local_due_time(tz: ZoneInfo) -> None:
    now = datetime(2026, 11, 27, 20, 0, tzinfo=tz)
    ps = [
        make(datetime(2026, 11, 22, 23, 59, tzinfo=tz), B),  # last Sunday 23:59: last week
        make(datetime(2026, 11, 23, 0, 0, tzinfo=tz), K),  # Monday 00:00: this week
        make(datetime(2026, 11, 29, 23, 59, tzinfo=tz), K),  # done early, Sunday 23:59
        make(datetime(2026, 11, 30, 0, 0, tzinfo=tz), B),  # next Monday 00:00: next week
    ]
    report = weekly_report(ps, now, tz)
    assert (report.this_week.kept, report.this_week.broken) == (2, 0)
    assert (report.last_week.kept, report.last_week.broken) == (0, 1)


@pytest.mark.parametrize(
    ("now", "inside", "outside"),
    [
        # Spring: Sunday 29 Mar 23:30 exists once; Mon 30 Mar 00:00 starts the next week.
        (
            datetime(2026, 3, 29, 12, 0, tzinfo=BERLIN),
            datetime(2026, 3, 29, 23, 30, tzinfo=BERLIN),
            datetime(2026, 3, 30, 0, 0, tzinfo=BERLIN),
        ),
        # Autumn: 02:30 on Sun 25 Oct happens twice, both times in this week.
        (
            datetime(2026, 10, 25, 12, 0, tzinfo=BERLIN),
            datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
            datetime(2026, 10, 19, 0, 0, tzinfo=BERLIN) - timedelta(minutes=1),
        ),
    ],
)
def test_dst_week_membership(now: datetime, inside: datetime, outside: datetime) -> None:
    report = weekly_report([make(inside, K), make(outside, B)], now, BERLIN)
    assert (report.this_week.kept, report.this_week.broken) == (1, 0)


def test_report_week_bounds_and_eight_week_history_are_local_mondays() -> None:
    now = datetime(2026, 4, 8, 9, 0, tzinfo=BERLIN)  # spans the 29 March change
    report = weekly_report([], now, BERLIN)
    assert len(report.weeks) == CHART_WEEKS
    starts = [w.start.astimezone(BERLIN) for w in report.weeks]
    assert [s.date() for s in starts] == [
        date(2026, 4, 6) - timedelta(weeks=back) for back in range(7, -1, -1)
    ]
    assert all((s.hour, s.minute, s.weekday()) == (0, 0, 0) for s in starts)
    assert report.weeks[-1].start == report.start
    assert report.end.astimezone(BERLIN).date() == date(2026, 4, 13)


# --- the report ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("this", "last", "delta"),
    [
        ("KKKKKKKLLBU", "KKKKKBBBLU", 73 - 55),
        ("KKKB", "KKKK", 75 - 100),
        ("KL", "KL", 0),
        ("KKKK", "", None),  # last week had nothing scored: no comparison
        ("KKKK", "CCO", None),
        ("", "KKKK", None),
    ],
)
def test_delta_compares_rounded_percentages(this: str, last: str, delta: int | None) -> None:
    ps = week(this, THIS_MONDAY) + week(last, THIS_MONDAY - timedelta(weeks=1))
    assert weekly_report(ps, NOW, BERLIN).delta == delta


@pytest.mark.parametrize(
    ("outcomes", "streak"),
    [
        ("", 0),
        ("B", 0),
        ("KKBKKKLUK", 4),
        ("KKCKKOK", 5),  # cancelled and open neither add to nor break a run
        ("LLLL", 4),
        ("KUKBK", 1),
    ],
)
def test_longest_streak_of_kept_or_late(outcomes: str, streak: int) -> None:
    ps = week(outcomes, THIS_MONDAY)
    assert longest_streak(ps) == streak
    assert longest_streak(reversed(ps)) == streak
    assert weekly_report(ps, NOW, BERLIN).longest_streak == streak


def test_best_streak_spans_weeks() -> None:
    ps = week("BKKKKKK", THIS_MONDAY - timedelta(weeks=3)) + week("BKKKB", THIS_MONDAY)
    report = weekly_report(ps, NOW, BERLIN)
    assert (report.longest_streak, report.best_streak) == (3, 6)


def test_by_tag_counts_kept_of_scored_most_first() -> None:
    ps = [
        *week("KKKK", THIS_MONDAY, tags=("#mom",)),
        *week("KKLBU", THIS_MONDAY + timedelta(days=1), tags=("#work",)),
        *week("KL", THIS_MONDAY + timedelta(days=2), tags=("@sam",)),
        make(at(26), K, tags=("#Mom", "#mom")),  # one promise, one count, case folded
        make(at(26, 12), C, tags=("#cats",)),  # cancelled: not scored, not listed
        make(at(26, 13), None, tags=("#open",)),
        make(at(16), B, tags=("#mom",)),  # last week
    ]
    assert weekly_report(ps, NOW, BERLIN).by_tag == (
        ("#mom", 5, 5),
        ("#work", 3, 5),
        ("@sam", 2, 2),
    )


def test_cancelled_are_listed_and_open_counted_as_pending() -> None:
    ps = week("KCOCO", THIS_MONDAY)
    report = weekly_report(ps, NOW, BERLIN)
    assert [p.outcome for p in report.cancelled] == [C, C]
    assert report.pending == 2
    assert report.this_week.scored == 1


def test_empty_week() -> None:
    report = weekly_report(week("KKB", THIS_MONDAY - timedelta(weeks=1)), NOW, BERLIN)
    assert report.is_empty
    assert week_is_empty(report)
    assert report.this_week.percent is None
    assert report.delta is None
    assert report.insight.weak is None
    assert not week_is_empty(weekly_report(week("B", THIS_MONDAY), NOW, BERLIN))


# --- where it slips (the statistics are in tests/core/test_insight.py) -------------------


@pytest.mark.parametrize(
    ("hour", "label"),
    [
        (5, "due in the morning"),
        (11, "due in the morning"),
        (12, "due in the afternoon"),
        (17, "due in the evening"),
        (22, "due at night"),
        (2, "due at night"),
    ],
)
def test_time_of_day_edges(hour: int, label: str) -> None:
    assert time_of_day(hour) == label


@pytest.mark.parametrize(
    ("lead", "hour", "label"),
    [
        (timedelta(minutes=10), 14, "made less than an hour ahead"),
        (timedelta(minutes=59), 14, "made less than an hour ahead"),
        (timedelta(hours=1), 14, "made for later the same day"),
        (timedelta(hours=3), 14, "made for later the same day"),
        (timedelta(days=2), 14, "made for a later day"),
        # Made the evening before for 00:00-03:00: hours ahead, but for another day.
        (timedelta(hours=4), 1, "made for a later day"),
    ],
)
def test_lead_time_is_read_on_the_local_calendar(lead: timedelta, hour: int, label: str) -> None:
    assert lead_time(make(THIS_MONDAY.replace(hour=hour), lead=lead), BERLIN) == label


def _month(outcomes: str, hour: int, weeks_back: int = 0, **kw: object) -> list[Promise]:
    monday = THIS_MONDAY - timedelta(weeks=weeks_back)
    return [
        p
        for day, chunk in enumerate(outcomes.split())
        for p in week(chunk, monday + timedelta(days=day), hour=hour, **kw)
    ]


def test_the_report_carries_four_weeks_of_insight_and_not_the_fifth() -> None:
    evenings = _month("BBBK BBKB", 18, weeks_back=2)
    mornings = _month("KKKKK KKKKK", 8, weeks_back=1)
    report = weekly_report(evenings + mornings, NOW, BERLIN)
    assert report.insight.weak is not None
    assert report.insight.weak.label == "promises due in the evening"
    assert report.insight.scored == 18
    five_weeks_ago = _month("BBBK BBKB", 18, weeks_back=4)
    assert weekly_report(five_weeks_ago + mornings, NOW, BERLIN).insight.weak is None


def test_the_other_kind_is_never_named() -> None:
    others = _month("BBBK BBKB", 9, kind=Kind.OTHER)
    favours = _month("KKKKK KKKKK", 9, weeks_back=1, kind=Kind.FAVOUR)
    # "Other" is 3 of 8 against 10 of 10, but it says nothing a person can act on.
    assert weekly_report(others + favours, NOW, BERLIN).insight.weak is None


# --- long-run reliability --------------------------------------------------------------


def test_long_run_reliability_basics() -> None:
    now = NOW.astimezone(UTC)
    assert long_run_reliability([], now) is None
    assert long_run_reliability([make(now - timedelta(days=1), C)], now) is None
    assert long_run_reliability([make(now - timedelta(days=1), K)], now) == 100.0
    assert long_run_reliability([make(now - timedelta(days=1), L)], now) == 50.0
    # Half-life: a kept promise 4 weeks old weighs half a broken one due now.
    pair = [make(now - timedelta(weeks=4), K), make(now, B, closed=now)]
    assert long_run_reliability(pair, now) == pytest.approx(100 / 3)
    # Years of history neither underflow nor overflow.
    ancient = [make(now - timedelta(days=365 * 30), K), make(now - timedelta(days=365 * 29), B)]
    assert long_run_reliability(ancient, now) == pytest.approx(100 / (1 + 2 ** (365 / 28)))


def test_one_bad_week_shows_but_does_not_erase_months_of_keeping_your_word() -> None:
    monday = THIS_MONDAY - timedelta(weeks=12)
    good = [p for w in range(12) for p in week("KKKKK", monday + timedelta(weeks=w))]
    before = long_run_reliability(good, NOW)
    after = long_run_reliability([*good, *week("BBBBB", THIS_MONDAY)], NOW)
    assert before == 100.0
    assert after is not None
    assert 70 < after < 90  # clearly visible, clearly above 50 %
    # ... and it recovers as good weeks follow.
    later = NOW + timedelta(weeks=4)
    recovering = [*good, *week("BBBBB", THIS_MONDAY)]
    recovering += [p for w in range(1, 5) for p in week("KKKKK", THIS_MONDAY + timedelta(weeks=w))]
    recovered = long_run_reliability(recovering, later)
    assert recovered is not None
    assert after < recovered < 100


def test_long_run_ignores_what_closed_after_now_and_counts_early_kept_as_fresh() -> None:
    now = NOW.astimezone(UTC)
    future_close = make(now - timedelta(hours=1), B, closed=now + timedelta(hours=1))
    done_early = make(now + timedelta(days=3), K, closed=now - timedelta(minutes=5))
    assert long_run_reliability([future_close, done_early], now) == 100.0


def test_report_carries_long_run_reliability() -> None:
    ps = week("KKKB", THIS_MONDAY)
    assert weekly_report(ps, NOW, BERLIN).reliability == long_run_reliability(ps, NOW)


# --- routines and downtime -------------------------------------------------------------


def routine(rid: str, task: str, *, paused: bool = False) -> Routine:
    return Routine(rid, 1, task, Recurrence(tuple(range(7)), 8, 0), THIS_MONDAY, paused=paused)


def test_routine_adherence_this_week_against_last() -> None:
    daily = [
        make(THIS_MONDAY.replace(hour=8) + timedelta(days=d), o, routine_id="r1")
        for d, o in enumerate((K, K, B, L, K, C))
    ]
    daily += [
        make(THIS_MONDAY.replace(hour=8) - timedelta(days=7 - d), o, routine_id="r1")
        for d, o in enumerate((K, K, K, K, K, B, K))
    ]
    daily.append(make(at(24, 9), K, routine_id="r2"))
    routines = [
        routine("r1", "phone away at breakfast"),
        routine("r2", "stretch", paused=True),  # paused, but it did happen: shown
        routine("r3", "read", paused=True),  # paused, nothing: left out
        routine("r4", "walk"),  # active, nothing yet: shown with zeros
    ]
    rows = weekly_report(daily, NOW, BERLIN, routines).routines
    got = [(r.routine_id, r.this_kept, r.this_total, r.last_kept, r.last_total) for r in rows]
    assert got == [("r1", 4, 5, 6, 7), ("r2", 1, 1, 0, 0), ("r4", 0, 0, 0, 0)]
    assert rows[0].task == "phone away at breakfast"


def test_downtime_days_are_local_days_of_this_week() -> None:
    windows = [
        (datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN), datetime(2026, 11, 25, 23, 0, tzinfo=UTC)),
        (
            datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN),
            datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN),
        ),
        (datetime(2026, 11, 18, 9, 0, tzinfo=BERLIN), datetime(2026, 11, 23, 1, 0, tzinfo=BERLIN)),
    ]
    report = weekly_report([], NOW, BERLIN, downtime=windows)
    # 25 Nov 23:00 UTC is already Thursday 26 Nov in Berlin.
    assert report.downtime_days == (
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 26),
    )
    assert weekly_report([], NOW, BERLIN).downtime_days == ()
