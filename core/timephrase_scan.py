"""Finding the pieces of a time phrase in a message: durations, clock times, parts of the
day, days and dates, and routine rules.

Each piece is found by its own small regex (compiled once) and read into a typed value;
the pieces are then combined by core.timephrase. Every regex is anchored on word edges
so that "at", "in", "may", "sat", "second" inside ordinary task text are left alone: an
ambiguous word only counts next to the words that make it a time ("on Sat", "5 May").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from core.numbers import HOUR_WORDS, NUMBER_WORD, VAGUE_AMOUNT, is_vague, word_value
from core.timephrase_recur import EVERY_DAY, WEEKDAYS, WEEKEND

# ----------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Duration:
    """ "in 2 hours" (an absolute span) or "in 3 days" (calendar days on the wall clock)."""

    seconds: float
    days: int = 0
    months: int = 0
    strong: bool = True  # said with "in"/"within"/"from now"; a bare "10 minutes" is weak
    anchored: bool = False  # "2 days (after tomorrow)": only a time counted from another
    text: str = ""


@dataclass(frozen=True, slots=True)
class Clock:
    hour: int
    minute: int
    bare: bool = False  # 1–12 with no am/pm: morning or evening is decided later
    midnight: bool = False  # the midnight at the end of the day, not its start


PartName = Literal["morning", "lunch", "afternoon", "eod", "evening", "night", "bed"]
PART_TIMES: dict[str, tuple[int, int]] = {
    "morning": (9, 0),
    "lunch": (12, 0),
    "afternoon": (15, 0),
    "eod": (18, 0),
    "evening": (19, 0),
    "night": (20, 0),
    "bed": (22, 0),
}


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the day. "this" parts mean today; "in the morning" means the next one;
    a plain "evening" only counts beside a day ("Friday evening") or a routine."""

    name: str
    mode: Literal["this", "next", "plain"]
    hour: int
    minute: int
    moment: bool = False  # a meal or "after work": beside a clock time it is task text


DayKind = Literal[
    "today", "offset", "weekday", "date", "monthday", "weekend", "week_of", "nth", "month_of"
]


@dataclass(frozen=True, slots=True)
class Day:
    kind: DayKind
    offset: int = 0  # "tomorrow" = 1, "the day after tomorrow" = 2
    weekday: int = 0
    year: int | None = None
    month: int = 0
    day: int = 0
    # week_of: `weekday` in the week `offset` weeks from this one ("friday of next week");
    # nth: the `day`-th (-1: last) `weekday` (7: any day) of `month` (0: `offset` months on)
    # in `year` if given ("first tuesday of october", "last day of next month").
    shift_days: int = 0  # "2 days after tomorrow": moved on from the day named
    shift_months: int = 0
    named_weekday: int = -1  # "Thu 15th", "Monday, Feb 18": the date must fall on that day


@dataclass(frozen=True, slots=True)
class Recur:
    days: tuple[int, ...]
    part: Part | None = None


@dataclass(frozen=True, slots=True)
class Bad:
    """A phrase that is clearly meant as a time but cannot be one."""

    reason: str
    example: str


Value = Duration | Clock | Part | Day | Recur | Bad


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    value: Value


Reader = Callable[[re.Match[str]], Value | None]


# ----------------------------------------------------------------------------- words

_B = r"(?<![\w#@])"  # a word starts here (and is not part of a #tag or @handle)
_E = r"(?![\w])"  # a word ends here
_CLOCK_PRE = (
    r"(?:at|by|around|about|before|until|till|til|from|after|"
    r"no\s+later\s+than|not\s+later\s+than|latest\s+by|@)"
)
_DAY_PRE = r"(?:on|by|before|until|till|for|from|after)"
# "pm", "p.m.", "p m", and right after a digit a lone letter: "3p", "3:18a", "at 11a".
_MER = r"(?:in\s+the\s+)?(?P<mer>[ap])(?:\.?\s?m\b\.?|(?<=\d[ap])\.?(?!\w))"
_HOURWORD = "|".join(HOUR_WORDS)
# Minutes said as words after an hour: "three twenty", "four twenty-three", "seven oh five".
_MINUTE_ONES = "one|two|three|four|five|six|seven|eight|nine"
_MINUTEWORD = (
    rf"(?:twenty|thirty|forty|fifty)(?:[\s-]+(?:{_MINUTE_ONES}))?|ten|eleven|twelve|thirteen|"
    rf"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|oh[\s-]+(?:{_MINUTE_ONES})"
)

_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ABBR = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "weds": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
# Abbreviations that are also ordinary words need a preposition in front ("on Sat").
_RISKY_ABBR = "mon|wed|sat|sun"
_SAFE_ABBR = "tues|tue|thurs|thur|thu|fri|weds"
_FULL_DAY = "|".join(_FULL_DAYS)
# "sat at 10", "sun 9am", "sat morning": a short form that can only be a day here.
_SHORT_DAY_AHEAD = (
    r"(?=,?\s+(?:at\s+\d|@\s*\d|\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\b|o['’]?clock)|"
    r"(?:morning|afternoon|evening|night|lunch(?:time)?|noon)\b|the\s+\d{1,2}(?:st|nd|rd|th)\b))"
)
_ANY_DAY = rf"(?:{_FULL_DAY}|tues|tue|thurs|thur|thu|fri|weds|wed|mon|sat|sun)"

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
MONTH_NAMES = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

_FLAGS = re.IGNORECASE
#: How far back a reader looks for the word before a match ("for 10 minutes"): a bounded
#: window, so that a long message is not searched again from its start for every match.
_LOOK_BACK = 40


def day_number(word: str) -> int:
    word = word.lower().rstrip(".")
    for index, name in enumerate(_FULL_DAYS):
        if word == name or word == name + "s":
            return index
    if word.endswith("s") and word[:-1] in _DAY_ABBR and word not in _DAY_ABBR:
        word = word[:-1]
    return _DAY_ABBR[word]


def month_number(word: str) -> int:
    return _MONTHS[word.lower()[:3]]


# ----------------------------------------------------------------------------- errors


def quoted(text: str) -> str:
    """What the user wrote, in quotes, on one line: error reasons are a single line."""
    return '"' + " ".join(text.split()) + '"'


EXAMPLE_RELATIVE = "call mom back in 5 minutes"
EXAMPLE_CLOCK = "call mom back at 19:00"
EXAMPLE_DATE = "pay the rent on 5 Dec"
EXAMPLE_ROUTINE = "every day at 8am: phone away at breakfast"


def _bad_clock(text: str) -> Bad:
    return Bad(
        f"{quoted(text)} is not a time of day (hours go 0–23, minutes 0–59)",
        EXAMPLE_CLOCK,
    )


# ----------------------------------------------------------------------------- clocks

