"""Transport-independent replies: what the conversation wants shown, not how.

The Telegram adapter turns a Reply into sendMessage/sendPhoto/sendDocument with an
inline keyboard; the terminal adapter prints it with numbered choices. Text is
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
