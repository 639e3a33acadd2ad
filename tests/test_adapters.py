"""The conversations that matter, through both adapters, from one suite.

The same steps and the same assertions run against the Telegram adapter (the real PTB
Application from ``build_application``, fed ``Update`` objects, talking to a recording
Bot API double) and the terminal adapter (``TerminalChat`` printing into a buffer,
buttons pressed by typing their number). If a flow only worked on one transport, or
leaked a Telegram type into the conversation, one of the two params fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import StringIO
from itertools import count
from pathlib import Path
from typing import Any, Protocol

import pytest
from telegram import Update
from telegram.request import BaseRequest, RequestData

import bot.ratelimit
from bot.chat import Keys, TerminalChat, TerminalOutbox
from bot.config import Settings
from bot.context import Context, Sender
from bot.conversation import Conversation
from bot.replies import Reply, plain
from bot.telegram_app import build_application
from storage.memory_store import MemoryStore
from tests.bot.fakes import ManualClock, ManualScheduler

ANN = 1001
START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday
TOKEN = "123456:TEST-token"


class Driver(Protocol):
    """What a user can do and see, whatever the transport."""

    @property
    def files(self) -> dict[str, bytes]:
        """Photos and documents the bot sent, by file name."""

    async def say(self, text: str) -> str:
        """Send a line; returns the plain text of everything the bot showed in answer."""

    async def press(self, word: str) -> str:
        """Press the newest button whose label contains ``word``."""

    async def advance(self, **delta: float) -> str:
        """Let time pass; returns what the bot showed meanwhile."""

    def labels(self) -> list[str]:
        """The buttons the user can press on the newest keyboard."""


# --------------------------------------------------------------------------- Telegram


@dataclass
class ApiMessage:
    message_id: int
    chat_id: int
    text: str
    markup: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        rows = (self.markup or {}).get("inline_keyboard", [])
        return [button["text"] for row in rows for button in row]

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": self.message_id,
            "date": int(START.timestamp()),
            "chat": {"id": self.chat_id, "type": "private", "first_name": "Ann"},
            "from": {"id": 42, "is_bot": True, "first_name": "Keepword"},
            **self.extra,
        }
        body["caption" if self.extra else "text"] = self.text
        if self.markup:
            body["reply_markup"] = self.markup
        return body


class BotApiDouble(BaseRequest):
    """Answers the Bot API methods the bot uses, and remembers what it was asked."""

    def __init__(self) -> None:
        self.messages: dict[int, ApiMessage] = {}
        self.touched: list[int] = []  # message ids, in order of sends and edits
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: dict[str, bytes] = {}
        self._ids = count(500)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, params))
        result = self._answer(name, params, request_data)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, name: str, params: dict[str, Any], data: RequestData | None) -> Any:
        if name == "getMe":
            return {"id": 42, "is_bot": True, "first_name": "Keepword", "username": "KeepwordBot"}
        if name in {"sendMessage", "sendPhoto", "sendDocument"}:
            extra: dict[str, Any] = {}
            if name != "sendMessage":
                assert data is not None
                for filename, content, *_ in data.multipart_data.values():
                    self.files[str(filename)] = bytes(content)  # type: ignore[arg-type]
                file = {"file_id": "f", "file_unique_id": "u"}
                extra = (
                    {"photo": [{**file, "width": 1000, "height": 600}]}
                    if name == "sendPhoto"
                    else {"document": file}
                )
            text = str(params.get("text", params.get("caption", "")))
            message = ApiMessage(
                next(self._ids), int(params["chat_id"]), text, params.get("reply_markup"), extra
            )
            self.messages[message.message_id] = message
            self.touched.append(message.message_id)
            return message.as_json()
        if name == "editMessageText":
            message = self.messages[int(params["message_id"])]
            message.text = str(params["text"])
            message.markup = params.get("reply_markup")
            self.touched.append(message.message_id)
            return message.as_json()
        if name in {"answerCallbackQuery", "setMyCommands"}:
            return True
        raise AssertionError(f"the bot called {name}, which this double does not know")


class TelegramDriver:
    def __init__(self, clock: ManualClock, store: MemoryStore) -> None:
        self.clock = clock
        self.scheduler = ManualScheduler()
        self.api = BotApiDouble()
        self.app, _ = build_application(
            Settings(token=TOKEN), store, clock, scheduler=self.scheduler, request=self.api
        )
        self.files = self.api.files
        self._ids = count(1)

    async def _run(self, update: dict[str, Any]) -> str:
        before = len(self.api.touched)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self._shown(before)

    def _shown(self, before: int) -> str:
        return "\n".join(
            plain(self.api.messages[mid].text) for mid in self.api.touched[before:]
        ).strip()

    def _user(self) -> dict[str, Any]:
        return {"id": ANN, "is_bot": False, "first_name": "Ann"}

    async def say(self, text: str) -> str:
        n = next(self._ids)
        message: dict[str, Any] = {
            "message_id": n,
            "date": int(self.clock().timestamp()),
            "chat": {"id": ANN, "type": "private", "first_name": "Ann"},
            "from": self._user(),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._run({"update_id": n, "message": message})

    async def press(self, word: str) -> str:
        for mid in reversed(self.api.touched):
            message = self.api.messages[mid]
            for row in (message.markup or {}).get("inline_keyboard", []):
                for button in row:
                    if word.lower() in button["text"].lower():
                        n = next(self._ids)
                        query = {
                            "id": f"q{n}",
                            "from": self._user(),
                            "chat_instance": "c",
                            "data": button["callback_data"],
                            "message": message.as_json(),
                        }
                        shown = await self._run({"update_id": n, "callback_query": query})
                        answers = [
                            p for name, p in self.api.calls if name == "answerCallbackQuery"
                        ]
                        assert answers[-1]["callback_query_id"] == f"q{n}"  # never a spinner
                        return shown
        raise AssertionError(f"no {word!r} button on any message")

    async def advance(self, **delta: float) -> str:
        before = len(self.api.touched)
        await self.scheduler.run_due(self.clock.advance(**delta))
        return self._shown(before)

    def labels(self) -> list[str]:
        if not self.api.touched:
            return []
        return self.api.messages[self.api.touched[-1]].labels


# --------------------------------------------------------------------------- terminal

_CHOICE = re.compile(r"\[([a-z]+)\d+\] (.+?)(?=\s{2}\[[a-z]+\d+\]|$)")


class TrackedOutbox(TerminalOutbox):
    """Notes the message printed or edited last, as Telegram's driver does."""

    touched: int | None = None

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        self.touched = await super().send(chat_id, reply)
        return self.touched

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        self.touched = message_id
        return await super().edit(chat_id, message_id, reply)


