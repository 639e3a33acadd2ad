"""Which occurrences of a routine are due, as pure functions of (routine, now, tz).

After downtime a routine asks once, for its latest missed occurrence; older missed
occurrences are skipped (not scored) and reported, so a week away never floods the
user with seven check-ins for the same habit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.models import Routine
from core.timephrase import next_occurrence

# Missed occurrences older than this are not even listed: the report names the
# days the bot was away, and a week (plus a day of slack) covers any report.
LOOKBACK = timedelta(days=8)


@dataclass(frozen=True, slots=True)
class DueOccurrences:
    latest: datetime | None  # the occurrence to check in now, if any
    skipped: tuple[datetime, ...]  # older missed occurrences, not scored


def since(routine: Routine) -> datetime:
    """Occurrences strictly after this instant are still to come."""
    return routine.last_occurrence or routine.created


def due_occurrences(routine: Routine, now: datetime, tz: ZoneInfo) -> DueOccurrences:
    if routine.paused:
        return DueOccurrences(None, ())
    found: list[datetime] = []
    at = max(since(routine), now - LOOKBACK)
    while (at := next_occurrence(routine.rule, at, tz)) <= now:
        found.append(at)
    if not found:
        return DueOccurrences(None, ())
    return DueOccurrences(found[-1], tuple(found[:-1]))


def next_after(routine: Routine, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When the routine next asks; None while it is paused."""
    if routine.paused:
        return None
    return next_occurrence(routine.rule, max(now, since(routine)), tz)
