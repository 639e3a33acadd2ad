"""Daily routines through the real `keepword run` process and the fake Bot API server.

Routines are minute-granular ("every day at 08:00"), so a test cannot make one fall due
a few seconds from now without waiting up to a minute for the clock. These tests take
the deterministic road instead, the catch-up path: before the bot starts, the store is
seeded (through TinyDBStore, as the bot itself writes) with a daily routine at the
minute before now that was last asked the day before. Exactly one occurrence is then
due, a minute late; the bot asks for it as soon as it is up, marked late, and from
there on the occurrence is an ordinary check-in.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import texts
from core.models import Outcome, Recurrence, Routine, UserSettings
from core.timephrase import next_occurrence
from storage.tinydb_store import TinyDBStore
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import FAST, button, labels
from tests.fakebotapi import FakeBotAPI, SentMessage

ANN = 1001
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def calm_zone() -> str:
    """A zone whose clock is not in the first minutes of a week, where a routine due a
    minute ago would belong to last week and "this week" would still be empty."""
    for name in ("UTC", "Asia/Tokyo"):
        local = datetime.now(ZoneInfo(name))
        if not (local.weekday() == 0 and local.hour == 0 and local.minute < 10):
            return name
    raise AssertionError("unreachable: the two zones are nine hours apart")


def a_minute_ago(tz_name: str) -> datetime:
    return (datetime.now(ZoneInfo(tz_name)) - timedelta(minutes=1)).replace(
        second=0, microsecond=0
    )


def daily_due(routine_id: str, task: str, due: datetime) -> Routine:
    """A daily routine at ``due``'s local minute, last asked the day before: ``due`` is
    its one occurrence still to ask."""
    return Routine(
        id=routine_id,
        user_id=ANN,
        task=task,
        rule=Recurrence(EVERY_DAY, due.hour, due.minute),
        created=(due - timedelta(days=3)).astimezone(UTC),
        last_occurrence=(due - timedelta(days=1)).astimezone(UTC),
    )


def is_checkin(task: str) -> Callable[[SentMessage], bool]:
    return lambda m: "Did you keep your word?" in m.plain and task in m.plain


def checkins(api: FakeBotAPI, task: str, after: int = 0) -> list[SentMessage]:
    return [m for m in api.messages_to(ANN)[after:] if is_checkin(task)(m)]


async def test_a_due_routine_checks_in_and_pause_stops_it(api: FakeBotAPI, tmp_path: Path) -> None:
    data = tmp_path / "data"
    tz_name = calm_zone()
    store = TinyDBStore(data)
    store.put_user(UserSettings(user_id=ANN, chat_id=ANN, tz=tz_name, created=datetime.now(UTC)))
    due = a_minute_ago(tz_name)
    store.put_routine(daily_due("rbreakfast", "phone away at breakfast", due))
    bot = BotProcess(api, data, env=FAST)
    await bot.start()
    try:
        checkin = await api.wait_for_message(ANN, is_checkin("phone away"), timeout=10)
        assert "Sorry, this check-in comes late" in checkin.plain  # a minute after its time
        for word in ("Kept", "Late", "Broke", "Snooze"):
            assert word in labels(checkin)
        api.press_button(ANN, checkin, button(checkin, "Kept"))
        text = await api.wait_for_edit(ANN, checkin.message_id, "Kept")
        assert "1 of 1 kept this week" in text

        n = len(api.messages_to(ANN))
        api.send_text(ANN, "/routines")
        listing = await api.wait_for_message(ANN, "Your routines", after=n)
        assert "phone away at breakfast — Daily at" in listing.plain
        assert "1 of 1 this week · 1 of 1 in 4 weeks" in listing.plain
        assert labels(listing) == "⏸ Pause 1 🗑 Delete 1"
        api.press_button(ANN, listing, button(listing, "Pause"))
        await api.wait_for_edit(ANN, listing.message_id, "· paused")
        assert labels(listing) == "▶️ Resume 1 🗑 Delete 1"
    finally:
        await bot.stop()

    store = TinyDBStore(data)
    [occurrence] = store.closed_promises(ANN)
    assert occurrence.routine_id == "rbreakfast"
    assert occurrence.outcome is Outcome.KEPT
    assert occurrence.asked_late
    paused = store.get_routine(ANN, "rbreakfast")
    assert paused is not None
    assert paused.paused

    # Restarted with an occurrence of the paused routine past due and never asked (at
    # the minute before the one kept above), and one of a second, active routine. Only
    # the active one asks.
    earlier = daily_due("rbreakfast", "", due - timedelta(minutes=1))
    store.put_routine(replace(paused, rule=earlier.rule, last_occurrence=earlier.last_occurrence))
    store.put_routine(daily_due("rstretch", "stretch", due - timedelta(minutes=1)))
    n = len(api.messages_to(ANN))
    await bot.start()
    try:
        await api.wait_for_message(ANN, is_checkin("stretch"), timeout=10, after=n)
        await asyncio.sleep(1.0)  # both routines are planned in one pass at start
        assert checkins(api, "phone away", after=n) == []
    finally:
        await bot.stop()
    paused = TinyDBStore(data).get_routine(ANN, "rbreakfast")
    assert paused is not None
    assert paused.paused
    assert paused.last_occurrence == earlier.last_occurrence


async def test_a_routine_by_message_replies_with_its_schedule(
    api: FakeBotAPI, bot: BotProcess
) -> None:
    api.send_text(ANN, "every weekday at 9 check in with the team #work")
    reply = await api.wait_for_message(ANN, "Weekdays at 09:00")
    now = datetime.now(UTC)
    first = next_occurrence(Recurrence((0, 1, 2, 3, 4), 9, 0), now, ZoneInfo("UTC"))
    day = texts.day_label(first, now) or "today"
    match = re.fullmatch(
        r"🔁 Weekdays at 09:00: “check in with the team #work”\. I'll ask each time — "
        r"first (.+) at 09:00 \(in (.+)\)\.",
        reply.plain,
    )
    assert match is not None, reply.plain
    assert match.group(1) == day

    api.send_text(ANN, "every 5 minutes drink water")
    refusal = await api.wait_for_message(ANN, "can't be a routine")
    assert "every day at 8am" in refusal.plain

    n = len(api.messages_to(ANN))
    api.send_text(ANN, "/routines")
    listing = await api.wait_for_message(ANN, "Your routines", after=n)
    assert "1. check in with the team #work — Weekdays at 09:00" in listing.plain
    assert "no answers yet" in listing.plain
    api.press_button(ANN, listing, button(listing, "Delete"))
    await api.wait_for_edit(ANN, listing.message_id, "No routines yet")
