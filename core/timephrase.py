"""Reading when a promise is due from the words of the message itself (PRODUCT.md §2).

Keepword has no forms: "call mom back in five minutes" is the whole interface, so this
module turns one chat message into a task and a due time in the user's zone (or a
routine's weekly rule), or into one plain sentence saying what was wrong. The pieces of a
time are found by core.timephrase_scan; here they are combined, checked and turned into
instants.

Which phrase wins when a message holds several (docs/TIME-PHRASES.md spells it out):
- a routine word ("every", "daily", "on Mondays") makes the message a routine;
- a day, a part of the day and a clock time combine wherever they stand ("tomorrow call
  mom at 7"); of each sort the last one written counts ("at 5, no at 6" → 18:00);
- between a relative phrase ("in 2 hours") and an absolute one ("at 7") the one written
  last wins; a bare "10 minutes" (no "in") counts only when nothing else names a time.

Wall-clock answers follow the calendar ("tomorrow at 9" is 09:00 even across a DST
change), while "in 2 hours" is two real hours. `parse` and `parse_when` never raise:
chat input is untrusted, and a wrong guess is better reported than met with silence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from core.models import Recurrence
from core.timephrase_recur import describe_recurrence, next_occurrence
from core.timephrase_scan import (
    EXAMPLE_CLOCK,
    EXAMPLE_DATE,
    EXAMPLE_RELATIVE,
    EXAMPLE_ROUTINE,
    MONTH_NAMES,
    PART_TIMES,
    Bad,
    Clock,
    Day,
    Duration,
    Part,
    Recur,
    Token,
    quoted,
    scan,
)
from core.timephrase_text import clean_task, cut_out, extract_tags
from core.timephrase_unread import find_unread
from core.timephrase_wall import WallTime, at_clock, local, skipped_note

__all__ = [
    "NeedsTime",
    "ParseError",
    "ParsedPromise",
    "ParsedRoutine",
    "asked_reason",
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
    """No time to schedule: the bot asks when. When the message held something time-like
    the grammar could not fully read, `unread` is that text and `understood` what was read
    ("friday" / "of next week"), so the question can say so instead of guessing."""

    task: str
    tags: tuple[str, ...]
    understood: str = ""
    unread: str = ""


@dataclass(frozen=True, slots=True)
class ParseError:
    reason: str  # one line, plain text, no formatting: what was wrong
    example: str  # a full message that works, e.g. "call mom back at 19:00"


#: A promise is for the coming year; further ahead it is a plan, not a small promise.
HORIZON: Final = timedelta(days=366)
#: "tonight" said after 20:00 still means later tonight: an hour from now.
LATE_PART: Final = timedelta(hours=1)
#: The time a day gets when the message names only the day ("tomorrow", "on Friday").
DEFAULT_HOUR: Final = 9
#: "today" with no time means by the end of the working day.
TODAY_HOUR: Final = PART_TIMES["eod"]
#: Chat messages are at most 500 characters; far longer text is refused, not scanned.
MAX_TEXT: Final = 1000
MAX_WHEN_TEXT: Final = 200
#: An answer to "when?" may carry a couple of extra words ("ok, 7pm then"), not a promise.
MAX_WHEN_EXTRA_WORDS: Final = 2

_NORMALISE = str.maketrans({"’": "'", "‘": "'", "\u00a0": " ", "\u202f": " "})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_ISO_T = re.compile(r"(?<=\d{4}-\d{2}-\d{2})T(?=\d)")
_BARE_HOUR = re.compile(r"\s*(?:at\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*[.!]?\s*", re.IGNORECASE)
#: A word of letters, apostrophe inside allowed ("let's"); digits and symbols are not words.
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
#: Words an answer to "when?" may carry besides the time; see MAX_WHEN_EXTRA_WORDS.
WHEN_FILLER: Final = frozenset(
    (
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
        "at",
        "by",
        "on",
        "in",
        "for",
        "the",
        "around",
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
        "instead",
        "rather",
        "works",
    )
)

_NO_TASK = ParseError(
    "What's the promise? Write what you'll do along with the time", EXAMPLE_RELATIVE
)
_NO_ROUTINE_TASK = ParseError(
    "What's the routine? Write what you'll do along with when", EXAMPLE_ROUTINE
)
_TOO_FAR = ParseError(
    "That's more than a year ahead — Keepword is for promises within the next year",
    EXAMPLE_DATE,
)
_UNREADABLE = ParseError("That time can't be worked out — try a simpler phrase", EXAMPLE_CLOCK)


@dataclass(slots=True)
class _When:
    """The time a message settled on, and the pieces that said it."""

    due: datetime
    used: list[Token]
    rolled: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Ask:
    """A time that could be read two ways: ask instead of picking one."""

    used: list[Token]
    understood: str
    unread: str = ""


# ----------------------------------------------------------------------------- public


def parse(
    text: str, now: datetime, tz: ZoneInfo
) -> ParsedPromise | ParsedRoutine | NeedsTime | ParseError:
    """One chat message read as a promise, a routine, a promise still needing a time, or
    one plain sentence on what was wrong. Never raises."""
    try:
        return _parse(text, now, tz)
    except (ValueError, OverflowError, ArithmeticError, TypeError):
        # The last guard for input nobody foresaw (dates at the ends of the calendar).
        return _UNREADABLE


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime | ParseError:
    """Only a time phrase (answer to "when?" or to [Change time]): "in 20 min", "19:00", "7pm",
    "tomorrow", "friday at 9". A bare number ("7", "19") is an hour here, a bare "20:30" a time.
    Anything with no time → ParseError."""
    try:
        return _parse_when(text, now, tz)
    except (ValueError, OverflowError, ArithmeticError, TypeError):
        return ParseError(_UNREADABLE.reason, "19:00")


# ----------------------------------------------------------------------------- messages


def _prepare(text: str) -> str:
    """`text` with odd characters made plain, at the same length so that spans line up."""
    text = text.translate(_NORMALISE)
    text = _CONTROL.sub(" ", text)
    return _ISO_T.sub(" ", text)


def _aware(now: datetime) -> datetime:
    """`now` as a UTC instant. Comparing two datetimes that share one ZoneInfo compares
    wall times and ignores fold, so every comparison here is against UTC."""
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _first_bad(tokens: list[Token]) -> Bad | None:
    return next((t.value for t in tokens if isinstance(t.value, Bad)), None)


def _parse(
    text: str, now: datetime, tz: ZoneInfo
) -> ParsedPromise | ParsedRoutine | NeedsTime | ParseError:
    if len(text) > MAX_TEXT:
        return ParseError(
            "That message is too long for a promise — keep it to a sentence or two",
            EXAMPLE_RELATIVE,
        )
    now = _aware(now)
    plain = _prepare(text)
    tokens = scan(plain)
    tags = extract_tags(plain)
    bad = _first_bad(tokens)
    if bad is not None:
        return ParseError(bad.reason, bad.example)
    if any(isinstance(t.value, Recur) for t in tokens):
        return _routine(plain, tokens, tags)
    when = _settle(tokens, now, tz, answer=False)
    if isinstance(when, ParseError):
        return when
    unread = find_unread(plain, tokens)
    if when is None or isinstance(when, _Ask):
        understood = (
            (when.understood or _understood(plain, when.used)) if isinstance(when, _Ask) else ""
        )
        used = when.used if isinstance(when, _Ask) else []
        spans = [(t.start, t.end) for t in used]
        if understood and unread:
            spans += [unread]
        task = clean_task(cut_out(plain, _merged(spans)) if spans else plain)
        if not task:
            return _NO_TASK
        what = when.unread if isinstance(when, _Ask) else ""
        return NeedsTime(task, tags, understood, what or _span_text(plain, unread))
    if unread is not None:
        # Something time-like was left unread: ask rather than schedule a guess.
        outside = [t for t in when.used if t.start < unread[0] or t.end > unread[1]]
        understood = _understood(plain, outside)
        spans = [(t.start, t.end) for t in when.used] + [unread]
        task = clean_task(cut_out(plain, _merged(spans)))
        if not task:
            return _NO_TASK
        return NeedsTime(task, tags, understood, _span_text(plain, unread))
    task = clean_task(cut_out(plain, [(t.start, t.end) for t in when.used]))
    if not task:
        return _NO_TASK
    return ParsedPromise(task, when.due, tags, when.rolled, tuple(when.notes))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans joined, so that cutting them out leaves nothing of either."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _span_text(plain: str, span: tuple[int, int] | None) -> str:
    return "" if span is None else " ".join(plain[span[0] : span[1]].split())


def _understood(plain: str, used: list[Token]) -> str:
    return " ".join(
        " ".join(plain[t.start : t.end].split()) for t in sorted(used, key=lambda t: t.start)
    )


def asked_reason(understood: str, unread: str, quote: Callable[[str], str] = quoted) -> str:
    """The sentence that asks instead of guessing: what was read, what was not.

    ``quote`` lets the bot put the user's words in its own (escaped) quotes.
    """
    if understood and unread:
        return f"I read {quote(understood)} but not {quote(unread)} — when exactly?"
    if unread:
        return f"I couldn't read {quote(unread)} as a time — when exactly?"
    return f"I read {quote(understood)} but it could mean two times — when exactly?"


def _parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime | ParseError:
    if len(text) > MAX_WHEN_TEXT:
        return ParseError("That is too long for a time — send just the time", "in 20 min")
    now = _aware(now)
    plain = _prepare(text)
    bare = _BARE_HOUR.fullmatch(plain)
    if bare:
        midnight = bare[1] == "24" and bare[2] in (None, "00")
        if (int(bare[1]) > 23 and not midnight) or (bare[2] and int(bare[2]) > 59):
            return ParseError(f"{quoted(text)} is not a time of day", "19:00")
        plain = f"at {bare[1]}:{bare[2] or '00'}" if bare[2] or midnight else f"at {bare[1]}"
    tokens = scan(plain)
    if not tokens:
        # "half an hour", "a few minutes": as an answer, an amount of time means from now.
        plain = f"in {plain}"
        tokens = [t for t in scan(plain) if t.start == 0]
    bad = _first_bad(tokens)
    if bad is not None:
        return ParseError(bad.reason, "19:00")
    if any(isinstance(t.value, Recur) for t in tokens):
        return ParseError(
            "That is a repeating schedule — send one time for this promise", "tomorrow at 9"
        )
    when = _settle(tokens, now, tz, answer=True)
    if isinstance(when, ParseError):
        return when
    if isinstance(when, _Ask):
        said = when.understood or _understood(plain, when.used)
        return ParseError(asked_reason(said, when.unread), "19:00")
    unread = find_unread(plain, tokens)
    if unread is not None and when is not None:
        outside = [t for t in when.used if t.start < unread[0] or t.end > unread[1]]
        return ParseError(
            asked_reason(_understood(plain, outside), _span_text(plain, unread)), "19:00"
        )
    if when is None:
        return ParseError(
            'That doesn\'t say a time — try "in 20 min", "19:00" or "tomorrow"', "in 20 min"
        )
    rest = clean_task(cut_out(plain, [(t.start, t.end) for t in when.used]))
    extra = [w for w in WORD.findall(rest) if w.lower() not in WHEN_FILLER]
    if len(extra) > MAX_WHEN_EXTRA_WORDS:
        return ParseError("That has more than a time in it — send just the time", "in 20 min")
    return when.due


# ----------------------------------------------------------------------------- one-off times


def _settle(
    tokens: list[Token], now: datetime, tz: ZoneInfo, *, answer: bool
) -> _When | _Ask | ParseError | None:
    """Pick the winning pieces and turn them into a due time (None: the message names none).

    `answer` is set when the text is a reply to "when?": there a bare "20 min" or a plain
    "evening" can only be a time.
    """
    durations = [t for t in tokens if isinstance(t.value, Duration) and t.value.strong]
    days = [t for t in tokens if isinstance(t.value, Day)]
    clocks = [t for t in tokens if isinstance(t.value, Clock)]
    parts = [t for t in tokens if isinstance(t.value, Part)]
    whole_days = [t for t in durations if _whole_days(t.value)]
    named_day = bool(days) or bool(whole_days) or answer
    parts = [t for t in parts if named_day or _part(t).mode != "plain"]
    if clocks:
        parts = [t for t in parts if not _part(t).moment]
    if not durations and not days and not clocks and not parts:
        weak = [t for t in tokens if isinstance(t.value, Duration)]
        durations = weak[-1:]
    absolute = sorted([*days, *clocks, *parts], key=lambda t: t.start)
    if not durations and not absolute:
        return None

    if durations and (not absolute or durations[-1].start > absolute[-1].start):
        last = durations[-1]
        if not (_whole_days(last.value) and (clocks or parts)):
            return _after(last, now, tz)
        days = [last]  # "in 3 days at 9": the duration names the day
    elif whole_days and not days:
        days = [whole_days[-1]]  # "at 9 in 3 days"
    part, clock = (parts[-1] if parts else None), (clocks[-1] if clocks else None)
    if part is not None and clock is not None and _small_hours(_part(part), clock.value):
        # "tonight at 3:20": 03:20 after midnight, or 15:20 read loosely? Ask.
        return _Ask([part, clock], "", "")
    return _on(days[-1] if days else None, part, clock, now, tz)


def _small_hours(part: Part, clock: object) -> bool:
    return (
        isinstance(clock, Clock)
        and clock.bare
        and part.name in ("night", "bed")
        and 1 <= clock.hour <= 5
    )


def _whole_days(value: object) -> bool:
    return isinstance(value, Duration) and value.seconds == 0 and bool(value.days or value.months)


def _part(token: Token) -> Part:
    assert isinstance(token.value, Part)
    return token.value


def _after(token: Token, now: datetime, tz: ZoneInfo) -> _When | ParseError:
    """ "in 2 hours" is real elapsed time; "in 3 days" keeps the wall-clock time of day."""
    duration = token.value
    assert isinstance(duration, Duration)
    notes: list[str] = []
    start = now.astimezone(UTC)
    if duration.days or duration.months:
        wall = now.astimezone(tz).replace(tzinfo=None)
        target = _add_months(wall.date(), duration.months) + timedelta(days=duration.days)
        if target - wall.date() > HORIZON:
            return _TOO_FAR
        moved = local(datetime.combine(target, wall.time()), tz)
        if moved.skipped:
            notes.append(skipped_note(target, wall.hour, wall.minute, moved.at))
        start = moved.at.astimezone(UTC)
    due = (start + timedelta(seconds=duration.seconds)).astimezone(tz)
    return _checked(_When(due, [token], notes=notes), now)


def _add_months(day: date, months: int) -> date:
    if not months:
        return day
    year, month = divmod(day.month - 1 + months, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(day.year + year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("no such month")  # pragma: no cover


def _on(
    day_token: Token | None,
    part_token: Token | None,
    clock_token: Token | None,
    now: datetime,
    tz: ZoneInfo,
) -> _When | ParseError:
    """A time from a day, a part of the day and a clock time, each optional."""
    today = now.astimezone(tz).date()
    part = _part(part_token) if part_token is not None else None
    clock = clock_token.value if clock_token is not None else None
    assert clock is None or isinstance(clock, Clock)
    used = [t for t in (day_token, part_token, clock_token) if t is not None]
    if day_token is None:
        return _today(part, clock, used, now, tz, said_today=False)
    value = day_token.value
    if isinstance(value, Duration):
        target = _add_months(today, value.months) + timedelta(days=value.days)
        return _on_date(target, part, clock, used, now, tz)
    assert isinstance(value, Day)
    found = _resolve_day(value, today)
    if isinstance(found, ParseError):
        return found
    if found == today:
        # "today", or a date that is today: the same rules as a time with no day.
        return _today(part, clock, used, now, tz, said_today=True)
    return _on_date(found, part, clock, used, now, tz)


def _resolve_day(day: Day, today: date) -> date | ParseError:
    """The calendar day a Day piece names, seen from `today`, moved on by its shift."""
    found = _named_day(day, today)
    if isinstance(found, ParseError) or not (day.shift_days or day.shift_months):
        return found
    return _add_months(found, day.shift_months) + timedelta(days=day.shift_days)


def _named_day(day: Day, today: date) -> date | ParseError:
    if day.kind == "today":
        return today
    if day.kind == "offset":
        return today + timedelta(days=day.offset)
    if day.kind == "weekday":
        # The next such day after today — never today itself.
        return today + timedelta(days=(day.weekday - today.weekday() - 1) % 7 + 1)
    if day.kind == "weekend":
        ahead = 1 if today.weekday() == 5 else (5 - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    if day.kind == "week_of":
        return _week_of(day, today)
    if day.kind == "nth":
        return _nth_day(day, today)
    if day.named_weekday >= 0:
        return _dated_weekday(day, today)
    if day.kind == "monthday":
        return _month_day(day.day, today)
    return _calendar_date(day, today)


def _dated_weekday(day: Day, today: date) -> date | ParseError:
    """ "Thu 15th": the next 15th that is a Thursday; "Monday, Feb 18": Feb 18, if it is one."""
    weekday = _DAY_NAMES[day.named_weekday]
    if day.kind == "monthday":
        first = today.replace(day=1)
        for ahead in range(13):
            month = _add_months(first, ahead)
            try:
                found = month.replace(day=day.day)
            except ValueError:
                continue
            if found >= today and found.weekday() == day.named_weekday:
                return found if found - today <= HORIZON else _TOO_FAR
        return ParseError(f"No {day.day} in the coming year is a {weekday}", EXAMPLE_DATE)
    dated = _calendar_date(replace(day, named_weekday=-1), today)
    if isinstance(dated, ParseError) or dated.weekday() == day.named_weekday:
        return dated
    return ParseError(
        f"{dated.day} {_month_name(dated.month)} {dated.year} is a "
        f"{_DAY_NAMES[dated.weekday()]}, not a {weekday} — which day did you mean?",
        EXAMPLE_DATE,
    )


def _week_of(day: Day, today: date) -> date | ParseError:
    """ "friday of next week": that weekday in the Monday-to-Sunday week `offset` on."""
    monday = today - timedelta(days=today.weekday())
    found = monday + timedelta(days=7 * day.offset + day.weekday)
    if found < today:
        return ParseError(
            f"{_DAY_NAMES[day.weekday]} this week has already passed — try next week",
            EXAMPLE_DATE,
        )
    return found


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _nth_in_month(year: int, month: int, order: int, weekday: int) -> date | None:
    """The `order`-th (-1: last) `weekday` (7: any day) of a month, if it has one."""
    first = date(year, month, 1)
    last = _add_months(first, 1) - timedelta(days=1)
    days = [first + timedelta(days=n) for n in range(last.day)]
    if weekday != 7:
        days = [d for d in days if d.weekday() == weekday]
    if order == -1:
        return days[-1]
    return days[order - 1] if order <= len(days) else None


def _nth_day(day: Day, today: date) -> date | ParseError:
    """ "first tuesday of october", "last day of next month": the next such day ahead."""
    if day.month == 0:
        start = _add_months(today.replace(day=1), day.offset)
        months = [(start.year, start.month)]
    elif day.year is not None:
        months = [(day.year, day.month)]
    else:
        months = [(today.year, day.month), (today.year + 1, day.month)]
    for year, month in months:
        found = _nth_in_month(year, month, day.day, day.weekday)
        if found is not None and found >= today:
            return found if found - today <= HORIZON else _TOO_FAR
    return ParseError("That day has already passed — pick one ahead", EXAMPLE_DATE)


def _month_day(number: int, today: date) -> date | ParseError:
    """ "on the 5th": this month's if still to come (today included), else the next one."""
    for ahead in range(3):
        first = _add_months(today.replace(day=1), ahead)
        try:
            candidate = first.replace(day=number)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return ParseError(f"No month in the coming weeks has a day {number}", EXAMPLE_DATE)


