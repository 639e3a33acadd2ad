"""Occurrence generation as table tests with an explicit clock.

Daylight-saving changes in two time zones (08:00 stays 08:00 local), a wall time that a
spring-forward night skips, pause and resume, a time zone change, and restarts after
downtime (one occurrence asked, the older ones skipped and reported).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.models import Recurrence, Routine
from core.routines import LOOKBACK, add_window, due_occurrences, is_behind, next_after, since
from core.score import weekly_report

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
DAILY = (0, 1, 2, 3, 4, 5, 6)
WEEKDAYS = (0, 1, 2, 3, 4)
SUNDAY = (6,)


def local(tz: ZoneInfo, text: str) -> datetime:
    """'2026-03-28 20:00' on the zone's wall clock, as an aware instant."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def routine(days: tuple[int, ...], hour: int, minute: int, created: datetime) -> Routine:
    return Routine(
        id="r1",
        user_id=1,
        task="phone away at breakfast",
        rule=Recurrence(days, hour, minute),
        created=created.astimezone(UTC),
    )


def run(r: Routine, until: datetime, tz: ZoneInfo) -> list[datetime]:
    """The occurrences a bot that never stops asks for, as its job would wake it."""
    asked: list[datetime] = []
    while (at := next_after(r, since(r), tz)) is not None and at <= until:
        due = due_occurrences(r, at, tz)
        assert due.latest == at
        assert due.skipped == ()  # running all along: nothing is ever skipped
        asked.append(at.astimezone(UTC))
        r = replace(r, last_occurrence=at.astimezone(UTC))
    return asked


