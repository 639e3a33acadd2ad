"""Local wall-clock times to instants, across daylight-saving changes.

"Tomorrow at 9" means 09:00 on the user's clock that day, whatever the offset; a wall
time skipped by a spring-forward change moves to the first minute that exists, and a
time repeated by a fall-back change takes its first occurrence. Both rules are shared by
one-off promises and routines so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class WallTime:
    """An instant for a wall-clock time, and whether the clock had to move it."""

    at: datetime  # aware, in the zone asked for
    skipped: bool  # the wall time does not exist that day (clocks went forward)


def exists(naive: datetime, tz: ZoneInfo) -> bool:
    """Whether this wall-clock reading happens at all in the zone."""
    aware = naive.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) == naive.replace(fold=0)


def local(naive: datetime, tz: ZoneInfo) -> WallTime:
    """The first instant at or after the wall time `naive` (fold=0 when it repeats)."""
    naive = naive.replace(tzinfo=None, fold=0)
    if exists(naive, tz):
        return WallTime(naive.replace(tzinfo=tz), skipped=False)
    # In a gap: fold=1 reads the time with the offset after the change, fold=0 with the
    # offset before; the change itself lies between those two instants.
    lo = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if lo > hi:
        lo, hi = hi, lo
    after = hi.astimezone(tz).utcoffset()
    while hi - lo > _MINUTE:
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    first = hi.astimezone(tz)
    # Changes happen on whole minutes; never land between them.
    if first.second or first.microsecond:
        first = (first.replace(second=0, microsecond=0) + _MINUTE).astimezone(tz)
    return WallTime(first, skipped=True)


def at_clock(day: date, hour: int, minute: int, tz: ZoneInfo) -> WallTime:
    return local(datetime.combine(day, time(hour, minute)), tz)


def skipped_note(day: date, hour: int, minute: int, moved_to: datetime) -> str:
    """The sentence shown when a promise lands in a spring-forward gap."""
    when = f"{day:%a} {day.day} {day:%b}"
    return (
        f"{hour:02d}:{minute:02d} doesn't exist on {when} (clocks go forward)"
        f" — set for {moved_to:%H:%M}"
    )
