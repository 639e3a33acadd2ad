"""Reading when a promise is due from the words of the message itself (PRODUCT.md §2).

Keepword has no forms: "call mom back in five minutes" is the whole interface, so this
module turns one chat message into a task, a due time in the user's zone (or a routine's
weekly rule), or one plain sentence saying what was wrong. The pieces are found by
core.timephrase_scan; here they are combined, checked and turned into instants.

Which phrase wins when a message holds several: a routine word ("every", "daily") makes
a routine; otherwise clock, day and part-of-day pieces combine into one absolute time,
and between that and a relative "in 2 hours" the one written last wins. Within a kind,
the last one written wins ("at 5, no at 6" → 06:00). The rules are spelt out in
docs/TIME-PHRASES.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from core.models import Recurrence
from core.timephrase_recur import describe_recurrence, next_occurrence
from core.timephrase_scan import (
    EXAMPLE_CLOCK,
    EXAMPLE_DATE,
    EXAMPLE_RELATIVE,
    EXAMPLE_ROUTINE,
    PART_TIMES,
    Bad,
    Clock,
    Day,
    Duration,
    Part,
    Recur,
    Token,
    scan,
)
from core.timephrase_text import clean_task, cut_out, extract_tags
from core.timephrase_wall import at_clock, local, skipped_note

__all__ = [
    "NeedsTime",
    "ParseError",
    "ParsedPromise",
    "ParsedRoutine",
    "describe_recurrence",
    "extract_tags",
    "next_occurrence",
    "parse",
    "parse_when",
]


@dataclass(frozen=True, slots=True)
class ParsedPromise:
    task: str  # cleaned task text (tags kept in it)
    due: datetime  # aware, in the user's tz (ZoneInfo), always > now and <= now + 366 days
    tags: tuple[str, ...]
    rolled_to_tomorrow: bool  # a clock time already past today moved to tomorrow
    notes: tuple[str, ...] = ()  # e.g. the DST adjustment sentence; shown to the user


@dataclass(frozen=True, slots=True)
class ParsedRoutine:
    task: str
    rule: Recurrence  # days tuple (0=Mon..6=Sun), hour, minute (local wall time)
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NeedsTime:
    task: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParseError:
    reason: str  # one line, plain text, no formatting: what was wrong
    example: str  # a full message that works, e.g. "call mom back at 19:00"


#: A promise is for the coming year; further ahead it is a plan, not a small promise.
HORIZON: Final = timedelta(days=366)
#: "tonight" said after 20:00 still means "later this evening": an hour from now.
LATE_PART: Final = timedelta(hours=1)
#: The time a day gets when the message names only the day ("tomorrow", "on Friday").
DEFAULT_HOUR: Final = 9
#: "today" with no time means by the end of the working day.
TODAY_HOUR: Final = PART_TIMES["eod"][0]
#: Messages are at most 500 characters in chat; anything far longer is not a promise.
MAX_TEXT: Final = 2000
MAX_WHEN_TEXT: Final = 200

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_BARE_NUMBER = re.compile(r"\s*(?:at\s+)?(\d{1,2})\s*[.!]?\s*", re.IGNORECASE)
# Words that may stand beside a time in an answer to "when?" without making it a promise.
_WHEN_FILLER = frozenset(
    [
        "ok",
        "okay",
        "please",
        "pls",
        "then",
        "make",
        "it",
        "let's",
        "lets",
        "say",
        "how",
        "about",
        "maybe",
        "um",
        "uh",
        "hmm",
        "erm",
        "at",
        "by",
        "on",
        "in",
        "for",
        "the",
        "around",
        "about",
        "no",
        "yes",
        "sure",
        "fine",
        "alright",
        "change",
        "to",
        "move",
        "set",
        "due",
        "do",
        "i'll",
        "i",
        "will",
        "ill",
        "try",
    ]
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class _Due:
    due: datetime
    rolled: bool
    notes: tuple[str, ...]
    used: tuple[Token, ...]


def _error(bad: Bad) -> ParseError:
    return ParseError(bad.reason, bad.example)


def _wall(day: date, hour: int, minute: int, tz: ZoneInfo, notes: list[str]) -> datetime:
    """The instant of a wall-clock time, noting when the clocks moved it."""
    wall = at_clock(day, hour, minute, tz)
    if wall.skipped:
        notes.append(skipped_note(day, hour, minute, wall.at))
    return wall.at


# ----------------------------------------------------------------------------- clock rules


def _part_hour(hour: int, name: str) -> tuple[int, int]:
    """A bare 1–12 hour read inside a part of the day: (24-hour hour, days to add)."""
    if name == "morning":
        return hour, 0
    if name == "lunch":
        return (hour, 0) if hour >= 10 else (hour + 12, 0)
    if name in ("afternoon", "eod"):
        return (12, 0) if hour == 12 else (hour + 12, 0)
    if name == "evening":
        return (0, 1) if hour == 12 else (hour + 12, 0)
    # night and bed: "tonight at 12" and "tonight at 1" are after midnight.
    if hour == 12:
        return 0, 1
    if hour <= 4:
        return hour, 1
    return hour + 12, 0


def _daytime_hour(hour: int) -> int:
    """A bare hour on another day, with nothing to say morning or evening: people set
    promises in waking hours, so 7–12 are as written and 1–6 are in the afternoon."""
    return hour + 12 if 1 <= hour <= 6 else hour


def _bare_candidates(clock: Clock) -> tuple[int, int]:
    """The two readings of a bare hour: "at 7" is 07:00 or 19:00, "at 12" is 12:00 or 00:00."""
    if clock.hour == 12:
        return 12, 0
    return clock.hour, clock.hour + 12


def _hhmm(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _too_far() -> Bad:
    return Bad(
        "That is more than a year ahead — Keepword is for promises within the next year",
        EXAMPLE_DATE,
    )


# ----------------------------------------------------------------------------- days


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("no such month")  # pragma: no cover


def _next_weekday(today: date, weekday: int) -> date:
    """The next such weekday after today — never today itself."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _date_of(day: Day, today: date, timed: bool) -> date | Bad:
    """The calendar day a Day token names, seen from `today`."""
    if day.kind == "today":
        return today
    if day.kind == "offset":
        return today + timedelta(days=day.offset)
    if day.kind == "weekday":
        return _next_weekday(today, day.weekday)
    if day.kind == "weekend":
        return today + timedelta(days=1) if today.weekday() == 5 else _next_weekday(today, 5)
    if day.kind == "monthday":
        return _month_day(day.day, today)
    return _calendar_date(day, today)


