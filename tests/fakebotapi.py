"""A local stand-in for the Telegram Bot API, for end-to-end tests of Keepword.

There is no Telegram in a test run, yet the real bot process must be exercised over real
HTTP: python-telegram-bot talks to whatever ``TELEGRAM_API_BASE_URL`` names, so tests
start this server on 127.0.0.1, point the bot at ``server.base_url``, act as users by
queueing updates, and assert on what the bot sent.

The server copies the Telegram behaviour the bot depends on (formats as python-telegram-bot
22.8 sends them, long polling with offset confirmation and re-delivery, 409 on a second
concurrent poll, HTML entity checks, Telegram-style errors) and adds what real Telegram
cannot give: a log of every call with timestamps, injected faults and optional flood
control. Everything runs on the test's own event loop; helpers that wait are ``async``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import itertools
import json
import re
import struct
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, TypeVar, get_args

from aiohttp import web

FaultKind = Literal["429", "502", "timeout", "drop", "403", "too_long", "404", "401", "409"]
JSONDict = dict[str, Any]
Buttons = list[list[tuple[str, str]]]
T = TypeVar("T")

CONFLICT_DESCRIPTION = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
TOO_LONG_DESCRIPTION = "Bad Request: message is too long"
BOT_ID = 7000000001
BOT_USER: JSONDict = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Keepword",
    "username": "KeepwordBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# PTB sends string parameters as they are and everything else JSON-encoded; these names are
# strings in the Bot API, so a text such as "42" or "true" must not be decoded.
_STRING_FIELDS = _words(
    "text caption parse_mode callback_query_id url inline_message_id "
    "business_connection_id message_effect_id language_code description "
    "short_description name title emoji action secret_token ip_address query data "
    "address first_name last_name vcard phone_number question explanation photo "
    "document audio video animation voice video_note sticker thumbnail file_id "
    "custom_emoji_id payload currency provider_token start_parameter game_short_name"
)
_SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
_CHAT_METHODS = _SEND_METHODS | _words(
    "editmessagetext editmessagecaption editmessagereplymarkup deletemessage sendchataction"
)
_MAX_TEXT = 4096
_MAX_CAPTION = 1024
_MAX_CALLBACK_DATA_BYTES = 64

# Telegram's HTML parse mode accepts only these tags; anything else is a 400.
_HTML_TAGS = _words(
    "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji"
)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")


class ApiError(Exception):
    """A Bot API error answer: the status code doubles as Telegram's ``error_code``."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        out: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


@dataclass
class UploadedFile:
    """One multipart file part, kept whole so tests can open the chart the bot drew."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes
    file_id: str = ""


@dataclass
class Call:
    """One HTTP call the bot made, recorded before any fault or error is applied."""

    method: str
    params: JSONDict
    files: dict[str, UploadedFile]
    t_monotonic: float
    t_wall: float
    chat_id: int | str | None
    status: int = 0
    result: Any = None
    error: str | None = None
    fault: str | None = None
    done: bool = False  # answered, failed or abandoned by the client; status 0 = no answer


@dataclass
class Edit:
    """A later change to a sent message (text, caption or keyboard)."""

    method: str
    text: str | None
    reply_markup: JSONDict | None
    t_monotonic: float
    t_wall: float


@dataclass
class SentMessage:
    """A message the bot sent, with its later edits, as a user would see it."""

    chat_id: int
    message_id: int
    kind: Literal["text", "photo", "document"]
    text: str | None
    caption: str | None
    reply_markup: JSONDict | None
    parse_mode: str | None
    params: JSONDict
    t_monotonic: float
    t_wall: float
    file: UploadedFile | None = None
    edits: list[Edit] = field(default_factory=list)
    deleted: bool = False
    message_json: JSONDict = field(default_factory=dict)

    @property
    def body(self) -> str:
        """Text for text messages, caption for uploads: what the user reads."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def plain(self) -> str:
        """The body as displayed, with HTML markup removed (what Telegram shows)."""
        return to_plain(self.body, self.parse_mode)

    @property
    def buttons(self) -> Buttons:
        return buttons_of(self.reply_markup)

    @property
    def current_text(self) -> str:
        for edit in reversed(self.edits):
            if edit.text is not None:
                return edit.text
        return self.body

    @property
    def current_reply_markup(self) -> JSONDict | None:
        # Telegram drops an inline keyboard on any edit that does not repeat it.
        return self.edits[-1].reply_markup if self.edits else self.reply_markup

    @property
    def current_buttons(self) -> Buttons:
        return buttons_of(self.current_reply_markup)

    @property
    def file_bytes(self) -> bytes | None:
        return self.file.data if self.file else None

    @property
    def filename(self) -> str | None:
        return self.file.filename if self.file else None

    @property
    def wall_time(self) -> datetime:
        return datetime.fromtimestamp(self.t_wall, tz=UTC)


