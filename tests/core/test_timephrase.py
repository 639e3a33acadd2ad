"""The time-phrase grammar of PRODUCT.md §2, row by row, plus the routine helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.models import Recurrence
from core.timephrase import (
    NeedsTime,
    ParsedPromise,
    ParsedRoutine,
    ParseError,
    describe_recurrence,
    extract_tags,
    next_occurrence,
    parse,
    parse_when,
)
from tests.core.timephrase_cases import BER, CASES, ERROR, NEEDS, NYC, Case

BERLIN = ZoneInfo(BER)
NEW_YORK = ZoneInfo(NYC)
MONDAY = datetime(2026, 11, 23, 14, 0, tzinfo=BERLIN)


def _id(case: Case) -> str:
    return f"{case.text} @{case.now} {case.tz.split('/')[-1]}"


def _routine_text(rule: Recurrence) -> str:
    return f"ROUTINE {','.join(map(str, rule.days))} {rule.hour:02d}:{rule.minute:02d}"


# ----------------------------------------------------------------------------- the table


def test_the_table_is_broad_enough() -> None:
    zones = {case.tz for case in CASES}
    assert len(CASES) >= 250
    assert len(zones) >= 3
    days = {case.now[:10] for case in CASES}
    assert {"2026-03-29", "2026-10-25", "2026-03-08", "2026-11-01"} <= days  # DST changes
    assert any(case.now.endswith("23:50") for case in CASES)
    assert any(case.now_aware().weekday() == 6 for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_table(case: Case) -> None:
    tz = ZoneInfo(case.tz)
    now = case.now_aware()
    got = parse(case.text, now, tz)
    if case.want == ERROR:
        assert isinstance(got, ParseError), got
        return
    if case.want == NEEDS:
        assert isinstance(got, NeedsTime), got
    elif case.want.startswith("ROUTINE"):
        assert isinstance(got, ParsedRoutine), got
        assert _routine_text(got.rule) == case.want
    else:
        assert isinstance(got, ParsedPromise), got
        shown = got.due.astimezone(tz).strftime("%Y-%m-%d %H:%M %z")
        assert case.due_matches(got.due), f"due {shown}, wanted {case.want}"
        assert got.due.tzinfo == tz
        # In UTC: datetimes sharing one ZoneInfo compare by wall time, ignoring the fold.
        due, start = got.due.astimezone(UTC), now.astimezone(UTC)
        assert start < due <= start + timedelta(days=366)
    if case.task is not None:
        assert got.task == case.task


# ----------------------------------------------------------------------------- flags and notes


@pytest.mark.parametrize(
    ("text", "rolled"),
    [
        ("call mom at 9am", True),
        ("call mom at 13:30", True),
        ("call mom at 1", True),
        ("call mom at 7", False),
        ("call mom at 12", False),  # the coming midnight is still "today's" 12
        ("call mom at midnight", False),
        ("call mom in the morning", True),
        ("call mom this morning", False),  # an hour from now instead
        ("call mom tomorrow at 9", False),
        ("call mom in 20 hours", False),
    ],
)
def test_rolled_to_tomorrow_is_flagged_only_for_a_passed_clock_time(
    text: str, rolled: bool
) -> None:
    got = parse(text, MONDAY, BERLIN)
    assert isinstance(got, ParsedPromise)
    assert got.rolled_to_tomorrow is rolled


def test_a_skipped_spring_forward_time_moves_to_the_first_valid_minute_with_a_note() -> None:
    now = datetime(2026, 3, 28, 10, 0, tzinfo=BERLIN)
    got = parse("call mom tomorrow at 02:30", now, BERLIN)
    assert isinstance(got, ParsedPromise)
    assert got.due == datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)
    assert got.notes == ("02:30 doesn't exist on Sun 29 Mar (clocks go forward) — set for 03:00",)


def test_new_york_spring_forward_note() -> None:
    now = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    got = parse("call mom tomorrow at 2:15am", now, NEW_YORK)
    assert isinstance(got, ParsedPromise)
    assert got.due.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert got.notes == ("02:15 doesn't exist on Sun 8 Mar (clocks go forward) — set for 03:00",)


def test_a_half_hour_dst_change_moves_to_its_end() -> None:
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # 02:00 → 02:30 on Sun 4 Oct 2026
    now = datetime(2026, 10, 3, 12, 0, tzinfo=lord_howe)
    got = parse("call mom tomorrow at 2:15am", now, lord_howe)
    assert isinstance(got, ParsedPromise)
    assert got.due.strftime("%Y-%m-%d %H:%M %z") == "2026-10-04 02:30 +1100"
    assert got.notes == ("02:15 doesn't exist on Sun 4 Oct (clocks go forward) — set for 02:30",)


def test_an_ambiguous_fall_back_time_takes_its_first_occurrence() -> None:
    now = datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)
    got = parse("call mom tomorrow at 02:30", now, BERLIN)
    assert isinstance(got, ParsedPromise)
    assert got.due.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert got.notes == ()


def test_relative_hours_are_real_elapsed_time_across_a_change() -> None:
    now = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    got = parse("call mom in 2 hours", now, BERLIN)
    assert isinstance(got, ParsedPromise)
    assert got.due.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=2)


def test_now_in_another_zone_is_read_in_the_users_zone() -> None:
    now = MONDAY.astimezone(UTC)
    got = parse("call mom at 7", now, NEW_YORK)  # 08:00 in New York
    assert isinstance(got, ParsedPromise)
    assert got.due == datetime(2026, 11, 23, 19, 0, tzinfo=NEW_YORK)


# ----------------------------------------------------------------------------- tags and task


def test_tags_are_lower_cased_deduplicated_and_in_order() -> None:
    got = parse("call @Sam and #Mom about #mom stuff #work in 5 min", MONDAY, BERLIN)
    assert isinstance(got, ParsedPromise)
    assert got.tags == ("@sam", "#mom", "#work")
    assert got.task == "call @Sam and #Mom about #mom stuff #work"


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("mail sam@example.com at 5", ()),
        ("#1 priority", ()),
        ("pay #rent_2026 and ping @lea_b", ("#rent_2026", "@lea_b")),
        ("#Café with @José", ("#café", "@josé")),
        ("", ()),
    ],
)
def test_extract_tags(text: str, tags: tuple[str, ...]) -> None:
    assert extract_tags(text) == tags


def test_needs_time_keeps_tags() -> None:
    got = parse("call #mom back", MONDAY, BERLIN)
    assert got == NeedsTime("call #mom back", ("#mom",))


def test_a_time_inside_a_tag_is_not_a_time() -> None:
    got = parse("review #7pm-show notes", MONDAY, BERLIN)
    assert isinstance(got, NeedsTime)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text",
    [
        "call mom in -5 minutes",
        "call mom at 25:99",
        "call mom at 13pm",
        "call mom in 0 minutes",
        "pay rent 31 Feb",
        "pay rent 2025-01-01",
        "pay rent in 400 days",
        "in 5 minutes",
        "every hour drink water",
        "every other day water the plants",
        "x" * 5000,
    ],
)
def test_errors_are_one_line_with_an_example_that_works(text: str) -> None:
    got = parse(text, MONDAY, BERLIN)
    assert isinstance(got, ParseError)
    assert got.reason
    assert "\n" not in got.reason
    assert isinstance(parse(got.example, MONDAY, BERLIN), ParsedPromise | ParsedRoutine)


def test_routine_errors_explain_the_once_a_day_rule() -> None:
    got = parse("every 5 minutes stretch", MONDAY, BERLIN)
    assert isinstance(got, ParseError)
    assert "once a day" in got.reason


def test_an_empty_task_asks_what_the_promise_is() -> None:
    got = parse("in 5 minutes", MONDAY, BERLIN)
    assert isinstance(got, ParseError)
    assert "promise" in got.reason
    assert got.example == "call mom back in 5 minutes"


def test_huge_input_is_refused_quickly() -> None:
    start = time.perf_counter()
    got = parse("call mom at 7 " * 1000, MONDAY, BERLIN)
    assert isinstance(got, ParseError)
    assert time.perf_counter() - start < 0.5


def test_long_but_allowed_input_is_parsed() -> None:
    text = "call mom about " + "the car and " * 40 + "at 7"
    got = parse(text, MONDAY, BERLIN)
    assert isinstance(got, ParsedPromise)
    assert got.due == datetime(2026, 11, 23, 19, 0, tzinfo=BERLIN)


# ----------------------------------------------------------------------------- parse_when


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("7", "2026-11-23 19:00"),
        ("19", "2026-11-23 19:00"),
        ("20:30", "2026-11-23 20:30"),
        ("7.30", "2026-11-23 19:30"),
        ("in 20 min", "2026-11-23 14:20"),
        ("20 min", "2026-11-23 14:20"),
        ("half an hour", "2026-11-23 14:30"),
        ("19:00", "2026-11-23 19:00"),
        ("7pm", "2026-11-23 19:00"),
        ("tomorrow", "2026-11-24 09:00"),
        ("friday at 9", "2026-11-27 09:00"),
        ("tonight", "2026-11-23 20:00"),
        ("evening", "2026-11-23 19:00"),
        ("ok, 7pm then", "2026-11-23 19:00"),
        ("Dec 5", "2026-12-05 09:00"),
        ("24", "2026-11-24 00:00"),
        ("in 2 days", "2026-11-25 14:00"),
    ],
)
def test_parse_when(text: str, want: str) -> None:
    got = parse_when(text, MONDAY, BERLIN)
    assert isinstance(got, datetime), got
    assert got.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == want


@pytest.mark.parametrize(
    "text",
    ["", "sure", "25", "at 25:99", "every day at 8", "call mom tomorrow about the car", "a book"],
)
def test_parse_when_refuses_what_is_not_just_a_time(text: str) -> None:
    assert isinstance(parse_when(text, MONDAY, BERLIN), ParseError)


# ----------------------------------------------------------------------------- routines


DAILY_8 = Recurrence((0, 1, 2, 3, 4, 5, 6), 8, 0)


def test_next_occurrence_is_strictly_after() -> None:
    at = datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)
    assert next_occurrence(DAILY_8, at - timedelta(minutes=1), BERLIN) == at
    assert next_occurrence(DAILY_8, at, BERLIN) == at + timedelta(days=1)


def test_next_occurrence_skips_to_the_listed_weekdays() -> None:
    rule = Recurrence((0, 2, 4), 7, 30)  # Mon, Wed, Fri
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN)
    assert next_occurrence(rule, friday, BERLIN) == datetime(2026, 11, 30, 7, 30, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        (BER, datetime(2026, 3, 28, 9, 0), datetime(2026, 3, 29, 8, 0)),
        (BER, datetime(2026, 10, 24, 9, 0), datetime(2026, 10, 25, 8, 0)),
        (NYC, datetime(2026, 3, 7, 9, 0), datetime(2026, 3, 8, 8, 0)),
        (NYC, datetime(2026, 10, 31, 9, 0), datetime(2026, 11, 1, 8, 0)),
    ],
)
def test_next_occurrence_keeps_the_wall_clock_across_dst(
    zone: str, before: datetime, after: datetime
) -> None:
    tz = ZoneInfo(zone)
    got = next_occurrence(DAILY_8, before.replace(tzinfo=tz), tz)
    assert got.replace(tzinfo=None) == after
    assert got.tzinfo == tz
    assert got.utcoffset() == after.replace(tzinfo=tz).utcoffset()


def test_next_occurrence_moves_a_skipped_time_forward() -> None:
    rule = Recurrence((6,), 2, 30)  # Sundays at 02:30
    got = next_occurrence(rule, datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN), BERLIN)
    assert got == datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)
    new_york = next_occurrence(rule, datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK), NEW_YORK)
    assert new_york.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_next_occurrence_asks_once_on_a_repeated_hour() -> None:
    rule = Recurrence((0, 1, 2, 3, 4, 5, 6), 2, 30)
    first = next_occurrence(rule, datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN), BERLIN)
    assert first.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = next_occurrence(rule, first, BERLIN)
    assert second.astimezone(UTC) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_next_occurrence_accepts_after_in_any_zone() -> None:
    after = datetime(2026, 11, 23, 6, 59, tzinfo=UTC)  # 07:59 in Berlin
    assert next_occurrence(DAILY_8, after, BERLIN) == datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)


def test_next_occurrence_needs_a_day() -> None:
    with pytest.raises(ValueError, match="weekday"):
        next_occurrence(Recurrence((), 8, 0), MONDAY, BERLIN)


@pytest.mark.parametrize(
    ("rule", "clock24", "text"),
    [
        (DAILY_8, True, "Daily at 08:00"),
        (DAILY_8, False, "Daily at 8:00 AM"),
        (Recurrence((0, 1, 2, 3, 4), 9, 0), True, "Weekdays at 09:00"),
        (Recurrence((0,), 10, 0), True, "Mondays at 10:00"),
        (Recurrence((5, 6), 10, 0), True, "Saturdays and Sundays at 10:00"),
        (Recurrence((4, 0, 2), 7, 30), True, "Mon, Wed and Fri at 07:30"),
        (Recurrence((6,), 18, 0), False, "Sundays at 6:00 PM"),
        (Recurrence((1,), 0, 15), False, "Tuesdays at 12:15 AM"),
        (Recurrence((3,), 12, 0), False, "Thursdays at 12:00 PM"),
    ],
)
def test_describe_recurrence(rule: Recurrence, clock24: bool, text: str) -> None:
    assert describe_recurrence(rule, clock24) == text


def test_a_parsed_routine_reads_back() -> None:
    got = parse("every weekday at 9 check in with the team #work", MONDAY, BERLIN)
    assert isinstance(got, ParsedRoutine)
    assert describe_recurrence(got.rule) == "Weekdays at 09:00"
    assert got.tags == ("#work",)


# ----------------------------------------------------------------------------- ask, not guess


@pytest.mark.parametrize(
    ("text", "task", "understood", "unread"),
    [
        ("call mom friday 3-4pm", "call mom", "friday", "3-4pm"),
        (
            "call mom between 9:30 and 11:00 on thursday",
            "call mom",
            "on thursday",
            "between 9:30 and 11:00",
        ),
        ("call mom at 7 next quarter", "call mom", "at 7", "next quarter"),
        ("call mom tomorrow next month", "call mom", "tomorrow", "next month"),
        ("call mom in March at 5", "call mom", "at 5", "in March"),
        ("call mom tonight @ 3:20", "call mom", "tonight @ 3:20", ""),
        ("call mom next month", "call mom next month", "", "next month"),
    ],
)
def test_what_it_cannot_fully_read_it_asks_about(
    text: str, task: str, understood: str, unread: str
) -> None:
    got = parse(text, MONDAY, BERLIN)
    assert got == NeedsTime(task, (), understood, unread)


@pytest.mark.parametrize(
    "text",
    [
        "meditate for 10 minutes at 7",
        "take a 10 minute walk at 5",
        "Monday's report at 5",
        "buy milk for 2.50 at 5",
        "review #7pm-show notes at 5",
        "pay rent 2026-12-05",
        "the 3 hour meeting at 5",
    ],
)
def test_how_long_or_how_much_is_not_an_unread_time(text: str) -> None:
    assert isinstance(parse(text, MONDAY, BERLIN), ParsedPromise)


def test_an_answer_it_cannot_fully_read_says_what_it_read() -> None:
    got = parse_when("friday 3-4pm", MONDAY, BERLIN)
    assert isinstance(got, ParseError)
    assert got.reason == 'I read "friday" but not "3-4pm" — when exactly?'