def _month_name(month: int) -> str:
    return MONTH_NAMES[month - 1]


def _calendar_date(day: Day, today: date) -> date | ParseError:
    name = f"{day.day} {_month_name(day.month)}"
    if day.year is not None:
        try:
            when = date(day.year, day.month, day.day)
        except ValueError:
            return ParseError(f"{name} {day.year} does not exist", EXAMPLE_DATE)
        if when < today:
            return ParseError(
                f"{name} {day.year} is in the past — a promise needs a date ahead", EXAMPLE_DATE
            )
        if when - today > HORIZON:
            return _TOO_FAR
        return when
    # No year: the next time that date comes round, today included.
    for year in (today.year, today.year + 1):
        try:
            when = date(year, day.month, day.day)
        except ValueError:
            continue
        if when >= today:
            return when
    return ParseError(f"{name} doesn't come round within the next year", EXAMPLE_DATE)


def _part_hour(hour: int, minute: int, name: str) -> tuple[int, int, int]:
    """A bare 1–12 hour read inside a part of the day: (days to add, hour, minute)."""
    if name == "morning":
        return (0, hour, minute)
    if name == "lunch":
        return (0, hour if hour >= 10 else hour + 12, minute)
    if name in ("afternoon", "eod"):
        return (0, 12 if hour == 12 else hour + 12, minute)
    if name == "evening":
        return (1, 0, minute) if hour == 12 else (0, hour + 12, minute)
    # night and bed: "tonight at 12" and "tonight at 1" are after midnight.
    if hour == 12:
        return (1, 0, minute)
    if hour <= 4:
        return (1, hour, minute)
    return (0, hour + 12, minute)


