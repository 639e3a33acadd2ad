"""What sort of small promise a task is, guessed from its words.

The kind only feeds "where it slips", so a cheap keyword guess is enough: the user can
correct it per promise. When several kinds' words appear, the one mentioned first wins
("text Sam about the milk" is about getting back to Sam), because the leading verb is
what the person actually committed to.
"""

from __future__ import annotations

import re

from core.models import Kind

KIND_LABELS: dict[Kind, str] = {
    Kind.CALLBACK: "calling/texting back",
    Kind.ON_TIME: "being on time",
    Kind.FAVOUR: "favours and errands",
    Kind.ATTENTION: "attention",
    Kind.OTHER: "other",
}

# Verbs take an optional inflection so "calling", "texted", "buys" still match.
_INFLECT = r"(?:s|es|ed|ing)?"

_KEYWORDS: dict[Kind, tuple[str, ...]] = {
    Kind.ATTENTION: (
        r"phone away",
        r"phones? down",
        r"no phones?",
        r"put (?:my |the )?phone",
        r"no laptops?",
        r"screens?",
        r"listen" + _INFLECT,
        r"be present",
        r"focus" + _INFLECT,
    ),
    Kind.ON_TIME: (
        r"be there",
        r"on time",
        r"arriv(?:e|es|ed|ing)",
        r"meet" + _INFLECT,
        r"pick (?:\w+ )?up at",
        r"pick up (?:\w+ )?at",
        r"leave by",
        r"be at",
        r"be back by",
    ),
    Kind.CALLBACK: (
        r"call" + _INFLECT,
        r"ring",
        r"text" + _INFLECT,
        r"message" + _INFLECT,
        r"repl(?:y|ies|ied|ying)",
        r"get back",
        r"email back",
        r"write back",
    ),
    Kind.FAVOUR: (
        r"buy" + _INFLECT,
        r"bring" + _INFLECT,
        r"send" + _INFLECT,
        r"pay" + _INFLECT,
        r"fix" + _INFLECT,
        r"return" + _INFLECT,
        r"drop (?:\w+ )?off",
        r"pick (?:\w+ )?up",
        r"book" + _INFLECT,
        r"grab" + _INFLECT,
        r"get (?:some )?(?:milk|bread|groceries)",
    ),
}

# One alternation per kind; each match's start decides, then its length (so the
# longer "pick up at" beats "pick up" at the same place), then this order.
_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE))
    for kind, words in _KEYWORDS.items()
)


def detect_kind(task: str) -> Kind:
    best: tuple[int, int, int] | None = None
    found = Kind.OTHER
    for rank, (kind, pattern) in enumerate(_PATTERNS):
        match = pattern.search(task)
        if match is None:
            continue
        key = (match.start(), -(match.end() - match.start()), rank)
        if best is None or key < best:
            best, found = key, kind
    return found
