"""Delivery through the real `keepword run` process and the fake Bot API.

Long replies, button answers, send errors Telegram gives besides 429/5xx/403, stopping
with a backlog, and start-up failures — each as a user (or an operator) meets them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.flows.reports import report_week
from core.models import Outcome, UserSettings
from storage.tinydb_store import TinyDBStore
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import FAST
from tests.e2e.test_report import ANN, promise, roomy_zone
from tests.fakebotapi import FakeBotAPI

K, L, B, X = Outcome.KEPT, Outcome.LATE, Outcome.BROKEN, Outcome.CANCELLED
TELEGRAM_LIMIT = 4096
LONG_TASK = ("call <mom> & fix it " * 30)[:499] + "x"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def bot(api: FakeBotAPI, data_dir: Path) -> AsyncIterator[BotProcess]:
    """The bot on a data directory the test may fill first; started by the test."""
    process = BotProcess(api, data_dir, env=FAST)
    yield process
    await process.stop()


def seed_long_week(store: TinyDBStore, now: datetime) -> str:
    """Ann's report fell due 5 minutes ago; her week is full of the longest text allowed:
    eight 500-character tags, cancelled 500-character tasks, 30 such tasks answered."""
    zone = roomy_zone(now)
    tz = ZoneInfo(zone)
    due = (now - timedelta(minutes=5)).astimezone(tz)
    store.put_user(
        UserSettings(
            user_id=ANN,
            chat_id=ANN,
            tz=zone,
            report_day=due.weekday(),
            report_hour=due.hour,
            report_minute=due.minute,
            created=now - timedelta(days=30),
        )
    )
    week = report_week(due, tz)
    for n in range(30):
        tag = "#" + chr(ord("a") + n % 8) * 499
        outcome = (K, L, B, X)[n % 4]
        seeded = promise(f"t{n}", week + timedelta(minutes=10 * (n + 1)), outcome)
        store.put_promise(replace(seeded, task=LONG_TASK, tags=(tag,)))
    return week.date().isoformat()


async def test_the_longest_report_score_and_history_all_arrive(
    api: FakeBotAPI, bot: BotProcess, data_dir: Path
) -> None:
    week = seed_long_week(TinyDBStore(data_dir), datetime.now(UTC))
    await bot.start()

    report = await api.wait_for_message(ANN, "Your week in small promises", timeout=15)
    assert "By person: #aaaa" in report.plain
    assert "…" in report.plain
    api.send_text(ANN, "/score")
    score = await api.wait_for_message(ANN, "This week")
    api.send_text(ANN, "/history")
    history = await api.wait_for_message(ANN, "newest first")
    lines = history.plain.splitlines()
    assert len(lines) == 31
    assert all(line.endswith(("…", "(cancelled)", "late", "(late)")) for line in lines[1:])
    for message in (report, score, history):
        assert len(message.plain) <= TELEGRAM_LIMIT
    assert [c.status for c in api.calls_of("sendMessage")] == [200] * 3

    await bot.stop()
    user = TinyDBStore(data_dir).get_user(ANN)
    assert user is not None
    assert user.last_report_week == week  # sent and remembered, not lost for the week
    assert not user.blocked
