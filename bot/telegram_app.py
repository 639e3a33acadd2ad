"""The Telegram adapter: PTB updates in, Conversation calls, Telegram messages out.

Thin on purpose: every decision lives in the conversation; this file only translates
between PTB objects and Sender/Reply, and registers the handlers in one table. What
it adds is delivery: sends retried until they arrive (TelegramOutbox), and updates
confirmed to Telegram only once handled (UpdateLedger). See docs/RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import (
    BotCommand,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    SimpleUpdateProcessor,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import texts
from bot.config import Settings
from bot.context import Clock, Context, Sender
from bot.conversation import Conversation
from bot.flood import Verdict
from bot.ratelimit import KeepwordRateLimiter
from bot.replies import DeliveryError, JobScheduler, Keyboard, Reply, shown_length, split_text
from bot.scheduler import APSchedulerJobs
from core.ports import Store
from core.transfer import MAX_IMPORT_BYTES
from storage.importing import read_export

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 6
BACKOFF_SECONDS = 0.5  # first wait after a network error; doubles each time (≈ 16 s in all)
# Updates handled at once. One user's updates still run one at a time (the conversation
# locks per user); this only keeps a slow send to one chat from holding up everyone.
CONCURRENT_UPDATES = 64
ALLOWED_UPDATES = ("message", "edited_message", "channel_post", "callback_query")
# Telegram's limits on a message's text and a file's caption, counted after markup.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MIN_PART = 512
# A button press is answered within this long even when its work takes longer.
ANSWER_WITHIN = 1.0
REFUSAL_INTERVAL = 60.0  # seconds between two "this bot is private" replies to one user
GROUP_LINE_INTERVAL = 300.0  # seconds between two "I work in private chats" in one group


class MessageTooLong(Exception):
    """Telegram's 400 "message is too long": cut smaller and sent again, never dropped."""


def keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons]
    )


class TelegramOutbox:
    """Sends Replies; retries network faults with backoff and jitter, never drops silently.

    429s are waited out by AIORateLimiter; a 403 (the user blocked the bot) is reported
    to ``on_blocked`` so the bot stops writing to them while keeping their data. A chat
    that moved (ChatMigrated) is written to under its new id, reported to
    ``on_migrated`` so the store keeps it. Other Telegram errors (404, 401, 409) raise
    DeliveryError at once: callers try again later, check-ins with backoff. A text
    longer than Telegram takes goes out in parts cut between lines; its 400 "message is
    too long" means smaller parts, never a blocked chat.
    """

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.app = app
        self.on_blocked: Callable[[int], Awaitable[None]] | None = None
        self.on_migrated: Callable[[int, int], Awaitable[None]] | None = None
        self.moved: dict[int, int] = {}  # old chat id -> new, after a ChatMigrated

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        markup = keyboard(reply.buttons)
        attachment = reply.photo or reply.document
        if attachment is None:
            return await self._send_text(chat_id, reply.text, markup, TEXT_LIMIT)
        caption = reply.text or attachment.caption or None
        overflow = None
        if caption is not None and shown_length(caption) > CAPTION_LIMIT:
            caption, overflow = None, caption  # a text of its own, after the file
        send_file = (
            self.app.bot.send_photo if reply.photo is not None else self.app.bot.send_document
        )

        async def call(chat: int) -> Any:
            return await send_file(
                chat,
                InputFile(attachment.content, filename=attachment.filename),
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )

        message = await self._deliver(chat_id, call)
        if message is not None and overflow is not None:
            await self._send_text(chat_id, overflow, None, TEXT_LIMIT)
        return None if message is None else message.message_id

    async def _send_text(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, limit: int
    ) -> int | None:
        """Send a text as one message, or in parts cut between lines when it is longer
        than Telegram takes; the buttons go with the last part, whose id is returned."""
        parts = split_text(text, limit)
        message_id = None
        for number, part in enumerate(parts, start=1):
            buttons = markup if number == len(parts) else None

            async def call(
                chat: int, part: str = part, buttons: InlineKeyboardMarkup | None = buttons
            ) -> Any:
                return await self.app.bot.send_message(
                    chat,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=buttons,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )

            try:
                message = await self._deliver(chat_id, call)
            except MessageTooLong:
                # Telegram counted it longer than we did: smaller parts, never a drop.
                if limit <= MIN_PART:
                    raise DeliveryError(
                        f"Telegram refused every part for chat {chat_id}"
                    ) from None
                log.warning("Telegram found a message too long; sending it in smaller parts")
                message_id = await self._send_text(chat_id, part, buttons, limit // 2)
                continue
            if message is None:
                return None  # blocked or refused: the other parts would be too
            message_id = message.message_id
        return message_id

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        text = reply.text
        if shown_length(text) > TEXT_LIMIT:  # one message stays one message: cut its end
            text = split_text(text, TEXT_LIMIT - 1)[0] + "…"

        async def call(chat: int) -> Any:
            return await self.app.bot.edit_message_text(
                text,
                chat_id=chat,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply.buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )

        try:
            return await self._deliver(chat_id, call) is not None
        except (BadRequest, MessageTooLong):
            return False

    async def _deliver(self, chat_id: int, call: Callable[[int], Awaitable[Any]]) -> Any:
        for attempt in range(SEND_ATTEMPTS):
            chat_id = self.moved.get(chat_id, chat_id)
            try:
                return await call(chat_id)
            except ChatMigrated as error:
                # A group became a supergroup: the same chat under a new id, from now on.
                new_id = int(error.new_chat_id)
                log.info("chat %s moved to %s; sending there", chat_id, new_id)
                self.moved[chat_id] = new_id
                if self.on_migrated is not None:
                    await self.on_migrated(chat_id, new_id)
            except Forbidden:
                log.info("chat %s blocked the bot; pausing messages to it", chat_id)
                if self.on_blocked is not None:
                    await self.on_blocked(chat_id)
                return None
            except BadRequest as error:
                if "not modified" in str(error).lower():
                    return True
                if "too long" in str(error).lower():
                    raise MessageTooLong(str(error)) from None
                log.warning("Telegram refused a message to chat %s: %s", chat_id, error)
                return None
            except RetryAfter as error:
                if attempt + 1 < SEND_ATTEMPTS:
                    await asyncio.sleep(_seconds(error.retry_after) + 0.1)
            except NetworkError as error:
                # Exponential backoff with jitter, so many chats don't retry in lockstep.
                delay = min(30.0, BACKOFF_SECONDS * 2**attempt) * (0.5 + random.random())
                log.warning("network error talking to Telegram (%s); retry in %.1fs", error, delay)
                if attempt + 1 < SEND_ATTEMPTS:
                    await asyncio.sleep(delay)
            except TelegramError as error:
                # 404, 401, 409 or an answer that is not the Bot API's: not worth a quick
                # retry here. The caller tries again later (check-ins back off); never lost.
                raise DeliveryError(
                    f"Telegram answered {type(error).__name__} ({error}) for chat {chat_id}"
                ) from error
        raise DeliveryError(f"could not deliver to chat {chat_id} after {SEND_ATTEMPTS} tries")


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)


