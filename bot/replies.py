"""Transport-independent replies: what the conversation wants shown, not how.

The Telegram adapter turns a Reply into sendMessage/sendPhoto/sendDocument with an
inline keyboard; the terminal adapter prints it with labelled choices ([a1]). Text is
Telegram-style HTML (only <b> and <i>), with every piece of user text escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

CALLBACK_DATA_MAX_BYTES = 64


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        # Telegram rejects longer callback_data with an opaque 400; fail loudly here.
        if len(self.data.encode()) > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"callback data over {CALLBACK_DATA_MAX_BYTES} bytes: {self.data!r}")


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: Keyboard = ()
    photo: Attachment | None = None
    document: Attachment | None = None


class DeliveryError(Exception):
    """The transport could not be reached after every retry; the caller may try later.

    Check-in jobs catch it and try again, so a network outage delays a check-in but
    never loses it.
    """


class Outbox(Protocol):
    """Where replies go. Implemented by the Telegram adapter and the terminal chat."""

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        """Send and return the message id; None when the chat refused it (blocked).

        Raises DeliveryError when the transport stayed unreachable through its retries.
        """

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        """Replace an earlier message's text and buttons; False when that failed."""


class JobScheduler(Protocol):
    """Wakes the conversation at a time. Jobs are a cache of the store, keyed by name."""

    def schedule(self, key: str, at: datetime, callback: Callable[[], Awaitable[None]]) -> None:
        """Add or replace the job called ``key``."""

    def cancel(self, key: str) -> None: ...


def esc(text: str) -> str:
    """Escape user text for Telegram HTML."""
    return html.escape(text, quote=False)


def shorten(text: str, limit: int) -> str:
    """Cut long user text for lists and buttons, where a whole task would not fit."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_TAG = re.compile(r"</?(?:b|i)>")


def plain(text: str) -> str:
    """The same text without markup, for terminals and logs of tests."""
    return html.unescape(_TAG.sub("", text))


# One piece of Telegram HTML: a tag, an entity, or one character.
_PIECE = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]+;|.", re.DOTALL)
_ANY_TAG = re.compile(r"<[^<>]*>")
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)[^<>]*>")


def shown_length(text: str) -> int:
    """How long Telegram counts an HTML text: after markup, in UTF-16 code units.

    Telegram's 4,096 is counted after entity parsing; UTF-16 is the stricter of the
    ways it might count, so a part measured here is never too long there.
    """
    return _units(html.unescape(_ANY_TAG.sub("", text)))


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int) -> list[str]:
    """Telegram HTML cut into parts of at most ``limit`` shown characters.

    Cuts between lines where it can, inside a line (at a space if there is one) only
    when the line alone is too long, never inside a tag or an entity. A tag open at a
    cut is closed at the end of its part and opened again at the start of the next.
    """
    if shown_length(text) <= limit:
        return [text]
    parts: list[list[str]] = []  # the pieces of each part
    part: list[str] = []
    size = 0
    for line in text.split("\n"):
        pieces = _PIECE.findall(line)
        width = sum(_piece_units(p) for p in pieces)
        if part and size + 1 + width <= limit:
            part += ["\n", *pieces]
            size += 1 + width
            continue
        if part:
            parts.append(part)
        part, size = [], 0
        for piece in pieces:
            units = _piece_units(piece)
            if size + units > limit:
                cut = _last_space(part)
                parts.append(part[:cut])
                part = part[cut:]
                size = sum(_piece_units(p) for p in part)
            part.append(piece)
            size += units
    parts.append(part)
    return _balance(["".join(p).strip() for p in parts])


def _piece_units(piece: str) -> int:
    if piece.startswith("<") and piece.endswith(">") and len(piece) > 1:
        return 0
    return _units(html.unescape(piece))


def _last_space(part: list[str]) -> int:
    """Where to cut a line that is too long: after its last space in the second half."""
    for index in range(len(part) - 1, len(part) // 2, -1):
        if part[index] == " ":
            return index + 1
    return len(part)


def _balance(parts: list[str]) -> list[str]:
    """Close the tags open at the end of each part and open them again in the next."""
    out: list[str] = []
    carried: list[str] = []
    for part in parts:
        text = "".join(carried) + part
        stack: list[tuple[str, str]] = []
        for tag in _ANY_TAG.findall(text):
            if tag.startswith("</"):
                if stack:
                    stack.pop()
            elif match := _OPEN_TAG.fullmatch(tag):
                stack.append((match.group(1), tag))
        carried = [tag for _, tag in stack]
        text += "".join(f"</{name}>" for name, _ in reversed(stack))
        if html.unescape(_ANY_TAG.sub("", text)).strip():  # Telegram refuses empty text
            out.append(text)
    return out