_CLOCK_COLON = re.compile(
    rf"{_B}(?:(?P<pre>{_CLOCK_PRE})\s*)?(?<![\d.:/])(?P<h>\d{{1,2}})(?P<sep>[:.])(?P<m>\d{{2}})"
    rf"(?::[0-5]\d)?(?![\d]|[:.]\d)(?:\s*{_MER})?{_E}",
    _FLAGS,
)
# What may follow a clock written without a colon ("at 1730", "12 15", "330 p.m."): the end
# of the message or a word that belongs to a time, never a noun ("at 101 points").
_CLOCK_END = (
    r"(?=\s*(?:$|[,;!?)]|\.(?!\d)|in\s+the\s|tonight|tonite|tomorrow|tmrw|today|this\s|"
    r"on\s|next\s|at\s+night|o['’]?\s*clock|(?:" + _ANY_DAY + r")\.?(?!\w)))"
)
# "13h30", "at 15h00", "15h": the French-style clock (after "in" it is a duration: "in 2h30").
_CLOCK_H = re.compile(
    rf"{_B}(?:(?P<pre>{_CLOCK_PRE})\s*)?(?<![\d.:/])(?P<h>\d{{1,2}})h(?P<m>[0-5]\d)?{_E}",
    _FLAGS,
)
# "at 1730", "around 1030", "330 p.m.", "730 in the evening", "tomorrow at 150ish".
_CLOCK_COMPACT = re.compile(
    rf"{_B}(?:(?P<pre>{_CLOCK_PRE}|approximately|approx\.?)\s*)?(?<![\d.:/,$£€])"
    rf"(?P<h>\d{{1,2}})(?P<m>[0-5]\d)(?:\s*ish)?(?:\s*{_MER}{_E}|{_E}{_CLOCK_END})",
    _FLAGS,
)
# "at 3 15", "12 15": hour and minutes apart, only where nothing else can follow.
_CLOCK_SPACED = re.compile(
    rf"{_B}(?:(?P<pre>{_CLOCK_PRE})\s+)?(?<![\d.:/,])(?P<h>\d{{1,2}})\s(?P<m>[0-5]\d)"
    rf"(?:\s*{_MER}{_E}|{_E}{_CLOCK_END})",
    _FLAGS,
)
_NOT_BEFORE_CLOCK_H = re.compile(
    r"\b(?:in|within|for|after|every|each|per|another|like|just|only|than)\s*$", _FLAGS
)
_CLOCK_MER = re.compile(
    rf"{_B}(?:(?P<pre>{_CLOCK_PRE})\s*)?(?<![\d.:/])(?P<h>\d{{1,2}}|{_HOURWORD})"
    rf"(?:\s+(?P<mw>{_MINUTEWORD}))?(?:\s*ish|\s*o['’]?\s*clock)?\s*{_MER}{_E}",
    _FLAGS,
)
_PART_AHEAD = (
    r"(?=\s+(?:in\s+the\s+(?:morning|afternoon|evening)|tonight|tonite|at\s+night|"
    r"this\s+(?:morning|afternoon|evening)|tomorrow|tmrw|(?:on\s+)?(?:" + _FULL_DAY + r")))"
)
_CLOCK_BARE = re.compile(
    rf"{_B}(?:(?P<pre>{_CLOCK_PRE})\s+(?<![\d.:/])(?P<h>\d{{1,2}}|{_HOURWORD})"
    rf"(?:\s+(?P<mw>{_MINUTEWORD}))?(?:\s*o['’]?\s*clock)?(?![\w:.,]\d|\d|\w)"
    rf"|(?<![\d.:/])(?P<h2>\d{{1,2}}|{_HOURWORD})(?:\s+(?P<mw2>{_MINUTEWORD}))?"
    rf"(?:\s*o['’]?\s*clock{_E}|{_E}{_PART_AHEAD}))",
    _FLAGS,
)
_NOON = re.compile(
    rf"{_B}(?:(?P<pre>{_CLOCK_PRE})\s+)?(?:12\s*)?(?P<w>noon|midday|mid[\s-]day|midnight|mid[\s-]night)"
    rf"{_E}",
    _FLAGS,
)
_PAST = re.compile(
    rf"{_B}(?:(?P<pre>{_CLOCK_PRE})\s+)?(?P<q>half|(?:a\s+)?quarter|\d{{1,2}}|{NUMBER_WORD})"
    rf"(?:\s+minutes?)?\s+(?P<dir>past|after|to|before|till|til|of)\s+"
    rf"(?:(?P<h>\d{{1,2}}|{_HOURWORD})(?:\s*{_MER}|{_E})|(?P<noon>noon|midday|midnight){_E})",
    _FLAGS,
)
# "half three" is British for 3:30; only an hour can follow, never a unit ("half 3 hours").
_HALF_HOUR = re.compile(
    rf"{_B}(?:(?P<pre>{_CLOCK_PRE})\s+)?half\s+(?P<h>\d{{1,2}}|{_HOURWORD})(?:\s*{_MER}|{_E})"
    rf"(?!\s*(?:and|[-/.,:]\s*\d|hours?|hrs?|minutes?|mins?|days?|weeks?|months?|years?|"
    rf"dozen|of|an?){_E})",
    _FLAGS,
)


def _hour_value(text: str) -> int | None:
    text = text.lower()
    if text.isdigit():
        return int(text)
    return HOUR_WORDS.get(text)


def _minute_word(text: str | None) -> int:
    if not text:
        return 0
    words = re.sub(r"[\s-]+", " ", text.lower()).split()
    if words[0] == "oh":
        words = words[1:]
    return word_value(" ".join(words)) or 0


def _with_meridiem(hour: int, minute: int, mer: str | None, raw: str) -> Clock | Bad:
    if mer is None:
        if hour > 23 or minute > 59:
            return _bad_clock(raw)
        return Clock(hour, minute, bare=1 <= hour <= 12)
    if minute > 59 or hour > 23:
        return _bad_clock(raw)
    pm = mer.lower() == "p"
    if hour > 12 or hour == 0:
        if pm and hour > 12 and raw.count(":"):
            return Clock(hour, minute)  # "13:30pm": a 24-hour time with a stray suffix
        return Bad(
            f"{quoted(raw)} is not a time — write it as 13:00 or 1pm",
            EXAMPLE_CLOCK,
        )
    hour = hour % 12 + (12 if pm else 0)
    return Clock(hour, minute)


def _colon(m: re.Match[str]) -> Value | None:
    if m["sep"] == "." and not m["pre"] and not m["mer"]:
        return None  # "2.50" is a price, not a time
    hour, minute = int(m["h"]), int(m["m"])
    if (hour > 23 or minute > 59) and not m["pre"] and not m["mer"]:
        return None  # "won 25:19" is a score; only "at 25:99" is a wrong time
    if hour == 24 and minute == 0 and not m["mer"]:
        return Clock(0, 0, midnight=True)
    clock = _with_meridiem(hour, minute, m["mer"], m.group(0))
    if isinstance(clock, Clock) and (m["h"].startswith("0") or hour == 0) and not m["mer"]:
        return Clock(clock.hour, clock.minute)  # "07:30" is a 24-hour clock
    return clock


def _clock_h(m: re.Match[str]) -> Value | None:
    hour = int(m["h"])
    if not m["pre"] and _NOT_BEFORE_CLOCK_H.search(
        m.string, max(0, m.start() - _LOOK_BACK), m.start()
    ):
        return None  # "for 2h30" is how long, not when
    if m["m"] is None and hour < 13 and not m["pre"]:
        return None  # "2h" alone is more likely two hours than two o'clock
    if hour > 23:
        return None
    return Clock(hour, int(m["m"] or 0))


def _compact(m: re.Match[str]) -> Value | None:
    hour, minute = int(m["h"]), int(m["m"])
    if not m["pre"] and not m["mer"] and len(m["h"]) == 2 and 19 <= hour <= 20:
        return None  # "2026" alone is a year more often than 20:26
    if hour > 23:
        return None
    if m["mer"]:
        return _with_meridiem(hour, minute, m["mer"], m.group(0))
    if m["h"].startswith("0") or hour == 0 or hour > 12:
        return Clock(hour, minute)
    return Clock(hour, minute, bare=True)


