"""The core loop through the real `keepword run` process and the fake Bot API server."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from storage.tinydb_store import TinyDBStore
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import FAST, button, labels
from tests.fakebotapi import FakeBotAPI

ANN = 1001
BOB = 2002


async def test_promise_checkin_and_kept(api: FakeBotAPI, bot: BotProcess) -> None:
    sent_at = time.monotonic()
    api.send_text(ANN, "call mom back in 2 seconds")
    ack = await api.wait_for_message(ANN, "Got it", timeout=5)
    assert ack.t_monotonic - sent_at < 1.0
    assert "“call mom back”" in ack.plain
    assert "(in 2 s)" in ack.plain
    assert "Undo" in labels(ack)
    assert "Change time" in labels(ack)

    checkin = await api.wait_for_message(ANN, "Did you keep your word?", timeout=6)
    for word in ("Kept", "Late", "Broke", "Snooze"):
        assert word in labels(checkin)
    query = api.press_button(ANN, checkin, button(checkin, "Kept"))
    text = await api.wait_for_edit(ANN, checkin.message_id, "Kept")
    assert "1 of 1 kept this week" in text
    assert checkin.current_buttons == []
    await api.wait_for_call(
        "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query
    )

    n = len(api.messages_to(ANN))
    api.send_text(ANN, "/score")
    score = await api.wait_for_message(ANN, "kept", after=n)
    assert "1 of 1 kept" in score.plain
    assert "100%" in score.plain


async def test_broke_offers_repair_and_snooze_asks_again(api: FakeBotAPI, bot: BotProcess) -> None:
    api.send_text(ANN, "text Sam in 1 second")
    checkin = await api.wait_for_message(ANN, "Did you keep your word?", timeout=6)
    api.press_button(ANN, checkin, button(checkin, "Broke"))
    await api.wait_for_edit(ANN, checkin.message_id, "Broken")
    offer = await api.wait_for_message(ANN, "make it right")
    assert "Redo in 1 hour" in labels(offer)
    assert "Tomorrow 09:00" in labels(offer)
    assert "Not now" in labels(offer)
    n = len(api.messages_to(ANN))
    api.press_button(ANN, offer, button(offer, "Redo"))
    redo = await api.wait_for_message(ANN, "Got it", after=n)
    assert "text Sam" in redo.plain

    n = len(api.messages_to(ANN))
    api.send_text(ANN, "stretch in 1 second")
    first = await api.wait_for_message(ANN, "Did you keep your word?", timeout=6, after=n)
    api.press_button(ANN, first, button(first, "Snooze"))
    await api.wait_for_edit(ANN, first.message_id, "Snoozed")
    again = await api.wait_for_message(
        ANN, "Did you keep your word?", timeout=6, after=api.messages_to(ANN).index(first) + 1
    )
    assert "stretch" in again.plain


async def test_no_answer_nudges_then_closes_unanswered(api: FakeBotAPI, bot: BotProcess) -> None:
    api.send_text(ANN, "water the plants in 1 second")
    await api.wait_for_message(ANN, "Did you keep your word?", timeout=6)
    await api.wait_for_message(ANN, "Just checking", timeout=6)
    closed = await api.wait_for_message(ANN, "unanswered", timeout=8)
    assert "water the plants" in closed.plain
    assert sum("Just checking" in m.plain for m in api.messages_to(ANN)) == 1


async def test_list_start_timezone_help_and_menu(api: FakeBotAPI, bot: BotProcess) -> None:
    assert {c["command"] for c in api.commands} >= {"list", "score", "help", "timezone"}
    api.send_text(ANN, "/start")
    welcome = await api.wait_for_message(ANN, "Keepword")
    assert "time zone" in welcome.plain
    api.send_text(ANN, "/timezone Europe/Berlin")
    await api.wait_for_message(ANN, "Time zone set to Europe/Berlin")
    api.send_text(ANN, "/help")
    await api.wait_for_message(ANN, "Commands")
    api.send_text(ANN, "buy milk in 2 hours")
    await api.wait_for_message(ANN, "Got it")
    n = len(api.messages_to(ANN))
    api.send_text(ANN, "/list")
    listing = await api.wait_for_message(ANN, "Open promises", after=n)
    assert "buy milk" in listing.plain
    for word in ("Done", "Cancel"):
        assert word in labels(listing)
    api.press_button(ANN, listing, button(listing, "Cancel"))
    await api.wait_for_edit(ANN, listing.message_id, "No open promises")


async def test_forged_button_from_another_user_changes_nothing(
    api: FakeBotAPI, bot: BotProcess
) -> None:
    api.send_text(ANN, "call mom back in 1 second")
    checkin = await api.wait_for_message(ANN, "Did you keep your word?", timeout=6)
    api.send_text(BOB, "/start", first_name="Bob")
    await api.wait_for_message(BOB, "Keepword")
    for word in ("Kept", "Broke", "Snooze"):
        query = api.press_button(BOB, checkin, button(checkin, word))
        await api.wait_for_call(
            "answerCallbackQuery", lambda c, q=query: c.params.get("callback_query_id") == q
        )
    assert checkin.edits == []
    api.press_button(ANN, checkin, button(checkin, "Late"))
    text = await api.wait_for_edit(ANN, checkin.message_id, "late")
    assert "Kept, late" in text


async def test_a_redelivered_update_is_not_stored_or_acknowledged_twice(
    api: FakeBotAPI, bot: BotProcess
) -> None:
    message_id = api.send_text(ANN, "water the plants in 1 hour")
    await api.wait_for_message(ANN, "Got it")
    original = next(m for m in api.user_messages(ANN) if m["message_id"] == message_id)
    api.send_update({"message": dict(original)})  # same chat and message id, new update
    n = len(api.messages_to(ANN))
    api.send_text(ANN, "/list")
    listing = await api.wait_for_message(ANN, "Open promises", after=n)
    assert listing.plain.count("water the plants") == 1
    assert sum("Got it" in m.plain for m in api.messages_to(ANN)) == 1


async def test_kill9_restart_keeps_promises_and_catches_up(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    bot = BotProcess(api, data, env=FAST)
    await bot.start()
    try:
        api.send_text(ANN, "call mom back in 2 seconds")
        await api.wait_for_message(ANN, "Got it")
        bot.kill9()
        # While it is down: a new message arrives and the check-in falls due.
        api.send_text(ANN, "buy bread in 2 hours")
        await asyncio.sleep(3)
        assert not any("Did you keep" in m.plain for m in api.messages_to(ANN))

        await bot.start()
        checkin = await api.wait_for_message(ANN, "Did you keep your word?", timeout=10)
        assert "late" in checkin.plain
        await api.wait_for_message(ANN, "buy bread")
        # A second crash and restart must not send the same check-in again.
        await asyncio.sleep(0.5)
        bot.kill9()
        await bot.start()
        await asyncio.sleep(1.5)
        assert sum("Did you keep your word?" in m.plain for m in api.messages_to(ANN)) == 1
    finally:
        await bot.stop()
    store = TinyDBStore(data)
    tasks = sorted(p.task for p in store.open_promises(ANN))
    assert tasks == ["buy bread", "call mom back"]


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KEEPWORD_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "@BotFather" in result.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={
            **env,
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "TELEGRAM_BOT_TOKEN": "1:x",
            "KEEPWORD_TIMEZONE": "Mars/Olympus",
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0
    assert "KEEPWORD_TIMEZONE" in bad.stderr
