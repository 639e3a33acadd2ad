"""The start-up restore: one user's records that cannot be planned cost only that user,
and a background task that fails says so in the log."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.context import Context, Sender
from bot.conversation import Conversation
from bot.telegram_app import build_application
from core.models import Promise, UserSettings
from core.ports import StoreError, UserSnapshot
from storage.codec import PROMISE
from storage.memory_store import MemoryStore
from storage.tinydb_store import TinyDBStore
from tests.bot.fakes import ManualClock, ManualScheduler, RecordingOutbox
from tests.test_adapters import TOKEN, BotApiDouble

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
ANN, BOB = 1, 2  # restored in this order


def promise(pid: str, user_id: int) -> Promise:
    return Promise(
        id=pid, user_id=user_id, task="secret task", due=T0 + timedelta(hours=1), created=T0
    )


async def test_a_user_that_cannot_be_planned_is_skipped_and_the_rest_restored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The memory store checks nothing, so the bad value reaches the planner.
    store = MemoryStore()
    store.put_user(UserSettings(user_id=ANN, chat_id=ANN, report_hour=25))
    store.put_promise(promise("a1", ANN))
    store.put_user(UserSettings(user_id=BOB, chat_id=BOB))
    store.put_promise(promise("b1", BOB))
    scheduler = ManualScheduler()
    conversation = Conversation(Context(store, RecordingOutbox(), scheduler, ManualClock(T0)))
    with caplog.at_level(logging.WARNING):
        counts = await conversation.restore()
    assert counts["skipped"] == 1
    assert {"p:b1", f"w:{BOB}"} <= set(scheduler.jobs)
    assert f"restore skipped user {ANN}" in caplog.text
    assert "secret" not in caplog.text


class UnlistableStore(MemoryStore):
    def snapshot(self) -> Iterator[UserSnapshot]:
        raise StoreError("cannot list users/: Permission denied")


async def test_a_failing_background_task_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    app, _ = build_application(
        Settings(token=TOKEN),
        UnlistableStore(),
        lambda: T0,
        scheduler=ManualScheduler(),
        request=BotApiDouble(),
    )
    async with app:
        assert app.post_init is not None
        assert app.post_stop is not None
        with caplog.at_level(logging.ERROR):
            await app.post_init(app)
            for _ in range(5):
                await asyncio.sleep(0)
        await app.post_stop(app)
    assert "background task restore failed" in caplog.text
    assert "Permission denied" in caplog.text


async def test_a_file_claiming_to_be_another_users_shows_and_sends_nothing_of_theirs(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    store = TinyDBStore(data)
    store.put_user(UserSettings(user_id=BOB, chat_id=BOB))
    store.put_promise(promise("b1", BOB))
    store.put_user(UserSettings(user_id=ANN, chat_id=ANN))
    # Ann's file is edited so that her settings and a promise claim to be Bob's.
    path = data / "users" / str(ANN) / "open.json"
    document = json.loads(path.read_text())
    document["settings"]["1"].update(user_id=BOB, chat_id=BOB)
    document["promises"] = {"1": PROMISE.encode(replace(promise("x1", BOB), task="planted"))}
    path.write_text(json.dumps(document))

    outbox, scheduler, clock = RecordingOutbox(), ManualScheduler(), ManualClock(T0)
    conversation = Conversation(Context(TinyDBStore(data), outbox, scheduler, clock))
    await conversation.restore()
    assert "p:x1" not in scheduler.jobs
    await conversation.on_command(Sender(ANN, ANN, "Ann", message_id=10), "list")
    clock.advance(hours=2)
    await scheduler.run_due(clock.now)
    assert not any("secret task" in m.text or "planted" in m.text for m in outbox.to(ANN))
    assert any("secret task" in m.text for m in outbox.to(BOB))  # Bob's check-in, to Bob
    assert TinyDBStore(data).get_user(BOB) == UserSettings(user_id=BOB, chat_id=BOB)