def _spaced(m: re.Match[str]) -> Value | None:
    hour, minute = int(m["h"]), int(m["m"])
    if hour > 23 or (not m["pre"] and not m["mer"] and not 1 <= hour <= 12):
        return None
    if m["mer"]:
        return _with_meridiem(hour, minute, m["mer"], m.group(0))
    return Clock(hour, minute, bare=1 <= hour <= 12)


def _mer(m: re.Match[str]) -> Value | None:
    hour = _hour_value(m["h"])
    if hour is None:
        return None
    return _with_meridiem(hour, _minute_word(m["mw"]), m["mer"], m.group(0))


def _bare(m: re.Match[str]) -> Value | None:
    hour = _hour_value(m["h"] or m["h2"])
    if hour is None or hour > 23:
        return None
    return Clock(hour, _minute_word(m["mw"] or m["mw2"]), bare=1 <= hour <= 12)


def _noon(m: re.Match[str]) -> Value:
    if "night" in m["w"].lower():
        return Clock(0, 0, midnight=True)
    return Clock(12, 0)


_FOR_BEFORE = re.compile(r"\bfor\s*$", _FLAGS)


def _past(m: re.Match[str]) -> Value | None:
    q = m["q"].lower()
    if q == "half":
        minutes = 30
    elif q.endswith("quarter"):
        minutes = 15
    elif q.isdigit():
        minutes = int(q)
    else:
        minutes = word_value(q) or 0
    if not 0 < minutes < 60:
        return None
    direction = m["dir"].lower()
    if (
        not m["pre"]
        and "minute" in m.group(0).lower()
        and _FOR_BEFORE.search(m.string, max(0, m.start() - _LOOK_BACK), m.start())
    ):
        return None  # "meditate for 10 minutes after 7": how long, then when
    before = direction in ("to", "before", "till", "til", "of")
    if direction == "of" and not q.endswith("quarter"):
        return None  # "half of 5", "10 of 12" are not times; "a quarter of 3" is 2:45
    if m["noon"]:
        hour, bare = (0 if "night" in m["noon"].lower() else 12), False
    else:
        value = _hour_value(m["h"])
        if value is None or value > 23:
            return None
        if m["mer"]:
            clock = _with_meridiem(value, 0, m["mer"], m.group(0))
            if isinstance(clock, Bad):
                return clock
            value = clock.hour
        elif before and q.isdigit() and not re.search(r"minute", m.group(0), _FLAGS):
            return None  # "5 to 7" is a range, not a clock
        hour, bare = value, not m["mer"] and 1 <= value <= 12
    if before:
        hour, minute = (hour - 1) % 24, 60 - minutes
        if bare and hour == 0:
            hour = 12  # "a quarter to 1": 12:45, noon or midnight decided later
    else:
        minute = minutes
    return Clock(hour, minute, bare=bare and 1 <= hour <= 12)


def _half_hour(m: re.Match[str]) -> Value | None:
    hour = _hour_value(m["h"])
    if hour is None or not 1 <= hour <= 12:
        return None
    if m["mer"]:
        return _with_meridiem(hour, 30, m["mer"], m.group(0))
    return Clock(hour, 30, bare=True)


# ----------------------------------------------------------------------------- durations

_AMOUNT = rf"(?:-\s*)?\d{{1,12}}(?:\.\d{{1,6}})?|[1-9]/[1-9]|{NUMBER_WORD}|{VAGUE_AMOUNT}"
_UNIT = (
    r"seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w|"
    r"fortnights?|months?|mos?|mths?|years?|yrs?|'|\""
)
_PIECE = (
    rf"(?:(?P<amt{{n}}>{_AMOUNT})(?P<and{{n}}>\s+and\s+an?\s+half)?\s*"
    rf"(?:(?:more|extra|additional)\s+)?"
    rf"(?P<unit{{n}}>{_UNIT})(?:\s+and\s+an?\s+(?P<frac{{n}}>half|quarter))?(?!\w)"
    rf"|(?P<half{{n}}>half\s+(?:an?\s+)?(?:hour|hr|day|minute|min)|"
    rf"(?:(?:a|one|three)[\s-]+)?quarters?\s+(?:of\s+)?(?:an?\s+)?hour|half-hour))"
)
_MORE_PIECE = r"(?:\s*,?\s*(?:and\s+)?"
_DURATION_TEXT = (
    rf"(?P<hm>\d{{1,2}})h(?P<hmm>\d{{2}})(?:m|min)?{_E}|"
    + _PIECE.replace("{n}", "1")
    + "".join(_MORE_PIECE + _PIECE.replace("{n}", str(n)) + ")?" for n in (2, 3, 4))
)
_DURATION = re.compile(
    rf"{_B}(?:(?P<pre>in|within|after)\s+(?:(?:about|around|approx\.?|approximately|roughly|"
    rf"like|just|another|only|maybe)\s+)?)?(?<![\d.])(?:{_DURATION_TEXT})"
    rf"(?P<post>\s+from\s+(?:right\s+)?now|\s+later|\s+hence|['’]?\s+time)?(?!\s+ago{_E})",
    _FLAGS,
)
_SOON = re.compile(
    rf"{_B}(?:in\s+a\s+(?:little\s+)?bit|soon(?:ish)?|shortly|in\s+a\s+moment|"
    rf"in\s+a\s+(?:sec|second|tick|jiffy)|asap|a\.s\.a\.p\.?|as\s+soon\s+as\s+possible|right\s+away|"
    rf"straight\s+away){_E}",
    _FLAGS,
)
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "'": 60,
    '"': 1,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
}
_UNIT_DAYS = {
    "d": 1,
    "day": 1,
    "days": 1,
    "w": 7,
    "wk": 7,
    "wks": 7,
    "week": 7,
    "weeks": 7,
    "fortnight": 14,
    "fortnights": 14,
}
_UNIT_MONTHS = {"month": 1, "months": 1, "year": 12, "years": 12, "yr": 12, "yrs": 12}
_UNIT_MONTHS |= {"mo": 1, "mos": 1, "mth": 1, "mths": 1}
_BARE_UNITS = {"min", "mins", "minute", "minutes", "hr", "hrs", "hour", "hours"}
_BARE_UNITS |= {"sec", "secs", "second", "seconds"}
_NOT_BEFORE_BARE = re.compile(
    r"\b(?:for|every|each|per|a|an|than|last|past|first|next|those|these|the|of|only)\s*$",
    _FLAGS,
)
_NOT_AFTER_BARE = re.compile(
    r"\s+(?:late|early|behind|longer|more|earlier|faster|slower|walk|drive|away)\b", _FLAGS
)
#: Beyond this a duration cannot be a promise's time; checked before building a timedelta.
MAX_SECONDS = 366 * 86400


def _amount(text: str) -> float | None:
    text = text.strip()
    if text[:1] == "-":
        return -1.0
    if "/" in text:
        top, bottom = text.split("/")
        return int(top) / int(bottom)
    if text[:1].isdigit():
        return float(text)
    value = word_value(text)
    return None if value is None else float(value)


def _piece(m: re.Match[str], n: int) -> tuple[float, int, int] | None:
    """(seconds, days, months) of one "2 hours"/"half an hour" piece."""
    half = m[f"half{n}"]
    if half:
        half = half.lower()
        if "three" in half:
            return (2700.0, 0, 0)
        if "quarter" in half:
            return (900.0, 0, 0)
        if "day" in half:
            return (43200.0, 0, 0)
        if "min" in half:
            return (30.0, 0, 0)
        return (1800.0, 0, 0)
    amount = _amount(m[f"amt{n}"])
    if amount is None:
        return None
    if amount < 0:
        return (-1.0, 0, 0)
    if m[f"and{n}"]:
        amount += 0.5
    frac = m[f"frac{n}"]
    if frac:
        amount += 0.5 if frac.lower() == "half" else 0.25
    unit = m[f"unit{n}"].lower()
    if unit in _UNIT_SECONDS:
        return (amount * _UNIT_SECONDS[unit], 0, 0)
    if unit in _UNIT_DAYS:
        days = amount * _UNIT_DAYS[unit]
        if days != int(days):
            return (days * 86400, 0, 0)
        return (0.0, int(days), 0)
    months = amount * _UNIT_MONTHS[unit]
    if months != int(months):
        return (months * 30 * 86400, 0, 0)
    return (0.0, 0, int(months))


