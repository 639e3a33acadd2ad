"""`keepword chat`: the same conversation in a terminal, no Telegram needed.

Buttons become labelled choices, a letter per message and a number per button
(``[a1] ✅ Kept``) — type the label to press it, however much was printed since; a
bare number works while only one message has buttons. Photos and documents
are saved under the data directory and their paths printed. With a terminal, input
goes through prompt_toolkit so check-ins arriving mid-typing don't garble the line;
without one (a pipe), lines are read plainly and echoed, for scripts and tests.

This module only renders Replies and turns typed lines into Conversation calls; every
decision is the shared conversation's, exactly as with Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import texts
from bot.config import Settings
from bot.context import Clock, Context, Sender
from bot.conversation import Conversation
from bot.replies import Attachment, Button, JobScheduler, Reply, plain
from bot.scheduler import APSchedulerJobs
from core.ports import Store, UserSnapshot

log = logging.getLogger(__name__)

LOCAL_USER = 1  # the terminal's own user, unless --user-id says otherwise
PROMPT = "you> "
BOT = "bot> "
INDENT = " " * len(BOT)
EDITED = "✎ "
QUIT = frozenset({"/quit", "/exit"})

FILES_LEFT = "I couldn't delete the files I saved for you in {folder}: please delete them."
HINT = "(Type a button's label, like a1, to press it · /help lists commands · /quit leaves.)"
WELCOME_BACK = "Welcome back. {open} {hint}"
BYE = (
    "Bye — everything is saved. Check-ins that fall due while I'm closed "
    "arrive when you start `keepword chat` again."
)


def files_dir(data_dir: Path, user_id: int) -> Path:
    """Where the chat saves a user's photos and documents: ``chat-files/`` for the
    default local user, a folder of their own for any other ``--user-id``, so /forget
    deletes one user's files and nobody else's."""
    base = data_dir / "chat-files"
    return base if user_id == LOCAL_USER else base / f"user-{user_id}"


def _open_count(n: int) -> str:
    if n == 0:
        return "No open promises."
    return f"{n} open promise{'s' if n != 1 else ''} — /list shows them."


def _first_message_id() -> int:
    """Message ids unique across sessions, so a job editing an old check-in never
    edits a different message printed in this session."""
    return int(time.time() * 1000)


def letters(n: int) -> str:
    """The n-th keyboard's letter: a … z, then aa, ab, …"""
    name = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(ord("a") + rest) + name
    return name


@dataclass
class Keys:
    """One message's buttons as printed: ``[a1] ✅ Kept  [a2] 🕒 Late``."""

    letter: str
    message_id: int
    buttons: list[Button]

    def label(self, number: int) -> str:
        return f"[{self.letter}{number}] {self.buttons[number - 1].label}"


