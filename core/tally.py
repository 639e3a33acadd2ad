"""Counting outcomes: the tally behind "N of M kept" and the value of each outcome.

Shared by the weekly report (``core.score``) and the day summaries stores keep of
closed promises (``core.history``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from core.models import Outcome, Promise

__all__ = ["HALF_LIFE", "VALUES", "Tally", "is_scored", "tally", "whole_percent"]

HALF_LIFE = timedelta(weeks=4)

# Kept counts fully, late half: late is better than broken but not the same as kept.
VALUES: dict[Outcome, float] = {
    Outcome.KEPT: 1.0,
    Outcome.LATE: 0.5,
    Outcome.BROKEN: 0.0,
    Outcome.UNANSWERED: 0.0,
}


def whole_percent(value: float) -> int:
    """Halves round up (62.5 → 63), as people expect; round() would give 62."""
    return math.floor(value + 0.5)


@dataclass(frozen=True, slots=True)
class Tally:
    kept: int = 0
    late: int = 0
    broken: int = 0
    unanswered: int = 0
    cancelled: int = 0
    repaired: int = 0
    renegotiated: int = 0

    @property
    def scored(self) -> int:
        return self.kept + self.late + self.broken + self.unanswered

    @property
    def kept_any(self) -> int:
        """What "N of M kept" says: a late promise was still kept."""
        return self.kept + self.late

    @property
    def missed(self) -> int:
        return self.broken + self.unanswered

    @property
    def percent(self) -> float | None:
        if not self.scored:
            return None
        # One division of integers: an exact half (62.5) stays exact for rounding.
        return (2 * self.kept + self.late) * 50 / self.scored

    @property
    def rounded(self) -> int | None:
        percent = self.percent
        return None if percent is None else whole_percent(percent)

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.kept + other.kept,
            self.late + other.late,
            self.broken + other.broken,
            self.unanswered + other.unanswered,
            self.cancelled + other.cancelled,
            self.repaired + other.repaired,
            self.renegotiated + other.renegotiated,
        )

    def as_list(self) -> list[int]:
        return [
            self.kept,
            self.late,
            self.broken,
            self.unanswered,
            self.cancelled,
            self.repaired,
            self.renegotiated,
        ]


def tally(promises: Iterable[Promise]) -> Tally:
    """Open promises are not scored yet; a renegotiation counts whatever came after it."""
    kept = late = broken = unanswered = cancelled = repaired = renegotiated = 0
    for promise in promises:
        if promise.renegotiations:
            renegotiated += 1
        outcome = promise.outcome
        if outcome is Outcome.KEPT:
            kept += 1
        elif outcome is Outcome.LATE:
            late += 1
        elif outcome is Outcome.BROKEN:
            broken += 1
        elif outcome is Outcome.UNANSWERED:
            unanswered += 1
        elif outcome is Outcome.CANCELLED:
            cancelled += 1
        if promise.repair_of and outcome in (Outcome.KEPT, Outcome.LATE):
            repaired += 1
    return Tally(kept, late, broken, unanswered, cancelled, repaired, renegotiated)


def is_scored(promise: Promise) -> bool:
    return promise.outcome is not None and promise.outcome.scored