def _month_day(number: int, today: date) -> date | Bad:
    """ "on the 5th": this month's if it is still to come, else the next month that has it."""
    for ahead in range(3):
        first = _add_months(today.replace(day=1), ahead)
        try:
            candidate = first.replace(day=number)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return Bad(f"The {number}th is not a day in the coming months", EXAMPLE_DATE)


def _calendar_date(day: Day, today: date) -> date | Bad:
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    name = f"{day.day} {months[day.month - 1]}"
    if day.year is not None:
        try:
            when = date(day.year, day.month, day.day)
        except ValueError:
            return Bad(f"{name} {day.year} does not exist", EXAMPLE_DATE)
        if when < today:
            return Bad(
                f"{when.isoformat()} is in the past — a promise needs a date ahead",
                EXAMPLE_DATE,
            )
        return when
    # No year: the next time that date comes round, today included.
    for year in (today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4):
        try:
            when = date(year, day.month, day.day)
        except ValueError:
            continue
        if when >= today:
            return when
    return Bad(f"{name} does not exist", EXAMPLE_DATE)  # pragma: no cover


# ----------------------------------------------------------------------------- combining


def _last(tokens: list[Token], kind: type) -> Token | None:
    found = [t for t in tokens if isinstance(t.value, kind)]
    return found[-1] if found else None