# (time zone, days, hh:mm, created at (local), until (local), expected occurrences in UTC)
DST_TABLE = [
    pytest.param(
        BERLIN, DAILY, (8, 0), "2026-03-27 12:00", "2026-03-30 12:00",
        ["2026-03-28 07:00", "2026-03-29 06:00", "2026-03-30 06:00"],
        id="berlin-spring-daily",
    ),
    pytest.param(
        BERLIN, DAILY, (8, 0), "2026-10-23 12:00", "2026-10-26 12:00",
        ["2026-10-24 06:00", "2026-10-25 07:00", "2026-10-26 07:00"],
        id="berlin-autumn-daily",
    ),
    pytest.param(
        NEW_YORK, DAILY, (8, 0), "2026-03-06 12:00", "2026-03-09 12:00",
        ["2026-03-07 13:00", "2026-03-08 12:00", "2026-03-09 12:00"],
        id="new-york-spring-daily",
    ),
    pytest.param(
        NEW_YORK, DAILY, (8, 0), "2026-10-30 12:00", "2026-11-02 12:00",
        ["2026-10-31 12:00", "2026-11-01 13:00", "2026-11-02 13:00"],
        id="new-york-autumn-daily",
    ),
    pytest.param(
        BERLIN, WEEKDAYS, (9, 0), "2026-03-26 12:00", "2026-03-31 12:00",
        ["2026-03-27 08:00", "2026-03-30 07:00", "2026-03-31 07:00"],
        id="berlin-spring-weekdays-skip-the-weekend",
    ),
    pytest.param(
        NEW_YORK, WEEKDAYS, (9, 0), "2026-10-29 12:00", "2026-11-03 12:00",
        ["2026-10-30 13:00", "2026-11-02 14:00", "2026-11-03 14:00"],
        id="new-york-autumn-weekdays",
    ),
    pytest.param(
        BERLIN, SUNDAY, (18, 0), "2026-10-12 12:00", "2026-11-02 00:00",
        ["2026-10-18 16:00", "2026-10-25 17:00", "2026-11-01 17:00"],
        id="berlin-autumn-weekly-sunday",
    ),
    pytest.param(
        NEW_YORK, SUNDAY, (18, 0), "2026-03-01 19:00", "2026-03-16 00:00",
        ["2026-03-08 22:00", "2026-03-15 22:00"],
        id="new-york-spring-weekly-on-the-change-day",
    ),
    # 02:30 does not exist on the spring-forward night: that day it asks at 03:00,
    # the first minute that exists, and the day after at 02:30 again.
    pytest.param(
        BERLIN, DAILY, (2, 30), "2026-03-27 12:00", "2026-03-30 12:00",
        ["2026-03-28 01:30", "2026-03-29 01:00", "2026-03-30 00:30"],
        id="berlin-0230-on-the-spring-forward-day",
    ),
    pytest.param(
        NEW_YORK, DAILY, (2, 30), "2026-03-06 12:00", "2026-03-09 12:00",
        ["2026-03-07 07:30", "2026-03-08 07:00", "2026-03-09 06:30"],
        id="new-york-0230-on-the-spring-forward-day",
    ),
    # 01:30 happens twice on the fall-back night: asked once, at the first.
    pytest.param(
        NEW_YORK, DAILY, (1, 30), "2026-10-30 12:00", "2026-11-02 12:00",
        ["2026-10-31 05:30", "2026-11-01 05:30", "2026-11-02 06:30"],
        id="new-york-0130-on-the-fall-back-night-once",
    ),
    pytest.param(
        BERLIN, DAILY, (2, 30), "2026-10-23 12:00", "2026-10-26 12:00",
        ["2026-10-24 00:30", "2026-10-25 00:30", "2026-10-26 01:30"],
        id="berlin-0230-on-the-fall-back-night-once",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("tz", "days", "clock", "created", "until", "expected"), DST_TABLE)
def test_occurrences_follow_local_wall_time_across_dst(
    tz: ZoneInfo,
    days: tuple[int, ...],
    clock: tuple[int, int],
    created: str,
    until: str,
    expected: list[str],
) -> None:
    r = routine(days, *clock, local(tz, created))
    asked = run(r, local(tz, until), tz)
    assert asked == [utc(x) for x in expected]
    wall = {(a.astimezone(tz).hour, a.astimezone(tz).minute) for a in asked}
    if clock != (2, 30):  # the only wall time the table expects to move
        assert wall == {clock}


def test_nothing_is_due_before_the_first_occurrence() -> None:
    r = routine(DAILY, 8, 0, local(BERLIN, "2026-03-28 07:00"))
    assert due_occurrences(r, local(BERLIN, "2026-03-28 07:59"), BERLIN).latest is None
    due = due_occurrences(r, local(BERLIN, "2026-03-28 08:00"), BERLIN)
    assert due.latest == local(BERLIN, "2026-03-28 08:00")
    assert due.downtime is None


def test_a_routine_created_after_its_hour_starts_tomorrow() -> None:
    r = routine(DAILY, 8, 0, local(BERLIN, "2026-03-28 08:00"))
    assert next_after(r, local(BERLIN, "2026-03-28 08:00"), BERLIN) == local(
        BERLIN, "2026-03-29 08:00"
    )


# --- pause and resume -----------------------------------------------------------------


def test_pause_asks_nothing_and_resume_starts_from_now() -> None:
    tz = BERLIN
    r = routine(DAILY, 8, 0, local(tz, "2026-03-23 12:00"))
    paused = replace(r, paused=True, last_occurrence=local(tz, "2026-03-24 10:00").astimezone(UTC))
    for day in range(25, 31):  # a paused week, DST change included
        now = local(tz, f"2026-03-{day} 12:00")
        assert due_occurrences(paused, now, tz).latest is None
        assert next_after(paused, now, tz) is None
        assert not is_behind(paused, now, tz)
    resumed_at = local(tz, "2026-03-30 12:00")
    resumed = replace(paused, paused=False, last_occurrence=resumed_at.astimezone(UTC))
    # The paused days are neither asked now nor ever: they are not due, not skipped.
    due = due_occurrences(resumed, resumed_at, tz)
    assert due.latest is None
    assert due.skipped == ()
    assert next_after(resumed, resumed_at, tz) == local(tz, "2026-03-31 08:00")
    assert run(resumed, local(tz, "2026-04-01 12:00"), tz) == [
        utc("2026-03-31 06:00"),
        utc("2026-04-01 06:00"),
    ]


def test_resuming_before_the_hour_still_asks_today() -> None:
    tz = NEW_YORK
    r = routine(DAILY, 8, 0, local(tz, "2026-03-01 12:00"))
    resumed = replace(r, last_occurrence=local(tz, "2026-03-08 07:00").astimezone(UTC))
    assert next_after(resumed, local(tz, "2026-03-08 07:00"), tz) == local(tz, "2026-03-08 08:00")


# --- time zone change -----------------------------------------------------------------


def test_a_time_zone_change_moves_the_next_occurrence() -> None:
    last = local(BERLIN, "2026-06-01 08:00").astimezone(UTC)  # 06:00 UTC
    r = replace(routine(DAILY, 8, 0, last - timedelta(days=3)), last_occurrence=last)
    now = utc("2026-06-01 10:00")
    assert next_after(r, now, BERLIN) == utc("2026-06-02 06:00")
    # In New York it is 06:00 now: today's 08:00 there is still to come.
    assert next_after(r, now, NEW_YORK) == utc("2026-06-01 12:00")
    assert not is_behind(r, now, NEW_YORK)


def test_after_moving_east_a_passed_hour_is_behind_not_missed() -> None:
    """New York 08:00 asked; at 21:00 there the user moves to Tokyo, where 08:00 passed."""
    tokyo = ZoneInfo("Asia/Tokyo")
    last = local(NEW_YORK, "2026-06-01 08:00").astimezone(UTC)  # 12:00 UTC
    r = replace(routine(DAILY, 8, 0, last - timedelta(days=3)), last_occurrence=last)
    now = local(NEW_YORK, "2026-06-01 21:00")  # Tokyo: Tue 10:00
    assert is_behind(r, now, tokyo)
    moved = replace(r, last_occurrence=now.astimezone(UTC))  # what the flow does
    assert due_occurrences(moved, now, tokyo).latest is None
    assert next_after(moved, now, tokyo) == local(tokyo, "2026-06-03 08:00")


# --- restart after downtime -----------------------------------------------------------

# (days of downtime, skipped occurrences expected)
DOWNTIME_TABLE = [(1, 0), (2, 1), (3, 2), (8, 7), (30, 7)]


@pytest.mark.parametrize(("tz", "start"), [(BERLIN, "2026-10-21"), (NEW_YORK, "2026-10-28")])
@pytest.mark.parametrize(("days_down", "skipped"), DOWNTIME_TABLE)
def test_after_downtime_only_the_latest_occurrence_is_due(
    tz: ZoneInfo, start: str, days_down: int, skipped: int
) -> None:
    """Down from just after an 08:00 check-in until 10:00 some days later (across DST)."""
    last = local(tz, f"{start} 08:00")
    r = replace(
        routine(DAILY, 8, 0, last - timedelta(days=40)), last_occurrence=last.astimezone(UTC)
    )
    back = (last + timedelta(days=days_down)).replace(hour=10)  # wall-clock arithmetic
    due = due_occurrences(r, back, tz)
    assert due.latest == back.replace(hour=8)
    assert len(due.skipped) == skipped
    assert all(s.astimezone(tz).hour == 8 for s in due.skipped)
    assert due.latest - max(due.skipped, default=last) >= timedelta(hours=23)
    if skipped:
        assert due.downtime == (due.skipped[0].astimezone(UTC), due.latest.astimezone(UTC))
        assert due.skipped[0] >= back - LOOKBACK
    else:
        assert due.downtime is None
    # Once the latest is asked the routine is up to date: nothing is due again.
    caught_up = replace(r, last_occurrence=due.latest.astimezone(UTC))
    assert due_occurrences(caught_up, back, tz).latest is None
    assert next_after(caught_up, back, tz) == back.replace(hour=8) + timedelta(days=1)


def test_three_days_down_reports_the_days_in_the_weekly_report() -> None:
    tz = BERLIN
    last = local(tz, "2026-11-23 08:00")  # Monday
    r = replace(routine(DAILY, 8, 0, last - timedelta(days=7)), last_occurrence=last)
    back = local(tz, "2026-11-26 10:00")  # Thursday
    due = due_occurrences(r, back, tz)
    assert due.skipped == (local(tz, "2026-11-24 08:00"), local(tz, "2026-11-25 08:00"))
    window = due.downtime
    assert window is not None
    report = weekly_report([], back, tz, routines=[r], downtime=add_window((), window, back))
    assert report.downtime_days == (date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26))


