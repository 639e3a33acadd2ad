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
    r"to|and|then|ok|okay|k|so|well|hey|yeah|yes|alright|right|oh"
    r")(?:\s*[:,\-–—]+\s*|\s+|$)",
    re.IGNORECASE,
)
# Words that only make sense next to the time that was removed: "call mom back at <cut>".
_DANGLING = frozenset(
    [
        "at",
        "by",
        "and",
        "then",
        "or",
        "to",
        "around",
        "about",
        "before",
        "until",
        "till",
        "from",
        "after",
        "@",
        ",",
    ]
)
# What may stand between the last words of a message and its end once a time is cut out.
_TAIL = frozenset(" \t\n\r\f\v" + CUT + ",.;:!?")
_TRAILING_WORDS = frozenset(("please", "pls", "plz", "thanks", "thx", "ok", "okay"))
# Words that only qualify the time just cut out: "at 3 sharp", "at 9 on the dot".
_AFTER_CUT = re.compile(
    CUT + r"\s*(?:sharp|on\s+the\s+dot|-?\s*ish|or\s+so|approximately|approx\.?|roughly)(?![\w])",
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


def _drop_dangling(text: str) -> str:
    """`text` without the connectors left just before its closing cut ("back at <cut>").

    One walk from the end, word by word: a message of many connectors costs one pass, not
    one pass per connector (a regex re-applied until nothing changes was quadratic).
    """
    start = len(text)
    while start and text[start - 1] in _TAIL:
        start -= 1
    cut = text.find(CUT, start)
    if cut < 0:
        return text
    keep = at = cut
    while True:
        end = at
        while end and text[end - 1].isspace():
            end -= 1
        begin = end
        while begin and not text[begin - 1].isspace():
            begin -= 1
        if begin == end or text[begin:end].lower() not in _DANGLING:
            break
        keep = at = begin
    return text if keep == cut else text[:keep] + " " + text[cut:]


def _word_before(text: str, at: int) -> tuple[int, int]:
    """(start, end) of the last word of `text[:at]`, past whitespace and closing dots."""
    end = at
    while end and (text[end - 1] in ".!" or text[end - 1].isspace()):
        end -= 1
    begin = end
    while begin and not text[begin - 1].isspace():
        begin -= 1
    return begin, end


def _trailing_filler(text: str) -> int:
    """Where the run of "please", "thanks", "ok"… closing `text` begins (len: none).

    Walked from the end, so a long run is read once instead of searched for again per word.
    """
    keep = len(text)
    while True:
        begin, end = _word_before(text, keep)
        word = text[begin:end].lower()
        if word == "you":
            begin, end = _word_before(text, begin)
            word = "thanks" if text[begin:end].lower() == "thank" else ""
        if begin == end or word not in _TRAILING_WORDS:
            return keep
        keep = begin


def clean_task(text: str) -> str:
    """The task as written, without filler, the cut time phrases, or what they left behind.

    Linear in the length of `text`: each clean-up walks the text once.
    """
    if CUT in text:
        text = _CUTS.sub(" ", _drop_dangling(_AFTER_CUT.sub(CUT, text)))
    text = _DOUBLE_PUNCT.sub(r"\1", _SPACES.sub(" ", text))
    while True:
        text = text.strip(_EDGE)
        lead = _LEADING_FILLER.match(text)
        if lead is not None and lead.end():
            text = text[lead.end() :]
            continue
        end = _trailing_filler(text)
        if end < len(text):
            text = text[:end]
            continue
        return text
