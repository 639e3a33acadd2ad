"""Faults in-process: Telegram errors at the outbox, a full disk, a lost check-in send.

The outbox runs against the fake Bot API server over real HTTP (its faults are the
ones Telegram and its proxies produce); the conversation parts use the manual clock.
The same faults through the real `keepword run` process: tests/e2e/test_hardening.py.
"""

from __future__ import annotations

import errno
import json
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import ratelimit, telegram_app, texts
from bot.config import Settings
from bot.context import Context, Limits, Sender
from bot.conversation import Conversation
from bot.replies import DeliveryError, Reply, plain
from bot.telegram_app import SEND_ATTEMPTS, TelegramOutbox, build_application
from core.models import UserSettings
from storage.memory_store import MemoryStore
from storage.tinydb_store import TinyDBStore
from tests.bot.fakes import ManualClock, ManualScheduler, RecordingOutbox
from tests.bot.test_conversation import ANN, START, Harness
from tests.fakebotapi import FakeBotAPI

# ---------------------------------------------------------------------- the outbox


class Wired:
    def __init__(self, api: FakeBotAPI, conversation: Conversation) -> None:
        self.api = api
        self.conversation = conversation
        box = conversation.ctx.outbox
        assert isinstance(box, TelegramOutbox)
        self.box = box


@pytest.fixture
async def wired(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Wired]:
    """The real Telegram outbox of build_application, talking to the fake server."""
    monkeypatch.setattr(telegram_app, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(ratelimit, "CHAT_BURST", 100)  # retries to one chat: no 1 s pauses
    async with FakeBotAPI() as api:
        store = MemoryStore()
        store.put_user(UserSettings(user_id=ANN, chat_id=ANN, created=START))
        app, conversation = build_application(
            Settings(token=api.token, api_base_url=api.base_url),
            store,
            lambda: datetime.now(UTC),
            scheduler=ManualScheduler(),
        )
        async with app:
            yield Wired(api, conversation)


async def test_429_is_waited_out_and_sent(wired: Wired) -> None:
    box, api = wired.box, wired.api
    api.fail_next("sendMessage", 1, "429", retry_after=1)
    started = time.monotonic()
    assert await box.send(ANN, Reply("hello")) is not None
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in api.calls_of("sendMessage")] == [429, 200]


@pytest.mark.parametrize("kind", ["502", "drop"])
async def test_network_faults_are_retried(wired: Wired, kind: str) -> None:
    box, api = wired.box, wired.api
    api.fail_next("sendMessage", 3, kind)  # type: ignore[arg-type]
    assert await box.send(ANN, Reply("hello")) is not None
    assert len(api.calls_of("sendMessage")) == 4
    assert [m.text for m in api.messages_to(ANN)] == ["hello"]


async def test_an_unreachable_telegram_raises_after_every_try(wired: Wired) -> None:
    box, api = wired.box, wired.api
    api.fail_next("sendMessage", SEND_ATTEMPTS, "502")
    with pytest.raises(DeliveryError):
        await box.send(ANN, Reply("hello"))
    assert len(api.calls_of("sendMessage")) == SEND_ATTEMPTS


async def test_a_block_stops_and_is_remembered(wired: Wired) -> None:
    box, api = wired.box, wired.api
    api.block_chat(ANN)
    assert await box.send(ANN, Reply("hello")) is None
    assert len(api.calls_of("sendMessage")) == 1  # a 403 is not retried
    user = wired.conversation.ctx.store.get_user(ANN)
    assert user is not None
    assert user.blocked


@pytest.mark.parametrize("kind", ["404", "401", "409"])
async def test_other_telegram_errors_raise_delivery_error_for_a_later_try(
    wired: Wired, kind: str
) -> None:
    """Before: PTB's EndPointNotFound, InvalidToken and Conflict escaped the outbox, and a
    check-in job that met one was never tried again until a restart."""
    box, api = wired.box, wired.api
    api.fail_next("sendMessage", 1, kind)  # type: ignore[arg-type]
    with pytest.raises(DeliveryError):
        await box.send(ANN, Reply("hello"))
    assert len(api.calls_of("sendMessage")) == 1
    assert await box.send(ANN, Reply("hello")) is not None  # the later try


async def test_a_moved_chat_is_written_to_under_its_new_id_and_stored(wired: Wired) -> None:
    box, api = wired.box, wired.api
    moved = -1001234567890
    api.migrate_chat(ANN, moved)
    assert await box.send(ANN, Reply("hello")) is not None
    assert await box.send(ANN, Reply("again")) is not None
    assert [m.text for m in api.messages_to(moved)] == ["hello", "again"]
    assert [c.chat_id for c in api.calls_of("sendMessage")] == [ANN, moved, moved]
    user = wired.conversation.ctx.store.get_user(ANN)
    assert user is not None
    assert user.chat_id == moved