class TerminalOutbox:
    """Prints replies; gives each message's buttons a letter of their own, so a label
    typed later ("a1") presses that message's button whatever was printed since."""

    def __init__(
        self, files_dir: Path, out: TextIO | None = None, *, first_id: int | None = None
    ) -> None:
        self.files_dir = files_dir
        # None = whatever sys.stdout is at print time (prompt_toolkit swaps in its proxy).
        self.out = out
        self.next_id = _first_message_id() if first_id is None else first_id
        self.texts: dict[int, str] = {}
        self.keyboards: dict[str, Keys] = {}  # the pressable ones, oldest printed first
        self._letter_of: dict[int, str] = {}  # message id -> its letter, for edits
        self._lettered = 0
        self.printed = 0

    def print(self, text: str) -> None:
        self.printed += 1
        print(text, file=self.out or sys.stdout, flush=True)

    def say(self, text: str) -> None:
        """A line from the terminal itself (hints, toasts), styled like the bot's."""
        self.print(BOT + text)

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        message_id = self.next_id
        self.next_id += 1
        self.texts[message_id] = reply.text
        lines = self._text(reply, "")
        for attachment in (reply.photo, reply.document):
            if attachment is not None:
                if not lines and attachment.caption:
                    lines = [BOT + attachment.caption]
                lines.append(f"{INDENT if lines else BOT}📎 saved {self._save(attachment)}")
        lines += self._keyboard(message_id, reply)
        if lines:
            self.print("\n".join(lines))
        return message_id

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        if message_id not in self.texts:
            return False  # e.g. a check-in printed by an earlier session: caller sends anew
        letter = self._letter_of.get(message_id)
        if letter is not None:
            self.keyboards.pop(letter, None)
        if self.texts[message_id] == reply.text and not reply.buttons:
            return True  # only the buttons went away: nothing new to read
        self.texts[message_id] = reply.text
        lines = self._text(reply, EDITED) + self._keyboard(message_id, reply)
        if lines:
            self.print("\n".join(lines))
        return True

    @staticmethod
    def _text(reply: Reply, marker: str) -> list[str]:
        body = [line.rstrip() for line in plain(reply.text).splitlines() if line.strip()]
        return [(BOT + marker if i == 0 else INDENT) + line for i, line in enumerate(body)]

    def _keyboard(self, message_id: int, reply: Reply) -> list[str]:
        if not reply.buttons:
            return []
        letter = self._letter_of.get(message_id)  # an edited message keeps its letter
        if letter is None:
            letter = self._letter_of[message_id] = letters(self._lettered)
            self._lettered += 1
        keys = Keys(letter, message_id, [button for row in reply.buttons for button in row])
        self.keyboards[letter] = keys  # (re)inserted last: the newest printed
        while len(self.keyboards) > KEYBOARDS_KEPT:
            del self.keyboards[next(iter(self.keyboards))]
        rows, number = [], 0
        for row in reply.buttons:
            cells = []
            for _ in row:
                number += 1
                cells.append(keys.label(number))
            rows.append(INDENT + "  ".join(cells))
        return rows

    def forget_files(self) -> int:
        """Delete every file this chat saved for its user (exports, charts): /forget
        deletes everything, and these hold the promise texts too. Returns how many."""
        if not self.files_dir.is_dir():
            return 0
        deleted = 0
        for path in self.files_dir.iterdir():
            if path.is_file() or path.is_symlink():
                path.unlink(missing_ok=True)
                deleted += 1
        return deleted

    def _save(self, attachment: Attachment) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(attachment.filename).name
        path.write_bytes(attachment.content)
        return path.resolve()

    def choice(self, text: str) -> tuple[int, str] | None:
        """The button a typed label ("a1", "A1") refers to, if it is a pressable one.

        A bare number presses a button only while a single message has buttons: with
        more, "1" could mean any of them, and guessing once deleted a promise.
        """
        label = _LABEL.fullmatch(text.strip())
        if label is not None:
            keys = self.keyboards.get(label[1].lower())
            number = int(label[2])
        elif text.isdigit() and len(self.keyboards) == 1:
            keys, number = next(iter(self.keyboards.values())), int(text)
        else:
            return None
        if keys is None or not 1 <= number <= len(keys.buttons):
            return None
        return keys.message_id, keys.buttons[number - 1].data

    def miss(self, text: str) -> str | None:
        """The note for a typed label or number that presses nothing; None if it cannot
        be meant as one (no buttons are shown)."""
        text = text.strip()
        label = _LABEL.fullmatch(text)
        if label is not None:
            letter, number = label[1].lower(), int(label[2])
            keys = self.keyboards.get(letter)
            if keys is None:
                if letter in self._letter_of.values():
                    return (
                        f"(There is no [{letter}{number}] now — that message's buttons are gone.)"
                    )
                if not self.keyboards:
                    return None  # no buttons to mean: plain text
                return f"(There is no [{letter}{number}] — {_try_label(self)}.)"
            return f"(There is no [{letter}{number}] — {_choices(keys)}.)"
        if not text.isdigit() or not self.keyboards:
            return None
        if len(self.keyboards) == 1:
            keys = next(iter(self.keyboards.values()))
            return f"(There is no [{keys.letter}{text}] — {_choices(keys)}.)"
        number = int(text)
        newest = [k for k in reversed(self.keyboards.values()) if number <= len(k.buttons)]
        if not newest:
            return f"(There is no [{text}] — {_try_label(self)}.)"
        shown = ", ".join(k.label(number) for k in newest[:AMBIGUOUS_SHOWN])
        more = " …" if len(newest) > AMBIGUOUS_SHOWN else ""
        return f"(Which one? Type its label: {shown}{more})"


