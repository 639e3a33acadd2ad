"""What every conversation flow shares: the injected store, outbox, scheduler and clock.

Flows (promises, routines, reports, account) each take one Context, so no flow owns a
global and tests build a Context from a memory store, a recording outbox and a
manual clock.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.replies import Button, JobScheduler, Keyboard, Outbox, Reply
from core.lifecycle import Timings
from core.models import UserSettings
from core.ports import Store
from core.transfer import ExportBundle

Clock = Callable[[], datetime]
UTC = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Limits:
    max_text: int = 500
    max_open: int = 200
    max_routines: int = 50
    # New promises a day (the user's local day): more than anyone keeps track of, and
    # few enough that a script cannot grow one user's history without bound.
    max_new_per_day: int = 300
    messages_per_minute: int = 20


@dataclass(frozen=True, slots=True)
class Sender:
    """Who did something, and where to answer."""

    user_id: int
    chat_id: int
    first_name: str = ""
    message_id: int | None = None


def new_id() -> str:
    """A short random id: unguessable, safe in callback_data and file names."""
    return secrets.token_hex(6)


# A command handler gets the user, the sender and the text after the command.
CommandHandler = Callable[[UserSettings, Sender, str], Awaitable[None]]
# A button handler gets the user, the sender, the pressed message and the data's args,
# and returns the short toast shown by the callback answer.
ButtonHandler = Callable[[UserSettings, Sender, int, list[str]], Awaitable[str]]


class Context:
    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        scheduler: JobScheduler,
        clock: Clock,
        *,
        default_tz: str = "UTC",
        timings: Timings | None = None,
        limits: Limits | None = None,
        make_id: Callable[[], str] = new_id,
        shares_location: bool = True,
        read_export: Callable[[bytes], ExportBundle] | None = None,
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.scheduler = scheduler
        self.clock = clock
        self.default_tz = default_tz
        self.timings = timings or Timings()
        self.limits = limits or Limits()
        self.make_id = make_id
        # Reads an /export file into records (storage.importing.read_export); injected
        # so the conversation knows no storage adapter. None: importing is not offered.
        self.read_export = read_export
        # Whether the user can send a location here: Telegram can, a terminal cannot.
        self.shares_location = shares_location
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def lock(self, user_id: int) -> asyncio.Lock:
        """One user's actions and jobs run one at a time, so read-modify-write is safe."""
        return self._locks[user_id]

    def user(self, who: Sender) -> UserSettings:
        """The sender's settings, created on first contact in the default time zone."""
        user = self.store.get_user(who.user_id)
        if user is None:
            user = UserSettings(
                user_id=who.user_id, chat_id=who.chat_id, tz=self.default_tz, created=self.clock()
            )
            self.store.put_user(user)
        elif user.chat_id != who.chat_id or user.blocked:
            user = replace(user, chat_id=who.chat_id, blocked=False)
            self.store.put_user(user)
        return user

    @staticmethod
    def zone(user: UserSettings) -> ZoneInfo:
        try:
            return ZoneInfo(user.tz)
        except (ZoneInfoNotFoundError, ValueError):
            return UTC

    async def say(self, chat_id: int, text: str, buttons: Keyboard = ()) -> int | None:
        return await self.outbox.send(chat_id, Reply(text, buttons))

    async def edit(self, chat_id: int, message_id: int, text: str, buttons: Keyboard = ()) -> bool:
        return await self.outbox.edit(chat_id, message_id, Reply(text, buttons))


__all__ = [
    "UTC",
    "Button",
    "ButtonHandler",
    "Clock",
    "CommandHandler",
    "Context",
    "Limits",
    "Reply",
    "Sender",
    "new_id",
]