def _duration(m: re.Match[str]) -> Value | None:
    strong = bool(m["pre"] or m["post"])
    if m["hm"] and not strong:
        return None  # "13h30" without "in" is a clock time
    if m["hm"]:
        hours, minutes = int(m["hm"]), int(m["hmm"])
        if minutes > 59:
            return None
        return Duration(hours * 3600.0 + minutes * 60, strong=strong, text=m.group(0))
    pieces = [_piece(m, 1)]
    pieces += [_piece(m, n) for n in (2, 3, 4) if m[f"amt{n}"] or m[f"half{n}"]]
    if any(p is None for p in pieces):
        return None
    seconds = sum(p[0] for p in pieces if p)
    days = sum(p[1] for p in pieces if p)
    months = sum(p[2] for p in pieces if p)
    anchored = False
    if not strong:
        # A bare "10 minutes" is a time only when nothing says it is something else:
        # "for 10 minutes", "a 10 minute walk", "5 m" (metres), "a day off" are not.
        unit = (m["unit1"] or "").lower()
        amount_text = m["amt1"] or ""
        anchored = _FROM.match(m.string, m.end()) is not None
        if (m["half1"] or unit not in _BARE_UNITS or is_vague(amount_text)) and not anchored:
            return None
        if unit and unit[-1] != "s" and len(unit) > 3 and _amount(amount_text) not in (1.0, None):
            return None  # "10 minute" reads as an adjective
        if _NOT_BEFORE_BARE.search(m.string, max(0, m.start() - _LOOK_BACK), m.start()):
            return None
        if _NOT_AFTER_BARE.match(m.string, m.end()):
            return None  # "I'll be 5 min late" is how late, not when
    if any(p and p[0] < 0 for p in pieces):
        return Bad(
            f"{quoted(m.group(0))} is in the past — a promise needs a time ahead",
            EXAMPLE_RELATIVE,
        )
    if seconds == 0 and days == 0 and months == 0:
        return Bad(f"{quoted(m.group(0))} is right now — give a time ahead", EXAMPLE_RELATIVE)
    if seconds + days * 86400 + months * 28 * 86400 > MAX_SECONDS:
        return Bad(
            f"{quoted(m.group(0))} is more than a year ahead — promises are for the next year",
            EXAMPLE_RELATIVE,
        )
    return Duration(seconds, days, months, strong=strong, anchored=anchored, text=m.group(0))


def _soon(m: re.Match[str]) -> Value:
    return Duration(900.0, text=m.group(0))


# "next hour" is an hour from now; "next day", "the following day" are tomorrow.
_NEXT_HOUR = re.compile(rf"{_B}(?:in\s+|within\s+)?(?:the\s+)?next\s+hour{_E}", _FLAGS)
_NEXT_DAY = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?:the\s+)?(?:next|following)\s+day{_E}(?!['’]s)", _FLAGS
)


def _next_hour(m: re.Match[str]) -> Value:
    return Duration(3600.0, text=m.group(0))


def _next_day(m: re.Match[str]) -> Value:
    return Day("offset", offset=1)


# "back in 5": a number with no unit, ending the phrase, is minutes.
_IN_MINUTES = re.compile(
    rf"{_B}in\s+(?:(?:about|around|like|another|just)\s+)?"
    rf"(?P<n>\d{{1,3}}|{NUMBER_WORD}|a\s+few|a\s+couple|few)"
    r"(?=\s*(?:[,.;:!?)]|$))",
    _FLAGS,
)


def _in_minutes(m: re.Match[str]) -> Value | None:
    amount = _amount(m["n"])
    if amount is None:
        return None
    if amount == 0:
        return Bad(f"{quoted(m.group(0))} is right now — give a time ahead", EXAMPLE_RELATIVE)
    return Duration(amount * 60, text=m.group(0))


# ----------------------------------------------------------------------------- days

_TODAY = re.compile(rf"{_B}(?:{_DAY_PRE}\s+)?(?:later\s+)?(?:today|tdy|2day){_E}", _FLAGS)
_TOMORROW = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?P<after>(?<!\d\s)(?<!\d)(?:the\s+)?day\s+after\s+)?"
    rf"(?:tomorrows?|tomorow|tommorow|tommorrow|tomorrw|tmrw|tmrrw|tmr|tmw|2morrow|2moro){_E}",
    _FLAGS,
)
# "Monday's report" names a thing, not a time.
_NOT_POSSESSIVE = rf"(?!['’]s{_E})"
_WEEKDAY = re.compile(
    rf"{_B}(?:(?P<pre>{_DAY_PRE})\s+)?(?:(?:next|this|coming|this\s+coming)\s+)?"
    rf"(?P<wd>{_FULL_DAY}|{_SAFE_ABBR})\.?{_E}{_NOT_POSSESSIVE}"
    rf"|{_B}(?:(?:{_DAY_PRE}|next|this|coming)\s+)+(?P<wd2>{_RISKY_ABBR})\.?{_E}"
    rf"{_NOT_POSSESSIVE}"
    rf"|{_B}(?P<wd3>mon|wed)\.(?!\w)"
    rf"|{_B}(?<!the )(?<!a )(?<!my )(?<!our )(?P<wd4>{_RISKY_ABBR}){_SHORT_DAY_AHEAD}",
    _FLAGS,
)
_WEEKEND = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+|at\s+|over\s+)?(?:this|the|next|coming)\s+(?:week[\s-]?end|wkend)"
    rf"{_E}",
    _FLAGS,
)
_NEXT_WEEK = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?:the\s+)?(?:next|following|upcoming|coming)\s+week{_E}"
    rf"(?!\s*(?:end|day))",
    _FLAGS,
)
_ORD_ONES = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
}
_ORD_WORDS = {
    **{f"twenty {w}": 20 + n for w, n in _ORD_ONES.items()},
    "thirty first": 31,
    "twentieth": 20,
    "thirtieth": 30,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    **_ORD_ONES,
}
_ORD_WORD = "|".join(w.replace(" ", r"[\s-]+") for w in _ORD_WORDS)
_DAY_NUMBER = rf"(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?|(?P<dw>{_ORD_WORD}))"
_MONTH_WORDS_ENDING = (
    r"(?=\s*(?:$|[,;!?)]|\.(?!\d)|at\s|in\s+the\s|by\s|tonight|morning|afternoon|evening|"
    r"\d{4}))"
)
# "first of march", "the second of march", "May twenty-fourth", "march third 2027".
_DATE_WORD_DM = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?:the\s+)?(?P<dw>{_ORD_WORD})\s+of\s+{_MONTH}"
    rf"(?:,?\s*(?P<y>\d{{4}}))?{_E}",
    _FLAGS,
)
_DATE_WORD_MD = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?{_MONTH}\s+(?:the\s+)?(?P<dw>{_ORD_WORD}){_E}"
    rf"(?:,?\s*(?P<y>\d{{4}}){_E})?{_MONTH_WORDS_ENDING}",
    _FLAGS,
)
# "20th of next month", "20 of this month", "the 20th day of next month".
_DAY_OF_MONTH = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?:the\s+)?{_DAY_NUMBER}(?:\s+day)?\s+of\s+(?:the\s+)?"
    rf"(?P<rel>this|next|current|following|coming|previous|last)\s+month{_E}",
    _FLAGS,
)
# "on the first", "by the fifteenth".
_MONTHDAY_WORD = re.compile(
    rf"{_B}(?:{_DAY_PRE})\s+the\s+(?P<dw>{_ORD_WORD}){_E}{_MONTH_WORDS_ENDING}",
    _FLAGS,
)
# Days with a fixed date that people name instead.
_HOLIDAYS = {
    "christmas eve": (12, 24),
    "xmas eve": (12, 24),
    "christmas": (12, 25),
    "christmas day": (12, 25),
    "xmas": (12, 25),
    "boxing day": (12, 26),
    "new year's eve": (12, 31),
    "new years eve": (12, 31),
    "nye": (12, 31),
    "new year's day": (1, 1),
    "new years day": (1, 1),
    "valentine's day": (2, 14),
    "valentines day": (2, 14),
    "valentine day": (2, 14),
    "halloween": (10, 31),
}
_HOLIDAY_NAMES = "|".join(
    sorted((k.replace(" ", r"\s+") for k in _HOLIDAYS), key=len, reverse=True)
)
_HOLIDAY = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+|at\s+)?(?:this\s+|next\s+)?(?P<name>{_HOLIDAY_NAMES}){_E}", _FLAGS
)
_DATE_DM = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?:the\s+)?(?<![\d.:/])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:\s+of)?[\s-]*{_MONTH}(?:,?[\s-]*(?P<y>\d{{4}}))?{_E}",
    _FLAGS,
)
_DATE_MD = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?{_MONTH}\s*(?:the\s+)?(?<![\d])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"{_E}(?![:.]\d)(?:,?\s*(?P<y>\d{{4}}){_E})?",
    _FLAGS,
)
_DATE_ISO = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?P<y>\d{{4}})-(?P<mo>\d{{1,2}})-(?P<d>\d{{1,2}})(?![\w-])",
    _FLAGS,
)
_MONTHDAY = re.compile(
    rf"{_B}(?:(?:{_DAY_PRE})\s+(?:the\s+)?|the\s+)(?P<d>\d{{1,2}})(?:st|nd|rd|th){_E}"
    rf"(?!\s+(?:of\s+)?{_MONTH})",
    _FLAGS,
)


