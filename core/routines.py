"""Which occurrences of a routine are due, as pure functions of (routine, now, tz).

After downtime a routine asks once, for its latest missed occurrence; older missed
occurrences are skipped (not scored) and reported, so a week away never floods the
user with seven check-ins for the same habit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.models import Routine
from core.timephrase import next_occurrence

# Missed occurrences older than this are not even listed: the report names the
# days the bot was away, and a week (plus a day of slack) covers any report.
LOOKBACK = timedelta(days=8)

Window = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class DueOccurrences:
    latest: datetime | None  # the occurrence to check in now, if any
    skipped: tuple[datetime, ...]  # older missed occurrences, not scored

    @property
    def downtime(self) -> Window | None:
        """The offline stretch a catch-up reveals: first skipped occurrence to the latest."""
        if self.latest is None or not self.skipped:
            return None
        return (self.skipped[0].astimezone(UTC), self.latest.astimezone(UTC))


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


def is_behind(routine: Routine, now: datetime, tz: ZoneInfo) -> bool:
    """True when an occurrence fell due since the routine last asked.

    Outside a restart this means the bot did not miss it: the user blocked the bot or
    moved to a time zone where the hour had already passed. Such a routine starts again
    from now instead of asking late and calling it downtime.
    """
    return not routine.paused and next_occurrence(routine.rule, since(routine), tz) <= now


def add_window(windows: Sequence[Window], window: Window, now: datetime) -> tuple[Window, ...]:
    """Record an offline stretch: overlapping ones merge, ones too old to report drop.

    Every routine of a user reveals the same outage, so without merging a user with 50
    routines would keep 50 copies of it.
    """
    kept = sorted(w for w in windows if w[1] >= now - LOOKBACK)
    began, ended = window
    rest: list[Window] = []
    for other in kept:
        if other[0] <= ended and began <= other[1]:
            began, ended = min(began, other[0]), max(ended, other[1])
        else:
            rest.append(other)
    return tuple(sorted([*rest, (began, ended)]))
