"""What a message says about time that the grammar did not read: the ask-rather-than-guess rule.

A wrong due time silently breaks the promise it was meant to protect, while a question
costs a tap. So when the words left over once every time piece is found still look like
a time — a number next to a time word ("in 3 fortnights"), a clock the readers do not know
("at 3h-ish"), a qualifier nobody taught them ("next month", "in March", "3-4pm") — the
message is not scheduled on the part that was read: core.timephrase asks, quoting both.

The leftovers that only say how long or how much are not times: "for 10 minutes", "a 10
minute walk", "5 min late", "Monday's report", a #tag.
"""

from __future__ import annotations

import re
from typing import Final

from core.timephrase_scan import Token

_FLAGS = re.IGNORECASE
_B = r"(?<![\w#@'’])"
_E = r"(?!\w)"
_UNIT = (
    r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|weeks?|wks?|fortnights?|months?|"
    r"mos?|years?|yrs?|am|pm|a\.m\.?|p\.m\.?|o['’]?\s*clock|oclock|ish)"
)
_NUMBER = r"(?:\d{1,4}(?:[.,/]\d{1,2})?|an?|one|two|three|four|five|six|seven|eight|nine|ten|"
_NUMBER += r"eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|few|couple(?:\s+of)?)"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_SPAN_WORD = (
    r"(?:week|month|year|quarter|qtr|weekend|week-end|hour|day|night|season|summer|winter|"
    r"spring|autumn|fall)"
)
_RELATIVE = r"(?:next|last|this|coming|following|upcoming|previous|past|current|same)"

_DAY_WORDS = frozenset(
    f"{d}{s}"
    for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for s in ("", "s")
)
_MONTH_WORDS = frozenset(
    [
        "jan",
        "january",
        "feb",
        "february",
        "march",
        "apr",
        "april",
        "jun",
        "june",
        "jul",
        "july",
        "aug",
        "august",
        "sep",
        "sept",
        "september",
        "oct",
        "october",
        "nov",
        "november",
        "dec",
        "december",
    ]
)
_SPAN_WORDS = frozenset(
    [
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "quarter",
        "quarters",
        "qtr",
        "weekend",
        "weekends",
        "end",
        "hour",
        "hours",
        "day",
        "days",
        "night",
        "nights",
        "season",
        "seasons",
        "summer",
        "winter",
        "spring",
        "autumn",
        "fall",
    ]
)
_UNIT_WORDS = frozenset(
    [
        "second",
        "seconds",
        "sec",
        "secs",
        "minute",
        "minutes",
        "min",
        "mins",
        "hour",
        "hours",
        "hr",
        "hrs",
        "h",
        "day",
        "days",
        "week",
        "weeks",
        "wk",
        "wks",
        "fortnight",
        "fortnights",
        "month",
        "months",
        "mo",
        "mos",
        "year",
        "years",
        "yr",
        "yrs",
        "am",
        "pm",
        "m",
        "clock",
        "oclock",
        "ish",
    ]
)
_FIXED_WORDS = frozenset(
    [
        "next",
        "now",
        "hence",
        "ago",
        "clock",
        "oclock",
        "noon",
        "midnight",
        "midday",
        "tonight",
        "tonite",
        "tomorrow",
        "tmrw",
        "yesterday",
        "eod",
        "eom",
        "eow",
        "eoy",
        "cob",
    ]
)
_PART_WORDS = frozenset(["morning", "afternoon", "evening", "night", "day"])
_ZONE_WORDS = frozenset(
    [
        "utc",
        "gmt",
        "cet",
        "cest",
        "eet",
        "est",
        "edt",
        "cst",
        "cdt",
        "mst",
        "mdt",
        "pst",
        "pdt",
        "bst",
        "jst",
        "aest",
        "aedt",
        "hkt",
        "sgt",
    ]
)
_LETTERS = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")