@dataclass
class _Fault:
    kind: FaultKind
    remaining: int
    retry_after: int
    hang: float
    processed: bool


@dataclass
class _Poll:
    request: web.Request
    superseded: bool = False


def buttons_of(markup: JSONDict | None) -> Buttons:
    """Flatten a keyboard to (label, callback data or URL) rows; reply keyboards give ""."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    out: Buttons = []
    for row in rows:
        cells: list[tuple[str, str]] = []
        for button in row:
            if isinstance(button, str):
                cells.append((button, ""))
                continue
            target = button.get("callback_data") or button.get("url") or ""
            cells.append((str(button.get("text", "")), str(target)))
        out.append(cells)
    return out


def to_plain(text: str, parse_mode: str | None) -> str:
    """Strip HTML markup the way Telegram renders it; other modes are returned as sent."""
    if (parse_mode or "").upper() != "HTML":
        return text
    return html.unescape(_TAG_RE.sub("", text))


def html_error(text: str) -> str | None:
    """Telegram's verdict on an HTML-mode text: None if it parses, else the 400 description.

    This catches user text that reached the bot's reply without escaping ("<3", "a<b").
    """
    stack: list[str] = []
    pos = 0
    while True:
        lt = text.find("<", pos)
        if lt < 0:
            break
        offset = len(text[:lt].encode("utf-8"))
        match = _TAG_RE.match(text, lt)
        if match is None:
            return (
                f"Bad Request: can't parse entities: Unsupported start tag at byte offset {offset}"
            )
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            return (
                f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{name}" '
                f"at byte offset {offset}"
            )
        if closing:
            if not stack or stack[-1] != name:
                expected = f'"</{stack[-1]}>"' if stack else "no end tag"
                return (
                    "Bad Request: can't parse entities: Unmatched end tag at byte offset "
                    f'{offset}, expected {expected}, found "</{name}>"'
                )
            stack.pop()
        else:
            stack.append(name)
        pos = match.end()
    if stack:
        return (
            "Bad Request: can't parse entities: Can't find end tag corresponding to start "
            f'tag "{stack[-1]}"'
        )
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode(name: str, value: str) -> Any:
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most events in any half-open window [t, t + window), t anywhere."""
    ordered, best, left = sorted(times), 0, 0
    for right, t in enumerate(ordered):
        while t - ordered[left] >= window:
            left += 1
        best = max(best, right - left + 1)
    return best


