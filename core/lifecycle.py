"""What happens to a promise, as pure functions of (promise, now).

The scheduler never decides anything: it only wakes the bot at ``next_event(...).at``
and the bot asks this module what is due. Because every step is recorded on the
Promise (``asked``, ``nudged``, ``outcome``) and the Promise lives in the store, a
restart recomputes the same next event and nothing is skipped or sent twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from core.models import Kind, Outcome, Promise


@dataclass(frozen=True, slots=True)
class Timings:
    """How long the bot waits at each step; shortened only in tests and demos."""

    snooze: timedelta = timedelta(minutes=10)
    nudge_after: timedelta = timedelta(minutes=30)
    expire_after: timedelta = timedelta(hours=24)
    # A check-in sent more than this after its time says it is late (bot was down).
    late_delivery: timedelta = timedelta(minutes=1)
    # A "when?" or "new time?" question left unanswered this long no longer takes replies.
    answer_window: timedelta = timedelta(minutes=5)
    # A check-in step that could not be sent or stored is tried again after this long,
    # then twice as long each time, up to RETRY_GROWTH times this.
    retry: timedelta = timedelta(seconds=30)


RETRY_GROWTH = 32  # 30 s, 1, 2, 4, 8 min, then every 16 min


def retry_delay(timings: Timings, failures: int) -> timedelta:
    """How long to wait after the ``failures``-th failure in a row (1, 2, …) of a step."""
    return timings.retry * min(RETRY_GROWTH, 1 << max(0, min(failures - 1, 30)))


# "Kept" that comes later than this after the check-in time is scored late, however it
# is given (the check-in's button, "done" typed, [Done] in /list): the answer is the only
# evidence of when the word was kept. The nudge comes at the same age. docs/SCORING.md.
ON_TIME_GRACE = timedelta(minutes=30)
# A new time set this soon after the promise was made fixes a misread time: a correction,
# not a renegotiation.
CORRECTION_WINDOW = timedelta(minutes=2)


Closer = Callable[[Promise, datetime], Promise]
"""A step that closes a promise at a time: mark_done, cancel, expire."""


class EventKind(StrEnum):
    CHECKIN = "checkin"
    NUDGE = "nudge"
    EXPIRE = "expire"


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    at: datetime


class Answer(StrEnum):
    """What the user can say about a due promise with one tap."""

    KEPT = "kept"
    LATE = "late"
    BROKE = "broke"


def new_promise(
    *,
    promise_id: str,
    user_id: int,
    task: str,
    due: datetime,
    now: datetime,
    tags: tuple[str, ...] = (),
    kind: Kind = Kind.OTHER,
    source_message_id: int | None = None,
    repair_of: str | None = None,
    routine_id: str | None = None,
) -> Promise:
    return Promise(
        id=promise_id,
        user_id=user_id,
        task=task,
        due=due,
        created=now,
        tags=tags,
        kind=kind,
        source_message_id=source_message_id,
        repair_of=repair_of,
        routine_id=routine_id,
    )


def next_event(promise: Promise, timings: Timings) -> Event | None:
    """The one thing that should happen next to an open promise, and when.

    Expiry counts from the later of the due time and the actual check-in, so a user
    whose check-in was delayed by an outage still gets a full day to answer.
    """
    if not promise.is_open:
        return None
    if promise.snoozed_until is not None:
        return Event(EventKind.CHECKIN, promise.snoozed_until)
    if promise.asked is None:
        return Event(EventKind.CHECKIN, promise.due)
    expire_at = max(promise.due, promise.asked) + timings.expire_after
    if not promise.nudged:
        nudge_at = promise.asked + timings.nudge_after
        if nudge_at < expire_at:
            return Event(EventKind.NUDGE, nudge_at)
    return Event(EventKind.EXPIRE, expire_at)


def checkin_is_late(promise: Promise, now: datetime, timings: Timings) -> bool:
    """True when a check-in goes out noticeably after its time (the bot was down)."""
    event = next_event(promise, timings)
    return event is not None and now - event.at > timings.late_delivery


def mark_asked(promise: Promise, now: datetime, message_id: int | None, *, late: bool) -> Promise:
    return replace(
        promise,
        asked=now,
        asked_late=late,
        checkin_message_id=message_id,
        snoozed_until=None,
    )


def mark_nudged(promise: Promise) -> Promise:
    return replace(promise, nudged=True)


def answer(promise: Promise, given: Answer, now: datetime) -> Promise:
    """Close the promise with the user's answer, the same way whichever way it came.

    Kept counts as late after a snooze ("not yet" was the answer at the time) or when
    the answer came more than ``ON_TIME_GRACE`` after the check-in time.
    """
    if given is Answer.BROKE:
        outcome = Outcome.BROKEN
    elif given is Answer.LATE or promise.snoozes > 0 or answered_late(promise, now):
        outcome = Outcome.LATE
    else:
        outcome = Outcome.KEPT
    return _close(promise, outcome, now)


def answered_late(promise: Promise, now: datetime) -> bool:
    """True when an answer at ``now`` comes too long after the check-in time to vouch
    for keeping it on time. The check-in time is the due time, or the moment the
    check-in actually went out if the bot was down then: an outage is not the user's."""
    asked_at = promise.due if promise.asked is None else max(promise.due, promise.asked)
    return now - asked_at > ON_TIME_GRACE


def mark_done(promise: Promise, now: datetime) -> Promise:
    """[Done] from /list: the same as Kept on the check-in."""
    return answer(promise, Answer.KEPT, now)


def snooze(promise: Promise, now: datetime, timings: Timings) -> Promise:
    return replace(
        promise,
        snoozed_until=now + timings.snooze,
        snoozes=promise.snoozes + 1,
        nudged=False,
    )


def expire(promise: Promise, now: datetime) -> Promise:
    return _close(promise, Outcome.UNANSWERED, now)


def cancel(promise: Promise, now: datetime) -> Promise:
    return _close(promise, Outcome.CANCELLED, now)


def is_correction(promise: Promise, now: datetime) -> bool:
    """A new time right after the acknowledgement fixes a misread time, nothing more."""
    return promise.asked is None and now - promise.created <= CORRECTION_WINDOW


def renegotiate(promise: Promise, new_due: datetime, now: datetime) -> Promise:
    """A new time agreed before the old one passed: counted, shown, never scored as broken.

    A correction (``is_correction``) moves the time without counting.
    """
    return replace(
        promise,
        due=new_due,
        renegotiations=promise.renegotiations + (0 if is_correction(promise, now) else 1),
        asked=None,
        asked_late=False,
        checkin_message_id=None,
        nudged=False,
        snoozed_until=None,
    )


def repair(broken: Promise, *, promise_id: str, due: datetime, now: datetime) -> Promise:
    """A new promise that makes a broken one right; a kept repair shows as repaired."""
    return new_promise(
        promise_id=promise_id,
        user_id=broken.user_id,
        task=broken.task,
        due=due,
        now=now,
        tags=broken.tags,
        kind=broken.kind,
        repair_of=broken.id,
    )


def _close(promise: Promise, outcome: Outcome, now: datetime) -> Promise:
    return replace(promise, outcome=outcome, closed=now, snoozed_until=None)