# ---------------------------------------------------------------------- check-in jobs


class FlakyOutbox(RecordingOutbox):
    """Telegram unreachable for the next ``failures`` sends."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 0

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("unreachable")
        return await super().send(chat_id, reply)


def flaky_harness() -> tuple[Harness, FlakyOutbox]:
    h = Harness()
    flaky = FlakyOutbox()
    h.outbox = flaky
    h.ctx.outbox = flaky
    return h, flaky


async def test_a_checkin_that_cannot_be_sent_is_kept_and_tried_again() -> None:
    h, flaky = flaky_harness()
    await h.say("call mom back in 1 minute")
    flaky.failures = 1
    await h.advance(minutes=1)
    promise = h.store.get_promise(ANN, "p1")
    assert promise is not None
    assert promise.asked is None  # still waiting to be asked
    assert h.scheduler.when("p:p1") == h.clock() + timedelta(seconds=30)
    await h.advance(seconds=30)
    checkins = [m for m in h.outbox.sent if "Did you keep your word?" in m.text]
    assert len(checkins) == 1
    promise = h.store.get_promise(ANN, "p1")
    assert promise is not None
    assert promise.asked is not None


class BlockedOutbox(RecordingOutbox):
    """Like Telegram after the user blocked the bot: 403, reported to the conversation."""

    def __init__(self, h: Harness) -> None:
        super().__init__()
        self.h = h

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        if chat_id in self.blocked:
            await self.h.bot.on_blocked(chat_id)
        return await super().send(chat_id, reply)


async def test_the_bot_blocked_keeps_promises_and_resumes_when_they_write() -> None:
    h = Harness()
    h.outbox = h.ctx.outbox = BlockedOutbox(h)
    await h.say("call mom back in 1 minute")
    await h.say("buy bread in 2 minutes")
    h.outbox.blocked.add(ANN)
    sent = len(h.outbox.sent)
    await h.advance(minutes=3)
    assert len(h.outbox.sent) == sent
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.blocked
    assert [p.asked for p in h.store.open_promises(ANN)] == [None, None]
    h.outbox.blocked.clear()
    await h.say("/list")
    await h.scheduler.run_due(h.clock())
    assert sum("Did you keep your word?" in m.text for m in h.outbox.sent) == 2


# ---------------------------------------------------------------------- a full disk


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """While ``full[0]`` is True every atomic write fails the way ENOSPC makes it fail."""
    full = [False]
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if full[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)  # what storage/atomic.py renames with
    return full


async def test_a_full_disk_is_told_keeps_old_data_and_recovers(
    tmp_path: Path, full_disk: list[bool], caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(START)
    outbox = RecordingOutbox()
    scheduler = ManualScheduler()
    store = TinyDBStore(tmp_path)
    ctx = Context(store, outbox, scheduler, clock, limits=Limits(messages_per_minute=1000))
    bot = Conversation(ctx)
    ids = iter(range(1, 100))

    async def say(text: str) -> str:
        before = len(outbox.sent)
        await bot.on_text(Sender(ANN, ANN, "Ann", next(ids)), text)
        return "\n".join(m.text for m in outbox.sent[before:])

    assert "Got it" in await say("call mom back in 1 hour")
    ack = outbox.last
    full_disk[0] = True
    assert await say("buy milk in 2 hours") == plain(texts.SAVE_FAILED)
    assert await say("text Sam") == plain(texts.SAVE_FAILED)
    toast = await bot.on_button(Sender(ANN, ANN), ack.message_id, ack.button("Undo"))
    assert "save" in toast.lower()
    # What was there before is intact, on disk and through a fresh store.
    for path in tmp_path.rglob("*.json"):
        json.loads(path.read_text())
    assert [p.task for p in TinyDBStore(tmp_path).open_promises(ANN)] == ["call mom back"]
    assert [p.task for p in store.open_promises(ANN)] == ["call mom back"]
    full_disk[0] = False
    assert "Got it" in await say("buy milk in 2 hours")
    assert sorted(p.task for p in TinyDBStore(tmp_path).open_promises(ANN)) == [
        "buy milk",
        "call mom back",
    ]


async def test_a_full_disk_during_a_checkin_retries_it(
    tmp_path: Path, full_disk: list[bool]
) -> None:
    clock = ManualClock(START)
    outbox = RecordingOutbox()
    scheduler = ManualScheduler()
    ctx = Context(TinyDBStore(tmp_path), outbox, scheduler, clock)
    bot = Conversation(ctx)
    await bot.on_text(Sender(ANN, ANN, "Ann", 1), "call mom back in 1 minute")
    full_disk[0] = True
    await scheduler.run_due(clock.advance(minutes=1))
    full_disk[0] = False
    await scheduler.run_due(clock.advance(seconds=30))
    checkins = [m for m in outbox.sent if "Did you keep your word?" in m.text]
    assert len(checkins) == 1  # it went out: the retry only stores it
    promise = TinyDBStore(tmp_path).open_promises(ANN)[0]
    assert promise.asked is not None
    assert promise.checkin_message_id == checkins[0].message_id


async def test_a_disk_that_stays_full_backs_off_and_tells_the_user_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue: every 30 s the same check-in again, ~120 an hour per promise, forever."""
    full, writes = [False], [0]
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if full[0]:
            writes[0] += 1
            raise OSError(errno.EROFS, "Read-only file system")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    clock = ManualClock(START)
    outbox = RecordingOutbox()
    scheduler = ManualScheduler()
    ctx = Context(TinyDBStore(tmp_path), outbox, scheduler, clock)
    bot = Conversation(ctx)
    await bot.on_text(Sender(ANN, ANN, "Ann", 1), "call mom back in 1 minute")
    await bot.on_text(Sender(ANN, ANN, "Ann", 2), "buy bread in 2 minutes")
    full[0] = True
    for _ in range(6 * 61):  # an hour and a minute, 10 s at a time
        await scheduler.run_due(clock.advance(seconds=10))
    checkins = [m for m in outbox.sent if "Did you keep your word?" in m.text]
    assert len(checkins) == 2  # each asked once, not every 30 s
    assert sum(m.reply.text == texts.CANT_SAVE_NOW for m in outbox.sent) == 1
    # Tried again after 30 s, 1, 2, 4, 8, 16 min, then every 16 min: 8 tries an hour each.
    assert writes[0] <= 2 * 9, writes[0]
    # The answer can't be kept meanwhile, and says so.
    toast = await bot.on_button(
        Sender(ANN, ANN), checkins[0].message_id, checkins[0].button("Kept")
    )
    assert "save" in toast.lower()

    full[0] = False
    await scheduler.run_due(clock.advance(minutes=16))
    stored = {p.task: p for p in TinyDBStore(tmp_path).open_promises(ANN)}
    assert stored["call mom back"].checkin_message_id == checkins[0].message_id
    assert stored["buy bread"].checkin_message_id == checkins[1].message_id
    assert len([m for m in outbox.sent if "Did you keep your word?" in m.text]) == 2
    toast = await bot.on_button(
        Sender(ANN, ANN), checkins[0].message_id, checkins[0].button("Kept")
    )
    assert toast.startswith("🕒")  # saved now; Kept over an hour after the check-in is late
    # Full again later: told again, once.
    await bot.on_text(Sender(ANN, ANN, "Ann", 3), "water the plants in 1 minute")
    full[0] = True
    await scheduler.run_due(clock.advance(hours=1))
    assert sum(m.reply.text == texts.CANT_SAVE_NOW for m in outbox.sent) == 2


