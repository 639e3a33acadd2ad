"""When a routine falls next, and how its schedule reads to a person.

A routine is a set of weekdays at a local wall time; its occurrences follow the user's
clock through daylight-saving changes (08:00 stays 08:00).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.models import Recurrence
from core.timephrase_wall import at_clock

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def next_occurrence(rule: Recurrence, after: datetime, tz: ZoneInfo) -> datetime:
    """The first local occurrence strictly after `after` (aware), DST-correct (08:00 stays
    08:00 local; a nonexistent local time moves forward to the first valid minute). Returned
    aware in tz."""
    days = {d for d in rule.days if 0 <= d <= 6}
    if not days:
        raise ValueError("a routine needs at least one weekday (0=Monday .. 6=Sunday)")
    after = after.astimezone(UTC)  # same-zone comparisons would ignore the DST fold
    start = after.astimezone(tz).date()
    # Eight days always reach the next matching weekday; a few more cover a calendar day
    # that a time-zone change removed altogether.
    for offset in range(15):
        day = start + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        at = at_clock(day, rule.hour, rule.minute, tz).at
        if at > after:
            return at
    raise ValueError("no occurrence found within two weeks")  # pragma: no cover


def clock_text(hour: int, minute: int, clock24: bool = True) -> str:
    if clock24:
        return f"{hour:02d}:{minute:02d}"
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"


def days_text(days: tuple[int, ...]) -> str:
    wanted = tuple(sorted({d for d in days if 0 <= d <= 6}))
    if wanted == EVERY_DAY:
        return "Daily"
    if wanted == WEEKDAYS:
        return "Weekdays"
    names = [DAY_NAMES[d] for d in wanted]
    if not names:
        return "Never"
    if len(names) == 1:
        return f"{names[0]}s"
    if len(names) == 2:
        return f"{names[0]}s and {names[1]}s"
    short = [n[:3] for n in names]
    return f"{', '.join(short[:-1])} and {short[-1]}"


def describe_recurrence(rule: Recurrence, clock24: bool = True) -> str:
    """ "Daily at 08:00", "Weekdays at 09:00", "Mondays at 10:00", "Saturdays and Sundays at
    10:00", "Mon, Wed and Fri at 07:30"; 12h clock → "8:00 AM"."""
    return f"{days_text(rule.days)} at {clock_text(rule.hour, rule.minute, clock24)}"
