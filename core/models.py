"""The records Keepword keeps: frozen, so a change is always an explicit new value.

Every datetime here is timezone-aware and stored in UTC; a user's own time zone is
applied only when something is shown to them or when a local rule (a week, a day's
routine) needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    """How a promise ended. ``CANCELLED`` is listed but never scored."""

    KEPT = "kept"
    LATE = "late"
    BROKEN = "broken"
    UNANSWERED = "unanswered"
    CANCELLED = "cancelled"

    @property
    def scored(self) -> bool:
        return self is not Outcome.CANCELLED


class Kind(StrEnum):
    """What sort of small promise it is; drives "where it slips"."""

    CALLBACK = "callback"  # calling or texting someone back
    ON_TIME = "on_time"  # being somewhere on time
    FAVOUR = "favour"  # small favours and errands
    ATTENTION = "attention"  # phone away, listening, being present
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A routine's schedule: local wall-clock time on a set of weekdays (0 = Monday)."""

    days: tuple[int, ...]
    hour: int
    minute: int


@dataclass(frozen=True, slots=True)
class Promise:
    """One small promise and everything that happened to it.

    ``asked`` is when the latest check-in was sent: it makes a restart send a missed
    check-in once and only once, because the store (not the scheduler) remembers it.
    """

    id: str
    user_id: int
    task: str
    due: datetime
    created: datetime
    tags: tuple[str, ...] = ()
    kind: Kind = Kind.OTHER
    kind_corrected: bool = False
    outcome: Outcome | None = None
    closed: datetime | None = None
    asked: datetime | None = None
    asked_late: bool = False
    checkin_message_id: int | None = None
    nudged: bool = False
    snoozed_until: datetime | None = None
    snoozes: int = 0
    renegotiations: int = 0
    repair_of: str | None = None
    routine_id: str | None = None
    source_message_id: int | None = None
    # The acknowledgement ("Got it: …"), once Telegram took it: a message delivered again
    # is then not acknowledged again, and later edits know where it is.
    ack_message_id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.outcome is None


@dataclass(frozen=True, slots=True)
class Routine:
    """A recurring micro-commitment; each occurrence becomes its own Promise."""

    id: str
    user_id: int
    task: str
    rule: Recurrence
    created: datetime
    tags: tuple[str, ...] = ()
    kind: Kind = Kind.OTHER
    paused: bool = False
    last_occurrence: datetime | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A promise that still needs a time: kept until the user says when."""

    task: str
    tags: tuple[str, ...]
    created: datetime  # when "when?" was asked: the question ends a few minutes later
    source_message_id: int | None = None
    question_message_id: int | None = None  # the "when?" message, whose buttons answer it


@dataclass(frozen=True, slots=True)
class UserSettings:
    """Per-user preferences and the little conversational state the bot needs."""

    user_id: int
    chat_id: int
    tz: str = "UTC"
    clock24: bool = True
    report_enabled: bool = True
    report_day: int = 6  # Sunday
    report_hour: int = 19
    report_minute: int = 0
    last_report_week: str | None = None  # ISO date of the Monday last reported
    last_message_id: int = 0
    blocked: bool = False
    draft: Draft | None = None
    pending_change: str | None = None  # promise id whose new time we are waiting for
    pending_change_at: datetime | None = None  # when "new time?" was asked (None: long ago)
    pending_change_message_id: int | None = None  # the "new time?" message
    created: datetime | None = None
    downtime: tuple[tuple[datetime, datetime], ...] = field(default=())
    reflection_asked: datetime | None = None  # the weekly report's question, until answered
    reflections: tuple[tuple[datetime, str], ...] = field(default=())  # answers, newest last
    made_on: str | None = None  # local ISO date that ``made_today`` counts new promises of
    made_today: int = 0