class UpdateLedger:
    """Confirm an update to Telegram only once it has been handled.

    PTB's Updater confirms every update it fetched on its next poll, before the handler
    has run; a ``kill -9`` in between loses the message without a reply. Here the offset
    sent to Telegram never passes the oldest update still being handled, so such an
    update is delivered again after a restart (the conversation de-duplicates by
    message id). Updates fetched again while still in hand are not handed out twice.
    """

    def __init__(self) -> None:
        self.in_flight: set[int] = set()
        self.done: set[int] = set()  # handled, but an older one still holds the offset
        self._changed = asyncio.Event()

    def offset(self, requested: int | None) -> int | None:
        # From here on, an update finishing wakes a poller stalled on this poll's answer;
        # clearing later would miss a finish that lands while the poll is in the air.
        self._changed.clear()
        if not self.in_flight:
            return requested
        oldest = min(self.in_flight)
        return oldest if requested is None else min(requested, oldest)

    def admit(self, update_ids: Sequence[int], offset: int | None) -> list[int]:
        """The ids not yet in hand; they are in hand from now on."""
        if offset is not None:
            self.done = {i for i in self.done if i >= offset}  # the rest is confirmed
        fresh = [i for i in update_ids if i not in self.in_flight and i not in self.done]
        self.in_flight.update(fresh)
        return fresh

    def finished(self, update_id: int) -> None:
        self.in_flight.discard(update_id)
        self.done.add(update_id)
        self._changed.set()

    async def stalled(self) -> None:
        """Every update fetched is in hand: wait until one is handled (or 0.3 s).

        Polls again at once when one finished since the poll went out; otherwise this
        keeps getUpdates from spinning while a slow update holds the offset.
        """
        if not self.in_flight:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), 0.3)