_LABEL = re.compile(r"([a-z]{1,3})([0-9]{1,3})", re.IGNORECASE)
KEYBOARDS_KEPT = 200  # pressable messages remembered; older ones' buttons stop working
AMBIGUOUS_SHOWN = 4


def _choices(keys: Keys) -> str:
    last = len(keys.buttons)
    if last == 1:
        return f"the only choice is [{keys.letter}1]"
    return f"the choices are [{keys.letter}1]–[{keys.letter}{last}]"


def _try_label(outbox: TerminalOutbox) -> str:
    newest = next(reversed(outbox.keyboards.values())).letter
    return f"type a button's label, like [{newest}1]"


class GuardedJobs:
    """Wraps the scheduler so a failing check-in job prints one friendly line.

    APScheduler would log the traceback at ERROR, in the middle of the user's prompt.
    """

    def __init__(self, inner: JobScheduler, on_error: Callable[[], Awaitable[None]]) -> None:
        self.inner = inner
        self.on_error = on_error

    def schedule(self, key: str, at: datetime, callback: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            try:
                await callback()
            except Exception as error:
                log.warning("scheduled job %s failed: %r", key, error)
                log.debug("scheduled job %s failed", key, exc_info=True)
                await self.on_error()

        self.inner.schedule(key, at, guarded)

    def cancel(self, key: str) -> None:
        self.inner.cancel(key)


class TerminalChat:
    """Turns a typed line into a button press, a command or plain text."""

    def __init__(self, conversation: Conversation, outbox: TerminalOutbox, who: Sender) -> None:
        self.conversation = conversation
        self.outbox = outbox
        self.who = who

    def _known(self) -> bool:
        return self.conversation.ctx.store.get_user(self.who.user_id) is not None

    def _forget_files(self) -> None:
        """The user is gone (/forget): so are the files saved for them."""
        try:
            self.outbox.forget_files()
        except OSError as error:
            log.warning("could not delete the saved files: %r", error)
            self.outbox.say(FILES_LEFT.format(folder=self.outbox.files_dir))

    async def greet(self) -> None:
        store = self.conversation.ctx.store
        if store.get_user(self.who.user_id) is None:
            self._forget_files()  # left by a user forgotten while the chat was closed
            await self.conversation.on_command(self.who, "start")
            self.outbox.say(HINT)
        else:
            count = len(store.open_promises(self.who.user_id))
            self.outbox.say(WELCOME_BACK.format(open=_open_count(count), hint=HINT))

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the user wants to leave."""
        text = line.strip()
        if not text:
            return True
        if text.lower() in QUIT:
            return False
        try:
            known = self._known()
            await self._dispatch(text)
            if known and not self._known():
                self._forget_files()
        except Exception as error:
            # The conversation already turns store failures into replies; anything else
            # is a bug. One line for the user, details only at DEBUG.
            log.warning("could not handle %r: %r", text, error)
            log.debug("could not handle %r", text, exc_info=True)
            await self.something_wrong()
        return True

    async def something_wrong(self) -> None:
        self.outbox.say(texts.SOMETHING_WRONG)

    async def _dispatch(self, text: str) -> None:
        choice = self.outbox.choice(text)
        miss = None if choice is not None else self.outbox.miss(text)
        if choice is not None:
            before = self.outbox.printed
            toast = await self.conversation.on_button(self.who, *choice)
            if self.outbox.printed == before:
                self.outbox.say(f"({toast})")  # Telegram's toast; only if nothing else showed
        elif miss is not None:
            self.outbox.say(miss)
        elif text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            await self.conversation.on_command(self.who, name, args.strip())
        else:
            await self.conversation.on_text(self.who, text)


async def read_lines(chat: TerminalChat, stdin: TextIO, exit_after: float | None) -> None:
    """Plain input for pipes and files: echo each line; leave ``exit_after`` seconds after
    the input ends, or after the last line when the pipe stays open but goes quiet.

    Lines are read on a daemon thread, so an unfinished read never holds up exiting.
    """
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()

    def put(line: str) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: we are leaving anyway
            loop.call_soon_threadsafe(lines.put_nowait, line)

    def pump() -> None:
        for line in stdin:
            put(line)
        put("")

    threading.Thread(target=pump, name="stdin", daemon=True).start()
    while True:
        try:
            # An open pipe may never end: with --exit-after, quiet for that long is the end.
            line = await asyncio.wait_for(lines.get(), exit_after)
        except TimeoutError:
            return
        if not line:
            break
        chat.outbox.print(PROMPT + line.rstrip("\n"))
        if not await chat.handle(line):
            return
    await asyncio.sleep(exit_after or 0)


@contextlib.contextmanager
def _logs_through(stream: TextIO) -> Iterator[None]:
    """Point stderr log handlers at prompt_toolkit's proxy so warnings don't garble input."""
    moved = []
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream in (
            sys.__stderr__,
            sys.__stdout__,
        ):
            old = handler.setStream(stream)
            if old is not None:  # None: it already wrote there
                moved.append((handler, old))
    try:
        yield
    finally:
        for handler, old in moved:
            handler.setStream(old)


async def prompt_lines(chat: TerminalChat, exit_after: float | None) -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.patch_stdout import patch_stdout

    session: PromptSession[str] = PromptSession()
    with patch_stdout(raw=True), _logs_through(sys.stderr):
        while True:
            try:
                line = await session.prompt_async(PROMPT)
            except (EOFError, KeyboardInterrupt):
                break
            if not await chat.handle(line):
                break
        if exit_after:
            await asyncio.sleep(exit_after)


def local_snapshot(store: Store, user_id: int) -> UserSnapshot:
    """What restoring the terminal's own user needs, without reading anyone else."""
    return UserSnapshot(
        user_id, store.get_user(user_id), store.open_promises(user_id), store.routines(user_id)
    )


async def chat_session(
    settings: Settings,
    store: Store,
    clock: Clock,
    user_id: int,
    exit_after: float | None,
    interactive: bool,
) -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    outbox = TerminalOutbox(files_dir(settings.data_dir, user_id))
    chat: TerminalChat | None = None

    async def job_failed() -> None:
        if chat is not None:
            await chat.something_wrong()

    ctx = Context(
        store,
        outbox,
        GuardedJobs(APSchedulerJobs(scheduler), job_failed),
        clock,
        default_tz=settings.default_tz,
        timings=settings.timings,
        shares_location=False,
    )
    conversation = Conversation(ctx)
    chat = TerminalChat(conversation, outbox, Sender(user_id, user_id, ""))
    # Only the local user: the same data directory may hold Telegram users, whose
    # check-ins belong to `keepword run`, not to this terminal.
    await conversation.restore([local_snapshot(store, user_id)])
    await chat.greet()
    scheduler.start()
    try:
        if interactive:
            await prompt_lines(chat, exit_after)
        else:
            await read_lines(chat, sys.stdin, exit_after)
        outbox.say(BYE)
    finally:
        scheduler.shutdown(wait=False)


def run_chat(
    settings: Settings, store: Store, clock: Clock, user_id: int, exit_after: float | None
) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        asyncio.run(chat_session(settings, store, clock, user_id, exit_after, interactive))
    except KeyboardInterrupt:
        print(f"\n{BOT}{BYE}", flush=True)
        return 130
    return 0