# Each check: the words one of which must be left for it to run, and its regex.
_CHECKS: Final = (
    (
        _UNIT_WORDS,
        True,
        re.compile(
            # a number next to a time word: "3 fortnights", "10 o'clock"; a clock-like form;
            # an ordinal day "the 15th of"; a month beside a number "October 2027"
            rf"{_B}{_NUMBER}\s*-?\s*{_UNIT}{_E}|{_B}\d{{1,2}}\s*[:h]\s*\d{{0,2}}{_E}|@\s*\d"
            rf"|{_B}\d{{1,2}}(?:st|nd|rd|th)\s+of{_E}"
            # a numeric date: "4/25", "10/31/1974" mean different days in different countries
            rf"|{_B}\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?{_E}",
            _FLAGS,
        ),
    ),
    (
        _SPAN_WORDS,
        False,
        re.compile(
            rf"{_B}{_RELATIVE}\s+(?:\d+\s+|few\s+|couple\s+of\s+)?{_SPAN_WORD}s?{_E}", _FLAGS
        ),
    ),
    (
        _FIXED_WORDS,
        False,
        re.compile(
            rf"{_B}(?:after\s+next|from\s+now|hence|ago|o['’]?clock|oclock|noon|midnight|"
            rf"midday|tonight|tonite|tomorrow|tmrw|yesterday|eod|eom|eow|eoy|cob){_E}",
            _FLAGS,
        ),
    ),
    # one of two amounts: "in an hour or two"
    (
        frozenset(["or"]),
        False,
        re.compile(
            rf"{_B}or\s+(?:two|three|four|five|six|ten){_E}"
            r"(?=\s*(?:$|[,.;!?]|hours?|hrs?|minutes?|mins?|days?|weeks?|months?))",
            _FLAGS,
        ),
    ),
    # a time zone: Keepword reads times in the user's own zone only
    (
        _ZONE_WORDS,
        False,
        re.compile(rf"{_B}(?:{'|'.join(sorted(_ZONE_WORDS))}){_E}", _FLAGS),
    ),
    # a weekday the readers left (not "Monday's report")
    (_DAY_WORDS, False, re.compile(rf"{_B}{_DAY}s?{_E}(?!['’]s)", _FLAGS)),
    (
        _MONTH_WORDS,
        False,
        re.compile(
            # "in March", "mid march", "October 2027", "15 of March"
            rf"{_B}(?:in|by|next|this|early|mid|late|end\s+of|beginning\s+of|until|till|before)"
            rf"\s+(?:the\s+)?{_MONTH}{_E}"
            rf"|{_B}{_MONTH}\.?\s*\d{{1,4}}{_E}|{_B}\d{{1,2}}(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH}{_E}",
            _FLAGS,
        ),
    ),
    (
        _PART_WORDS,
        False,
        re.compile(
            rf"{_B}(?:early|late|mid|this|tomorrow|in\s+the)\s+"
            rf"(?:morning|afternoon|evening|night|day){_E}",
            _FLAGS,
        ),
    ),
)
# How long or how much, not when: "for 10 minutes", "a 10 minute walk", "5 min late".
_NOT_WHEN_BEFORE: Final = re.compile(
    r"(?:\b(?:for|every|each|per|a|an|than|takes?|took|lasts?|spend|spent|only|the|of|my|"
    r"your|our|his|her|their|over|about|around)\s*|[#@][\w-]*)$",
    _FLAGS,
)
_NOT_WHEN_AFTER: Final = re.compile(
    r"\s*(?:late|early|behind|longer|more|earlier|faster|slower|walk|drive|run|ride|break|"
    r"nap|call|meeting|session|workout|timer|video|read|wait|old|ago)\b",
    _FLAGS,
)
_CLOCKISH = r"\d{1,2}(?:[:.h]\d{2})?(?:\s*[ap](?:\.?\s?m\b\.?|\b))?"
_RANGE: Final = re.compile(
    rf"(?<![\w#@'’/.:-])(?P<lead>between\s+|from\s+)?{_CLOCKISH}\s*(?P<to>-|–|—|to|till|until|thru|through|and|or)"
    rf"\s*{_CLOCKISH}(?![\w/.:-])",
    _FLAGS,
)
_TAG: Final = re.compile(r"[#@]\S+")


def find_unread(text: str, tokens: list[Token]) -> tuple[int, int] | None:
    """The span of the first time-like words in `text` that no token covers, if any.

    Each check runs only when one of its words is left over (a set lookup), and each regex
    is a plain alternation with bounded repeats: linear time, no backtracking blow-up.
    """
    masked = _mask(text, tokens)
    low = masked.lower()
    words = set(_LETTERS.findall(low))
    digits = _DIGIT.search(masked) is not None
    found: list[tuple[int, int]] = []
    for needed, on_digit, pattern in _CHECKS:
        if not (on_digit and digits) and needed.isdisjoint(words):
            continue
        for m in pattern.finditer(masked):
            if not _how_long(masked, m):
                found.append((m.start(), m.end()))
                break
    if found:
        return min(found)
    first = _DIGIT.search(text)
    if first is not None and _DIGIT.search(text, first.end()) is not None:
        return _range(text, tokens)
    return None


def _mask(text: str, tokens: list[Token]) -> str:
    """`text` with every token and #tag blanked out, at the same length."""
    chars = list(text)
    for token in tokens:
        chars[token.start : token.end] = " " * (token.end - token.start)
    masked = "".join(chars)
    return _TAG.sub(lambda m: " " * len(m.group(0)), masked)


def _how_long(text: str, m: re.Match[str]) -> bool:
    if not m.group(0)[:1].isdigit() and not re.match(_NUMBER, m.group(0), _FLAGS):
        return False
    return bool(
        _NOT_WHEN_BEFORE.search(text, max(0, m.start() - 40), m.start())
        or _NOT_WHEN_AFTER.match(text, m.end())
    )


def _range(text: str, tokens: list[Token]) -> tuple[int, int] | None:
    """ "3-4pm", "between 9:30 and 11", "from 2 to 4": a range is not one time."""
    for m in _RANGE.finditer(text):
        if m["to"].lower() == "and" and not m["lead"]:
            continue
        if any(t.start < m.end() and t.end > m.start() for t in tokens):
            return (m.start(), m.end())
    return None
