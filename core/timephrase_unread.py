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

_UNREAD: Final = re.compile(
    "|".join(
        (
            # a number next to a time word: "3 fortnights", "in 3 days' time-ish", "5pm-ish"
            rf"{_B}{_NUMBER}\s*-?\s*{_UNIT}{_E}",
            # clock-like forms: "3:20", "13h", "@ 5"
            rf"{_B}\d{{1,2}}\s*[:h]\s*\d{{0,2}}{_E}|@\s*\d",
            # a relative word with a span: "next month", "this week", "the same day"
            rf"{_B}{_RELATIVE}\s+(?:\d+\s+|few\s+|couple\s+of\s+)?{_SPAN_WORD}s?{_E}",
            rf"{_B}(?:after\s+next|from\s+now|hence|ago|o['’]?clock|oclock|noon|midnight|"
            rf"midday|tonight|tonite|tomorrow|tmrw|yesterday|eod|eom|eow|eoy|cob){_E}",
            # a weekday the readers left (not "Monday's report")
            rf"{_B}{_DAY}s?{_E}(?!['’]s)",
            # a month beside a number or a qualifier: "in March", "October 2027", "mid march"
            rf"{_B}(?:in|by|next|this|early|mid|late|end\s+of|beginning\s+of|until|till|before)"
            rf"\s+(?:the\s+)?{_MONTH}{_E}",
            rf"{_B}{_MONTH}\.?\s*\d{{1,4}}{_E}|{_B}\d{{1,2}}(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH}{_E}",
            # an ordinal day: "the 15th of", "on the 3rd"
            rf"{_B}\d{{1,2}}(?:st|nd|rd|th)\s+of{_E}",
            # a part of the day with a qualifier: "in the early hours", "late afternoon"
            rf"{_B}(?:early|late|mid|this|tomorrow|in\s+the)\s+(?:morning|afternoon|evening|night|day)"
            rf"{_E}",
        )
    ),
    _FLAGS,
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
_CLOCKISH = r"\d{1,2}(?:[:.h]\d{2})?(?:\s*[ap]\.?m\.?)?"
_RANGE: Final = re.compile(
    rf"(?<![\w#@'’/.:-])(?P<lead>between\s+|from\s+)?{_CLOCKISH}\s*(?P<to>-|–|—|to|till|until|thru|through|and)"
    rf"\s*{_CLOCKISH}(?![\w/.:-])",
    _FLAGS,
)
_TAG: Final = re.compile(r"[#@]\S+")


def find_unread(text: str, tokens: list[Token]) -> tuple[int, int] | None:
    """The span of the first time-like words in `text` that no token covers, if any.

    Each regex here is a plain alternation with bounded repeats, scanned once over text
    that is at most a couple of thousand characters: linear time, no backtracking blow-up.
    """
    masked = _mask(text, tokens)
    for m in _UNREAD.finditer(masked):
        if _how_long(masked, m):
            continue
        return (m.start(), m.end())
    return _range(text, tokens)


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
        _NOT_WHEN_BEFORE.search(text, 0, m.start()) or _NOT_WHEN_AFTER.match(text, m.end())
    )


def _range(text: str, tokens: list[Token]) -> tuple[int, int] | None:
    """ "3-4pm", "between 9:30 and 11", "from 2 to 4": a range is not one time."""
    for m in _RANGE.finditer(text):
        if m["to"].lower() == "and" and not m["lead"]:
            continue
        if any(t.start < m.end() and t.end > m.start() for t in tokens):
            return (m.start(), m.end())
    return None
