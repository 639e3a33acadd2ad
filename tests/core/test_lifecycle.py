"""The promise life-cycle as a table of steps with an explicit clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import lifecycle
from core.lifecycle import Answer, EventKind, Timings
from core.models import Outcome, Promise

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
DUE = T0 + timedelta(minutes=5)
TIMINGS = Timings()


def fresh(**changes: object) -> Promise:
    promise = lifecycle.new_promise(
        promise_id="p1", user_id=7, task="call mom back", due=DUE, now=T0
    )
    from dataclasses import replace

    return replace(promise, **changes)  # type: ignore[arg-type]


def test_first_event_is_the_checkin_at_due_time() -> None:
    assert lifecycle.next_event(fresh(), TIMINGS) == lifecycle.Event(EventKind.CHECKIN, DUE)


def test_after_checkin_a_nudge_thirty_minutes_later_then_expiry_a_day_after_due() -> None:
    asked = lifecycle.mark_asked(fresh(), DUE, 11, late=False)
    assert lifecycle.next_event(asked, TIMINGS) == lifecycle.Event(
        EventKind.NUDGE, DUE + timedelta(minutes=30)
    )
    nudged = lifecycle.mark_nudged(asked)
    assert lifecycle.next_event(nudged, TIMINGS) == lifecycle.Event(
        EventKind.EXPIRE, DUE + timedelta(hours=24)
    )
    closed = lifecycle.expire(nudged, DUE + timedelta(hours=24))
    assert closed.outcome is Outcome.UNANSWERED
    assert lifecycle.next_event(closed, TIMINGS) is None


def test_a_checkin_delayed_by_an_outage_still_gets_a_full_day_to_answer() -> None:
    back = DUE + timedelta(hours=30)
    assert lifecycle.checkin_is_late(fresh(), back, TIMINGS)
    asked = lifecycle.mark_asked(fresh(), back, 12, late=True)
    nudged = lifecycle.mark_nudged(asked)
    assert lifecycle.next_event(nudged, TIMINGS) == lifecycle.Event(
        EventKind.EXPIRE, back + timedelta(hours=24)
    )


def test_a_checkin_on_time_is_not_late() -> None:
    assert not lifecycle.checkin_is_late(fresh(), DUE + timedelta(seconds=2), TIMINGS)


@pytest.mark.parametrize(
    ("given", "snoozes", "outcome"),
    [
        (Answer.KEPT, 0, Outcome.KEPT),
        (Answer.LATE, 0, Outcome.LATE),
        (Answer.BROKE, 0, Outcome.BROKEN),
        (Answer.KEPT, 1, Outcome.LATE),  # kept after a snooze counts as late
        (Answer.BROKE, 2, Outcome.BROKEN),
    ],
)
def test_answers(given: Answer, snoozes: int, outcome: Outcome) -> None:
    closed = lifecycle.answer(fresh(snoozes=snoozes), given, DUE)
    assert closed.outcome is outcome
    assert closed.closed == DUE
    assert not closed.is_open


def test_snooze_asks_again_ten_minutes_later_and_resets_the_nudge() -> None:
    asked = lifecycle.mark_nudged(lifecycle.mark_asked(fresh(), DUE, 11, late=False))
    snoozed = lifecycle.snooze(asked, DUE + timedelta(minutes=1), TIMINGS)
    at = DUE + timedelta(minutes=11)
    assert lifecycle.next_event(snoozed, TIMINGS) == lifecycle.Event(EventKind.CHECKIN, at)
    again = lifecycle.mark_asked(snoozed, at, 12, late=False)
    assert again.snoozed_until is None
    assert lifecycle.next_event(again, TIMINGS) == lifecycle.Event(
        EventKind.NUDGE, at + timedelta(minutes=30)
    )


def test_renegotiation_counts_and_starts_the_checkin_over() -> None:
    asked = lifecycle.mark_asked(fresh(), DUE, 11, late=False)
    later = DUE + timedelta(hours=2)
    moved = lifecycle.renegotiate(asked, later, DUE)
    assert moved.renegotiations == 1
    assert moved.asked is None
    assert lifecycle.next_event(moved, TIMINGS) == lifecycle.Event(EventKind.CHECKIN, later)


def test_repair_links_to_the_broken_promise() -> None:
    broken = lifecycle.answer(fresh(tags=("#mom",)), Answer.BROKE, DUE)
    redo = lifecycle.repair(broken, promise_id="p2", due=DUE + timedelta(hours=1), now=DUE)
    assert redo.repair_of == "p1"
    assert redo.task == broken.task
    assert redo.tags == ("#mom",)
    assert redo.is_open


def test_cancel_and_done() -> None:
    assert lifecycle.cancel(fresh(), T0).outcome is Outcome.CANCELLED
    assert lifecycle.mark_done(fresh(), T0).outcome is Outcome.KEPT
    assert lifecycle.mark_done(fresh(snoozes=1), T0).outcome is Outcome.LATE


def test_a_failed_step_is_retried_less_and_less_often_up_to_a_cap() -> None:
    delays = [lifecycle.retry_delay(Timings(), n) for n in range(1, 10)]
    assert [d.total_seconds() for d in delays] == [30, 60, 120, 240, 480, 960, 960, 960, 960]
    assert lifecycle.retry_delay(Timings(), 10**6) == timedelta(minutes=16)
    assert lifecycle.retry_delay(Timings(retry=timedelta(seconds=1)), 3) == timedelta(seconds=4)


MIN = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("asked", "answered", "given", "outcome"),
    [
        (None, DUE - 60 * MIN, Answer.KEPT, Outcome.KEPT),  # done before it was due
        (DUE, DUE + 30 * MIN, Answer.KEPT, Outcome.KEPT),  # within the grace
        (DUE, DUE + 31 * MIN, Answer.KEPT, Outcome.LATE),  # after it
        (None, DUE + 74 * MIN, Answer.KEPT, Outcome.LATE),  # [Done] in /list, no check-in
        (DUE + 120 * MIN, DUE + 130 * MIN, Answer.KEPT, Outcome.KEPT),  # check-in sent late
        (DUE + 120 * MIN, DUE + 151 * MIN, Answer.KEPT, Outcome.LATE),
        (DUE, DUE + MIN, Answer.LATE, Outcome.LATE),  # said late: late at any time
        (DUE, DUE + 90 * MIN, Answer.BROKE, Outcome.BROKEN),
    ],
)
def test_an_answer_is_scored_by_when_it_came(
    asked: datetime | None, answered: datetime, given: Answer, outcome: Outcome
) -> None:
    promise = fresh() if asked is None else lifecycle.mark_asked(fresh(), asked, 1, late=False)
    assert lifecycle.answer(promise, given, answered).outcome is outcome


def test_a_new_time_right_after_the_acknowledgement_is_a_correction() -> None:
    later = DUE + timedelta(hours=2)
    assert lifecycle.renegotiate(fresh(), later, T0 + 2 * MIN).renegotiations == 0
    assert lifecycle.renegotiate(fresh(), later, T0 + 2 * MIN + MIN).renegotiations == 1
    asked = lifecycle.mark_asked(fresh(created=DUE - MIN), DUE, 1, late=False)
    assert lifecycle.renegotiate(asked, later, DUE).renegotiations == 1  # after a check-in