def _today(m: re.Match[str]) -> Value:
    return Day("today")


_WD = rf"(?P<wd>{_FULL_DAY}|{_SAFE_ABBR}|{_RISKY_ABBR})\.?"
_WHICH_WEEK = r"(?P<which>next|this|following|coming|upcoming|current)\s+week"
# "friday of next week", "on Tuesday, next week", "next week friday", "monday of this week".
_WEEK_OF = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?:(?:this|next)\s+)?{_WD},?\s+(?:of\s+|in\s+)?(?:the\s+)?"
    rf"{_WHICH_WEEK}{_E}"
    rf"|{_B}(?:{_DAY_PRE}\s+)?(?:the\s+)?{_WHICH_WEEK.replace('which', 'which2')}(?:['’]s)?"
    rf",?\s+(?:on\s+)?{_WD.replace('wd', 'wd2')}{_E}",
    _FLAGS,
)
# "friday after next": the one after the coming one.
_AFTER_NEXT = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?:the\s+)?(?P<wd>{_FULL_DAY}|{_SAFE_ABBR})\.?\s+after\s+next{_E}",
    _FLAGS,
)
# "3 fridays from now", "two sundays from now": the third coming Friday.
_COUNTED_DAYS = re.compile(
    rf"{_B}(?P<n>\d{{1,2}}|{NUMBER_WORD})\s+(?P<wd>{_FULL_DAY})s\s+"
    rf"(?:from\s+(?:now|today)|later|hence){_E}",
    _FLAGS,
)
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
    "final": -1,
}
# "first tuesday of october", "last friday of october 2027", "the first Monday of next
# month", "last day of the month", "third day of october".
_NTH = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?:the\s+)?(?P<ord>{'|'.join(_ORDINALS)})\s+"
    rf"(?P<wd>{_FULL_DAY}|{_SAFE_ABBR}|{_RISKY_ABBR}|day)\.?\s+(?:of|in)\s+(?:the\s+)?"
    rf"(?:(?P<rel>this|next|following|coming|current)\s+month|(?P<plain>month)"
    rf"|{_MONTH}(?:,?\s+(?P<y>\d{{4}}))?){_E}",
    _FLAGS,
)
# A weekday or week already gone: never read as the coming one.
_PAST_DAY = re.compile(
    rf"{_B}(?:(?:last|past|previous)\s+(?:{_FULL_DAY}|{_SAFE_ABBR}|week|month|year|night|weekend)"
    rf"|(?:{_FULL_DAY})\s+from\s+last\s+week|yesterday|yday"
    rf"|(?:\d{{1,4}}|{NUMBER_WORD}|an?|a\s+few|a\s+couple\s+of)\s+"
    rf"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|fortnights?)"
    rf"\s+(?:ago|back)){_E}(?!\s+(?:of|in)\s)",
    _FLAGS,
)


def _week_of(m: re.Match[str]) -> Value:
    which = (m["which"] or m["which2"]).lower()
    weeks = 0 if which in ("this", "current") else 1
    return Day("week_of", offset=weeks, weekday=day_number(m["wd"] or m["wd2"]))


def _after_next(m: re.Match[str]) -> Value:
    return Day("weekday", weekday=day_number(m["wd"]), shift_days=7)


def _counted_days(m: re.Match[str]) -> Value | None:
    count = _count(m["n"])
    if count is None or not 1 <= count <= 52:
        return None
    return Day("weekday", weekday=day_number(m["wd"]), shift_days=7 * (count - 1))


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() else word_value(text)


def _nth(m: re.Match[str]) -> Value | None:
    which = m["wd"].lower()
    weekday = 7 if which == "day" else day_number(which)
    order = _ORDINALS[m["ord"].lower()]
    if m["mon"]:
        month, offset = month_number(m["mon"]), 0
    else:
        month = 0
        offset = 0 if m["plain"] or (m["rel"] or "").lower() in ("this", "current") else 1
    year = int(m["y"]) if m["y"] else None
    return Day("nth", offset=offset, weekday=weekday, year=year, month=month, day=order)


def _past_day(m: re.Match[str]) -> Value:
    return Bad(
        f"{quoted(m.group(0))} is in the past — a promise needs a time ahead", EXAMPLE_RELATIVE
    )


def _tomorrow(m: re.Match[str]) -> Value:
    return Day("offset", offset=2 if m["after"] else 1)


def _weekday(m: re.Match[str]) -> Value:
    return Day("weekday", weekday=day_number(m["wd"] or m["wd2"] or m["wd3"] or m["wd4"]))


def _weekend(m: re.Match[str]) -> Value:
    return Day("weekend")


def _next_week(m: re.Match[str]) -> Value:
    return Day("weekday", weekday=0)


def _date_value(year: int | None, month: int, day: int, raw: str) -> Value | None:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    limits = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if day > limits[month - 1]:
        name = MONTH_NAMES[month - 1]
        size = "28 days (29 in a leap year)" if month == 2 else f"{limits[month - 1]} days"
        return Bad(
            f"{day} {name} does not exist — {name} has {size}",
            EXAMPLE_DATE,
        )
    if year is not None and not 1 <= year <= 9998:
        return None
    return Day("date", year=year, month=month, day=day)


