"""The task left over once the time is taken out of a message, and its #tags and @handles.

The task is kept as the person wrote it (their casing and words), minus the time phrase,
the filler people put in front ("remind me to", "I'll"), and the little words a removed
time leaves dangling ("call mom back at").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_TAG = re.compile(r"(?<![\w#@])(?:#\w*[^\W\d]\w*|@[^\W\d_]\w*)")

#: Marks where a time phrase was cut out, so connectors next to it can be recognised.
CUT = "\x00"

_LEADING_FILLER = re.compile(
    r"^(?:(?:please|pls|plz)\s+)?(?:"
    r"remind\s+me(?:\s+(?:to|that|about|of))?|"
    r"(?:don'?t|do\s+not)\s+(?:let\s+me\s+)?forget(?:\s+to)?|"
    r"note\s+to\s+self|reminder|todo|to-do|"
    r"i\s*'?ll|i\s+will|i\s+shall|"
    r"i\s+(?:hereby\s+)?promise(?:\s+(?:to|that\s+i\s*'?ll|that\s+i\s+will|i\s*'?ll))?|"
    r"promise\s*(?=:)|"
    r"(?:i\s*'?m\s+|i\s+am\s+|im\s+)?(?:gonna|going\s+to)|"
    r"i\s+(?:need|have|want|ought)\s+to|i\s+(?:must|should|gotta)|gotta|"
    r"to|and|then"
    r")(?:\s*[:,\-–—]+\s*|\s+|$)",
    re.IGNORECASE,
)
_TRAILING_FILLER = re.compile(
    r"(?:^|\s)(?:please|pls|plz|thanks|thx|thank\s+you|ok|okay)\s*[.!]*$", re.IGNORECASE
)
# Words that only make sense next to the time that was removed: "call mom back at <cut>".
_DANGLING_BEFORE_CUT = re.compile(
    r"(?:^|\s)(?:at|by|and|then|or|to|around|about|before|until|till|from|after|@|,)"
    r"(?=\s*" + CUT + r"[\s" + CUT + r",.;:!?]*$)",
    re.IGNORECASE,
)
_CUTS = re.compile(r"\s*" + CUT + r"[\s" + CUT + r"]*")
_DOUBLE_PUNCT = re.compile(r"([,;:])\s+(?=[,;:.!?])")
_SPACES = re.compile(r"\s+")
_EDGE = " \t,.;:!?-–—…"


def extract_tags(text: str) -> tuple[str, ...]:
    """#tags and @handles, lower-cased, each once, in the order written."""
    seen: dict[str, None] = {}
    for match in _TAG.finditer(text[:10_000]):
        seen.setdefault(match.group(0).lower(), None)
    return tuple(seen)


def cut_out(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with each span replaced by the CUT mark."""
    pieces: list[str] = []
    at = 0
    for start, end in sorted(spans):
        if start < at:
            continue
        pieces.append(text[at:start])
        pieces.append(f" {CUT} ")
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def clean_task(text: str) -> str:
    """The task as written, without filler, the cut time phrases, or what they left behind."""
    if CUT in text:
        while (trimmed := _DANGLING_BEFORE_CUT.sub(" ", text)) != text:
            text = trimmed
        text = _CUTS.sub(" ", text)
    text = _DOUBLE_PUNCT.sub(r"\1", _SPACES.sub(" ", text))
    while True:
        text = text.strip(_EDGE)
        lead = _LEADING_FILLER.match(text)
        if lead is not None and lead.end():
            text = text[lead.end() :]
            continue
        tail = _TRAILING_FILLER.search(text)
        if tail is not None:
            text = text[: tail.start()]
            continue
        return text
