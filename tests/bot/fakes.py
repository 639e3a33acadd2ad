"""Test doubles for the conversation: a manual clock, a recording outbox, a manual scheduler.

With these a test can walk a promise through a whole day in microseconds:
advance the clock, run the jobs that fell due, look at what was sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.replies import Reply, plain


class ManualClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Sent:
    chat_id: int
    message_id: int
    reply: Reply
    edits: list[Reply] = field(default_factory=list)

    @property
    def current(self) -> Reply:
        return self.edits[-1] if self.edits else self.reply

    @property
    def text(self) -> str:
        return plain(self.current.text)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [(b.label, b.data) for row in self.current.buttons for b in row]

    def button(self, word: str) -> str:
        """The callback data of the first button whose label contains ``word``."""
        for label, data in self.buttons:
            if word.lower() in label.lower():
                return data
        raise AssertionError(f"no button with {word!r} in {self.buttons}")


class RecordingOutbox:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.blocked: set[int] = set()

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        if chat_id in self.blocked:
            return None
        message = Sent(chat_id, len(self.sent) + 1, reply)
        self.sent.append(message)
        return message.message_id

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        for message in self.sent:
            if message.message_id == message_id and message.chat_id == chat_id:
                message.edits.append(reply)
                return True
        return False

    def to(self, chat_id: int) -> list[Sent]:
        return [m for m in self.sent if m.chat_id == chat_id]

    @property
    def last(self) -> Sent:
        return self.sent[-1]


Job = Callable[[], Awaitable[None]]


class ManualScheduler:
    def __init__(self) -> None:
        self.jobs: dict[str, tuple[datetime, Job]] = {}

    def schedule(self, key: str, at: datetime, callback: Job) -> None:
        self.jobs[key] = (at, callback)

    def cancel(self, key: str) -> None:
        self.jobs.pop(key, None)

    def when(self, key: str) -> datetime | None:
        job = self.jobs.get(key)
        return None if job is None else job[0]

    async def run_due(self, now: datetime) -> int:
        """Run every job due at ``now`` (again, while running ones schedule more due work)."""
        ran = 0
        while True:
            due = sorted(
                ((at, key) for key, (at, _) in self.jobs.items() if at <= now),
                key=lambda item: item[0],
            )
            if not due:
                return ran
            _, key = due[0]
            _, callback = self.jobs.pop(key)
            await callback()
            ran += 1
