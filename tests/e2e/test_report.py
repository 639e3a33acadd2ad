"""The reliability report through the real `keepword run` process and the fake Bot API.

The bot runs on the real clock, so the seeded week is placed relative to now: the user
gets whichever of UTC and UTC−12 puts more of their current week behind them (at least
12 hours), and every seeded promise falls due in that stretch.
"""

from __future__ import annotations

import json
import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.flows.reports import report_week
from core.models import Outcome, Promise, UserSettings
from core.score import week_bounds
from storage.tinydb_store import TinyDBStore
from tests.bot.test_export import promise_from_export
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import FAST, button
from tests.fakebotapi import FakeBotAPI

ANN = 1001
BOB = 2002
K, L, B, U = Outcome.KEPT, Outcome.LATE, Outcome.BROKEN, Outcome.UNANSWERED
REFLECTION = "In the past week, how reliable have you been in small things?"


def roomy_zone(now: datetime) -> str:
    """The zone of UTC and UTC−12 whose current week began longer ago."""
    return max(("UTC", "Etc/GMT+12"), key=lambda name: now - week_bounds(now, ZoneInfo(name))[0])


def promise(pid: str, due: datetime, outcome: Outcome | None, user: int = ANN) -> Promise:
    return Promise(
        id=pid,
        user_id=user,
        task=f"task {pid}",
        due=due.astimezone(UTC),
        created=due.astimezone(UTC) - timedelta(minutes=10),
        outcome=outcome,
        closed=None if outcome is None else due.astimezone(UTC) + timedelta(minutes=1),
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def seeded_bot(api: FakeBotAPI, data_dir: Path) -> AsyncIterator[BotProcess]:
    """A bot started on a data directory the test fills first (through the real store)."""
    process = BotProcess(api, data_dir, env=FAST)
    yield process
    await process.stop()


def seed_week(store: TinyDBStore, now: datetime) -> None:
    """Ann: 7 kept, 2 late, 1 broken, 1 unanswered this week; 61 % the week before."""
    zone = roomy_zone(now)
    store.put_user(UserSettings(user_id=ANN, chat_id=ANN, tz=zone, created=now))
    start = week_bounds(now, ZoneInfo(zone))[0]
    for n, outcome in enumerate((K, K, B, K, K, K, K, L, L, U, K)):
        store.put_promise(promise(f"t{n}", start + timedelta(minutes=30 * (n + 1)), outcome))
    for n, outcome in enumerate((K, K, K, K, K, L, B, B, B)):
        due = start - timedelta(days=7) + timedelta(hours=8 * (n + 1))
        store.put_promise(promise(f"l{n}", due, outcome))
    store.put_promise(promise("o1", now + timedelta(hours=2), None))


async def test_score_after_a_seeded_week_then_the_chart_and_history(
    api: FakeBotAPI, seeded_bot: BotProcess, data_dir: Path
) -> None:
    seed_week(TinyDBStore(data_dir), datetime.now(UTC))
    await seeded_bot.start()

    api.send_text(ANN, "/score")
    score = await api.wait_for_message(ANN, "kept")
    lines = score.plain.splitlines()
    assert lines[0].endswith(": 9 of 11 kept · 73%  ▲ +12 vs last week")
    assert lines[0].startswith("This week (")
    assert lines[1] == "Late: 2 (late counts half) · Broken: 1 · Unanswered: 1"
    assert lines[2] == "Longest streak: 6 kept in a row"
    assert lines[3].startswith("Long-run reliability: ")
    assert button(score, "chart") == "chart"

    n = len(api.messages_to(ANN))
    api.press_button(ANN, score, "chart")
    chart = await api.wait_for_message(ANN, lambda m: m.kind == "photo", after=n)
    assert chart.file_bytes is not None
    assert png_size(chart.file_bytes) == (1000, 600)
    assert chart.filename == "keepword-score.png"
    call = api.calls_of("sendPhoto")[-1]
    assert call.chat_id == ANN

    n = len(api.messages_to(ANN))
    api.send_text(ANN, "/history")
    history = await api.wait_for_message(ANN, "newest first", after=n)
    assert history.plain.splitlines()[0] == "Your last 20 promises, newest first"
    assert "task t10" in history.plain.splitlines()[1]


async def test_a_weekly_report_that_fell_due_while_down_is_sent_at_start(
    api: FakeBotAPI, seeded_bot: BotProcess, data_dir: Path
) -> None:
    now = datetime.now(UTC)
    zone = roomy_zone(now)
    tz = ZoneInfo(zone)
    due = (now - timedelta(minutes=5)).astimezone(tz)
    store = TinyDBStore(data_dir)
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
    reported = report_week(due, tz)  # this week (or the last, for a Monday report)
    store.put_promise(promise("k1", reported + timedelta(hours=1), K))
    store.put_promise(promise("k2", reported + timedelta(hours=2), L))
    # Bob was silent all week: no report for him, even though his time has come too.
    store.put_user(
        UserSettings(
            user_id=BOB,
            chat_id=BOB,
            tz=zone,
            report_day=due.weekday(),
            report_hour=due.hour,
            report_minute=due.minute,
        )
    )
    await seeded_bot.start()

    report = await api.wait_for_message(ANN, "Your week in small promises", timeout=15)
    assert "2 of 2 kept · 75%" in report.plain
    assert report.plain.endswith(REFLECTION)
    after = api.messages_to(ANN).index(report) + 1
    chart = await api.wait_for_message(ANN, lambda m: m.kind == "photo", after=after)
    assert chart.file_bytes is not None
    assert png_size(chart.file_bytes) == (1000, 600)

    # Restarted at once, the bot does not send the same report again.
    await seeded_bot.stop()
    settings = TinyDBStore(data_dir).get_user(ANN)
    assert settings is not None
    assert settings.last_report_week == reported.date().isoformat()
    await seeded_bot.start()
    api.send_text(ANN, "/help")
    await api.wait_for_message(ANN, "Commands")
    assert sum("Your week" in m.plain for m in api.messages_to(ANN)) == 1
    assert api.messages_to(BOB) == []


async def test_export_parses_back_and_forget_leaves_nothing_behind(
    api: FakeBotAPI, seeded_bot: BotProcess, data_dir: Path
) -> None:
    now = datetime.now(UTC)
    seed_week(TinyDBStore(data_dir), now)
    TinyDBStore(data_dir).put_user(UserSettings(user_id=BOB, chat_id=BOB, created=now))
    await seeded_bot.start()

    api.send_text(ANN, "every day at 8am: phone away at breakfast")
    await api.wait_for_message(ANN, "phone away")
    api.send_text(ANN, "/export")
    json_doc = await api.wait_for_message(ANN, lambda m: m.kind == "document")
    after = api.messages_to(ANN).index(json_doc) + 1
    csv_doc = await api.wait_for_message(ANN, lambda m: m.kind == "document", after=after)
    assert len(api.calls_of("sendDocument")) == 2
    assert json_doc.filename is not None
    assert json_doc.filename.endswith(".json")
    assert csv_doc.filename is not None
    assert csv_doc.filename.endswith(".csv")
    assert json_doc.file_bytes is not None
    assert csv_doc.file_bytes is not None

    exported = json.loads(json_doc.file_bytes)
    store = TinyDBStore(data_dir)  # a fresh reader: what the bot wrote to disk
    stored = [*store.open_promises(ANN), *store.closed_promises(ANN)]
    assert len(stored) == 21
    by_id = {p.id: p for p in stored}
    assert {p["id"]: promise_from_export(p) for p in exported["promises"]} == by_id
    assert [r["task"] for r in exported["routines"]] == ["phone away at breakfast"]
    table = csv_doc.file_bytes.decode().splitlines()
    assert table[0].startswith("id,task,due,created,outcome")
    assert len(table) == 1 + 21

    api.send_text(ANN, "/forget")
    confirm = await api.wait_for_message(ANN, "can't be undone")
    api.press_button(ANN, confirm, button(confirm, "Yes, delete"))
    await api.wait_for_edit(ANN, confirm.message_id, "deleted everything")
    assert not (data_dir / "users" / str(ANN)).exists()
    leftovers = [p.name for p in (data_dir / "users").iterdir()]
    assert leftovers == [str(BOB)]
    # A stale button from before changes nothing and brings nothing back.
    api.press_button(ANN, confirm, "f:yes")
    api.press_button(ANN, json_doc, "chart")
    n = len(api.messages_to(ANN))
    api.send_text(ANN, "/list")
    listing = await api.wait_for_message(ANN, "No open promises", after=n)
    assert "phone away" not in listing.plain
    n = len(api.messages_to(ANN))
    api.send_text(ANN, "/score")
    score = await api.wait_for_message(ANN, "nothing scored yet", after=n)
    assert "Long-run" not in score.plain
    assert api.messages_to(ANN)[n:] == [score]  # no chart from the stale tap

    fresh = TinyDBStore(data_dir)
    assert fresh.open_promises(ANN) == []
    assert fresh.closed_promises(ANN) == []
    assert fresh.routines(ANN) == []
    assert not (data_dir / "users" / str(ANN) / "archive").exists()


async def test_timezone_from_a_city_and_a_shared_location(
    api: FakeBotAPI, bot: BotProcess
) -> None:
    api.send_text(ANN, "/timezone new york")
    await api.wait_for_message(ANN, "Time zone set to America/New_York")
    api.send_location(ANN, 52.52, 13.405)
    await api.wait_for_message(ANN, "Time zone set to Europe/Berlin")
    api.send_text(ANN, "/timezone Xyzzyville")
    await api.wait_for_message(ANN, "I don't know the time zone or city")
