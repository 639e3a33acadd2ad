"""Small counts written as words ("twenty-five", "a couple"), as people type them in chat.

Kept apart from the time grammar so the regex fragment and its reading can never drift:
the same table builds both.
"""

from __future__ import annotations

import re

_ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}
# Vague counts mean a fixed number so that a promise always gets a definite time.
# "at seven", "by eleven": the words a clock hour may be written as.
HOUR_WORDS = {word: value for word, value in {**_ONES, **_TEENS}.items() if 1 <= value <= 12}
_VAGUE = {"a": 1, "an": 1, "couple": 2, "pair": 2, "few": 3, "several": 3}

_ONE_TO_NINE = "|".join(k for k in _ONES if k != "zero")
_TENS_ALT = "|".join(_TENS)
_TEENS_ALT = "|".join(_TEENS)

#: A number written as a word, zero to sixty ("twenty five" and "twenty-five" both work).
NUMBER_WORD = rf"(?:(?:{_TENS_ALT})(?:[\s-]+(?:{_ONE_TO_NINE}))?|{_TEENS_ALT}|{_ONE_TO_NINE}|zero)"
#: "a", "an", "a couple (of)", "a few", "several": only trusted after "in" or before "from now".
VAGUE_AMOUNT = r"(?:a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+pair\s+of|a\s+few|few|several|an?)"

_SPACES = re.compile(r"[\s-]+")


def word_value(text: str) -> int | None:
    """The value of a NUMBER_WORD or VAGUE_AMOUNT match, or None when it is neither."""
    words = [w for w in _SPACES.split(text.strip().lower()) if w and w != "of"]
    if not words:
        return None
    if len(words) == 2 and words[0] == "a" and words[1] in _VAGUE:
        return _VAGUE[words[1]]
    if len(words) == 1:
        word = words[0]
        for table in (_ONES, _TEENS, _TENS, _VAGUE):
            if word in table:
                return table[word]
        return None
    if len(words) == 2 and words[0] in _TENS and words[1] in _ONES and words[1] != "zero":
        return _TENS[words[0]] + _ONES[words[1]]
    return None


def is_vague(text: str) -> bool:
    """True for "a", "an", "a few", "couple of": counts that are not really numbers."""
    words = [w for w in _SPACES.split(text.strip().lower()) if w and w != "of"]
    return bool(words) and all(w in _VAGUE for w in words)
