"""Local wall-clock times to instants, across daylight-saving changes.

"Tomorrow at 9" means 09:00 on the user's clock that day, whatever the offset; a wall
time skipped by a spring-forward change moves to the first minute that exists, and a
time repeated by a fall-back change takes its first occurrence. Both rules are shared by
one-off promises and routines so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class WallTime:
    """An instant for a wall-clock time, and whether the clock had to move it."""

    at: datetime  # aware, in the zone asked for
    skipped: bool  # the wall time does not exist that day (clocks went forward)


def _reading(
    day: date, hour: int, minute: int, second: int, micro: int, tz: ZoneInfo
) -> tuple[datetime, bool]:
    """The reading with fold=0, and whether it falls in a gap.

    By PEP 495 a reading inside a gap takes the offset from before the change with fold=0
    and the one from after it with fold=1; only in a gap is the first the smaller.
    (Built with the constructor: datetime.replace is several times slower.)
    """
    ymd = (day.year, day.month, day.day)
    first = datetime(*ymd, hour, minute, second, micro, tzinfo=tz)
    second_reading = datetime(*ymd, hour, minute, second, micro, tzinfo=tz, fold=1)
    before, after = first.utcoffset(), second_reading.utcoffset()
    return first, before is not None and after is not None and before < after


def _offsets(naive: datetime, tz: ZoneInfo) -> tuple[datetime, bool]:
    return _reading(naive.date(), naive.hour, naive.minute, naive.second, naive.microsecond, tz)


def exists(naive: datetime, tz: ZoneInfo) -> bool:
    """Whether this wall-clock reading happens at all in the zone."""
    return not _offsets(naive, tz)[1]


def local(naive: datetime, tz: ZoneInfo) -> WallTime:
    """The first instant at or after the wall time `naive` (fold=0 when it repeats)."""
    return _settled(*_offsets(naive, tz), tz)


def _settled(first: datetime, in_gap: bool, tz: ZoneInfo) -> WallTime:
    if not in_gap:
        return WallTime(first, skipped=False)
    # In a gap: fold=1 reads the time with the offset after the change, fold=0 with the
    # offset before; the change itself lies between those two instants.
    lo = first.replace(fold=1).astimezone(UTC)
    hi = first.astimezone(UTC)
    if lo > hi:
        lo, hi = hi, lo
    after = hi.astimezone(tz).utcoffset()
    while hi - lo > _MINUTE:
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    moved = hi.astimezone(tz)
    # Changes happen on whole minutes; never land between them.
    if moved.second or moved.microsecond:
        moved = (moved.replace(second=0, microsecond=0) + _MINUTE).astimezone(tz)
    return WallTime(moved, skipped=True)


def at_clock(day: date, hour: int, minute: int, tz: ZoneInfo) -> WallTime:
    return _settled(*_reading(day, hour, minute, 0, 0, tz), tz)


def skipped_note(day: date, hour: int, minute: int, moved_to: datetime) -> str:
    """The sentence shown when a promise lands in a spring-forward gap."""
    when = f"{day:%a} {day.day} {day:%b}"
    return (
        f"{hour:02d}:{minute:02d} doesn't exist on {when} (clocks go forward)"
        f" — set for {moved_to:%H:%M}"
    )