class FakeBotAPI:
    """The fake server plus the test-facing view of one Telegram world (one bot, many users).

    ``sent`` and ``calls`` grow in order; user actions (``send_text``, ``press_button``…)
    only queue updates — the bot sees them on its next ``getUpdates``.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        flood_control: bool = False,
        flood_per_second: int = 30,
        flood_per_chat: tuple[int, float] | None = None,
        strict_chats: bool = False,
        port: int = 0,
    ) -> None:
        self.token = token
        self.port = port
        self.flood_control = flood_control
        self.flood_per_second = flood_per_second
        self.flood_per_chat = flood_per_chat
        self.strict_chats = strict_chats
        self.flood_violations = 0
        self.sent: list[SentMessage] = []
        self.calls: list[Call] = []
        self.commands: list[JSONDict] = []
        self.deliveries: dict[int, int] = {}
        self._answers: list[JSONDict] = []
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(10001)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._chat_counters: dict[int, int] = {}
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._by_chat: dict[int, list[SentMessage]] = {}
        self._by_key: dict[tuple[int, int], SentMessage] = {}
        self._user_messages: dict[int, list[JSONDict]] = {}
        self._user_files: dict[str, bytes] = {}  # file_id -> what a user sent
        self._open_callbacks: set[str] = set()
        self._faults: dict[str, list[_Fault]] = {}
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._sends: deque[float] = deque()
        self._chat_sends: dict[int, deque[float]] = {}
        self._poll: _Poll | None = None
        self._changed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        """Bind 127.0.0.1 (a free port the first time, the same port after a ``stop``)."""
        self._stopping.clear()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        # Cancelling the handler when the client disconnects is what lets a kill -9'd
        # bot's abandoned long poll end at once instead of blocking the restarted bot.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self._stopping.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ users act
    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Ann",
        forward: bool = False,
        edited: bool = False,
        message_id: int | None = None,
    ) -> int:
        """Queue a text message from a user; ``edited`` re-sends ``message_id`` (default:
        the user's last message in that chat) as an ``edited_message``."""
        chat = self._chat(user_id, chat_id, chat_type, first_name)
        now = int(time.time())
        if edited:
            target = message_id if message_id is not None else self._last_user_message(chat)
            msg = self._base_message(user_id, chat, target, now)
            msg["edit_date"] = now
        else:
            msg = self._base_message(user_id, chat, self._next_message_id(chat["id"]), now)
        msg["text"] = text
        command = _COMMAND_RE.match(text)
        if command:
            msg["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group(0))}
            ]
        if forward:
            msg["forward_origin"] = {
                "type": "user",
                "date": now - 60,
                "sender_user": {"id": user_id + 1, "is_bot": False, "first_name": "Someone"},
            }
        self._user_messages.setdefault(chat["id"], []).append(msg)
        self.send_update({"edited_message" if edited else "message": msg})
        return int(msg["message_id"])

    def send_location(
        self, user_id: int, lat: float, lon: float, *, chat_id: int | None = None
    ) -> int:
        chat = self._chat(user_id, chat_id, "private", None)
        msg = self._base_message(
            user_id, chat, self._next_message_id(chat["id"]), int(time.time())
        )
        msg["location"] = {"latitude": lat, "longitude": lon}
        self._user_messages.setdefault(chat["id"], []).append(msg)
        self.send_update({"message": msg})
        return int(msg["message_id"])

    def send_document(
        self, user_id: int, data: bytes, file_name: str = "keepword-export.json"
    ) -> int:
        """Queue a file a user sends; the bot fetches it with getFile and /file/bot…."""
        chat = self._chat(user_id, None, "private", None)
        msg = self._base_message(
            user_id, chat, self._next_message_id(chat["id"]), int(time.time())
        )
        file_id = f"DOC{len(self._user_files) + 1}"
        self._user_files[file_id] = data
        msg["document"] = {
            "file_id": file_id,
            "file_unique_id": file_id.lower(),
            "file_name": file_name,
            "mime_type": "application/json",
            "file_size": len(data),
        }
        self._user_messages.setdefault(chat["id"], []).append(msg)
        self.send_update({"message": msg})
        return int(msg["message_id"])

    def send_update(self, update: JSONDict) -> int:
        """Queue a raw update (stickers, photos, channel posts…); returns its update_id."""
        update = dict(update)
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._notify()
        return int(update["update_id"])

    def press_button(
        self,
        user_id: int,
        message: SentMessage | int,
        data: str,
        *,
        chat_id: int | None = None,
    ) -> str:
        """Queue a tap on an inline button of a bot message; returns the callback query id.

        The callback carries the message as it currently looks (after edits), as Telegram's
        does. ``data`` is not checked against the keyboard, so stale taps can be tested.
        """
        if isinstance(message, SentMessage):
            sent: SentMessage | None = message
            chat_key = message.chat_id
        else:
            chat_key = chat_id if chat_id is not None else user_id
            sent = self._by_key.get((chat_key, message))
        if sent is not None:
            msg_json = dict(sent.message_json)
        else:
            chat = self._chat(user_id, chat_key, "private", None)
            assert isinstance(message, int)
            msg_json = {
                "message_id": message,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": "",
            }
        query_id = f"cbq{next(self._callback_ids)}"
        self._open_callbacks.add(query_id)
        self.send_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, None),
                    "message": msg_json,
                    "chat_instance": f"ci{chat_key}",
                    "data": data,
                }
            }
        )
        return query_id

    # ------------------------------------------------------------------ faults
    def fail_next(
        self,
        method: str,
        count: int = 1,
        kind: FaultKind = "429",
        *,
        retry_after: int = 3,
        hang: float = 30.0,
        processed: bool = False,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail.

        ``timeout`` answers nothing for ``hang`` seconds (the client gives up first);
        ``drop`` closes the connection unanswered. With ``processed=True`` those two still
        carry out the call first — the message is sent but the bot never hears so.
        """
        if kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault kind {kind!r}")
        self._faults.setdefault(method.lower(), []).append(
            _Fault(kind, count, retry_after, hang, processed)
        )

    def block_chat(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> None:
        """The chat became ``new_chat_id`` (a group upgraded to a supergroup): every call
        about the old id gets 400 with ``migrate_to_chat_id``, as on Telegram."""
        self._migrated[chat_id] = new_chat_id

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    # ------------------------------------------------------------------ what the bot did
    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return list(self._by_chat.get(chat_id, []))

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        try:
            return self._by_key[(chat_id, message_id)]
        except KeyError:
            raise KeyError(f"the bot sent no message {message_id} to chat {chat_id}") from None

    def current_text(self, chat_id: int, message_id: int) -> str:
        return self.message(chat_id, message_id).current_text

    def current_buttons(self, chat_id: int, message_id: int) -> Buttons:
        return self.message(chat_id, message_id).current_buttons

    def callback_answers(self, callback_query_id: str | None = None) -> list[JSONDict]:
        return [
            a
            for a in self._answers
            if callback_query_id is None or a.get("callback_query_id") == callback_query_id
        ]

    def user_messages(self, chat_id: int) -> list[JSONDict]:
        """Messages users wrote in a chat (as sent in updates), e.g. to replay one."""
        return list(self._user_messages.get(chat_id, []))

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates the bot has not confirmed yet (delivered or not)."""
        return list(self._updates)

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | str | None = None,
        *,
        timeout: float = 10.0,
        after: int = 0,
    ) -> SentMessage:
        """First message to ``chat_id`` at index ≥ ``after`` that matches; a str matches
        as a substring of the text or caption (raw or with HTML removed)."""
        check = _message_matcher(predicate)
        pos = after

        def find() -> SentMessage | None:
            # Each message is judged once, so waiting stays cheap with thousands sent.
            nonlocal pos
            msgs = self._by_chat.get(chat_id, [])
            while pos < len(msgs):
                if check(msgs[pos]):
                    return msgs[pos]
                pos += 1
            return None

        found = await self._wait(find, timeout)
        if found is None:
            seen = [m.body for m in self._by_chat.get(chat_id, [])[after:]]
            raise TimeoutError(
                f"no message to chat {chat_id} matching {predicate!r} within {timeout}s; "
                f"{len(seen)} sent there, the last ones: {seen[-10:]!r}"
            )
        return found

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int,
        predicate: Callable[[str], bool] | str | None = None,
        *,
        timeout: float = 10.0,
        after: int = 0,
    ) -> str:
        """Wait until the message has more than ``after`` edits and its current text
        matches; returns that text."""

        def check(text: str) -> bool:
            if predicate is None:
                return True
            if isinstance(predicate, str):
                return predicate in text or predicate in to_plain(text, "HTML")
            return predicate(text)

        def find() -> str | None:
            msg = self._by_key.get((chat_id, message_id))
            if msg is None or len(msg.edits) <= after:
                return None
            return msg.current_text if check(msg.current_text) else None

        found = await self._wait(find, timeout)
        if found is None:
            msg = self._by_key.get((chat_id, message_id))
            now = msg.current_text if msg else "<no such message>"
            raise TimeoutError(
                f"message {message_id} in chat {chat_id} not edited to match {predicate!r} "
                f"within {timeout}s; it reads {now!r}"
            )
        return found

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 10.0,
        after: int = 0,
    ) -> Call:
        """First call of ``method`` (any case) at index ≥ ``after`` in ``calls``."""
        name = method.lower()
        pos = after

        def find() -> Call | None:
            # Calls still in progress are judged again later (their status may change).
            nonlocal pos
            settled = True
            for index in range(pos, len(self.calls)):
                call = self.calls[index]
                if call.method.lower() == name and (predicate is None or predicate(call)):
                    return call
                settled = settled and call.done
                if settled:
                    pos = index + 1
            return None

        found = await self._wait(find, timeout)
        if found is None:
            raise TimeoutError(f"no {method} call within {timeout}s")
        return found

    async def wait_until_idle_poll(self, timeout: float = 10.0) -> None:
        """Wait until every queued update is confirmed by the bot's offset.

        Confirmed means received, not necessarily handled: PTB confirms on its next poll.
        """
        if await self._wait(lambda: True if not self._updates else None, timeout) is None:
            ids = [u["update_id"] for u in self._updates]
            raise TimeoutError(f"updates {ids} still unconfirmed after {timeout}s")

    def delivery_count(self, update_id: int) -> int:
        return self.deliveries.get(update_id, 0)

    # ------------------------------------------------------------------ internals: state
    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait(self, find: Callable[[], T | None], seconds: float) -> T | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            event = self._changed
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _user(self, user_id: int, first_name: str | None) -> JSONDict:
        user = self._users.get(user_id)
        if user is None or (first_name is not None and user["first_name"] != first_name):
            user = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name or "Ann",
                "language_code": "en",
            }
            self._users[user_id] = user
        return user

    def _chat(
        self, user_id: int, chat_id: int | None, chat_type: str, first_name: str | None
    ) -> JSONDict:
        user = self._user(user_id, first_name)
        cid = chat_id if chat_id is not None else user_id
        chat = self._chats.get(cid)
        if chat is None or (chat_id is not None and chat["type"] != chat_type):
            if chat_type == "private":
                chat = {"id": cid, "type": "private", "first_name": user["first_name"]}
            else:
                chat = {"id": cid, "type": chat_type, "title": f"Group {cid}"}
            self._chats[cid] = chat
        return chat

    def _chat_for_send(self, chat_id: int) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is None:
            if self.strict_chats:
                raise ApiError(400, "Bad Request: chat not found")
            chat = {"id": chat_id, "type": "private", "first_name": "User"}
            self._chats[chat_id] = chat
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        # Users and the bot share one message_id sequence per chat, as in private chats.
        value = self._chat_counters.get(chat_id, 0) + 1
        self._chat_counters[chat_id] = value
        return value

    def _last_user_message(self, chat: JSONDict) -> int:
        msgs = self._user_messages.get(chat["id"])
        if not msgs:
            raise ValueError(f"user wrote nothing in chat {chat['id']} to edit")
        return int(msgs[-1]["message_id"])

    def _base_message(self, user_id: int, chat: JSONDict, message_id: int, date: int) -> JSONDict:
        return {
            "message_id": message_id,
            "date": date,
            "chat": chat,
            "from": self._users[user_id],
        }

    # ------------------------------------------------------------------ internals: HTTP
    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json(ApiError(401, "Unauthorized").body(), 401)
        path = request.match_info["path"]
        file_id = path.removeprefix("documents/")
        if path.startswith("documents/") and file_id in self._user_files:
            return web.Response(body=self._user_files[file_id])
        return _json(ApiError(404, "Not Found").body(), 404)

    def _get_file(self, call: Call) -> Any:
        file_id = str(call.params.get("file_id"))
        if file_id not in self._user_files:
            raise ApiError(400, "Bad Request: invalid file_id")
        size = len(self._user_files[file_id])
        return {
            "file_id": file_id,
            "file_unique_id": file_id.lower(),
            "file_size": size,
            "file_path": f"documents/{file_id}",
        }

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json(ApiError(401, "Unauthorized").body(), 401)
        method_name = request.match_info["method"]
        key = method_name.lower()
        t_mono, t_wall = time.monotonic(), time.time()
        try:
            params, files = await self._parse(request)
        except ValueError as exc:
            return _json(ApiError(400, f"Bad Request: {exc}").body(), 400)
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str):
            with contextlib.suppress(ValueError):
                chat_id = int(chat_id)
        call = Call(
            method=method_name,
            params=params,
            files=files,
            t_monotonic=t_mono,
            t_wall=t_wall,
            chat_id=chat_id if isinstance(chat_id, int | str) else None,
        )
        self.calls.append(call)
        self._notify()
        try:
            fault = self._take_fault(key)
            if fault is not None:
                call.fault = fault.kind
                return await self._apply_fault(request, call, key, fault)
            return await self._answer(request, call, key)
        finally:
            call.done = True
            self._notify()

    async def _answer(self, request: web.Request, call: Call, key: str) -> web.StreamResponse:
        try:
            if self.flood_control and key in _SEND_METHODS:
                self._flood_check(call.chat_id)
            result = await self._dispatch(request, call, key)
        except ApiError as err:
            call.status, call.error = err.code, err.description
            self._notify()
            return _json(err.body(), err.code)
        call.status, call.result = 200, result
        self._notify()
        return _json({"ok": True, "result": result}, 200)

    async def _apply_fault(
        self, request: web.Request, call: Call, key: str, fault: _Fault
    ) -> web.StreamResponse:
        if fault.kind == "429":
            err = ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        elif fault.kind == "403":
            err = ApiError(403, BLOCKED_DESCRIPTION)
        elif fault.kind == "too_long":  # as Telegram answers a text it counts over 4,096
            err = ApiError(400, TOO_LONG_DESCRIPTION)
        elif fault.kind == "404":
            err = ApiError(404, "Not Found")
        elif fault.kind == "401":
            err = ApiError(401, "Unauthorized")
        elif fault.kind == "409":
            err = ApiError(409, CONFLICT_DESCRIPTION)
        elif fault.kind == "502":
            call.status, call.error = 502, "Bad Gateway"
            self._notify()
            return web.Response(
                status=502,
                text="<html><head><title>502 Bad Gateway</title></head>"
                "<body><center><h1>502 Bad Gateway</h1></center><hr>"
                "<center>nginx/1.18.0</center></body></html>",
                content_type="text/html",
            )
        else:
            if fault.processed:
                with contextlib.suppress(ApiError):
                    call.result = await self._dispatch(request, call, key)
            call.status = 0
            self._notify()
            if fault.kind == "drop":
                if request.transport is not None:
                    request.transport.close()
                await self._stopping.wait()  # cancelled by the disconnect
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), fault.hang)
            if fault.processed:
                return _json({"ok": True, "result": call.result}, 200)
            return await self._answer(request, call, key)
        call.status, call.error = err.code, err.description
        self._notify()
        return _json(err.body(), err.code)

    def _take_fault(self, key: str) -> _Fault | None:
        queue = self._faults.get(key)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.pop(0)
        return fault

    def _flood_check(self, chat_id: int | str | None) -> None:
        now = time.monotonic()
        while self._sends and now - self._sends[0] >= 1.0:
            self._sends.popleft()
        retry: float | None = None
        if len(self._sends) >= self.flood_per_second:
            retry = 1.0 - (now - self._sends[0])
        chat_q: deque[float] | None = None
        if self.flood_per_chat is not None and isinstance(chat_id, int):
            limit, window = self.flood_per_chat
            chat_q = self._chat_sends.setdefault(chat_id, deque())
            while chat_q and now - chat_q[0] >= window:
                chat_q.popleft()
            if len(chat_q) >= limit:
                retry = max(retry or 0.0, window - (now - chat_q[0]))
        if retry is not None:
            self.flood_violations += 1
            seconds = max(1, int(retry + 0.999))
            raise ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        self._sends.append(now)
        if chat_q is not None:
            chat_q.append(now)

    async def _parse(self, request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        params: JSONDict = {k: _decode(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if not request.can_read_body:
            return params, files
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = UploadedFile(
                        field=name,
                        filename=value.filename,
                        content_type=value.content_type,
                        data=value.file.read(),
                    )
                    value.file.close()
                else:
                    params[name] = _decode(name, str(value))
        else:
            await request.read()
        return params, files

    # ------------------------------------------------------------------ internals: methods
    async def _dispatch(self, request: web.Request, call: Call, key: str) -> Any:
        params = call.params
        if key in _CHAT_METHODS:
            chat_id = call.chat_id
            if not isinstance(chat_id, int):
                raise ApiError(400, "Bad Request: chat not found")
            if chat_id in self._blocked:
                raise ApiError(403, BLOCKED_DESCRIPTION)
            if chat_id in self._migrated:
                raise ApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self._migrated[chat_id]},
                )
        if key == "getupdates":
            return await self._get_updates(request, params)
        handler = self._SIMPLE.get(key)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return handler(self, call)

    def _get_me(self, call: Call) -> Any:
        return BOT_USER

    def _true(self, call: Call) -> Any:
        return True

    def _delete_webhook(self, call: Call) -> Any:
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
            self._notify()
        return True

    def _webhook_info(self, call: Call) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def _set_commands(self, call: Call) -> Any:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        self.commands = list(commands)
        return True

    def _get_commands(self, call: Call) -> Any:
        return self.commands

    def _delete_commands(self, call: Call) -> Any:
        self.commands = []
        return True

    def _answer_callback(self, call: Call) -> Any:
        query_id = call.params.get("callback_query_id")
        if query_id not in self._open_callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is "
                "invalid",
            )
        self._open_callbacks.discard(str(query_id))
        self._answers.append(dict(call.params))
        return True

    def _send(self, call: Call) -> Any:
        key = call.method.lower()
        params = call.params
        assert isinstance(call.chat_id, int)
        chat = self._chat_for_send(call.chat_id)
        parse_mode = params.get("parse_mode")
        markup = self._markup(params.get("reply_markup"))
        now = time.time()
        kind: Literal["text", "photo", "document"]
        text = caption = None
        upload: UploadedFile | None = None
        if key == "sendmessage":
            kind = "text"
            text = self._checked_text(params.get("text"), parse_mode, _MAX_TEXT)
        else:
            kind = "photo" if key == "sendphoto" else "document"
            if "caption" in params:
                caption = self._checked_text(params.get("caption"), parse_mode, _MAX_CAPTION)
            upload = call.files.get(kind)
            if upload is None and not isinstance(params.get(kind), str):
                raise ApiError(400, f"Bad Request: there is no {kind} in the request")
            if upload is not None:
                upload.file_id = f"{kind[:3].upper()}{next(self._file_ids):06d}"
        msg: JSONDict = {
            "message_id": self._next_message_id(call.chat_id),
            "date": int(now),
            "chat": chat,
            "from": BOT_USER,
        }
        if text is not None:
            msg["text"] = to_plain(text, parse_mode)
        if caption is not None:
            msg["caption"] = to_plain(caption, parse_mode)
        if kind == "photo":
            msg["photo"] = self._photo_sizes(upload, params.get("photo"))
        elif kind == "document":
            msg["document"] = self._document(upload, params.get("document"))
        if markup is not None:
            msg["reply_markup"] = markup
        sent = SentMessage(
            chat_id=call.chat_id,
            message_id=msg["message_id"],
            kind=kind,
            text=text,
            caption=caption,
            reply_markup=markup,
            parse_mode=parse_mode if isinstance(parse_mode, str) else None,
            params=params,
            t_monotonic=call.t_monotonic,
            t_wall=call.t_wall,
            file=upload,
            message_json=msg,
        )
        self.sent.append(sent)
        self._by_chat.setdefault(call.chat_id, []).append(sent)
        self._by_key[(call.chat_id, sent.message_id)] = sent
        self._notify()
        return msg

    def _edit(self, call: Call) -> Any:
        key = call.method.lower()
        params = call.params
        sent = self._editable(call, "edit")
        parse_mode = params.get("parse_mode")
        markup = self._markup(params.get("reply_markup"))
        text: str | None = None
        if key == "editmessagetext":
            text = self._checked_text(params.get("text"), parse_mode, _MAX_TEXT)
            if sent.kind != "text":
                raise ApiError(400, "Bad Request: there is no text in the message to edit")
        elif key == "editmessagecaption":
            text = self._checked_text(params.get("caption", ""), parse_mode, _MAX_CAPTION, True)
        if (text is None or text == sent.current_text) and markup == sent.current_reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup of "
                "the message",
            )
        canonical = {
            "editmessagetext": "editMessageText",
            "editmessagecaption": "editMessageCaption",
        }.get(key, "editMessageReplyMarkup")
        sent.edits.append(Edit(canonical, text, markup, call.t_monotonic, call.t_wall))
        msg = dict(sent.message_json)
        if text is not None:
            msg["text" if sent.kind == "text" else "caption"] = to_plain(text, parse_mode)
        msg.pop("reply_markup", None)
        if markup is not None:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(call.t_wall)
        sent.message_json = msg
        self._notify()
        return msg

    def _delete(self, call: Call) -> Any:
        sent = self._editable(call, "delete")
        sent.deleted = True
        self._notify()
        return True

    def _editable(self, call: Call, verb: str) -> SentMessage:
        if "inline_message_id" in call.params:
            raise ApiError(400, "Bad Request: inline messages are not supported here")
        message_id = call.params.get("message_id")
        assert isinstance(call.chat_id, int)
        sent = (
            self._by_key.get((call.chat_id, message_id)) if isinstance(message_id, int) else None
        )
        if sent is None or sent.deleted:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        return sent

    def _checked_text(
        self, value: Any, parse_mode: Any, limit: int, allow_empty: bool = False
    ) -> str:
        if not isinstance(value, str) or (not value.strip() and not allow_empty):
            raise ApiError(400, "Bad Request: message text is empty")
        mode = parse_mode.upper() if isinstance(parse_mode, str) else ""
        if mode == "HTML":
            problem = html_error(value)
            if problem:
                raise ApiError(400, problem)
        # Counted after markup, in UTF-16 code units as Telegram counts entity offsets.
        shown = to_plain(value, parse_mode if isinstance(parse_mode, str) else None)
        if _utf16_len(shown) > limit:
            if limit == _MAX_CAPTION:
                raise ApiError(400, "Bad Request: message caption is too long")
            raise ApiError(400, TOO_LONG_DESCRIPTION)
        return value

    @staticmethod
    def _markup(value: Any) -> JSONDict | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in value.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and (
                    not data or len(str(data).encode("utf-8")) > _MAX_CALLBACK_DATA_BYTES
                ):
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return value

    def _photo_sizes(self, upload: UploadedFile | None, file_id: Any) -> list[JSONDict]:
        fid = upload.file_id if upload else str(file_id)
        width, height = (_png_size(upload.data) if upload else None) or (800, 600)
        size = len(upload.data) if upload else 0
        small = max(1, min(width, 320))
        return [
            {
                "file_id": f"{fid}_s",
                "file_unique_id": f"u{fid}_s",
                "width": small,
                "height": max(1, height * small // max(width, 1)),
                "file_size": max(1, size // 8),
            },
            {
                "file_id": fid,
                "file_unique_id": f"u{fid}",
                "width": width,
                "height": height,
                "file_size": size,
            },
        ]

    @staticmethod
    def _document(upload: UploadedFile | None, file_id: Any) -> JSONDict:
        if upload is None:
            return {"file_id": str(file_id), "file_unique_id": f"u{file_id}"}
        return {
            "file_id": upload.file_id,
            "file_unique_id": f"u{upload.file_id}",
            "file_name": upload.filename or "file",
            "mime_type": upload.content_type or "application/octet-stream",
            "file_size": len(upload.data),
        }

    async def _get_updates(self, request: web.Request, params: JSONDict) -> Any:
        loop = asyncio.get_running_loop()
        current = self._poll
        if current is not None:
            # A cancelled poll's disconnect may still be in flight: give it a moment.
            deadline = loop.time() + 0.5
            while self._poll is current and not _gone(current.request):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                event = self._changed
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, 0.02))
            if self._poll is current and not _gone(current.request):
                raise ApiError(409, CONFLICT_DESCRIPTION)
            if self._poll is current:
                current.superseded = True
                self._poll = None
                self._notify()

        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            before = len(self._updates)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if len(self._updates) != before:
                self._notify()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list) and allowed:
            self._updates = [u for u in self._updates if _update_type(u) in allowed]
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        wait = float(timeout) if isinstance(timeout, int | float) and timeout > 0 else 0.0

        poll = _Poll(request)
        self._poll = poll
        try:
            deadline = loop.time() + wait
            while True:
                event = self._changed
                if self._updates or poll.superseded or self._stopping.is_set():
                    break
                remaining = deadline - loop.time()
                if remaining <= 0 or _gone(request):
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, 0.25))
            if poll.superseded:
                return []
            batch = self._updates[:limit]
            for update in batch:
                uid = int(update["update_id"])
                self.deliveries[uid] = self.deliveries.get(uid, 0) + 1
            return batch
        finally:
            if self._poll is poll:
                self._poll = None
                self._notify()

    _SIMPLE: ClassVar[dict[str, Callable[[FakeBotAPI, Call], Any]]] = {
        "getme": _get_me,
        "deletewebhook": _delete_webhook,
        "getwebhookinfo": _webhook_info,
        "setmycommands": _set_commands,
        "getmycommands": _get_commands,
        "deletemycommands": _delete_commands,
        "sendmessage": _send,
        "sendphoto": _send,
        "senddocument": _send,
        "editmessagetext": _edit,
        "editmessagecaption": _edit,
        "editmessagereplymarkup": _edit,
        "answercallbackquery": _answer_callback,
        "getfile": _get_file,
        "sendchataction": _true,
        "deletemessage": _delete,
        "close": _true,
        "logout": _true,
    }


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _update_type(update: JSONDict) -> str:
    return next((k for k in update if k != "update_id"), "")