class TerminalDriver:
    def __init__(self, clock: ManualClock, store: MemoryStore, files_dir: Path) -> None:
        self.clock = clock
        self.scheduler = ManualScheduler()
        self.out = StringIO()
        self.files_dir = files_dir
        self.outbox = TrackedOutbox(files_dir, self.out, first_id=1)
        ctx = Context(store, self.outbox, self.scheduler, clock, default_tz="UTC")
        self.chat = TerminalChat(Conversation(ctx), self.outbox, Sender(ANN, ANN, "Ann"))

    @property
    def files(self) -> dict[str, bytes]:
        if not self.files_dir.is_dir():
            return {}
        return {path.name: path.read_bytes() for path in self.files_dir.iterdir()}

    def _since(self, before: int) -> str:
        return self.out.getvalue()[before:]

    @staticmethod
    def _text(shown: str) -> str:
        """The printed lines without prompts, markers and keyboards."""
        lines = []
        for line in shown.splitlines():
            body = line.removeprefix("bot> ").removeprefix("✎ ").strip()
            if body and not _CHOICE.match(body):
                lines.append(body)
        return "\n".join(lines)

    async def say(self, text: str) -> str:
        before = len(self.out.getvalue())
        assert await self.chat.handle(text)
        return self._text(self._since(before))

    async def press(self, word: str) -> str:
        keys = self._newest()
        for number, label in enumerate(self.labels(), start=1):
            if word.lower() in label.lower():
                assert keys is not None
                return await self.say(f"{keys.letter}{number}")  # the user types the label
        raise AssertionError(f"no {word!r} among the choices {self.labels()}")

    async def advance(self, **delta: float) -> str:
        before = len(self.out.getvalue())
        await self.scheduler.run_due(self.clock.advance(**delta))
        return self._text(self._since(before))

    def _newest(self) -> Keys | None:
        """The keyboard of the message touched last, if it still has one."""
        touched = self.outbox.touched
        return next((k for k in self.outbox.keyboards.values() if k.message_id == touched), None)

    def labels(self) -> list[str]:
        keys = self._newest()
        if keys is None:
            return []
        # The newest printed keyboard, read from the screen: from its last "[x1]" line on.
        lines = [line.strip() for line in self.out.getvalue().splitlines()]
        first = max(i for i, line in enumerate(lines) if line.startswith(f"[{keys.letter}1] "))
        printed: list[str] = []
        for line in lines[first:]:
            found = _CHOICE.findall(line)
            if not found or found[0][0] != keys.letter:
                break
            printed += [label.strip() for _, label in found]
        assert printed == [button.label for button in keys.buttons]
        return printed