def _relative(token: Token, now: datetime, tz: ZoneInfo) -> _Due | Bad:
    """ "in 2 hours" is an absolute span; "in 3 days" keeps the wall-clock time."""
    duration = token.value
    assert isinstance(duration, Duration)
    notes: list[str] = []
    at = now.astimezone(tz)
    if duration.days or duration.months:
        wall = at.replace(tzinfo=None)
        target = _add_months(wall.date(), duration.months) + timedelta(days=duration.days)
        moved = local(datetime.combine(target, wall.time()), tz)
        if moved.skipped:
            notes.append(skipped_note(target, wall.hour, wall.minute, moved.at))
        at = moved.at
    due = (at + timedelta(seconds=duration.seconds)).astimezone(tz)
    if due > now + HORIZON:
        return _too_far()
    if due <= now:  # pragma: no cover - every accepted duration is positive
        return Bad("That time is not ahead of now", EXAMPLE_RELATIVE)
    return _Due(due, False, tuple(notes), (token,))


def _absolute(
    tokens: list[Token], now: datetime, tz: ZoneInfo, offset: Token | None
) -> _Due | Bad | None:
    """Clock, day and part-of-day pieces combined into one time. `offset` is a whole-day
    duration ("in 3 days") that acts as the day when a clock is also given."""
    day_token = _last(tokens, Day)
    clock_token = _last(tokens, Clock)
    parts = [t for t in tokens if isinstance(t.value, Part)]
    # A plain "evening" is only a time beside a day: "Friday evening", not "evening walk".
    has_day = day_token is not None or offset is not None
    parts = [t for t in parts if has_day or t.value.mode != "plain"]  # type: ignore[union-attr]
    part_token = parts[-1] if parts else None
    if day_token is None and clock_token is None and part_token is None:
        return None

    local_now = now.astimezone(tz)
    today = local_now.date()
    used = [t for t in (day_token, clock_token, part_token, offset) if t is not None]
    notes: list[str] = []
    day: date | None = None
    day_kind = None
    if day_token is not None:
        assert isinstance(day_token.value, Day)
        day_kind = day_token.value.kind
        found = _date_of(day_token.value, today, clock_token is not None)
        if isinstance(found, Bad):
            return found
        day = found
    elif offset is not None:
        assert isinstance(offset.value, Duration)
        day = _add_months(today, offset.value.months) + timedelta(days=offset.value.days)
        day_kind = "offset"
    part = part_token.value if part_token is not None else None
    assert part is None or isinstance(part, Part)
    clock = clock_token.value if clock_token is not None else None
    assert clock is None or isinstance(clock, Clock)

    if day is not None and day > today + HORIZON:
        return _too_far()

    if clock is None:
        return _untimed(day, day_kind, part, local_now, tz, tuple(used))

    # --- a clock time, with or without a day
    shift = 0
    if clock.midnight:
        hour, minute, shift = 0, 0, 1
    elif clock.bare and part is not None:
        hour, shift = _part_hour(clock.hour, part.name)
        minute = clock.minute
    elif clock.bare and day is not None and day != today:
        hour, minute = _daytime_hour(clock.hour), clock.minute
    elif clock.bare:
        # Today (said or implied): the next of h:mm and (h+12):mm after now.
        first, second = _bare_candidates(clock)
        start = day or today
        for candidate in (first, second):
            at = _wall(start, candidate, clock.minute, tz, notes)
            if at > now:
                return _Due(at, False, tuple(notes), tuple(used))
            notes.clear()
        if day is not None:
            return _passed_today(_hhmm(clock.hour, clock.minute))
        at = _wall(start + timedelta(days=1), first, clock.minute, tz, notes)
        return _Due(at, True, tuple(notes), tuple(used))
    else:
        hour, minute = clock.hour, clock.minute

    if day is None:
        base = today
        if part is not None and part.mode == "next":
            base = today
        at = _wall(base + timedelta(days=shift), hour, minute, tz, notes)
        if at > now:
            return _Due(at, False, tuple(notes), tuple(used))
        notes.clear()
        at = _wall(base + timedelta(days=shift + 1), hour, minute, tz, notes)
        return _Due(at, True, tuple(notes), tuple(used))

    at = _wall(day + timedelta(days=shift), hour, minute, tz, notes)
    if at <= now:
        if day == today and day_kind in ("today", "date", "monthday"):
            return _passed_today(_hhmm(hour, minute))
        return Bad("That time has already passed — pick a time ahead", EXAMPLE_CLOCK)
    if at > now + HORIZON:
        return _too_far()
    return _Due(at, False, tuple(notes), tuple(used))