def _json(body: JSONDict, status: int) -> web.Response:
    return web.json_response(body, status=status)


def _message_matcher(
    predicate: Callable[[SentMessage], bool] | str | None,
) -> Callable[[SentMessage], bool]:
    if predicate is None:
        return lambda _msg: True
    if isinstance(predicate, str):
        needle = predicate
        return lambda msg: needle in msg.body or needle in msg.plain
    return predicate


# ---------------------------------------------------------------------- standalone mode
async def _serve(port: int, token: str, user_id: int) -> None:
    """Serve until Ctrl-C; each stdin line becomes a message from ``user_id``."""
    async with FakeBotAPI(token, port=port) as server:
        print(f"base_url {server.base_url}  token {token}", flush=True)
        print(f"type a line to send it as user {user_id}; Ctrl-C to stop", flush=True)
        loop = asyncio.get_running_loop()
        fd = sys.stdin.fileno()

        def read_line() -> None:
            line = sys.stdin.readline()
            if not line:  # end of input: keep serving, stop reading
                loop.remove_reader(fd)
            elif line.strip():
                server.send_text(user_id, line.rstrip("\n"))

        try:
            loop.add_reader(fd, read_line)
        except (OSError, ValueError):  # stdin is a file or closed: no typed input
            print("stdin is not readable here; only HTTP clients can act", flush=True)
        seen = 0
        try:
            while True:
                await asyncio.sleep(0.2)
                for call in server.calls[seen:]:
                    if call.method.lower() != "getupdates":
                        print(f"{call.method} {json.dumps(call.params, ensure_ascii=False)}")
                seen = len(server.calls)
        finally:
            loop.remove_reader(fd)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run Keepword's fake Telegram Bot API server.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--user", type=int, default=1, help="user id for typed lines")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.token, args.user))


if __name__ == "__main__":
    main()