def _daytime_hour(clock: Clock) -> tuple[int, int, int]:
    """A bare hour on another day, with nothing to say morning or evening: people make
    promises in waking hours, so 7–12 are as written and 1–6 are afternoon or evening."""
    if clock.midnight:
        return (1, 0, 0)
    hour = clock.hour + 12 if clock.bare and 1 <= clock.hour <= 6 else clock.hour
    return (0, hour, clock.minute)


def _clock_in_part(clock: Clock, part: Part | None) -> tuple[int, int, int]:
    if clock.midnight:
        return (1, 0, 0)
    if clock.bare and part is not None:
        return _part_hour(clock.hour, clock.minute, part.name)
    return (0, clock.hour, clock.minute)


def _today(
    part: Part | None,
    clock: Clock | None,
    used: list[Token],
    now: datetime,
    tz: ZoneInfo,
    *,
    said_today: bool,
) -> _When | ParseError:
    """A time with no other day named: today's if still ahead, else the rules of §2."""
    today = now.astimezone(tz).date()
    if clock is None:
        hour, minute = (part.hour, part.minute) if part is not None else TODAY_HOUR
        when = _landed(at_clock(today, hour, minute, tz), today, hour, minute, used)
        if when.due > now:
            return _checked(when, now)
        if part is not None and part.mode == "next" and not said_today:
            # "in the morning" said in the evening: tomorrow morning.
            return _rolled(today + timedelta(days=1), hour, minute, used, now, tz)
        # The part of the day is already under way: check in an hour from now.
        return _checked(_When((now.astimezone(UTC) + LATE_PART).astimezone(tz), used), now)

    if clock.bare and part is None and not clock.midnight:
        # "at 7": the next of 07:00 and 19:00; "at 12": of 12:00 and the coming midnight.
        first = (0, clock.hour, clock.minute)
        second = (1, 0, clock.minute) if clock.hour == 12 else (0, clock.hour + 12, clock.minute)
        for offset, hour, minute in (first, second):
            day = today + timedelta(days=offset)
            when = _landed(at_clock(day, hour, minute, tz), day, hour, minute, used)
            if when.due > now:
                return _checked(when, now)
        offset, hour, minute = first
    else:
        offset, hour, minute = _clock_in_part(clock, part)
        day = today + timedelta(days=offset)
        when = _landed(at_clock(day, hour, minute, tz), day, hour, minute, used)
        if when.due > now:
            return _checked(when, now)
    if said_today:
        return ParseError(
            f"{hour:02d}:{minute:02d} today has already passed — pick a later time or another day",
            "call mom back tomorrow at 9",
        )
    return _rolled(today + timedelta(days=offset + 1), hour, minute, used, now, tz)


