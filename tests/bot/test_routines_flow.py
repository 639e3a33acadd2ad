"""Daily routines through the conversation, with a memory store and a manual clock.

The clock starts on Monday 23 Nov 2026 at 14:00 UTC; a routine at 08:00 first asks on
Tuesday. Advancing the clock runs the jobs that fell due, as the scheduler would.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.context import UTC, Limits
from bot.conversation import Conversation
from bot.flows.routines import PAGE
from bot.replies import plain
from core.models import Outcome, Promise, Recurrence, Routine
from core.routines import LOOKBACK
from tests.bot.fakes import ManualScheduler, Sent
from tests.bot.test_conversation import ANN, BOB, START, Harness

BREAKFAST = "every day at 8am: phone away at breakfast"
TUESDAY_8 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def h() -> Harness:
    return Harness()


async def set_tz(h: Harness, name: str, user: int = ANN) -> None:
    await h.say("/start", user)
    stored = h.store.get_user(user)
    assert stored is not None
    h.store.put_user(replace(stored, tz=name))


async def until(h: Harness, at: datetime) -> None:
    """Let time pass until ``at``, running each job at its own time, as a live bot would."""
    while due := [when for when, _ in h.scheduler.jobs.values() if when <= at]:
        h.clock.now = max(h.clock.now, min(due))
        await h.scheduler.run_due(h.clock.now)
    h.clock.now = max(h.clock.now, at)


def first_text(message: Sent) -> str:
    """What a message said when sent, before any edit (an answer edits the check-in)."""
    return plain(message.reply.text)


def checkins(h: Harness, user: int = ANN) -> list[Sent]:
    return [m for m in h.outbox.to(user) if "Did you keep your word?" in first_text(m)]


def nudges(h: Harness) -> int:
    return sum("Just checking" in first_text(m) for m in h.outbox.sent)


def occurrences(h: Harness, routine_id: str = "p1", user: int = ANN) -> list[Promise]:
    mine = [*h.store.open_promises(user), *h.store.closed_promises(user)]
    return sorted((p for p in mine if p.routine_id == routine_id), key=lambda p: p.due)


# --- adding -------------------------------------------------------------------------

EXAMPLES = [
    pytest.param(
        BREAKFAST,
        "🔁 Daily at 08:00: “phone away at breakfast”. I'll ask each time — "
        "first tomorrow at 08:00 (in 17 h).",
        datetime(2026, 11, 24, 7, 0, tzinfo=UTC),
        (),
        id="every-day",
    ),
    pytest.param(
        "daily at 7:30 stretch",
        "🔁 Daily at 07:30: “stretch”. I'll ask each time — "
        "first tomorrow at 07:30 (in 16 h 30 min).",
        datetime(2026, 11, 24, 6, 30, tzinfo=UTC),
        (),
        id="daily",
    ),
    pytest.param(
        "every weekday at 9 check in with the team #work",
        "🔁 Weekdays at 09:00: “check in with the team #work”. I'll ask each time — "
        "first tomorrow at 09:00 (in 18 h).",
        datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        ("#work",),
        id="weekdays",
    ),
    pytest.param(
        "every Sunday at 18:00 call mom #mom",
        "🔁 Sundays at 18:00: “call mom #mom”. I'll ask each time — "
        "first Sun 29 Nov at 18:00 (in 6 days).",
        datetime(2026, 11, 29, 17, 0, tzinfo=UTC),
        ("#mom",),
        id="weekly",
    ),
]


@pytest.mark.parametrize(("text", "reply", "first", "tags"), EXAMPLES)
async def test_a_routine_message_replies_with_its_schedule_and_first_time(
    h: Harness, text: str, reply: str, first: datetime, tags: tuple[str, ...]
) -> None:
    await set_tz(h, "Europe/Berlin")  # 15:00 there
    assert await h.say(text) == reply
    [routine] = h.store.routines(ANN)
    assert routine.tags == tags
    assert h.scheduler.when(f"r:{routine.id}") == first
    assert h.store.open_promises(ANN) == []  # a routine is not a promise


@pytest.mark.parametrize(
    "text", ["every 5 minutes do X", "every hour", "every 30 minutes stand up", "hourly stretch"]
)
async def test_a_routine_more_often_than_daily_is_refused_with_a_reason(
    h: Harness, text: str
) -> None:
    reply = await h.say(text)
    assert "can't be a routine" in reply
    assert "every day at 8am" in reply  # the example of what works
    assert h.store.routines(ANN) == []
    assert h.store.open_promises(ANN) == []
    assert not any(key.startswith("r:") for key in h.scheduler.jobs)


async def test_the_51st_routine_is_refused_and_routines_page_within_telegram_limits(
    h: Harness,
) -> None:
    await h.say("/start")
    for n in range(50):
        h.store.put_routine(
            Routine(
                id=f"seed{n:02d}",
                user_id=ANN,
                task=f"{n} " + "a long routine description " * 18,  # ~490 characters
                rule=Recurrence((0, 1, 2, 3, 4, 5, 6), n % 24, 0),
                created=START,
            )
        )
    reply = await h.say("daily at 7:30 stretch")
    assert reply == "⚠️ You have 50 routines already. Delete one in /routines first."
    score = await h.say("/score")
    assert "…and 40 more in /routines" in score
    assert len(score) < 4096
    assert len(h.store.routines(ANN)) == 50

    await h.say("/routines")
    listing = h.outbox.last
    assert "(50) · page 1 of 5" in listing.text
    assert len(listing.text) < 4096
    assert len(listing.buttons) == 2 * PAGE + 1
    await h.press(listing.message_id, listing.button("Next"))
    assert "page 2 of 5" in listing.text
    assert "11. 10 a long routine" in listing.text
    await h.press(listing.message_id, listing.button("Delete 11"))
    assert "(49) · page 2 of 5" in listing.text
    assert h.store.get_routine(ANN, "seed10") is None
    assert (await h.say("daily at 7:30 stretch")).startswith("🔁 Daily at 07:30: “stretch”")
    assert len(h.store.routines(ANN)) == 50


# --- the occurrence check-in --------------------------------------------------------


async def test_an_occurrence_is_checked_in_like_a_promise_and_stored_with_its_routine(
    h: Harness,
) -> None:
    await h.say(BREAKFAST)
    await h.say("water the plants in 1 minute")
    await h.advance(minutes=1)
    one_off = h.outbox.last
    await until(h, TUESDAY_8 - timedelta(seconds=1))
    assert len(checkins(h)) == 1
    await h.advance(seconds=1)
    checkin = h.outbox.last
    assert "Did you keep your word?  “phone away at breakfast” (due 08:00)" in checkin.text
    assert "late" not in checkin.text
    assert [label for label, _ in checkin.buttons] == [label for label, _ in one_off.buttons]
    [occurrence] = occurrences(h)
    assert occurrence.due == TUESDAY_8
    assert [data for _, data in checkin.buttons] == [
        f"{action}:{occurrence.id}" for action in ("k", "l", "b", "z")
    ]
    toast = await h.press(checkin.message_id, checkin.button("Kept"))
    assert "Kept" in toast
    assert checkin.text.startswith("✅ Kept")
    stored = h.store.get_promise(ANN, occurrence.id)
    assert stored is not None
    assert stored.outcome is Outcome.KEPT
    assert stored.routine_id == "p1"
    # The routine's job moved on to Wednesday; the answered occurrence has none.
    assert h.scheduler.when("r:p1") == TUESDAY_8 + timedelta(days=1)
    assert f"p:{occurrence.id}" not in h.scheduler.jobs


async def test_an_unanswered_occurrence_is_nudged_once_then_closed_and_scored(
    h: Harness,
) -> None:
    await h.say("every weekday at 9 check in with the team #work")
    await until(h, TUESDAY_8 + timedelta(hours=1, minutes=29))
    assert nudges(h) == 0
    await h.advance(minutes=1)
    assert nudges(h) == 1
    await until(h, TUESDAY_8 + timedelta(days=1, hours=1))  # 24 h after Tuesday's check-in
    first, second = occurrences(h)
    assert first.outcome is Outcome.UNANSWERED
    assert second.is_open  # Wednesday's was just asked
    assert "unanswered" in " ".join(m.text for m in h.outbox.sent)
    score = await h.say("/score")
    assert "0 of 1 kept" in score
    assert "Unanswered: 1" in score
    assert "check in with the team #work: 0/1 this week" in score


async def test_snooze_on_an_occurrence_asks_again(h: Harness) -> None:
    await h.say(BREAKFAST)
    await until(h, TUESDAY_8)
    checkin = h.outbox.last
    await h.press(checkin.message_id, checkin.button("Snooze"))
    await h.advance(minutes=10)
    assert len(checkins(h)) == 2
    again = h.outbox.last
    await h.press(again.message_id, again.button("Kept"))
    [occurrence] = occurrences(h)
    assert occurrence.outcome is Outcome.LATE


# --- /routines: adherence, pause, resume, delete ------------------------------------


async def answer_days(h: Harness, answers: list[str]) -> None:
    for day, word in enumerate(answers):
        await until(h, TUESDAY_8 + timedelta(days=day))
        checkin = h.outbox.last
        assert "phone away at breakfast" in checkin.text
        await h.press(checkin.message_id, checkin.button(word))


async def test_routines_lists_adherence_this_week_and_over_four_weeks(h: Harness) -> None:
    assert "No routines yet" in await h.say("/routines")
    await h.say(BREAKFAST)
    await h.say("every Sunday at 18:00 call mom #mom")
    await answer_days(h, ["Kept", "Kept", "Broke", "Late", "Kept"])  # Tue–Sat
    await h.say("/routines")
    listing = h.outbox.last
    assert "1. phone away at breakfast — Daily at 08:00 · next tomorrow at 08:00" in listing.text
    assert "4 of 5 this week · 4 of 5 in 4 weeks" in listing.text
    assert "2. call mom #mom — Sundays at 18:00 · next tomorrow at 18:00" in listing.text
    assert "next tomorrow at 18:00\n    no answers yet" in listing.text  # never "0 of 0"
    assert [label for label, _ in listing.buttons] == [
        "⏸ Pause 1",
        "🗑 Delete 1",
        "⏸ Pause 2",
        "🗑 Delete 2",
    ]
    # Next week: this week starts again, the four weeks keep counting (Sunday's
    # breakfast went unanswered: it closed at Monday 08:00).
    await until(h, TUESDAY_8 + timedelta(days=6))  # Monday 30 Nov 08:00
    await h.press(h.outbox.last.message_id, h.outbox.last.button("Kept"))
    await h.say("/routines")
    assert "1 of 1 this week · 5 of 7 in 4 weeks" in h.outbox.last.text


async def test_pause_stops_the_next_checkin_and_resume_asks_again(h: Harness) -> None:
    await h.say(BREAKFAST)
    await answer_days(h, ["Kept"])
    await h.say("/routines")
    listing = h.outbox.last
    assert await h.press(listing.message_id, listing.button("Pause")) == "Paused"
    assert "Daily at 08:00 · paused" in listing.text
    assert listing.button("Resume") == "rr:p1:0"
    assert "r:p1" not in h.scheduler.jobs
    assert await h.press(listing.message_id, "rp:p1:0") == "That one is already done."
    await until(h, TUESDAY_8 + timedelta(days=3))  # Wed, Thu, Fri pass while paused
    assert len(checkins(h)) == 1
    assert len(occurrences(h)) == 1

    await until(h, TUESDAY_8 + timedelta(days=3, hours=4))  # Friday noon
    assert await h.press(listing.message_id, listing.button("Resume")) == "Resumed"
    assert "next tomorrow at 08:00" in listing.text
    assert h.scheduler.when("r:p1") == TUESDAY_8 + timedelta(days=4)
    await until(h, TUESDAY_8 + timedelta(days=4))
    assert len(checkins(h)) == 2
    assert "late" not in h.outbox.last.text
    # The paused days are neither asked nor scored.
    assert [p.due for p in occurrences(h)] == [TUESDAY_8, TUESDAY_8 + timedelta(days=4)]
    score = await h.say("/score")
    assert "phone away at breakfast: 1/1 this week" in score


async def test_a_paused_routine_is_not_asked_after_a_restart(h: Harness) -> None:
    await h.say(BREAKFAST)
    await h.say("/routines")
    await h.press(h.outbox.last.message_id, h.outbox.last.button("Pause"))
    h.clock.advance(days=3)  # the bot is down meanwhile
    restarted = await restart(h)
    assert restarted.when("r:p1") is None
    await restarted.run_due(h.clock())
    assert checkins(h) == []


async def test_delete_removes_the_routine_and_its_job(h: Harness) -> None:
    await h.say(BREAKFAST)
    await h.say("/routines")
    listing = h.outbox.last
    assert await h.press(listing.message_id, listing.button("Delete")) == "Deleted"
    assert "No routines yet" in listing.text
    assert h.store.routines(ANN) == []
    assert "r:p1" not in h.scheduler.jobs
    await until(h, TUESDAY_8 + timedelta(days=1))
    assert checkins(h) == []
    assert await h.press(listing.message_id, "rd:p1:0") == "That one is gone."


async def test_buttons_of_another_user_change_nothing(h: Harness) -> None:
    await h.say(BREAKFAST)
    await h.say("/start", BOB)
    assert await h.press(1, "rp:p1:0", BOB) == "That one is gone."
    assert await h.press(1, "rd:p1", BOB) == "That one is gone."
    routine = h.store.get_routine(ANN, "p1")
    assert routine is not None
    assert not routine.paused


# --- time zones ---------------------------------------------------------------------


async def test_the_schedule_moves_with_the_user_to_a_new_time_zone(h: Harness) -> None:
    await set_tz(h, "Europe/Berlin")
    await h.say(BREAKFAST)
    assert h.scheduler.when("r:p1") == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    await until(h, datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    assert len(checkins(h)) == 1
    # Tuesday 10:00 UTC: 05:00 in New York, so today's 08:00 is still to come there.
    await until(h, datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    await h.say("/timezone America/New_York")
    assert h.scheduler.when("r:p1") == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    # Tuesday 21:00 in New York: off to Tokyo, where Wednesday's 08:00 has passed. It is
    # not asked late as if the bot had been down: the next one is Thursday 08:00 there.
    await until(h, datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    assert len(checkins(h)) == 2
    await h.say("/timezone Asia/Tokyo")
    assert h.scheduler.when("r:p1") == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    await until(h, datetime(2026, 11, 25, 23, 0, tzinfo=UTC))
    assert len(checkins(h)) == 3
    assert all("late" not in m.text for m in checkins(h))
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.downtime == ()


async def test_dst_keeps_the_local_hour(h: Harness) -> None:
    h.clock.now = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    await set_tz(h, "Europe/Berlin")
    await h.say(BREAKFAST)
    await until(h, datetime(2026, 3, 30, 12, 0, tzinfo=UTC))
    assert [p.due.hour for p in occurrences(h)] == [7, 6, 6]  # 08:00 CET, then CEST
    assert all("(due 08:00)" in m.text for m in checkins(h))


async def test_a_user_who_blocked_the_bot_is_not_asked_late_when_back(h: Harness) -> None:
    await h.say(BREAKFAST)
    h.outbox.blocked.add(ANN)
    await h.bot.on_blocked(ANN)
    await until(h, TUESDAY_8 + timedelta(days=3, hours=2))
    h.outbox.blocked.discard(ANN)
    await h.say("hi again")
    await until(h, TUESDAY_8 + timedelta(days=4))
    late = [m for m in checkins(h) if "late" in m.text]
    assert late == []
    assert [p.due for p in occurrences(h)] == [TUESDAY_8 + timedelta(days=4)]


# --- restart after downtime ---------------------------------------------------------


async def restart(h: Harness) -> ManualScheduler:
    """A new process on the same store: fresh jobs, rebuilt from the store."""
    h.scheduler = ManualScheduler()
    h.ctx.scheduler = h.scheduler
    h.bot = Conversation(h.ctx)
    await h.bot.restore()
    return h.scheduler


@pytest.mark.parametrize(("days_down", "skipped"), [(3, 2), (30, 7)])
async def test_after_downtime_one_late_checkin_and_the_report_names_the_days(
    h: Harness, days_down: int, skipped: int
) -> None:
    await h.say(BREAKFAST)
    await h.say("every Sunday at 18:00 call mom #mom")
    await answer_days(h, ["Kept"])  # Tuesday's asked and kept, then the bot goes down
    h.clock.advance(days=days_down, hours=2)  # back at 10:00, no job ran meanwhile
    await restart(h)
    await h.scheduler.run_due(h.clock())
    back = h.clock()
    asked = checkins(h)[1:]
    assert len(asked) == (2 if days_down == 30 else 1)  # the Sunday routine, once too
    daily = next(m for m in asked if "phone away" in m.text)
    assert daily.text.startswith("Sorry, this check-in comes late — I was offline at 08:00.")
    latest = back.replace(hour=8)
    assert [p.due for p in occurrences(h)] == [TUESDAY_8, latest]
    assert occurrences(h)[-1].asked_late
    user = h.store.get_user(ANN)
    assert user is not None
    [(began, ended)] = user.downtime
    assert (began, ended) == (latest - timedelta(days=skipped), latest)
    assert began >= back - LOOKBACK
    # Running the jobs again asks nothing more: the routine is caught up.
    await h.scheduler.run_due(h.clock())
    assert len(checkins(h)) == 1 + len(asked)
    await h.press(daily.message_id, daily.button("Kept"))
    score = await h.say("/score")
    if days_down == 3:  # Friday 27 Nov: same week as Tuesday
        assert "phone away at breakfast: 2/2 this week" in score
        assert "I was offline on Wed 25 Nov, Thu 26 Nov, Fri 27 Nov" in score
    else:  # Thursday 24 Dec: the bot was down all week until today
        assert "phone away at breakfast: 1/1 this week" in score
        assert "I was offline on Mon 21 Dec, Tue 22 Dec, Wed 23 Dec, Thu 24 Dec" in score


async def test_a_crash_after_storing_the_occurrence_does_not_store_it_twice(h: Harness) -> None:
    await h.say(BREAKFAST)
    await until(h, TUESDAY_8)
    [occurrence] = occurrences(h)
    routine = h.store.get_routine(ANN, "p1")
    assert routine is not None
    h.store.put_routine(replace(routine, last_occurrence=None))  # as if the write was lost
    await restart(h)
    await h.scheduler.run_due(h.clock())
    assert occurrences(h) == [h.store.get_promise(ANN, occurrence.id)]
    assert len(checkins(h)) == 1


async def test_the_weekly_report_has_a_routines_section_against_last_week() -> None:
    h = Harness(Limits(messages_per_minute=100))
    await h.say(BREAKFAST)
    await restart(h)  # restore plans the Sunday report
    await answer_days(h, ["Kept", "Kept", "Broke", "Kept", "Kept", "Kept"])  # Tue–Sun
    await until(h, TUESDAY_8 + timedelta(days=5, hours=11))  # Sunday 19:00: the report
    report = next(m for m in h.outbox.sent if "Your week in small promises" in m.text)
    assert "Routines\nphone away at breakfast: 5/6 this week" in report.text
    await answer_days_from(h, TUESDAY_8 + timedelta(days=6), ["Kept", "Broke"])
    score = await h.say("/score")
    assert "phone away at breakfast: 1/2 this week · 5/6 last week" in score


async def answer_days_from(h: Harness, first: datetime, answers: list[str]) -> None:
    for day, word in enumerate(answers):
        await until(h, first + timedelta(days=day))
        await h.press(h.outbox.last.message_id, h.outbox.last.button(word))