def _date_words(m: re.Match[str]) -> Value | None:
    year = int(m["y"]) if m["y"] else None
    return _date_value(year, month_number(m["mon"]), int(m["d"]), m.group(0))


def _date_iso(m: re.Match[str]) -> Value | None:
    value = _date_value(int(m["y"]), int(m["mo"]), int(m["d"]), m.group(0))
    if value is None:
        return Bad(f"{quoted(m.group(0))} is not a date", EXAMPLE_DATE)
    return value


def _ord_word(text: str) -> int:
    return _ORD_WORDS[re.sub(r"[\s-]+", " ", text.lower())]


def _date_word(m: re.Match[str]) -> Value | None:
    month = m["mon"]
    # "I may first call Sam", "march first to the station": only at the end of a phrase
    # is a lower-case "may"/"march" with a day word a date.
    risky = month.lower().rstrip(".") in ("may", "march", "mar") and month.islower()
    if risky and not re.match(_MONTH_WORDS_ENDING, m.string[m.end() :]):
        return None
    year = int(m["y"]) if m["y"] else None
    return _date_value(year, month_number(month), _ord_word(m["dw"]), m.group(0))


def _day_of_month(m: re.Match[str]) -> Value | None:
    number = int(m["d"]) if m["d"] else _ord_word(m["dw"])
    if not 1 <= number <= 31:
        return None
    rel = m["rel"].lower()
    if rel in ("previous", "last"):
        return _past_day(m)
    offset = 0 if rel in ("this", "current") else 1
    return Day("nth", offset=offset, weekday=7, month=0, day=number)


# "Thu 15th", "Tuesday the 19th": the next 15th that is a Thursday.
_WEEKDAY_NUMBER = re.compile(
    rf"{_B}(?:{_DAY_PRE}\s+)?(?P<wd>{_FULL_DAY}|{_SAFE_ABBR}|{_RISKY_ABBR})\.?,?\s+(?:the\s+)?"
    rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th){_E}(?!\s+(?:of\s+)?{_MONTH})",
    _FLAGS,
)


def _weekday_number(m: re.Match[str]) -> Value | None:
    number = int(m["d"])
    if not 1 <= number <= 31:
        return None
    return Day("monthday", day=number, named_weekday=day_number(m["wd"]))


def _monthday_word(m: re.Match[str]) -> Value:
    return Day("monthday", day=_ord_word(m["dw"]))


def _holiday(m: re.Match[str]) -> Value:
    month, day = _HOLIDAYS[re.sub(r"\s+", " ", m["name"].lower())]
    return Day("date", month=month, day=day)


def _monthday(m: re.Match[str]) -> Value | None:
    day = int(m["d"])
    if not 1 <= day <= 31:
        return None
    return Day("monthday", day=day)


# ----------------------------------------------------------------------------- parts of day

_PART_PATTERNS: list[tuple[str, PartName, Literal["this", "next", "plain"]]] = [
    (r"this\s+morning", "morning", "this"),
    (r"(?:early\s+|late\s+)?in\s+the\s+morning", "morning", "next"),
    (r"(?:at|by|before|for|over|during|around)\s+lunch(?:\s*time)?|lunch\s*time", "lunch", "this"),
    (r"this\s+afternoon|in\s+the\s+afternoon", "afternoon", "this"),
    (
        r"(?:by\s+|at\s+|before\s+|until\s+|till\s+)?(?:the\s+)?(?:end\s+of\s+(?:the\s+)?"
        r"(?:work\s*|working\s+|business\s+)?day|eod|cob|close\s+of\s+(?:business|play))",
        "eod",
        "this",
    ),
    (r"this\s+evening|in\s+the\s+evening", "evening", "this"),
    (
        r"(?:by\s+|for\s+|at\s+)?(?:later\s+)?(?:tonight|tonite|2nite|this\s+night)|at\s+night",
        "night",
        "this",
    ),
    (
        r"(?:before|b4|bfr|at|by|around)\s+(?:bed\s*time|bed|sleep|going\s+to\s+(?:bed|sleep))"
        r"|bedtime",
        "bed",
        "this",
    ),
    (r"lunch", "lunch", "plain"),
    (r"morning", "morning", "plain"),
    (r"afternoon", "afternoon", "plain"),
    (r"evening", "evening", "plain"),
    (r"night", "night", "plain"),
]


# Meals and other moments of the day, each with the time it stands for.
_MOMENT_PATTERNS: list[
    tuple[str, PartName, Literal["this", "next", "plain"], int, tuple[str, ...]]
]
_MOMENT_PATTERNS = [
    (
        r"(?:at|by|before|for|over|during|around|with)\s+breakfast",
        "morning",
        "next",
        8,
        ("breakfast",),
    ),
    (r"after\s+breakfast", "morning", "next", 9, ("breakfast",)),
    (r"first\s+thing(?:\s+in\s+the\s+morning)?", "morning", "next", 9, ("first",)),
    (
        r"early\s+(?:in\s+the\s+)?morning|early\s+hours(?:\s+of\s+the\s+morning)?",
        "morning",
        "next",
        7,
        ("early",),
    ),
    (r"after\s+lunch(?:\s*time)?", "lunch", "this", 13, ("lunch",)),
    (
        r"(?:at|by|before|for|over|during|around|with)\s+(?:dinner|supper)(?:\s*time)?"
        r"|(?:dinner|supper)\s*time",
        "evening",
        "this",
        19,
        ("dinner", "supper"),
    ),
    (r"after\s+(?:dinner|supper)", "evening", "this", 20, ("dinner", "supper")),
    (r"after\s+work|after\s+school", "eod", "this", 18, ("work", "school")),
    (r"late\s+(?:tonight|tonite)", "night", "this", 22, ("late",)),
]


def _moment_reader(
    name: PartName, mode: Literal["this", "next", "plain"], hour: int, meal: bool
) -> Reader:
    def read(m: re.Match[str]) -> Value:
        return Part(name, mode, hour, 0, moment=meal)

    return read


def _part_reader(name: PartName, mode: Literal["this", "next", "plain"]) -> Reader:
    hour, minute = PART_TIMES[name]

    def read(m: re.Match[str]) -> Value:
        return Part(name, mode, hour, minute)

    return read


# ----------------------------------------------------------------------------- routines

