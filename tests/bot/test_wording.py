"""Sentences a new user read in their first hours and stumbled over.

Each test is the transcript that read wrong: "check in at tomorrow at 09:00", "the
choices are [1]–[1]", a location offered where none can be sent, "0 of 0", a snoozed
promise listed at its old time, a Snooze label that ignored the configured snooze.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.context import Context
from bot.conversation import Conversation
from core.lifecycle import Timings
from tests.bot.test_chat import Terminal
from tests.bot.test_conversation import ANN, Harness


@pytest.fixture
def h() -> Harness:
    return Harness()


async def test_a_promise_for_another_day_reads_check_in_tomorrow_at(h: Harness) -> None:
    reply = await h.say("send the invoice tomorrow")
    assert "I'll check in tomorrow at 09:00 (in 19 h)." in reply
    assert "at tomorrow" not in reply
    reply = await h.say("call mom back in 5 minutes")
    assert "I'll check in at 14:05 (in 5 min)." in reply


async def test_a_renegotiation_to_another_day_reads_the_same_way(h: Harness) -> None:
    await h.say("call the bank in 10 minutes")
    ack = h.outbox.last
    await h.press(ack.message_id, ack.button("Change time"))
    reply = await h.say("friday at 10")
    assert "I'll check in Fri 27 Nov at 10:00" in reply
    assert "at Fri" not in reply


async def test_one_choice_is_called_the_only_choice(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    await term.type("text Sam")  # "when?" with four quick buttons
    assert await term.type("9") == "bot> (There is no [a9] — the choices are [a1]–[a4].)\n"
    await term.type("/score")  # ends the "when?" (its buttons go); one button: the chart
    assert await term.type("4") == "bot> (There is no [b4] — the only choice is [b1].)\n"


async def test_the_terminal_never_offers_to_share_a_location(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    term.ctx.shares_location = False  # as `keepword chat` builds it
    for command in ("/start", "/timezone", "/settings"):
        shown = await term.type(command)
        assert "location" not in shown, command
        assert "/timezone" in shown
    # Telegram can take a location: there it is offered.
    h = Harness()
    assert "share your location" in await h.say("/start")
    assert "share your location" in await h.say("/timezone")
    assert "sharing your location" in await h.say("/settings")


async def test_a_new_routine_says_no_answers_yet_not_zero_of_zero(h: Harness) -> None:
    await h.say("every day at 8am: phone away at breakfast")
    listing = await h.say("/routines")
    assert "no answers yet" in listing
    assert "0 of 0" not in listing


async def test_a_snoozed_promise_is_listed_at_its_new_time(h: Harness) -> None:
    await h.say("stretch in 1 minute")
    await h.advance(minutes=1)
    checkin = h.outbox.last
    await h.press(checkin.message_id, checkin.button("Snooze"))
    listing = await h.say("/list")
    assert "1. stretch — 💤 14:11 (snoozed; due 14:01)" in listing


async def test_the_snooze_label_says_the_configured_snooze() -> None:
    h = Harness()
    h.ctx = Context(
        h.store, h.outbox, h.scheduler, h.clock, timings=Timings(snooze=timedelta(seconds=30))
    )
    h.bot = Conversation(h.ctx)
    await h.say("stretch in 1 minute")
    await h.advance(minutes=1)
    checkin = h.outbox.last
    assert "💤 Snooze 30 s" in [label for label, _ in checkin.buttons]
    await h.press(checkin.message_id, checkin.button("Snooze"))
    promise = h.store.open_promises(ANN)[0]
    assert promise.snoozed_until == h.clock() + timedelta(seconds=30)