def _rolled(
    day: date, hour: int, minute: int, used: list[Token], now: datetime, tz: ZoneInfo
) -> _When | ParseError:
    """A clock time already past today, moved to tomorrow (and flagged so the reply says so)."""
    when = _landed(at_clock(day, hour, minute, tz), day, hour, minute, used)
    when.rolled = True
    return _checked(when, now)


def _on_date(
    day: date,
    part: Part | None,
    clock: Clock | None,
    used: list[Token],
    now: datetime,
    tz: ZoneInfo,
) -> _When | ParseError:
    """A time on a calendar day after today: a clock time, a part of the day, or 09:00."""
    if clock is not None:
        offset, hour, minute = _clock_in_part(clock, part) if part else _daytime_hour(clock)
    elif part is not None:
        offset, hour, minute = 0, part.hour, part.minute
    else:
        offset, hour, minute = 0, DEFAULT_HOUR, 0
    target = day + timedelta(days=offset)
    return _checked(_landed(at_clock(target, hour, minute, tz), target, hour, minute, used), now)


def _landed(wall: WallTime, day: date, hour: int, minute: int, used: list[Token]) -> _When:
    notes = [skipped_note(day, hour, minute, wall.at)] if wall.skipped else []
    return _When(wall.at, used, notes=notes)


