"""The conversation, once, for every transport.

Telegram and the terminal chat feed user actions in here; replies go out through the
injected Outbox. Nothing here knows Telegram types, TinyDB or APScheduler. This module
only routes: each flow (promises, routines, reports, account) owns its commands and
buttons, and this table of contents puts them together.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Iterable
from dataclasses import replace

from bot import texts
from bot.context import ButtonHandler, CommandHandler, Context, Sender
from bot.flood import FloodGuard, Verdict
from bot.flows.account import AccountFlow
from bot.flows.answers import AnswerFlow
from bot.flows.imports import ImportFlow
from bot.flows.promises import PromiseFlow
from bot.flows.reports import ReportFlow
from bot.flows.routines import RoutineFlow
from bot.replies import CALLBACK_DATA_MAX_BYTES
from core.models import UserSettings
from core.ports import StoreError, UserSnapshot
from core.timephrase import NeedsTime, ParsedRoutine, ParseError, parse

log = logging.getLogger(__name__)

RESTORE_CHUNK = 20  # users restored between two chances for updates to run
# Button taps are cheaper and come in runs (stepping the report hour): a larger budget.
PRESSES_PER_MESSAGE = 3

# callback_data is "action" or "action:arg" or "action:arg:arg" of short safe tokens.
_CALLBACK = re.compile(r"[a-z][a-z0-9]{0,7}(?::[A-Za-z0-9_-]{1,24}){0,2}")


class Conversation:
    """``screened``: the transport puts every update through ``self.flood`` at its door
    (the Telegram adapter, before queueing it); otherwise each entry point asks."""

    def __init__(self, ctx: Context, *, screened: bool = False) -> None:
        self.ctx = ctx
        self.screened = screened
        per_minute = ctx.limits.messages_per_minute
        self.flood = FloodGuard(per_minute, per_minute * PRESSES_PER_MESSAGE)
        self.promises = PromiseFlow(ctx)
        self.routines = RoutineFlow(ctx, self.promises)
        self.reports = ReportFlow(ctx)
        self.account = AccountFlow(ctx, self.promises, self.routines, self.reports)
        self.answers = AnswerFlow(ctx, self.promises)
        self.imports = ImportFlow(ctx, self.replan)
        self.commands: dict[str, CommandHandler] = {}
        self.buttons: dict[str, ButtonHandler] = {}
        flows = (self.promises, self.routines, self.reports, self.account, self.answers)
        for flow in (*flows, self.imports):
            self.commands.update(flow.commands)
            self.buttons.update(flow.buttons)

    async def restore(self, snapshots: Iterable[UserSnapshot] | None = None) -> dict[str, int]:
        """Rebuild every scheduled job from the store (the store is the truth).

        One pass over the users: past-due check-ins fire at once (marked late), a
        routine catches up on its latest missed day, a missed weekly report goes out.
        ``snapshots`` limits it to those users (the terminal chat serves only its own).
        """
        counts = {"users": 0, "promises": 0, "routines": 0, "skipped": 0}
        for snap in self.ctx.store.snapshot() if snapshots is None else snapshots:
            counts["users"] += 1
            if counts["users"] % RESTORE_CHUNK == 0:
                await asyncio.sleep(0)  # let updates in: the bot answers while it restores
            try:
                self._restore_user(snap, counts)
            except Exception as error:
                # One user's records the store could read but we cannot plan: that user
                # waits (logged by id; the text of their promises stays out of the log),
                # everyone after them in the scan is still restored.
                counts["skipped"] += 1
                log.warning("restore skipped user %s: %s", snap.user_id, type(error).__name__)
                log.debug("restore skipped user %s", snap.user_id, exc_info=True)
        return counts

    def _restore_user(self, snap: UserSnapshot, counts: dict[str, int]) -> None:
        for promise in snap.open_promises:
            self.promises.plan(promise)
            counts["promises"] += 1
        if snap.user is None:
            return
        for routine in snap.routines:
            self.routines.plan(routine, snap.user)
            counts["routines"] += 1
        self.reports.plan(snap.user, catch_up=True)

    # ------------------------------------------------------------------ entry points

    async def on_text(self, who: Sender, text: str) -> None:
        await self._on_message(who, text, command=None)

    async def on_command(self, who: Sender, command: str, args: str = "") -> None:
        await self._on_message(who, args, command=command.lower())

    async def on_location(self, who: Sender, latitude: float, longitude: float) -> None:
        async with self.ctx.lock(who.user_id):
            if await self._within_rate(who):
                await self._guarded(who, self._location(who, latitude, longitude))

    async def on_document(self, who: Sender, data: bytes) -> None:
        """A file sent to the bot: an /export to import, after a confirmation."""
        async with self.ctx.lock(who.user_id):
            if await self._within_rate(who):
                await self._guarded(who, self._document(who, data))

    async def _document(self, who: Sender, data: bytes) -> None:
        await self.imports.on_file(self.ctx.user(who), who, data)

    async def _location(self, who: Sender, latitude: float, longitude: float) -> None:
        await self.account.set_location(self.ctx.user(who), latitude, longitude)

    async def on_edit(self, who: Sender) -> None:
        """An edited message: the promise it made stays as it was."""
        async with self.ctx.lock(who.user_id):  # answered after the message it edits
            if await self._within_rate(who):
                await self.ctx.say(who.chat_id, texts.EDIT_IGNORED)

    async def on_unsupported(self, who: Sender) -> None:
        """A sticker, photo, voice message…: only text is understood."""
        async with self.ctx.lock(who.user_id):
            if await self._within_rate(who):
                await self.ctx.say(who.chat_id, texts.UNSUPPORTED)

    async def slow_down(self, who: Sender) -> None:
        """The first action over the flood guard's budget: said once."""
        await self.ctx.say(who.chat_id, texts.SLOW_DOWN)

    async def on_button(self, who: Sender, message_id: int, data: str) -> str:
        """Handle a button press; returns the short toast for the callback answer."""
        if len(data.encode()) > CALLBACK_DATA_MAX_BYTES or not _CALLBACK.fullmatch(data):
            return texts.EXPIRED_BUTTON
        action, *args = data.split(":")
        handler = self.buttons.get(action)
        if handler is None:
            return texts.EXPIRED_BUTTON
        if not self.screened and self.flood.check(who.user_id, tap=True) is not Verdict.ADMIT:
            return texts.SLOW_DOWN
        async with self.ctx.lock(who.user_id):
            user = self.ctx.store.get_user(who.user_id)
            if user is None:
                return texts.ALREADY_DONE  # e.g. a button from before /forget
            try:
                if user.blocked:  # a tap means they are back: pick up where we paused
                    user = self.ctx.user(who)
                    self.replan(user)
                if message_id != self.promises.waiting_message(user):
                    # Any other button ends an open "when?": its reply can't be meant for it.
                    user = await self.promises.end_waiting(user)
                return await handler(user, who, message_id, args)
            except StoreError:
                log.warning("store write failed while handling a button", exc_info=True)
                await self.ctx.say(who.chat_id, texts.SAVE_FAILED)
                return "Couldn't save that"

    def replan(self, user: UserSettings) -> None:
        for promise in self.ctx.store.open_promises(user.user_id):
            self.promises.plan(promise)
        self.routines.replan_user(user)
        self.reports.plan(user)

    async def on_blocked(self, chat_id: int) -> None:
        """The user blocked the bot: stop writing to them, keep their data."""
        try:
            user = self.ctx.store.get_user(chat_id)
            if user is not None and not user.blocked:
                self.ctx.store.put_user(replace(user, blocked=True))
        except StoreError:
            # Not remembered: the next message to them bounces again and we try again.
            log.warning("could not record that a user blocked the bot", exc_info=True)

    async def on_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        """The user's chat moved to a new id (ChatMigrated): write there from now on,
        after a restart too. Keepword's chats are private, whose id is the user's."""
        try:
            user = self.ctx.store.get_user(old_chat_id)
            if user is not None and user.chat_id == old_chat_id:
                self.ctx.store.put_user(replace(user, chat_id=new_chat_id))
        except StoreError:
            # The outbox still sends to the new id until a restart, then moves again.
            log.warning("could not record a chat's new id", exc_info=True)

    # ------------------------------------------------------------------ internals

    async def _on_message(self, who: Sender, text: str, command: str | None) -> None:
        # In the user's lock, so replies (and "slow down") keep the order of arrival.
        async with self.ctx.lock(who.user_id):
            if not await self._within_rate(who):
                return  # before any read or write: a silenced message costs nothing
            if await self._guarded(who, self._message(who, text, command)):
                self._remember(who)

    async def _message(self, who: Sender, text: str, command: str | None) -> None:
        before = self.ctx.store.get_user(who.user_id)
        user = self.ctx.user(who)
        if before is None:
            self.reports.plan(user)  # a new user's weekly report, from the first week on
        elif before.blocked:
            self.replan(user)  # they unblocked the bot: pick up where we paused
        if who.message_id is not None and who.message_id <= user.last_message_id:
            return  # Telegram re-delivered an update we already handled
        if command is None:
            await self._text(user, who, text.strip())
            return
        user = await self.promises.end_waiting(user)  # a command ends an open "when?"
        handler = self.commands.get(command)
        if handler is None:
            await self.ctx.say(who.chat_id, texts.UNKNOWN_COMMAND)
        else:
            await handler(user, who, text.strip())

    async def _guarded(self, who: Sender, work: Awaitable[object]) -> bool:
        """Run a handler; a failed write becomes a friendly reply, not silence.

        Whatever was written before the failure stays valid (every write is atomic and
        the store drops its cache of a failed one); the user simply tries again.
        """
        try:
            await work
        except StoreError:
            log.warning("store write failed while handling a message", exc_info=True)
            await self.ctx.say(who.chat_id, texts.SAVE_FAILED)
            return False
        return True

    async def _within_rate(self, who: Sender) -> bool:
        """A per-user flood guard: slow a flood down instead of storing it without bound.

        The first message over the limit gets one polite reply; the rest of the flood
        gets none, or the replies would become the flood. A screening transport asked
        before the update was queued.
        """
        if self.screened:
            return True
        verdict = self.flood.check(who.user_id)
        if verdict is Verdict.WARN:
            await self.slow_down(who)
        return verdict is Verdict.ADMIT

    def _remember(self, who: Sender) -> None:
        """Note the handled message id, so a re-delivered update is not handled twice."""
        if who.message_id is None:
            return
        try:
            user = self.ctx.store.get_user(who.user_id)
            if user is not None and who.message_id > user.last_message_id:
                self.ctx.store.put_user(replace(user, last_message_id=who.message_id))
        except StoreError:
            # The message itself was handled and answered; a promise it made is still
            # guarded against re-delivery by its source message id.
            log.warning("could not note a handled message id", exc_info=True)

    async def _text(self, user: UserSettings, who: Sender, text: str) -> None:
        ctx = self.ctx
        if len(text) > ctx.limits.max_text:
            await ctx.say(who.chat_id, texts.TOO_LONG.format(limit=ctx.limits.max_text))
            return
        if not text:
            await ctx.say(who.chat_id, texts.UNSUPPORTED)
            return
        made = (
            None
            if who.message_id is None
            else ctx.store.find_by_source_message(who.user_id, who.message_id)
        )
        if made is not None:
            # Stored before a crash cut the handling short: never store it twice, and
            # acknowledge it only if the acknowledgement never went out.
            if made.is_open and made.ack_message_id is None:
                await self.promises.acknowledge(user, made)
            return
        if await self.promises.on_message(user, who, text):
            return
        user = ctx.store.get_user(who.user_id) or user
        if await self.answers.on_message(user, text):
            return
        parsed = parse(text, ctx.clock(), ctx.zone(user))
        if isinstance(parsed, ParseError):
            await ctx.say(who.chat_id, texts.parse_error(parsed.reason, parsed.example))
        elif isinstance(parsed, NeedsTime):
            await self.promises.ask_when(user, who, parsed)
        elif isinstance(parsed, ParsedRoutine):
            await self.routines.add(user, parsed)
        else:
            await self.promises.add(user, parsed, who.message_id)
