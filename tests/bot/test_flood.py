"""The flood guard covers every kind of update, and what it silences costs nothing.

The end-to-end side (another user's reply while one floods): tests/e2e/test_fairness.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot import ratelimit, texts
from bot.config import Settings
from bot.context import Context, Limits, Sender
from bot.conversation import Conversation
from bot.replies import plain
from bot.telegram_app import build_application
from storage.memory_store import MemoryStore
from storage.tinydb_store import TinyDBStore
from tests.bot.fakes import ManualClock, ManualScheduler, RecordingOutbox
from tests.bot.test_conversation import ANN, START, Harness
from tests.e2e.floods import GROUP, STICKER, STRANGERS, private_message
from tests.fakebotapi import FakeBotAPI

BERLIN = (52.52, 13.40)


async def test_every_kind_of_message_shares_one_budget() -> None:
    h = Harness(Limits(messages_per_minute=5))
    who = Sender(ANN, ANN, "Ann")
    await h.say("call mom back in 1 hour")
    await h.bot.on_edit(who)
    await h.bot.on_unsupported(who)
    await h.bot.on_location(who, *BERLIN)
    await h.say("/help")
    assert texts.SLOW_DOWN not in [m.reply.text for m in h.outbox.sent]
    handled = len(h.outbox.sent)
    for _ in range(10):
        await h.bot.on_edit(who)
        await h.bot.on_unsupported(who)
        await h.bot.on_location(who, *BERLIN)
        await h.say("buy bread in 2 hours")
    assert [m.reply.text for m in h.outbox.sent[handled:]] == [texts.SLOW_DOWN]
    assert [p.task for p in h.store.open_promises(ANN)] == ["call mom back"]


def files(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under root with its inode, size and mtime: an atomic write changes all."""
    return {
        str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


async def test_a_silenced_message_writes_nothing(tmp_path: Path) -> None:
    """Before: each silenced message still stored its message id (an fsync'd write)."""
    store = TinyDBStore(tmp_path)
    outbox = RecordingOutbox()
    ids = count(1)
    ctx = Context(
        store,
        outbox,
        ManualScheduler(),
        ManualClock(START),
        limits=Limits(messages_per_minute=3),
        make_id=lambda: f"p{next(ids)}",
    )
    bot = Conversation(ctx)
    message_ids = count(1)
    for n in range(3):
        await bot.on_text(Sender(ANN, ANN, "Ann", next(message_ids)), f"task {n} in 1 hour")
    before = files(tmp_path)
    for n in range(10):
        await bot.on_text(Sender(ANN, ANN, "Ann", next(message_ids)), f"more {n} in 1 hour")
        await bot.on_command(Sender(ANN, ANN, "Ann", next(message_ids)), "score")
    assert files(tmp_path) == before
    assert sum(m.reply.text == texts.SLOW_DOWN for m in outbox.sent) == 1


# ---------------------------------------------------------------------- through PTB


@pytest.fixture
def no_chat_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "CHAT_BURST", 1000)  # many replies to one chat at once


@asynccontextmanager
async def running(api: FakeBotAPI, **settings: Any) -> AsyncIterator[Any]:
    """The Telegram application of `keepword run`, fed updates through its own queue."""
    app, _ = build_application(
        Settings(token=api.token, api_base_url=api.base_url, **settings),
        MemoryStore(),
        lambda: datetime.now(UTC),
        scheduler=ManualScheduler(),
    )
    async with app:
        await app.start()
        try:
            yield app
        finally:
            await app.stop()


async def feed(app: Any, api: FakeBotAPI) -> None:
    """Hand the application every update queued since the last feed."""
    fed = app.bot_data.setdefault("fed", set())
    for update in api.pending_updates:
        if update["update_id"] not in fed:
            fed.add(update["update_id"])
            await app.update_queue.put(Update.de_json(update, app.bot))
    await asyncio.wait_for(app.update_queue.join(), 10)
    await asyncio.sleep(0.2)  # the last replies are on their way


@pytest.mark.usefixtures("no_chat_pauses")
async def test_edits_stickers_and_taps_each_count() -> None:
    async with FakeBotAPI() as api, running(api) as app:
        api.send_text(ANN, "/settings")
        await feed(app, api)
        screen = api.messages_to(ANN)[0]
        for n in range(30):
            api.send_text(ANN, f"call mom back in {n + 1} hours", edited=True, message_id=1)
            api.send_update({"message": private_message(ANN, 100 + n, sticker=STICKER)})
        await feed(app, api)
        replies = [m.plain for m in api.messages_to(ANN)[1:]]
        assert len(replies) == Limits().messages_per_minute  # 19 after /settings, then:
        assert replies[-1] == texts.SLOW_DOWN
        assert set(replies[:-1]) == {plain(texts.EDIT_IGNORED), plain(texts.UNSUPPORTED)}

        taps = [api.press_button(ANN, screen, "s:clock:toggle") for _ in range(70)]
        await feed(app, api)
        toasts = [api.callback_answers(q)[0].get("text") for q in taps]
        assert toasts.count(texts.SLOW_DOWN) == 70 - 3 * Limits().messages_per_minute


@pytest.mark.parametrize("allowed", [frozenset(), frozenset({ANN})])
async def test_a_group_is_told_once_and_strangers_to_a_private_bot_never(
    allowed: frozenset[int],
) -> None:
    async with FakeBotAPI() as api, running(api, allowed_users=allowed) as app:
        for n in range(50):
            api.send_text(STRANGERS + n, "@KeepwordBot hi", chat_id=GROUP, chat_type="group")
        api.send_text(STRANGERS, "/start@KeepwordBot", chat_id=GROUP, chat_type="group")
        await feed(app, api)
        told = [m.plain for m in api.messages_to(GROUP)]
        assert told == ([] if allowed else [texts.NOT_PRIVATE])
