"""`keepword chat`: the same conversation in a terminal, no Telegram needed.

Buttons become numbered choices — type the number to press it. Photos and documents
are saved under the data directory and their paths printed. With a terminal, input
goes through prompt_toolkit so check-ins arriving mid-typing don't garble the line;
without one (a pipe), lines are read plainly, for scripts and tests.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC
from pathlib import Path
from typing import TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.context import Clock, Context, Sender
from bot.conversation import Conversation
from bot.replies import Attachment, Reply, plain
from bot.scheduler import APSchedulerJobs
from core.ports import Store

PROMPT = "you> "


class TerminalOutbox:
    """Prints replies; remembers the newest keyboard so a typed number presses it."""

    def __init__(self, files_dir: Path, out: TextIO | None = None) -> None:
        self.files_dir = files_dir
        self.out = out
        self.next_id = 1
        self.texts: dict[int, str] = {}
        self.choices: list[tuple[int, str]] = []  # (message id, callback data)

    def _print(self, text: str) -> None:
        print(text, file=self.out or sys.stdout, flush=True)

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        message_id = self.next_id
        self.next_id += 1
        self.texts[message_id] = reply.text
        lines = [f"bot> {line}" for line in plain(reply.text).splitlines() if line]
        for attachment in (reply.photo, reply.document):
            if attachment is not None:
                lines.append(f"bot> 📎 saved {self._save(attachment)}")
        lines += self._keyboard(message_id, reply)
        self._print("\n".join(lines))
        return message_id

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        if message_id not in self.texts:
            return False
        if self.texts[message_id] == reply.text and not reply.buttons:
            self.choices = [c for c in self.choices if c[0] != message_id]
            return True
        self.texts[message_id] = reply.text
        self.choices = [c for c in self.choices if c[0] != message_id]
        lines = [f"bot> ✎ {line}" for line in plain(reply.text).splitlines() if line]
        lines += self._keyboard(message_id, reply)
        self._print("\n".join(lines))
        return True

    def _keyboard(self, message_id: int, reply: Reply) -> list[str]:
        if not reply.buttons:
            return []
        self.choices = []
        rows = []
        for row in reply.buttons:
            cells = []
            for button in row:
                self.choices.append((message_id, button.data))
                cells.append(f"[{len(self.choices)}] {button.label}")
            rows.append("     " + "  ".join(cells))
        return rows

    def _save(self, attachment: Attachment) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / attachment.filename
        path.write_bytes(attachment.content)
        return path.resolve()

    def choice(self, text: str) -> tuple[int, str] | None:
        """The button a typed number refers to, if it is one."""
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            return self.choices[int(text) - 1]
        return None


class TerminalChat:
    def __init__(self, conversation: Conversation, outbox: TerminalOutbox, who: Sender) -> None:
        self.conversation = conversation
        self.outbox = outbox
        self.who = who

    async def handle(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        choice = self.outbox.choice(text)
        if choice is not None:
            message_id, data = choice
            toast = await self.conversation.on_button(self.who, message_id, data)
            self.outbox._print(f"bot> ({toast})")
        elif text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            await self.conversation.on_command(self.who, name, args)
        else:
            await self.conversation.on_text(self.who, text)


async def _read_lines(chat: TerminalChat, exit_after: float | None) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        chat.outbox._print(f"{PROMPT}{line.rstrip()}")
        await chat.handle(line)
    await asyncio.sleep(exit_after or 0)


async def _prompt_lines(chat: TerminalChat, exit_after: float | None) -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.patch_stdout import patch_stdout

    session: PromptSession[str] = PromptSession()
    with patch_stdout(raw=True):
        while True:
            try:
                line = await session.prompt_async(PROMPT)
            except (EOFError, KeyboardInterrupt):
                break
            if line.strip() in {"/quit", "/exit"}:
                break
            await chat.handle(line)
    if exit_after:
        await asyncio.sleep(exit_after)


async def chat_session(
    settings: Settings,
    store: Store,
    clock: Clock,
    user_id: int,
    exit_after: float | None,
    interactive: bool,
) -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    outbox = TerminalOutbox(settings.data_dir / "chat-files")
    ctx = Context(
        store,
        outbox,
        APSchedulerJobs(scheduler),
        clock,
        default_tz=settings.default_tz,
        timings=settings.timings,
    )
    conversation = Conversation(ctx)
    await conversation.restore()
    scheduler.start()
    chat = TerminalChat(conversation, outbox, Sender(user_id, user_id, "you"))
    if store.get_user(user_id) is None:
        await conversation.on_command(chat.who, "start")
    else:
        outbox._print("bot> Welcome back. /help lists what I understand; /quit leaves.")
    try:
        await (_prompt_lines if interactive else _read_lines)(chat, exit_after)
    finally:
        scheduler.shutdown(wait=False)


def run_chat(
    settings: Settings, store: Store, clock: Clock, user_id: int, exit_after: float | None
) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    asyncio.run(chat_session(settings, store, clock, user_id, exit_after, interactive))
    return 0