def test_a_weekly_routine_after_three_weeks_down_asks_once() -> None:
    tz = NEW_YORK
    last = local(tz, "2026-10-18 18:00")  # Sunday
    r = replace(routine(SUNDAY, 18, 0, last - timedelta(days=7)), last_occurrence=last)
    back = local(tz, "2026-11-09 09:00")  # Monday, three Sundays later, after the change
    due = due_occurrences(r, back, tz)
    assert due.latest == local(tz, "2026-11-08 18:00")
    assert due.skipped == (local(tz, "2026-11-01 18:00"),)
    assert due.latest.astimezone(UTC) == utc("2026-11-08 23:00")


def test_a_paused_routine_is_not_due_after_downtime() -> None:
    last = local(BERLIN, "2026-11-01 08:00")
    r = replace(routine(DAILY, 8, 0, last), last_occurrence=last, paused=True)
    assert due_occurrences(r, last + timedelta(days=5), BERLIN).latest is None


def test_downtime_windows_merge_and_old_ones_drop() -> None:
    now = utc("2026-11-26 10:00")
    a = (utc("2026-11-24 07:00"), utc("2026-11-26 07:00"))
    b = (utc("2026-11-24 06:00"), utc("2026-11-25 06:00"))  # another routine, same outage
    c = (utc("2026-11-26 08:00"), utc("2026-11-26 09:00"))  # a later, separate one
    old = (utc("2026-11-01 07:00"), utc("2026-11-10 07:00"))
    merged = add_window(add_window(add_window((old,), a, now), b, now), c, now)
    assert merged == ((utc("2026-11-24 06:00"), utc("2026-11-26 07:00")), c)
    # Fifty routines revealing one outage keep one window.
    windows: tuple[tuple[datetime, datetime], ...] = ()
    for _ in range(50):
        windows = add_window(windows, a, now)
    assert windows == (a,)
