"""The conversation end to end with a memory store, a manual clock and a manual scheduler."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from bot.context import Context, Limits, Sender
from bot.conversation import Conversation
from core.models import Outcome
from storage.memory_store import MemoryStore
from tests.bot.fakes import ManualClock, ManualScheduler, RecordingOutbox

ANN = 1001
BOB = 2002
START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday


class Harness:
    def __init__(self, limits: Limits | None = None) -> None:
        self.clock = ManualClock(START)
        self.store = MemoryStore()
        self.outbox = RecordingOutbox()
        self.scheduler = ManualScheduler()
        ids = count(1)
        self.ctx = Context(
            self.store,
            self.outbox,
            self.scheduler,
            self.clock,
            default_tz="UTC",
            limits=limits,
            make_id=lambda: f"p{next(ids)}",
        )
        self.bot = Conversation(self.ctx)
        self.message_ids = count(1)

    async def say(self, text: str, user: int = ANN) -> str:
        who = Sender(user, user, "Ann", next(self.message_ids))
        before = len(self.outbox.sent)
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            await self.bot.on_command(who, name, args)
        else:
            await self.bot.on_text(who, text)
        return "\n".join(m.text for m in self.outbox.sent[before:])

    async def press(self, message_id: int, data: str, user: int = ANN) -> str:
        return await self.bot.on_button(Sender(user, user, "Ann"), message_id, data)

    async def advance(self, **delta: float) -> None:
        await self.scheduler.run_due(self.clock.advance(**delta))


@pytest.fixture
def h() -> Harness:
    return Harness()


async def test_a_promise_is_acknowledged_checked_in_and_answered(h: Harness) -> None:
    reply = await h.say("call mom back in 20 seconds")
    assert "Got it: “call mom back” — I'll check in at 14:00 (in 20 s)." in reply
    ack = h.outbox.last
    assert ack.button("Undo")
    assert ack.button("Change time")
    assert h.scheduler.when("p:p1") == START + timedelta(seconds=20)

    await h.advance(seconds=20)
    checkin = h.outbox.last
    assert "Did you keep your word?" in checkin.text
    labels = " ".join(label for label, _ in checkin.buttons)
    for word in ("Kept", "Late", "Broke", "Snooze"):
        assert word in labels

    toast = await h.press(checkin.message_id, checkin.button("Kept"))
    assert "Kept" in toast
    assert checkin.text.startswith("✅ Kept")
    assert "1 of 1 kept this week" in checkin.text
    assert checkin.current.buttons == ()
    stored = h.store.get_promise(ANN, "p1")
    assert stored is not None
    assert stored.outcome is Outcome.KEPT
    assert "p:p1" not in h.scheduler.jobs


async def test_broke_offers_repair_and_a_kept_repair_is_linked(h: Harness) -> None:
    await h.say("call mom back in 5 minutes")
    await h.advance(minutes=5)
    checkin = h.outbox.last
    await h.press(checkin.message_id, checkin.button("Broke"))
    offer = h.outbox.last
    assert "make it right" in offer.text
    await h.press(offer.message_id, offer.button("Redo in 1 hour"))
    repair = h.store.open_promises(ANN)[0]
    assert repair.repair_of == "p1"
    assert repair.due == h.clock() + timedelta(hours=1)
    # the same offer cannot create a second repair
    assert await h.press(offer.message_id, "r1:p1") == "That one is already done."
    assert len(h.store.open_promises(ANN)) == 1


async def test_snooze_asks_again_after_ten_minutes_and_kept_counts_late(h: Harness) -> None:
    await h.say("stretch in 1 minute")
    await h.advance(minutes=1)
    checkin = h.outbox.last
    await h.press(checkin.message_id, checkin.button("Snooze"))
    assert "Snoozed" in checkin.text
    await h.advance(minutes=9)
    assert h.outbox.last is checkin
    await h.advance(minutes=1)
    again = h.outbox.last
    assert again is not checkin
    assert "Did you keep your word?" in again.text
    await h.press(again.message_id, again.button("Kept"))
    stored = h.store.get_promise(ANN, "p1")
    assert stored is not None
    assert stored.outcome is Outcome.LATE


async def test_no_answer_nudges_once_then_closes_as_unanswered(h: Harness) -> None:
    await h.say("text Sam in 10 minutes")
    await h.advance(minutes=10)
    await h.advance(minutes=29)
    assert sum("Just checking" in m.text for m in h.outbox.sent) == 0
    await h.advance(minutes=1)
    assert sum("Just checking" in m.text for m in h.outbox.sent) == 1
    await h.advance(hours=23, minutes=29)
    promise = h.store.get_promise(ANN, "p1")
    assert promise is not None
    assert promise.is_open
    await h.advance(minutes=1)
    promise = h.store.get_promise(ANN, "p1")
    assert promise is not None
    assert promise.outcome is Outcome.UNANSWERED
    assert "unanswered" in h.outbox.last.text
    assert sum("Just checking" in m.text for m in h.outbox.sent) == 1


async def test_list_done_and_cancel(h: Harness) -> None:
    await h.say("buy milk in 2 hours")
    await h.say("pay rent in 3 hours")
    listing = await h.say("/list")
    assert "buy milk" in listing
    assert "pay rent" in listing
    message = h.outbox.last
    await h.press(message.message_id, message.button("Cancel 2"))
    assert "pay rent" not in message.text
    await h.press(message.message_id, message.button("Done 1"))
    assert "No open promises" in message.text
    outcomes = {p.id: p.outcome for p in h.store.closed_promises(ANN)}
    assert outcomes == {"p1": Outcome.KEPT, "p2": Outcome.CANCELLED}


async def test_change_time_is_a_renegotiation(h: Harness) -> None:
    await h.say("call the bank in 3 hours")
    ack = h.outbox.last
    await h.advance(minutes=3)  # not a fix right after the acknowledgement
    await h.press(ack.message_id, ack.button("Change time"))
    reply = await h.say("in 2 hours")
    assert "Renegotiated" in reply
    promise = h.store.get_promise(ANN, "p1")
    assert promise is not None
    assert promise.renegotiations == 1
    assert promise.due == START + timedelta(hours=2, minutes=3)
    assert h.scheduler.when("p:p1") == START + timedelta(hours=2, minutes=3)


async def test_undo_forgets_the_promise(h: Harness) -> None:
    await h.say("call the bank in 10 minutes")
    ack = h.outbox.last
    await h.press(ack.message_id, ack.button("Undo"))
    assert h.store.get_promise(ANN, "p1") is None
    assert "p:p1" not in h.scheduler.jobs


async def test_no_time_asks_when_and_a_typed_answer_completes_it(h: Harness) -> None:
    reply = await h.say("text Sam")
    assert "When should I check in" in reply
    assert "In 15 min" in " ".join(label for label, _ in h.outbox.last.buttons)
    reply = await h.say("in 20 min")
    assert "Got it: “text Sam”" in reply
    assert h.scheduler.when("p:p1") == START + timedelta(minutes=20)


async def test_no_time_quick_button(h: Harness) -> None:
    await h.say("text Sam")
    question = h.outbox.last
    await h.press(question.message_id, question.button("In 1 hour"))
    assert h.scheduler.when("p:p1") == START + timedelta(hours=1)


async def test_a_forged_button_from_another_user_changes_nothing(h: Harness) -> None:
    await h.say("call mom back in 1 minute")
    await h.advance(minutes=1)
    checkin = h.outbox.last
    await h.say("/start", user=BOB)
    for data in ("k:p1", "b:p1", "z:p1", "u:p1", "d:p1", "x:p1", "c:p1", "r1:p1", "t:1h:p1"):
        toast = await h.press(checkin.message_id, data, user=BOB)
        assert toast in {"That one is gone.", "That button has expired."}
    promise = h.store.get_promise(ANN, "p1")
    assert promise is not None
    assert promise.is_open
    assert promise.snoozes == 0
    assert h.outbox.to(BOB)[-1].text.startswith("Hi")


async def test_a_redelivered_message_is_never_stored_twice(h: Harness) -> None:
    who = Sender(ANN, ANN, "Ann", 42)
    await h.bot.on_text(who, "call mom back in 5 minutes")
    await h.bot.on_text(who, "call mom back in 5 minutes")
    assert len(h.store.open_promises(ANN)) == 1
    assert sum("Got it" in m.text for m in h.outbox.sent) == 1


async def test_a_redelivered_message_is_acknowledged_only_if_that_never_went_out(
    h: Harness,
) -> None:
    """A crash before the handled message id was noted: the promise is found by its
    source message; it is acknowledged again only when the first one never went out."""
    who = Sender(ANN, ANN, "Ann", 42)
    await h.bot.on_text(who, "call mom back in 5 minutes")
    ack = h.outbox.last
    stored = h.store.get_promise(ANN, "p1")
    assert stored is not None
    assert stored.ack_message_id == ack.message_id
    user = h.store.get_user(ANN)
    assert user is not None
    h.store.put_user(replace(user, last_message_id=0))  # as a crash would leave it
    await h.bot.on_text(who, "call mom back in 5 minutes")
    assert sum("Got it" in m.text for m in h.outbox.sent) == 1

    # Its acknowledgement never went out (a crash before the send): sent now, once.
    h.store.put_promise(replace(stored, ack_message_id=None))
    h.store.put_user(replace(user, last_message_id=0))
    await h.bot.on_text(who, "call mom back in 5 minutes")
    assert sum("Got it" in m.text for m in h.outbox.sent) == 2
    assert len(h.store.open_promises(ANN)) == 1


async def test_a_redelivered_snooze_or_new_time_tap_counts_once(h: Harness) -> None:
    await h.say("stretch in 1 minute")
    await h.advance(minutes=1)
    checkin = h.outbox.last
    snooze = checkin.button("Snooze")
    assert await h.press(checkin.message_id, snooze) == "Snoozed"
    h.clock.advance(minutes=2)
    assert await h.press(checkin.message_id, snooze) == "Snoozed"  # delivered again
    promise = h.store.get_promise(ANN, "p1")
    assert promise is not None
    assert promise.snoozes == 1
    assert promise.snoozed_until == START + timedelta(minutes=11)

    await h.say("water the plants in 1 hour")
    ack = h.outbox.last
    h.clock.advance(minutes=3)  # past the window in which a new time is a correction
    await h.press(ack.message_id, ack.button("Change time"))
    question = h.outbox.last
    tap = question.button("Tomorrow")
    assert await h.press(question.message_id, tap) == "Renegotiated"
    assert await h.press(question.message_id, tap) == "That one is already done."
    moved = h.store.get_promise(ANN, "p2")
    assert moved is not None
    assert moved.renegotiations == 1


async def test_limits(h: Harness) -> None:
    reply = await h.say("x" * 501)
    assert "500 characters" in reply
    assert h.store.open_promises(ANN) == []


async def test_flood_is_slowed_down() -> None:
    h = Harness(Limits(messages_per_minute=3))
    for n in range(6):
        await h.say(f"task {n} in 1 hour")
    assert len(h.store.open_promises(ANN)) == 3
    assert sum("lot of messages" in m.text for m in h.outbox.sent) == 1


async def test_too_many_open_promises() -> None:
    h = Harness(Limits(max_open=2))
    for n in range(3):
        await h.say(f"task {n} in 1 hour")
    assert len(h.store.open_promises(ANN)) == 2
    assert "2 open promises already" in h.outbox.last.text


async def test_new_promises_a_day_are_capped_with_a_friendly_reply() -> None:
    h = Harness(Limits(max_new_per_day=3))
    await h.say("/timezone Europe/Berlin")
    for n in range(3):
        assert "Got it" in await h.say(f"task {n} in 1 hour")
    ack = h.outbox.last
    await h.press(ack.message_id, ack.button("Undo"))  # an undone promise still counts
    reply = await h.say("one more in 1 hour")
    assert "3 new promises today" in reply
    assert "tomorrow" in reply
    assert len(h.store.open_promises(ANN)) == 2
    # A "when?" answered later is a new promise too, and is held to the same cap.
    await h.say("text Sam")
    assert "3 new promises today" in await h.say("in 2 hours")
    assert len(h.store.open_promises(ANN)) == 2
    # The cap is per local day: at midnight in Berlin (23:00 UTC) it starts again.
    h.clock.now = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert "Got it" in await h.say("task 4 in 1 hour")
    assert len(h.store.open_promises(ANN)) == 3


async def test_restore_rebuilds_jobs_and_sends_missed_checkins_once_marked_late(
    h: Harness,
) -> None:
    await h.say("call mom back in 5 minutes")
    # The bot goes down; a new process starts an hour later with an empty scheduler.
    h.clock.advance(hours=1)
    h.scheduler.jobs.clear()
    restarted = Conversation(h.ctx)
    await restarted.restore()
    await h.scheduler.run_due(h.clock())
    checkins = [m for m in h.outbox.sent if "Did you keep your word?" in m.text]
    assert len(checkins) == 1
    assert "late" in checkins[0].text
    # a second restart does not send it again
    h.scheduler.jobs.clear()
    await Conversation(h.ctx).restore()
    await h.scheduler.run_due(h.clock())
    assert sum("Did you keep your word?" in m.text for m in h.outbox.sent) == 1


async def test_timezone_command(h: Harness) -> None:
    reply = await h.say("/timezone Europe/Berlin")
    assert "Europe/Berlin" in reply
    reply = await h.say("call mom back at 19:00")
    assert "at 19:00" in reply
    promise = h.store.open_promises(ANN)[0]
    assert promise.due == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert "don't know" in await h.say("/timezone Atlantis/Nowhere")


async def test_unknown_command_and_help(h: Harness) -> None:
    assert "don't know that command" in await h.say("/frobnicate")
    help_text = await h.say("/help")
    assert "/score" in help_text
    assert "300 new ones a day" in help_text


async def test_echoed_text_is_escaped(h: Harness) -> None:
    await h.say("<b>bold</b> & co in 5 minutes")
    raw = h.outbox.last.reply.text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in raw


async def test_a_time_it_cannot_fully_read_is_asked_about_not_guessed(h: Harness) -> None:
    reply = await h.say("call mom friday 3-4pm")
    assert "I read “friday” but not “3-4pm” — when exactly?" in reply
    assert "When should I check in on “call mom”?" in reply
    assert h.scheduler.when("p:p1") is None
    reply = await h.say("in 20 min")
    assert "Got it: “call mom”" in reply
    assert h.scheduler.when("p:p1") == START + timedelta(minutes=20)


async def test_a_time_it_cannot_read_at_all_is_quoted_in_the_question(h: Harness) -> None:
    reply = await h.say("call mom next month")
    assert "I couldn't read “next month” as a time — when exactly?" in reply