# ---------------------------------------------------------------------- floods


async def test_a_flood_is_answered_once_and_a_minute_later_all_is_well(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr("bot.flood.time.monotonic", lambda: now[0])
    h = Harness(Limits(messages_per_minute=5))
    for n in range(12):
        await h.say(f"task {n} in 1 hour")
    assert len(h.store.open_promises(ANN)) == 5
    assert sum(m.reply.text == texts.SLOW_DOWN for m in h.outbox.sent) == 1
    assert len(h.outbox.sent) == 6
    now[0] += 61
    assert "Got it" in await h.say("one more in 1 hour")
    for _ in range(200):
        await h.press(1, "k:p1")  # taps have a budget of their own
    assert await h.press(1, "k:p1") == texts.SLOW_DOWN


async def test_a_tap_after_blocking_also_resumes_the_held_checkins() -> None:
    h = Harness()
    h.outbox = h.ctx.outbox = BlockedOutbox(h)
    await h.say("call mom back in 1 minute")
    ack = h.outbox.last
    h.outbox.blocked.add(ANN)
    await h.advance(minutes=2)
    assert not any("Did you keep your word?" in m.text for m in h.outbox.sent)
    h.outbox.blocked.clear()
    await h.press(ack.message_id, ack.button("Change time"))
    await h.scheduler.run_due(h.clock())
    assert sum("Did you keep your word?" in m.text for m in h.outbox.sent) == 1