def _checked(when: _When, now: datetime) -> _When | ParseError:
    if when.due <= now:
        return ParseError("That time has already passed — pick a time ahead", EXAMPLE_CLOCK)
    if when.due - now > HORIZON:
        return _TOO_FAR
    return when


# ----------------------------------------------------------------------------- routines


def _routine(plain: str, tokens: list[Token], tags: tuple[str, ...]) -> ParsedRoutine | ParseError:
    """ "every weekday at 9 …": weekdays from the routine words, the time as for a day."""
    if any(isinstance(t.value, Day) for t in tokens) or any(
        isinstance(t.value, Duration) and t.value.strong for t in tokens
    ):
        return ParseError(
            "A routine repeats on its own days — leave out the date or the delay",
            EXAMPLE_ROUTINE,
        )
    recurs = [t for t in tokens if isinstance(t.value, Recur)]
    days: set[int] = set()
    part: Part | None = None
    for token in recurs:
        assert isinstance(token.value, Recur)
        days.update(token.value.days)
        part = token.value.part or part
    clocks = [t for t in tokens if isinstance(t.value, Clock)]
    parts = [t for t in tokens if isinstance(t.value, Part) and not (clocks and _part(t).moment)]
    if parts:
        part = _part(parts[-1])
    if clocks:
        clock = clocks[-1].value
        assert isinstance(clock, Clock)
        _, hour, minute = _clock_in_part(clock, part) if part else _daytime_hour(clock)
    elif part is not None:
        hour, minute = part.hour, part.minute
    else:
        hour, minute = DEFAULT_HOUR, 0
    used = [*recurs, *parts[-1:], *clocks[-1:]]
    task = clean_task(cut_out(plain, [(t.start, t.end) for t in used]))
    if not task:
        return _NO_ROUTINE_TASK
    return ParsedRoutine(task, Recurrence(tuple(sorted(days)), hour, minute), tags)