def _untimed(
    day: date | None,
    day_kind: str | None,
    part: Part | None,
    local_now: datetime,
    tz: ZoneInfo,
    used: tuple[Token, ...],
) -> _Due | Bad:
    """A day and/or a part of the day, with no clock time."""
    now = local_now
    today = now.date()
    notes: list[str] = []
    if part is not None:
        hour, minute = part.hour, part.minute
    elif day is None or day == today:
        hour, minute = TODAY_HOUR, 0
    else:
        hour, minute = DEFAULT_HOUR, 0

    if day is None and part is not None and part.mode == "next":
        # "in the morning": the next one, today's if it is still to come.
        at = _wall(today, hour, minute, tz, notes)
        if at <= now:
            notes.clear()
            at = _wall(today + timedelta(days=1), hour, minute, tz, notes)
        return _Due(at, False, tuple(notes), used)

    target = day if day is not None else today
    at = _wall(target, hour, minute, tz, notes)
    if at <= now:
        if target == today:
            # "tonight" said at 23:00 still means later tonight.
            return _Due(now + LATE_PART, False, (), used)
        return Bad("That time has already passed — pick a time ahead", EXAMPLE_CLOCK)
    if at > now + HORIZON:
        return _too_far()
    return _Due(at, False, tuple(notes), used)


def _passed_today(clock: str) -> Bad:
    return Bad(
        f"{clock} today has already passed — pick a later time or another day",
        "call mom back tomorrow at 9",
    )


def _one_off(tokens: list[Token], now: datetime, tz: ZoneInfo, weak_ok: bool) -> _Due | Bad | None:
    """The due time of a one-off promise, or None when the message names no time."""
    strong = [t for t in tokens if isinstance(t.value, Duration) and t.value.strong]
    weak = [t for t in tokens if isinstance(t.value, Duration) and not t.value.strong]
    absolute_kinds = (Clock, Day, Part)
    absolute = [t for t in tokens if isinstance(t.value, absolute_kinds)]

    offset: Token | None = None
    if strong:
        last = strong[-1]
        duration = last.value
        assert isinstance(duration, Duration)
        whole_days = duration.seconds == 0 and (duration.days or duration.months)
        has_clock = any(isinstance(t.value, Clock | Part) for t in absolute)
        has_day = any(isinstance(t.value, Day) for t in absolute)
        if whole_days and has_clock and not has_day:
            offset = last  # "in 3 days at 9am"
        elif not absolute or last.start > absolute[-1].start:
            return _relative(last, now, tz)

    found = _absolute(absolute, now, tz, offset)
    if found is not None:
        return found
    if strong:
        return _relative(strong[-1], now, tz)
    if weak and weak_ok:
        return _relative(weak[-1], now, tz)
    return None


def _routine(tokens: list[Token], recur: Token) -> Recurrence:
    value = recur.value
    assert isinstance(value, Recur)
    clock_token = _last(tokens, Clock)
    part_token = _last(tokens, Part)
    part = value.part
    if part is None and part_token is not None:
        assert isinstance(part_token.value, Part)
        part = part_token.value
    if clock_token is not None:
        clock = clock_token.value
        assert isinstance(clock, Clock)
        if clock.midnight:
            return Recurrence(value.days, 0, 0)
        if clock.bare and part is not None:
            hour, _ = _part_hour(clock.hour, part.name)
            return Recurrence(value.days, hour, clock.minute)
        if clock.bare:
            return Recurrence(value.days, _daytime_hour(clock.hour), clock.minute)
        return Recurrence(value.days, clock.hour, clock.minute)
    if part is not None:
        return Recurrence(value.days, part.hour, part.minute)
    return Recurrence(value.days, DEFAULT_HOUR, 0)


