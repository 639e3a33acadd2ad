"""Replies that answer an earlier question: "when?", a check-in, the weekly question.

Each test is a transcript a new user really typed; without the fix the first ones lose
a promise ("meet sam" vanished into an old "when?") or make one out of "done".
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.models import Outcome
from tests.bot.test_conversation import ANN, START, Harness


@pytest.fixture
def h() -> Harness:
    return Harness()


def tasks(h: Harness) -> list[str]:
    return sorted(p.task for p in h.store.open_promises(ANN))


# --- item 1: a "when?" question ends ------------------------------------------------


async def test_a_whole_promise_is_never_taken_as_the_answer_to_an_old_when(h: Harness) -> None:
    reply = await h.say("pick up milk on the way home")
    assert "When should I check in on “pick up milk on the way home”?" in reply
    question = h.outbox.last
    reply = await h.say("meet sam at 7")
    assert "Got it: “meet sam”" in reply
    assert tasks(h) == ["meet sam"]
    assert "No time given" in question.text  # the question says it ended
    assert question.current.buttons == ()


async def test_a_plain_time_still_answers_when(h: Harness) -> None:
    await h.say("pick up milk on the way home")
    for answer in ("ok, 7pm then",):
        reply = await h.say(answer)
        assert "Got it: “pick up milk on the way home”" in reply
    await h.say("text Sam")
    reply = await h.say("in 20 min sounds good")
    assert "Got it: “text Sam”" in reply
    assert tasks(h) == ["pick up milk on the way home", "text Sam"]


async def test_when_ends_after_a_few_minutes(h: Harness) -> None:
    await h.say("pick up milk on the way home")
    await h.advance(minutes=6)
    reply = await h.say("7pm")
    assert "pick up milk" not in reply
    assert tasks(h) == []
    assert h.store.get_user(ANN).draft is None  # type: ignore[union-attr]


async def test_a_command_or_another_button_ends_when(h: Harness) -> None:
    await h.say("call the plumber in 10 min")
    ack = h.outbox.last
    await h.say("pick up milk on the way home")
    await h.say("/list")
    reply = await h.say("at 7")
    assert "pick up milk" not in reply
    await h.say("pick up milk on the way home")
    await h.press(ack.message_id, ack.button("Change time"))  # another button
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.draft is None
    assert user.pending_change is not None


async def test_the_questions_own_button_answers_it_but_an_older_one_does_not(h: Harness) -> None:
    await h.say("pick up milk")
    old = h.outbox.last
    await h.say("water the plants")
    new = h.outbox.last
    assert old.current.buttons == ()  # ended: its buttons went away
    await h.press(new.message_id, new.button("15 min"))
    assert tasks(h) == ["water the plants"]
    assert await h.press(old.message_id, "q:15m") == "That one is already done."  # stale tap
    assert tasks(h) == ["water the plants"]


async def test_done_then_a_promise_makes_the_promise_not_done(h: Harness) -> None:
    reply = await h.say("done")
    assert "No check-in is waiting" in reply
    reply = await h.say("call the pharmacy in 1 min")
    assert "Got it: “call the pharmacy”" in reply
    assert tasks(h) == ["call the pharmacy"]


async def test_new_time_ends_too_and_a_promise_is_not_its_answer(h: Harness) -> None:
    await h.say("call the plumber in 10 min")
    ack = h.outbox.last
    await h.press(ack.message_id, ack.button("Change time"))
    question = h.outbox.last
    reply = await h.say("meet sam at 7")
    assert "Got it: “meet sam”" in reply
    assert "stays at 14:10" in question.text
    [plumber] = [p for p in h.store.open_promises(ANN) if p.task == "call the plumber"]
    assert plumber.due == START + timedelta(minutes=10)


# --- item 2: typed answers to a check-in ---------------------------------------------


async def test_done_answers_the_only_open_checkin(h: Harness) -> None:
    await h.say("call mom back in 1 min")
    await h.advance(minutes=1)
    checkin = h.outbox.last
    for word, outcome in (("kept it", Outcome.KEPT),):
        reply = await h.say(word)
        assert "✅ Kept: “call mom back”" in reply
        assert "1 of 1 kept this week" in reply
        [closed] = h.store.closed_promises(ANN)
        assert closed.outcome is outcome
    assert checkin.current.buttons == ()
    assert "When should I check in" not in "".join(m.text for m in h.outbox.sent)


async def test_late_and_broke_it_are_answers(h: Harness) -> None:
    await h.say("call mom back in 1 min")
    await h.advance(minutes=1)
    await h.say("late")
    await h.say("water the plants in 1 min")
    await h.advance(minutes=1)
    reply = await h.say("broke it")
    assert "No scolding" in reply
    outcomes = sorted(p.outcome for p in h.store.closed_promises(ANN) if p.outcome)
    assert outcomes == sorted([Outcome.LATE, Outcome.BROKEN])


async def test_with_several_open_checkins_done_asks_which(h: Harness) -> None:
    await h.say("call mom back in 1 min")
    await h.say("water the plants in 1 min")
    await h.advance(minutes=1)
    reply = await h.say("done")
    assert "which one?" in reply
    which = h.outbox.last
    assert h.store.closed_promises(ANN) == []
    await h.press(which.message_id, which.button("water"))
    [closed] = h.store.closed_promises(ANN)
    assert closed.task == "water the plants"
    assert closed.outcome is Outcome.KEPT
    assert tasks(h) == ["call mom back"]


async def test_answer_lists_every_open_checkin(h: Harness) -> None:
    await h.say("call mom back in 1 min")
    await h.say("water the plants in 1 min")
    await h.advance(minutes=1)
    reply = await h.say("/answer")
    assert "1. “call mom back”" in reply
    assert "2. “water the plants”" in reply
    listing = h.outbox.last
    await h.press(listing.message_id, listing.button("Broke it 1"))
    [closed] = h.store.closed_promises(ANN)
    assert closed.task == "call mom back"
    assert closed.outcome is Outcome.BROKEN
    assert "water the plants" in listing.text
    assert "call mom" not in listing.text


async def test_the_answer_to_the_weekly_question_is_noted_not_promised(h: Harness) -> None:
    await h.say("call mom back in 20 minutes")
    await h.advance(minutes=20)
    await h.press(h.outbox.last.message_id, h.outbox.last.button("Kept"))
    sunday = START.replace(day=29, hour=19)  # the weekly report
    while h.clock() < sunday:
        await h.advance(hours=6)
    reply = await h.say("pretty good, maybe 7/10")
    assert "Noted" in reply
    assert "When should I check in" not in reply
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.reflection_asked is None
    assert [text for _, text in user.reflections] == ["pretty good, maybe 7/10"]
    assert tasks(h) == []
