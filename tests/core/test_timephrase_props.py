"""Properties of the time-phrase parser that must hold for any message at any moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from core import timephrase
from core.models import Recurrence
from core.timephrase import (
    NeedsTime,
    ParsedPromise,
    ParsedRoutine,
    ParseError,
    next_occurrence,
    parse,
    parse_when,
)
from core.timephrase_wall import exists

ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Tokyo",
        "Asia/Kolkata",
        "Australia/Sydney",
        "Australia/Lord_Howe",  # a 30-minute DST change
        "Pacific/Apia",  # skipped a whole day in 2011
        "America/St_Johns",
        "Asia/Kathmandu",
    )
]
HORIZON = timedelta(days=366)
EXAMPLES = settings(max_examples=300, deadline=None)

# Pieces of the grammar and of ordinary task text, so that random messages reach deep
# into the rules instead of stopping at "no time found".
FRAGMENTS = (
    "call mom",
    "remind me to",
    "I'll",
    "in",
    "at",
    "by",
    "on",
    "every",
    "each",
    "next",
    "this",
    "the",
    "a",
    "an",
    "and",
    "half",
    "quarter",
    "couple of",
    "few",
    "past",
    "to",
    "from now",
    "-",
    "-5",
    "0",
    "1",
    "7",
    "12",
    "13",
    "24",
    "25",
    "59",
    "60",
    "99",
    "400",
    "100000",
    "1.5",
    "7:30",
    "25:99",
    "00:00",
    "7.30",
    "2h30",
    "seconds",
    "s",
    "min",
    "minutes",
    "hours",
    "hrs",
    "days",
    "weeks",
    "months",
    "year",
    "am",
    "pm",
    "p.m.",
    "o'clock",
    "noon",
    "midnight",
    "morning",
    "afternoon",
    "evening",
    "night",
    "tonight",
    "lunch",
    "EOD",
    "before bed",
    "today",
    "tomorrow",
    "day after tomorrow",
    "weekend",
    "week",
    "monday",
    "Sundays",
    "sat",
    "fri",
    "weekday",
    "daily",
    "hourly",
    "other",
    "Dec",
    "May",
    "Feb",
    "5th",
    "29",
    "31",
    "2025-01-01",
    "2026-03-29",
    "2027-02-29",
    "2099-12-31",
    "soon",
    "in a bit",
    "twenty five",
    "sixty",
    "#mom",
    "@sam",
    ":",
    ",",
    "!",
    "\n",
    "\x00",
    "’",
)

phrases = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join)
any_text = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
    st.text(alphabet="at7pm in5 minutes:-", min_size=400, max_size=2500),
    phrases,
)
zones = st.sampled_from(ZONES)
# Moments across the calendar, including DST change days of every zone.
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31), timezones=zones
)
extreme_moments = st.datetimes(timezones=zones)


def _check_promise(got: ParsedPromise, now: datetime, tz: ZoneInfo) -> None:
    due = got.due.astimezone(UTC)
    start = now.astimezone(UTC)
    assert start < due <= start + HORIZON
    assert got.due.tzinfo == tz
    assert got.task
    assert got.task == got.task.strip()


def _check_routine(got: ParsedRoutine) -> None:
    assert got.task
    assert got.rule.days
    assert set(got.rule.days) <= set(range(7))
    assert 0 <= got.rule.hour < 24
    assert 0 <= got.rule.minute < 60


@EXAMPLES
@given(text=any_text, now=extreme_moments, tz=zones)
def test_parse_never_raises(text: str, now: datetime, tz: ZoneInfo) -> None:
    got = parse(text, now, tz)
    assert isinstance(got, ParsedPromise | ParsedRoutine | NeedsTime | ParseError)
    if isinstance(got, ParseError):
        assert "\n" not in got.reason


@EXAMPLES
@given(text=phrases, now=moments, tz=zones)
def test_accepted_promises_and_routines_are_sound(text: str, now: datetime, tz: ZoneInfo) -> None:
    # The unguarded parser: across normal dates no input may reach the last-resort guard.
    got = timephrase._parse(text, now, tz)
    if isinstance(got, ParsedPromise):
        _check_promise(got, now, tz)
    elif isinstance(got, ParsedRoutine):
        _check_routine(got)
    elif isinstance(got, NeedsTime):
        assert got.task
    else:
        assert got.reason
        assert "\n" not in got.reason


@EXAMPLES
@given(text=st.one_of(any_text, phrases), now=extreme_moments, tz=zones)
def test_parse_when_never_raises(text: str, now: datetime, tz: ZoneInfo) -> None:
    got = parse_when(text, now, tz)
    assert isinstance(got, datetime | ParseError)
    if isinstance(got, ParseError):
        assert "\n" not in got.reason


@EXAMPLES
@given(text=phrases, now=moments, tz=zones)
def test_parse_when_answers_are_ahead_and_within_a_year(
    text: str, now: datetime, tz: ZoneInfo
) -> None:
    got = timephrase._parse_when(text, now, tz)
    if isinstance(got, datetime):
        start = now.astimezone(UTC)
        assert start < got.astimezone(UTC) <= start + HORIZON


@EXAMPLES
@given(
    naive=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)),
    tz=zones,
)
def test_exists_agrees_with_a_round_trip_through_utc(naive: datetime, tz: ZoneInfo) -> None:
    aware = naive.replace(tzinfo=tz)
    round_trip = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    assert exists(naive, tz) == (round_trip == naive)


rules = st.builds(
    Recurrence,
    days=st.sets(st.integers(0, 6), min_size=1).map(lambda d: tuple(sorted(d))),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)


@EXAMPLES
@given(rule=rules, after=moments, tz=zones)
def test_next_occurrence_is_the_next_local_time_on_a_listed_day(
    rule: Recurrence, after: datetime, tz: ZoneInfo
) -> None:
    got = next_occurrence(rule, after, tz)
    assert got.tzinfo == tz
    assert got.astimezone(UTC) > after.astimezone(UTC)
    assert got.astimezone(UTC) - after.astimezone(UTC) <= timedelta(days=8)
    wall = got.replace(tzinfo=None)
    wanted = wall.replace(hour=rule.hour, minute=rule.minute, second=0, microsecond=0)
    if exists(wanted, tz):
        assert wall == wanted
        assert wall.weekday() in rule.days
    else:
        assert wanted < wall <= wanted + timedelta(days=1)
    # Nothing was skipped: just before it, it is still the next one.
    just_before = got.astimezone(UTC) - timedelta(seconds=1)
    assert next_occurrence(rule, just_before, tz).astimezone(UTC) == got.astimezone(UTC)
