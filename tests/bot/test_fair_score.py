"""The same fact scores the same way, whichever way the answer comes.

A new user found Snooze-then-Kept scored late while [Done] in /list 74 minutes after
the due time was fully kept; a time fixed a few seconds after the acknowledgement
counted as a renegotiation; and "late counts half" was explained only in the chart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from core.models import Outcome
from tests.bot.test_conversation import ANN, START, Harness


@pytest.fixture
def h() -> Harness:
    return Harness()


def outcome(h: Harness) -> Outcome | None:
    (promise,) = h.store.closed_promises(ANN)
    return promise.outcome


async def kept_on_the_checkin(h: Harness) -> None:
    checkin = next(m for m in reversed(h.outbox.sent) if "Did you keep your word?" in m.text)
    await h.press(checkin.message_id, checkin.button("Kept"))


async def done_in_the_list(h: Harness) -> None:
    await h.say("/list")
    await h.press(h.outbox.last.message_id, h.outbox.last.button("Done 1"))


async def done_typed(h: Harness) -> None:
    await h.say("done")


Way = Callable[[Harness], Awaitable[None]]
WAYS = [kept_on_the_checkin, done_in_the_list, done_typed]


@pytest.mark.parametrize("answer", WAYS)
@pytest.mark.parametrize(
    ("after_due", "scored"),
    [
        (timedelta(minutes=5), Outcome.KEPT),
        (timedelta(minutes=30), Outcome.KEPT),
        (timedelta(minutes=31), Outcome.LATE),
        (timedelta(minutes=74), Outcome.LATE),
    ],
)
async def test_kept_counts_late_when_the_answer_comes_after_the_grace_every_way(
    h: Harness, answer: Way, after_due: timedelta, scored: Outcome
) -> None:
    await h.say("call the pharmacy in 10 minutes")
    await h.advance(minutes=10)  # the check-in goes out at the due time
    h.clock.advance(seconds=after_due.total_seconds())
    await answer(h)
    assert outcome(h) is scored


@pytest.mark.parametrize("answer", [kept_on_the_checkin, done_in_the_list])
async def test_kept_after_a_snooze_is_late_every_way(h: Harness, answer: Way) -> None:
    await h.say("stretch in 1 minute")
    await h.advance(minutes=1)
    checkin = h.outbox.last
    await h.press(checkin.message_id, checkin.button("Snooze"))
    await h.advance(minutes=10)  # asked again, answered at once
    await answer(h)
    assert outcome(h) is Outcome.LATE


async def test_done_in_the_list_before_the_due_time_is_kept(h: Harness) -> None:
    await h.say("buy milk in 2 hours")
    await done_in_the_list(h)
    assert outcome(h) is Outcome.KEPT


async def test_a_checkin_the_bot_sent_late_gives_the_full_grace(h: Harness) -> None:
    await h.say("call mom back in 5 minutes")
    h.clock.advance(hours=2)  # the bot was down when it was due
    await h.scheduler.run_due(h.clock())
    checkin = h.outbox.last
    assert "comes late" in checkin.text
    h.clock.advance(minutes=10)  # answered soon after it finally arrived
    await h.press(checkin.message_id, checkin.button("Kept"))
    assert outcome(h) is Outcome.KEPT


async def test_score_says_once_that_late_counts_half(h: Harness) -> None:
    await h.say("call mom back in 1 minute")
    await h.advance(minutes=1)
    await kept_on_the_checkin(h)
    score = await h.say("/score")
    assert "late counts half" not in score  # nothing late: nothing to explain
    await h.say("text Sam in 1 minute")
    await h.advance(minutes=1)
    checkin = h.outbox.last
    await h.press(checkin.message_id, checkin.button("Late"))
    score = await h.say("/score")
    assert "2 of 2 kept · 75%" in score
    assert score.count("late counts half") == 1


@pytest.mark.parametrize("typed", [True, False])
async def test_fixing_a_misread_time_right_away_is_a_correction(h: Harness, typed: bool) -> None:
    await h.say("call mom at 7")  # meant 7 pm; it read 07:00 tomorrow... or the reverse
    ack = h.outbox.last
    h.clock.advance(seconds=40)
    await h.press(ack.message_id, ack.button("Change time"))
    if typed:
        reply = await h.say("in 3 hours")
    else:
        question = h.outbox.last
        toast = await h.press(question.message_id, question.button("In 1 hour"))
        assert toast == "Fixed"
        reply = h.outbox.last.text
    assert "Fixed: “call mom”" in reply
    assert "Renegotiated" not in reply
    (promise,) = h.store.open_promises(ANN)
    assert promise.renegotiations == 0
    assert promise.due > START + timedelta(minutes=40)


async def test_a_new_time_later_on_is_still_a_renegotiation(h: Harness) -> None:
    await h.say("call mom at 7")
    ack = h.outbox.last
    h.clock.advance(minutes=2, seconds=1)
    await h.press(ack.message_id, ack.button("Change time"))
    reply = await h.say("in 3 hours")
    assert "Renegotiated: “call mom”" in reply
    (promise,) = h.store.open_promises(ANN)
    assert promise.renegotiations == 1