class LedgerBot(ExtBot[Any]):
    """An ExtBot whose getUpdates goes through the UpdateLedger."""

    def __init__(self, ledger: UpdateLedger, token: str, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        self._ledger = ledger  # PTB bots are frozen; underscore names stay settable

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,  # noqa: ASYNC109 - the Bot API's long-poll parameter
        allowed_updates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        effective = self._ledger.offset(offset)
        updates = await super().get_updates(effective, limit, timeout, allowed_updates, **kwargs)
        fresh = set(self._ledger.admit([u.update_id for u in updates], effective))
        if updates and not fresh:
            await self._ledger.stalled()  # don't spin on getUpdates meanwhile
        return tuple(u for u in updates if u.update_id in fresh)


class LedgerProcessor(SimpleUpdateProcessor):
    """Tells the ledger when an update has been handled (or failed: errors are handled)."""

    def __init__(self, ledger: UpdateLedger, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.ledger = ledger

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        finally:
            if isinstance(update, Update):
                self.ledger.finished(update.update_id)


def sender(update: Update) -> Sender | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    message = update.message
    return Sender(
        user_id=user.id,
        chat_id=chat.id,
        first_name=user.first_name or "",
        message_id=message.message_id if message is not None else None,
    )


def split_command(text: str, bot_username: str) -> tuple[str, str] | None:
    """'/score@KeepwordBot args' -> ('score', 'args'); None when meant for another bot."""
    head, _, args = text.partition(" ")
    name, _, target = head[1:].partition("@")
    if target and target.lower() != bot_username.lower():
        return None
    return name.lower(), args.strip()


def log_task_failure(task: asyncio.Task[Any]) -> None:
    """Done-callback for the bot's own background tasks: a failure is never silent.

    Without it an exception in a task nobody awaits is reported only when the task is
    garbage-collected, if ever (the restore task is kept in a set until shutdown).
    """
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.error("background task %s failed", task.get_name(), exc_info=error)


def first_in(seen: dict[int, float], key: int, interval: float) -> bool:
    """True at most once per ``interval`` seconds per key; ``seen`` stays bounded."""
    now = time.monotonic()
    if now - seen.get(key, -interval) < interval:
        return False
    if len(seen) > 10_000:
        seen.clear()
    seen[key] = now
    return True


def base_file_url(base_url: str) -> str:
    if base_url.rstrip("/").endswith("/bot"):
        return base_url.rstrip("/")[: -len("bot")] + "file/bot"
    return base_url


def build_application(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    scheduler: JobScheduler | None = None,
    request: BaseRequest | None = None,
) -> tuple[Application[Any, Any, Any, Any, Any, Any], Conversation]:
    """``scheduler`` and ``request`` let tests drive the real handlers with a manual
    scheduler and a recording Bot API double; by default the JobQueue and HTTP are used."""
    assert settings.token is not None
    ledger = UpdateLedger()
    bot = LedgerBot(
        ledger,
        settings.token,
        base_url=settings.api_base_url,
        base_file_url=base_file_url(settings.api_base_url),
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=KeepwordRateLimiter(max_retries=3),
    )
    app = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(LedgerProcessor(ledger, CONCURRENT_UPDATES))
        .build()
    )
    assert app.job_queue is not None
    outbox = TelegramOutbox(app)
    ctx = Context(
        store,
        outbox,
        APSchedulerJobs(app.job_queue.scheduler) if scheduler is None else scheduler,
        clock,
        default_tz=settings.default_tz,
        timings=settings.timings,
        read_export=read_export,
    )
    conversation = Conversation(ctx)
    outbox.on_blocked = conversation.on_blocked
    outbox.on_migrated = conversation.on_migrated
    allowed = settings.allowed_users
    refused: dict[int, float] = {}

    def permitted(who: Sender) -> bool:
        return not allowed or who.user_id in allowed

    async def refuse(who: Sender) -> None:
        """Tell a stranger once a minute, not once per message: a flood costs nothing."""
        if first_in(refused, who.user_id, REFUSAL_INTERVAL):
            await ctx.say(who.chat_id, texts.NOT_ALLOWED)

    async def on_private_message(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        who, message = sender(update), update.message
        if who is None or message is None:
            return
        if not permitted(who):
            await refuse(who)
            return
        if message.text and message.text.startswith("/"):
            parts = split_command(message.text, app.bot.username)
            if parts is not None:  # None: meant for another bot
                await conversation.on_command(who, *parts)
        elif message.text is not None:
            await conversation.on_text(who, message.text)
        elif message.location is not None:
            await conversation.on_location(
                who, message.location.latitude, message.location.longitude
            )
        elif message.document is not None:
            await on_document(who, message.document)
        else:
            await conversation.on_unsupported(who)

    async def on_document(who: Sender, document: Document) -> None:
        """Fetch a sent file (an /export to import) within Telegram's download limit."""
        if document.file_size is not None and document.file_size > MAX_IMPORT_BYTES:
            await ctx.say(who.chat_id, texts.FILE_TOO_BIG)
            return
        try:
            file = await app.bot.get_file(document.file_id)
            data = bytes(await file.download_as_bytearray())
        except TelegramError as error:
            log.warning("could not download a sent file: %s", type(error).__name__)
            await ctx.say(who.chat_id, texts.FILE_UNREADABLE)
            return
        await conversation.on_document(who, data[: MAX_IMPORT_BYTES + 1])

    async def on_edited(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        who = sender(update)
        if who is not None and permitted(who):
            await conversation.on_edit(who)

    told: dict[int, float] = {}  # group or channel -> when it was last told

    async def on_group_message(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Groups and channels: explain when addressed, at most once in a few minutes, and
        only to people this bot serves; never answer every message."""
        message, chat = update.effective_message, update.effective_chat
        user = update.effective_user
        if message is None or chat is None:
            return
        if allowed and (user is None or user.id not in allowed):
            return  # a stranger (or a channel) gets nothing from a private bot
        text = message.text or message.caption or ""
        username = app.bot.username
        if text.startswith("/"):
            addressed = split_command(text, username) is not None
        else:
            addressed = f"@{username}".lower() in text.lower() or any(
                member.id == app.bot.id for member in message.new_chat_members or ()
            )
        if not addressed:
            return
        # Counted against whoever wrote; a channel post counts against the channel.
        writer = chat.id if user is None else user.id
        if not conversation.screened and conversation.flood.check(writer) is not Verdict.ADMIT:
            return
        if first_in(told, chat.id, GROUP_LINE_INTERVAL):
            await ctx.say(chat.id, texts.NOT_PRIVATE)

    async def on_button(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Every press is answered, whatever it does: with its toast when the work is
        done within ANSWER_WITHIN, else with none at once (the work goes on), and when
        the work fails. Telegram shows a spinner on the button until then."""
        query = update.callback_query
        if query is None:
            return
        answered = False

        async def answer(toast: str) -> None:
            nonlocal answered
            if answered:
                return
            answered = True
            try:
                await query.answer(toast[:190] or None)
            except TelegramError as error:
                log.info("could not answer a button press: %s", error)

        toast = texts.EXPIRED_BUTTON
        message = query.message
        try:
            if (
                query.data
                and isinstance(message, Message)
                and message.chat.type == ChatType.PRIVATE
            ):
                who = Sender(query.from_user.id, message.chat.id, query.from_user.first_name or "")
                if permitted(who):
                    work = asyncio.ensure_future(
                        conversation.on_button(who, message.message_id, query.data)
                    )
                    try:
                        done, _pending = await asyncio.wait({work}, timeout=ANSWER_WITHIN)
                    except asyncio.CancelledError:
                        work.cancel()
                        raise
                    if not done:
                        await answer("")  # a slow one (a chart, a queued send): stop the spinner
                    toast = await work
                else:
                    toast = texts.NOT_ALLOWED
        except Exception:
            await answer(texts.BUTTON_FAILED)
            raise  # on_error logs it and tells the user
        await answer(toast)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await ctx.say(update.effective_chat.id, texts.SOMETHING_WRONG)
            except Exception:
                log.warning("could not tell the user about the error", exc_info=True)

    private = filters.ChatType.PRIVATE
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED & private, on_edited))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private, on_private_message))
    app.add_handler(
        MessageHandler(
            (filters.UpdateType.MESSAGE & ~private) | filters.UpdateType.CHANNEL_POST,
            on_group_message,
        )
    )
    app.add_error_handler(on_error)

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await application.bot.set_my_commands([BotCommand(n, d) for n, d in texts.COMMANDS])
        # Rebuilding jobs for 100,000 promises takes seconds; answer users meanwhile.
        # (A plain loop task: PTB's create_task warns before the application runs.)
        task = asyncio.get_running_loop().create_task(restore(), name="restore")
        background.add(task)
        task.add_done_callback(finished)

    async def post_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        for task in list(background):
            task.cancel()

    background: set[asyncio.Task[None]] = set()

    def finished(task: asyncio.Task[None]) -> None:
        background.discard(task)
        log_task_failure(task)

    async def restore() -> None:
        started = time.monotonic()
        counts = await conversation.restore()
        log.info("restored %s in %.2f s", counts, time.monotonic() - started)

    app.post_init = post_init
    app.post_stop = post_stop
    return app, conversation