_DAY_LIST = rf"{_ANY_DAY}s?\.?(?:\s*(?:,|and|&|\+|/)\s*(?:and\s+)?{_ANY_DAY}s?\.?)*"
_RECUR_DAYS = re.compile(
    rf"{_B}(?P<lead>every|each|on)\s+(?P<list>{_DAY_LIST}){_E}"
    rf"|{_B}(?P<plural>(?:{_FULL_DAY})s(?:\s*(?:,|and|&|\+|/)\s*(?:and\s+)?(?:{_FULL_DAY})s)*)"
    rf"{_E}",
    _FLAGS,
)
_RECUR_DAILY = re.compile(
    rf"{_B}(?:every\s+(?:single\s+)?day|everyday|each\s+day|daily|every\s+24\s+hours|"
    rf"once\s+a\s+day|each\s+and\s+every\s+day){_E}",
    _FLAGS,
)
_RECUR_WEEKDAYS = re.compile(
    rf"{_B}(?:on\s+)?(?:(?:every|each)\s+(?:week\s*day|work\s*day|working\s+day|business\s+day)"
    rf"|weekdays|workdays){_E}",
    _FLAGS,
)
_RECUR_WEEKEND = re.compile(
    rf"{_B}(?:on\s+|at\s+)?(?:(?:every|each)\s+weekend(?:\s+day)?|weekends){_E}", _FLAGS
)
_RECUR_PART = re.compile(
    rf"{_B}(?:every|each)\s+(?P<n>morning|afternoon|evening|night|lunch\s*time|bed\s*time)"
    rf"{_E}",
    _FLAGS,
)
_RECUR_SUBDAILY = re.compile(
    rf"{_B}(?:(?:every|each)\s+(?:(?:\d{{1,6}}|{NUMBER_WORD}|few|couple\s+of)\s+)?"
    rf"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|half\s+(?:an\s+)?hour|quarter\s+hour)|"
    rf"hourly|(?:every|each)\s+(?:other|second)\s+hour|(?:twice|three\s+times)\s+a\s+day){_E}",
    _FLAGS,
)
_RECUR_OTHER = re.compile(
    rf"{_B}(?:(?:every|each)\s+(?:other|second|third|\d{{1,6}}|{NUMBER_WORD}|few|couple\s+of)"
    rf"\s+(?:days?|weeks?|months?|years?)|(?:every|each)\s+(?:week|month|year|fortnight)|"
    rf"once\s+a\s+(?:week|month|year)){_E}",
    _FLAGS,
)


def _recur_days(m: re.Match[str]) -> Value | None:
    text = m["list"] or m["plural"]
    words = re.findall(_ANY_DAY + r"s?", text, _FLAGS)
    if m["lead"] and m["lead"].lower() == "on" and not all(w.lower().endswith("s") for w in words):
        return None  # "on Monday" is a day, "on Mondays" a routine
    if m["lead"] and m["lead"].lower() == "on":
        words = [w for w in words if w.lower() not in _DAY_ABBR]
        if not words:
            return None
    return Recur(tuple(sorted({day_number(w) for w in words})))


def _recur_fixed(days: tuple[int, ...]) -> Reader:
    def read(m: re.Match[str]) -> Value:
        return Recur(days)

    return read


def _recur_part(m: re.Match[str]) -> Value:
    word = re.sub(r"\s+", "", m["n"].lower())
    name: PartName = {"lunchtime": "lunch", "bedtime": "bed"}.get(word, word)  # type: ignore[assignment]
    hour, minute = PART_TIMES[name]
    return Recur(EVERY_DAY, Part(name, "plain", hour, minute))


def _recur_subdaily(m: re.Match[str]) -> Value:
    return Bad(
        f"Routines run at most once a day at a set time, so {quoted(m.group(0))} "
        "can't be a routine",
        EXAMPLE_ROUTINE,
    )


def _recur_other(m: re.Match[str]) -> Value:
    return Bad(
        f"Routines repeat on set weekdays, so {quoted(m.group(0))} can't be a routine",
        "every Monday at 10 call mom",
    )


# ----------------------------------------------------------------------------- scanning

# Each reader runs only when the message holds one of its gate words (and a digit where
# it needs one): a few substring tests spare most of the regexes for most messages, which
# keeps a parse in the tens of microseconds. A gate may let through more than its regex
# matches, never less.
Gate = tuple[tuple[str, ...], ...]  # every inner tuple must have a word in the text
_DIGIT: tuple[str, ...] = tuple("0123456789")
_PREPOSITIONS = ("at", "by", "around", "about", "before", "until", "til", "from", "after", "@")
_DAYS_GATE = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS_GATE = tuple(_MONTHS)
_HOUR_GATE = _DIGIT + tuple(HOUR_WORDS)
_EVERY = ("every", "each")
_NOON_WORDS = ("noon", "midday", "midnight")
# "7 o'clock", "7 tonight", "7 tomorrow", "8 on Friday": a bare hour with no preposition.
_BARE_CLOCK_HINTS: tuple[str, ...] = ("clock", "tonite", "morning", "afternoon", "evening")
_BARE_CLOCK_HINTS += ("night", "tom", "tmrw", "day")
_UNIT_WORDS = ("sec", "min", "hour", "hr", "day", "week", "wk", "fortnight", "month", "year")

_READERS: list[tuple[Gate, re.Pattern[str], Reader]] = [
    (((":", "."), _DIGIT), _CLOCK_COLON, _colon),
    ((_HOUR_GATE,), _CLOCK_MER, _mer),
    ((_DIGIT,), _CLOCK_H, _clock_h),
    ((_DIGIT,), _CLOCK_COMPACT, _compact),
    ((_DIGIT,), _CLOCK_SPACED, _spaced),
    (
        (
            _HOUR_GATE,
            (*_PREPOSITIONS, *_BARE_CLOCK_HINTS),
        ),
        _CLOCK_BARE,
        _bare,
    ),
    ((("noon", "midday", "mid", "midnight"),), _NOON, _noon),
    (
        (("past", "after", "to", "before", "til", "of"), (*_HOUR_GATE, *_NOON_WORDS)),
        _PAST,
        _past,
    ),
    ((("half",), _HOUR_GATE), _HALF_HOUR, _half_hour),
    # Before durations: on the same words "in a sec" means soon.
    (
        (("bit", "soon", "shortly", "moment", "sec", "tick", "jiffy", "asap", "a.s.a.p", "away"),),
        _SOON,
        _soon,
    ),
    (
        ((*_DIGIT, *_UNIT_WORDS),),
        _DURATION,
        _duration,
    ),
    ((("in",),), _IN_MINUTES, _in_minutes),
    ((("next",), ("hour",)), _NEXT_HOUR, _next_hour),
    ((("next", "following"), ("day",)), _NEXT_DAY, _next_day),
    ((("today", "tdy", "2day"),), _TODAY, _today),
    ((("tom", "tmr", "tmw", "2mor"),), _TOMORROW, _tomorrow),
    ((_DAYS_GATE,), _WEEKDAY, _weekday),
    ((_DAYS_GATE, ("week",)), _WEEK_OF, _week_of),
    ((_DAYS_GATE, ("after",)), _AFTER_NEXT, _after_next),
    ((_DAYS_GATE, ("from", "later", "hence")), _COUNTED_DAYS, _counted_days),
    (
        (
            (
                "first",
                "1st",
                "second",
                "2nd",
                "third",
                "3rd",
                "fourth",
                "4th",
                "fifth",
                "5th",
                "last",
                "final",
            ),
            ("of", "in"),
        ),
        _NTH,
        _nth,
    ),
    ((("last", "past", "previous", "yesterday", "yday", "ago", "back"),), _PAST_DAY, _past_day),
    ((("weekend", "week", "wkend"),), _WEEKEND, _weekend),
    ((("next", "following", "upcoming", "coming"),), _NEXT_WEEK, _next_week),
    ((_MONTHS_GATE, ("of",)), _DATE_WORD_DM, _date_word),
    ((_MONTHS_GATE,), _DATE_WORD_MD, _date_word),
    ((("month",),), _DAY_OF_MONTH, _day_of_month),
    ((_DAYS_GATE, ("st", "nd", "rd", "th")), _WEEKDAY_NUMBER, _weekday_number),
    ((("the",),), _MONTHDAY_WORD, _monthday_word),
    (
        (("christmas", "xmas", "boxing", "new year", "nye", "valentine", "halloween"),),
        _HOLIDAY,
        _holiday,
    ),
    ((_MONTHS_GATE, _DIGIT), _DATE_DM, _date_words),
    ((_MONTHS_GATE, _DIGIT), _DATE_MD, _date_words),
    ((("-",), _DIGIT), _DATE_ISO, _date_iso),
    ((("st", "nd", "rd", "th"), _DIGIT), _MONTHDAY, _monthday),
    (((*_EVERY, "days"),), _RECUR_DAYS, _recur_days),
    (((*_EVERY, "daily", "once"),), _RECUR_DAILY, _recur_fixed(EVERY_DAY)),
    ((("week", "work", "business"),), _RECUR_WEEKDAYS, _recur_fixed(WEEKDAYS)),
    ((("weekend",),), _RECUR_WEEKEND, _recur_fixed(WEEKEND)),
    ((_EVERY,), _RECUR_PART, _recur_part),
    (((*_EVERY, "hourly", "twice", "three times"),), _RECUR_SUBDAILY, _recur_subdaily),
    (((*_EVERY, "once"),), _RECUR_OTHER, _recur_other),
]
_PART_GATES: dict[str, tuple[str, ...]] = {
    "morning": ("morning",),
    "lunch": ("lunch",),
    "afternoon": ("afternoon",),
    "eod": ("end", "eod", "cob", "close"),
    "evening": ("evening",),
    "night": ("night", "tonite", "2nite"),
    "bed": ("bed", "sleep"),
}
_READERS += [
    (
        (_PART_GATES[name],),
        re.compile(rf"{_B}(?:{pattern}){_E}", _FLAGS),
        _part_reader(name, mode),
    )
    for pattern, name, mode in _PART_PATTERNS
]
_READERS += [
    (
        (gate,),
        re.compile(rf"{_B}(?:{pattern}){_E}", _FLAGS),
        _moment_reader(name, mode, hour, gate[0] not in ("early", "late", "first")),
    )
    for pattern, name, mode, hour, gate in _MOMENT_PATTERNS
]