# --------------------------------------------------------------------------- the suite


@pytest.fixture(params=["telegram", "terminal"])
async def user(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Driver]:
    clock, store = ManualClock(START), MemoryStore()
    if request.param == "terminal":
        yield TerminalDriver(clock, store, tmp_path / "chat-files")
        return
    # Telegram's per-chat pacing (1 message/s after a burst of 3) is real time; not here.
    monkeypatch.setattr(bot.ratelimit, "CHAT_BURST", 1000)
    driver = TelegramDriver(clock, store)
    async with driver.app:
        yield driver


async def test_promise_is_acknowledged_checked_in_and_kept(user: Driver) -> None:
    shown = await user.say("call mom back in 20 seconds")
    assert "Got it: “call mom back” — I'll check in at 14:00 (in 20 s)." in shown
    assert any("Undo" in label for label in user.labels())

    assert await user.advance(seconds=19) == ""
    shown = await user.advance(seconds=1)
    assert "Did you keep your word?" in shown
    assert "call mom back" in shown
    choices = " ".join(user.labels())
    for word in ("✅ Kept", "🕒 Late", "❌ Broke", "💤 Snooze"):
        assert word in choices

    shown = await user.press("Kept")
    assert "✅ Kept: “call mom back”" in shown
    assert "1 of 1 kept this week" in shown
    assert user.labels() == []  # answered: nothing left to press on it


async def test_score_shows_the_week_and_the_chart(user: Driver) -> None:
    await user.say("water the plants in 1 minute")
    await user.advance(minutes=1)
    await user.press("Kept")

    shown = await user.say("/score")
    assert "1 of 1 kept" in shown
    assert "100%" in shown
    assert any("chart" in label for label in user.labels())

    await user.press("chart")
    assert user.files["keepword-score.png"].startswith(b"\x89PNG")


async def test_export_sends_two_files(user: Driver) -> None:
    await user.say("call mom back in 5 minutes")
    await user.say("/export")
    names = sorted(user.files)
    assert len(names) == 2
    json_name = next(name for name in names if name.endswith(".json"))
    csv_name = next(name for name in names if name.endswith(".csv"))
    assert "call mom back" in json.loads(user.files[json_name].decode())["promises"][0]["task"]
    assert "call mom back" in user.files[csv_name].decode()
