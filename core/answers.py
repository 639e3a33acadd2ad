"""Short replies that answer an earlier question instead of making a new promise.

People answer in chat the way they talk: "done" after a check-in, "7pm" after "when?",
"pretty good, maybe 7/10" after the weekly question. Read as promises, those replies
became promises of their own ("When should I check in on “done”?") or, worse, a
sentence with a task of its own ("meet sam at 7") answered an old "when?" and the new
promise vanished. This module decides, from the words alone, which replies are answers;
the conversation decides which question they answer.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from core.lifecycle import Answer
from core.timephrase import (
    WHEN_FILLER,
    WORD,
    ParsedPromise,
    ParsedRoutine,
    ParseError,
    parse,
    parse_when,
)

__all__ = ["answer_word", "is_reflection_answer", "time_answer"]

_FOLD = re.compile(r"[^\w\s'✅❌👍👎]+")
_SPACES = re.compile(r"\s+")

_KEPT = (
    "done",
    "done it",
    "did it",
    "i did",
    "i did it",
    "kept",
    "kept it",
    "i kept it",
    "yes",
    "yes done",
    "yes i did",
    "yep",
    "yup",
    "yeah",
    "y",
    "finished",
    "completed",
    "all done",
    "got it done",
    "✅",
    "👍",
)
_LATE = (
    "late",
    "was late",
    "i was late",
    "kept it late",
    "kept late",
    "did it late",
    "done late",
    "late but done",
    "yes but late",
    "yes late",
    "a bit late",
    "bit late",
)
_BROKE = (
    "broke",
    "broke it",
    "broken",
    "i broke it",
    "didn't",
    "didnt",
    "i didn't",
    "i didnt",
    "did not",
    "didn't do it",
    "didnt do it",
    "no",
    "nope",
    "n",
    "not done",
    "missed it",
    "missed",
    "forgot",
    "i forgot",
    "failed",
    "❌",
    "👎",
)

#: Every typed answer to a check-in, folded (lower case, no punctuation).
ANSWER_WORDS: Final[dict[str, Answer]] = {
    **{w: Answer.KEPT for w in _KEPT},
    **{w: Answer.LATE for w in _LATE},
    **{w: Answer.BROKE for w in _BROKE},
}

#: Words around a time that still leave it "only a time": "ok, 7pm then", "9 works for me" —
#: the parser's own filler for "when?" answers, plus the thanks and praise people add.
_COURTESY: Final = WHEN_FILLER | frozenset(
    [
        "work",
        "sounds",
        "good",
        "great",
        "perfect",
        "thanks",
        "thank",
        "you",
        "thx",
        "me",
        "that's",
        "thats",
        "is",
        "would",
        "be",
        "better",
        "best",
        "oh",
        "actually",
    ]
)

_RATING = re.compile(r"\b(?:10|[0-9])(?:[.,]5)?\s*(?:/|out\s+of\s+)\s*10\b", re.IGNORECASE)
_MOOD = re.compile(
    r"^(?:pretty|quite|really|very|fairly|not|so|kinda|kind\s+of|mostly|ok|okay|good|great|"
    r"bad|meh|fine|decent|terrible|awful|poor|average|excellent|better|worse|solid|so-so|"
    r"mixed|alright|honestly|reliable|unreliable)\b",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    text = text.replace("’", "'").lower()
    return _SPACES.sub(" ", _FOLD.sub(" ", text)).strip()


def answer_word(text: str) -> Answer | None:
    """The check-in answer a short reply gives ("done" → Kept, "broke it" → Broke), if any."""
    if len(text) > 40:
        return None
    return ANSWER_WORDS.get(_fold(text))


def time_answer(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The time a reply to "when?" names, if it is only a time.

    "7pm", "ok tomorrow at 9 then", "in 20 min sounds good" answer; "meet sam at 7" does
    not: it is a whole promise of its own, and taking its time for the question's task
    is how "meet sam" used to vanish.
    """
    due = parse_when(text, now, tz)
    if isinstance(due, ParseError):
        return None
    whole = parse(text, now, tz)
    if isinstance(whole, ParsedRoutine):
        return None
    if isinstance(whole, ParsedPromise) and any(
        w.lower() not in _COURTESY for w in WORD.findall(whole.task)
    ):
        return None
    return due


def is_reflection_answer(text: str, now: datetime, tz: ZoneInfo) -> bool:
    """A reply that reads as an answer to "how reliable have you been?".

    A rating ("7/10", "6 out of 10") or a reply that opens with a judgement ("pretty
    good", "not great"); a promise with a time ("ok call mom at 7") is never one unless it
    carries a rating.
    """
    if len(text) > 300:
        return False
    if _RATING.search(text):
        return True
    if not _MOOD.match(text.strip()):
        return False
    return not isinstance(parse(text, now, tz), ParsedPromise | ParsedRoutine)