def _routine_used(tokens: list[Token], recur: Token) -> list[Token]:
    used = [recur]
    clock = _last(tokens, Clock)
    part = _last(tokens, Part)
    if clock is not None:
        used.append(clock)
    if part is not None:
        used.append(part)
    return used


# ----------------------------------------------------------------------------- public


def _sanitise(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _empty_task() -> ParseError:
    return ParseError(
        "What is the promise? Write what you will do along with the time",
        EXAMPLE_RELATIVE,
    )


def parse(
    text: str, now: datetime, tz: ZoneInfo
) -> ParsedPromise | ParsedRoutine | NeedsTime | ParseError:
    """One chat message read as a promise, a routine, a promise still needing a time, or
    one plain sentence on what was wrong. Never raises."""
    try:
        return _parse(text, now, tz)
    except (ValueError, OverflowError, ArithmeticError):
        return ParseError("That time can't be worked out — try a simpler phrase", EXAMPLE_CLOCK)


def _parse(
    text: str, now: datetime, tz: ZoneInfo
) -> ParsedPromise | ParsedRoutine | NeedsTime | ParseError:
    if len(text) > MAX_TEXT:
        return ParseError(
            "That message is too long for a promise — keep it to a sentence or two",
            EXAMPLE_RELATIVE,
        )
    text = _sanitise(text)
    tokens = scan(text)
    tags = extract_tags(text)
    for token in tokens:
        if isinstance(token.value, Bad):
            return _error(token.value)

    recur = _last(tokens, Recur)
    if recur is not None:
        rule = _routine(tokens, recur)
        task = clean_task(cut_out(text, ((t.start, t.end) for t in _routine_used(tokens, recur))))
        if not task:
            return ParseError(
                "What is the routine? Write what you will do along with when",
                EXAMPLE_ROUTINE,
            )
        return ParsedRoutine(task, rule, tags)

    found = _one_off(tokens, now, tz, weak_ok=True)
    if isinstance(found, Bad):
        return _error(found)
    if found is None:
        task = clean_task(text)
        if not task:
            return _empty_task()
        return NeedsTime(task, tags)
    task = clean_task(cut_out(text, ((t.start, t.end) for t in found.used)))
    if not task:
        return _empty_task()
    return ParsedPromise(task, found.due, tags, found.rolled, found.notes)


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime | ParseError:
    """Only a time phrase (answer to "when?" or to [Change time]): "in 20 min", "19:00", "7pm",
    "tomorrow", "friday at 9". A bare number ("7", "19") is an hour here, a bare "20:30" a time.
    Anything with no time → ParseError."""
    try:
        return _parse_when(text, now, tz)
    except (ValueError, OverflowError, ArithmeticError):
        return ParseError("That time can't be worked out — try a simpler phrase", "19:00")


def _parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime | ParseError:
    if len(text) > MAX_WHEN_TEXT:
        return ParseError("That is too long for a time — send just the time", "in 20 min")
    text = _sanitise(text)
    number = _BARE_NUMBER.fullmatch(text)
    if number:
        text = f"at {number.group(1)}"
    tokens = scan(text)
    for token in tokens:
        if isinstance(token.value, Bad):
            return _error(token.value)
    if any(isinstance(t.value, Recur) for t in tokens):
        return ParseError(
            "That is a repeating schedule — send one time for this promise", "tomorrow at 9"
        )
    found = _one_off(tokens, now, tz, weak_ok=True)
    if isinstance(found, Bad):
        return _error(found)
    if found is None:
        return ParseError("That doesn't say a time", "in 20 min")
    rest = clean_task(cut_out(text, ((t.start, t.end) for t in found.used)))
    if any(word.lower() not in _WHEN_FILLER for word in _WORD.findall(rest)):
        return ParseError("That has more than a time in it — send just the time", "in 20 min")
    return found.due