_GATE_WORDS = sorted({w for gate, _, _ in _READERS for words in gate for w in words}, key=len)
# One pass finds the gate words, longest first; the gate words inside a found one ("day"
# and "to" inside "today") come from a table. A gate word could only be missed where it
# starts inside another and runs past its end, which no reader's words do.
_GATE_FINDER = re.compile("|".join(re.escape(w) for w in reversed(_GATE_WORDS)), re.DOTALL)
_GATE_INSIDE = {w: frozenset(inner for inner in _GATE_WORDS if inner in w) for w in _GATE_WORDS}
_GATE_SETS = [tuple(frozenset(words) for words in gate) for gate, _, _ in _READERS]
# Readers by the words of their first gate group, so a message only visits the readers its
# words can open.
_READERS_BY_WORD = {
    word: frozenset(i for i, gate in enumerate(_GATE_SETS) if word in gate[0])
    for word in _GATE_WORDS
}


# A duration needs a unit: a unit word, or a unit letter right after a number.
def _reader_index(pattern: re.Pattern[str]) -> int:
    return next(i for i, r in enumerate(_READERS) if r[1] is pattern)


_PROBES = {
    _reader_index(_DURATION): re.compile(
        r"\d\s*[smhdwfy'\"]|sec|min|hour|hr|day|week|wk|fortnight|month|year|yr"
    ),
    _reader_index(_CLOCK_MER): re.compile(r"[ap]\.?\s?m\b|\d[ap](?:\.|\b)"),
    _reader_index(_CLOCK_H): re.compile(r"\dh"),
    _reader_index(_CLOCK_COMPACT): re.compile(r"\d{3}"),
    _reader_index(_CLOCK_SPACED): re.compile(r"\d \d\d"),
}


def _gate_words(folded: str) -> set[str]:
    present: set[str] = set()
    for word in _GATE_FINDER.findall(folded):
        present |= _GATE_INSIDE[word]
    return present


def scan(text: str) -> list[Token]:
    """Every time piece in `text`, left to right, without overlaps (the longest wins)."""
    folded = text.casefold()
    present = _gate_words(folded)
    candidates: set[int] = set()
    for word in present:
        candidates |= _READERS_BY_WORD[word]
    found: list[Token] = []
    for index in sorted(candidates):  # the list order breaks ties between equal spans
        gate = _GATE_SETS[index]
        if len(gate) > 1 and any(present.isdisjoint(words) for words in gate[1:]):
            continue
        probe = _PROBES.get(index)
        if probe is not None and probe.search(folded) is None:
            continue
        _, pattern, read = _READERS[index]
        for m in pattern.finditer(text):
            value = read(m)
            if value is not None:
                found.append(Token(m.start(), m.end(), value))
    if len(found) > 1:
        found.sort(key=lambda t: (t.start - t.end, t.start))
        chosen: list[Token] = []
        taken = bytearray(len(text))  # one flag per character: linear, not per pair
        for token in found:
            if taken.find(1, token.start, token.end) < 0:
                chosen.append(token)
                taken[token.start : token.end] = b"\x01" * (token.end - token.start)
        chosen.sort(key=lambda t: t.start)
        return _anchor_offsets(text, chosen)
    return [t for t in found if not (isinstance(t.value, Duration) and t.value.anchored)]


# "15 minutes from 1pm", "2 days after tomorrow", "a week from today": an amount of time
# counted from the time or day that follows it.
_FROM = re.compile(r"\s*(?:from|after|past)(?!\w)", _FLAGS)


def _anchor_offsets(text: str, tokens: list[Token]) -> list[Token]:
    merged: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        shifted = None
        if (
            after is not None
            and isinstance(token.value, Duration)
            and (joint := _FROM.match(text, token.end)) is not None
            and token.end <= after.start <= joint.end()
        ):
            shifted = _shift(token.value, after.value)
        if shifted is None and after is not None:
            shifted = _named_date(text, token, after)
        if shifted is None or after is None:
            if not (isinstance(token.value, Duration) and token.value.anchored):
                merged.append(token)
            index += 1
            continue
        merged.append(Token(token.start, after.end, shifted))
        index += 2
    return merged


_DATE_JOINT = re.compile(r"[\s,]*", _FLAGS)


def _named_date(text: str, first: Token, second: Token) -> Value | None:
    """ "Thu 15th", "Monday, Feb 18", "Jul 18, Fri": one day, said twice."""
    if not _DATE_JOINT.fullmatch(text, first.end, second.start):
        return None
    one, two = first.value, second.value
    if isinstance(two, Day) and isinstance(one, Day) and one.kind == "weekday":
        weekday, date = one, two
    elif isinstance(one, Day) and isinstance(two, Day) and two.kind == "weekday":
        weekday, date = two, one
    else:
        return None
    if weekday.shift_days or date.kind not in ("date", "monthday") or date.named_weekday >= 0:
        return None
    return Day(
        date.kind,
        year=date.year,
        month=date.month,
        day=date.day,
        named_weekday=weekday.weekday,
    )


def _shift(amount: Duration, base: Value) -> Value | None:
    if isinstance(base, Clock) and not (amount.days or amount.months):
        if amount.seconds <= 0 or amount.seconds >= 86400 or base.midnight:
            return None
        total = base.hour * 60 + base.minute + int(amount.seconds // 60)
        hour, minute = divmod(total, 60)
        if hour > 23:
            return None
        return Clock(hour, minute, bare=base.bare and 1 <= hour <= 12)
    if isinstance(base, Day) and base.kind == "today":
        # "a week from today" is "in a week": the time of day is kept.
        return Duration(amount.seconds, amount.days, amount.months, text=amount.text)
    if isinstance(base, Day) and not amount.seconds and base.kind != "weekend":
        return Day(
            base.kind,
            base.offset,
            base.weekday,
            base.year,
            base.month,
            base.day,
            base.shift_days + amount.days,
            base.shift_months + amount.months,
        )
    return None
