"""Time phrases the way the world writes them: a table written from public parsers' tests.

The phrases come from reading how other parsers' test suites and people in chat write
times — Duckling's English corpus (reference Tue 12 Feb 2013 04:30), chrono's English
tests (casual, time expressions, weekdays, "later"/"from now"), dateparser's relative and
search tests, timefhuman and parsedatetime — each wrapped as a promise ("call mom
<phrase>"). The expected due time is written here from what the phrase means under
Keepword's documented rules (docs/TIME-PHRASES.md: a bare hour is the next of its morning
and evening, a day alone is 09:00, a weekday is the next one after today, "in 2 hours" is
real time, "in 3 days" keeps the time of day), computed by the small helpers below from
each reference time — never copied from the parser's output.

Each phrase is tried at six reference times in six zones, including days when the clocks
change. `want` is a local wall time "YYYY-MM-DD HH:MM", or ASK where the right answer is
a question or a refusal (a range, a past day, an interval, a holiday with a moving date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

ASK = "ASK"


@dataclass(frozen=True, slots=True)
class WorldCase:
    text: str
    now: str  # local wall time in `tz`
    tz: str
    want: str  # "YYYY-MM-DD HH:MM" local, or ASK

    def now_aware(self) -> datetime:
        return datetime.fromisoformat(self.now).replace(tzinfo=ZoneInfo(self.tz))


@dataclass(frozen=True, slots=True)
class _Ref:
    now: str
    tz: str

    @property
    def local(self) -> datetime:
        return datetime.fromisoformat(self.now).replace(tzinfo=ZoneInfo(self.tz))


REFS = (
    _Ref("2026-11-23 14:00", "Europe/Berlin"),  # an ordinary Monday afternoon
    _Ref("2013-02-12 04:30", "Asia/Tokyo"),  # Duckling's reference, a Tuesday before dawn
    _Ref("2026-03-07 12:00", "America/New_York"),  # Saturday; clocks go forward that night
    _Ref("2026-10-03 22:00", "Australia/Sydney"),  # Saturday night; forward at 02:00
    _Ref("2026-10-24 18:00", "Europe/London"),  # Saturday evening; clocks go back that night
    _Ref("2012-08-10 12:00", "Asia/Kolkata"),  # chrono's reference, a Friday noon
)

Want = Callable[[_Ref], str]


# ----------------------------------------------------------------------------- wall time


def _wall(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    """`day` at hour:minute on the clock; a skipped time moves to the first that exists."""
    naive = datetime(day.year, day.month, day.day, hour, minute)
    for step in range(0, 181):
        candidate = naive + timedelta(minutes=step)
        aware = candidate.replace(tzinfo=tz)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == candidate:
            return aware
    raise ValueError("no such time")  # pragma: no cover


def _show(when: datetime, ref: _Ref) -> str:
    now = ref.local.astimezone(UTC)
    due = when.astimezone(UTC)
    if due <= now or due - now > timedelta(days=366):
        return ASK
    return when.astimezone(ZoneInfo(ref.tz)).strftime("%Y-%m-%d %H:%M")


def _today(ref: _Ref) -> date:
    return ref.local.date()


def ask(ref: _Ref) -> str:
    return ASK


def rel(minutes: float = 0, seconds: float = 0) -> Want:
    """Real elapsed time from now."""

    def want(ref: _Ref) -> str:
        due = ref.local.astimezone(UTC) + timedelta(minutes=minutes, seconds=seconds)
        return _show(due.astimezone(ZoneInfo(ref.tz)), ref)

    return want


def days(count: int, extra_minutes: float = 0) -> Want:
    """Whole days later at the same time of day (then any extra real minutes)."""

    def want(ref: _Ref) -> str:
        local = ref.local
        moved = _wall(local.date() + timedelta(days=count), local.hour, local.minute, local.tzinfo)  # type: ignore[arg-type]
        return _show(moved + timedelta(minutes=extra_minutes), ref)

    return want


def months(count: int) -> Want:
    def want(ref: _Ref) -> str:
        local = ref.local
        year, month = divmod(local.month - 1 + count, 12)
        day = local.date()
        for last in (31, 30, 29, 28):
            try:
                day = date(local.year + year, month + 1, min(local.day, last))
                break
            except ValueError:
                continue
        return _show(_wall(day, local.hour, local.minute, ZoneInfo(ref.tz)), ref)

    return want


def clock(hour: int, minute: int = 0) -> Want:
    """A 24-hour or am/pm time: today if still ahead, else tomorrow."""

    def want(ref: _Ref) -> str:
        tz = ZoneInfo(ref.tz)
        today = _today(ref)
        first = _wall(today, hour, minute, tz)
        if first > ref.local:
            return _show(first, ref)
        return _show(_wall(today + timedelta(days=1), hour, minute, tz), ref)

    return want


def bare(hour: int, minute: int = 0) -> Want:
    """An hour 1–12 with no am/pm: the next of its morning and evening (12: noon, then 00)."""

    def want(ref: _Ref) -> str:
        tz = ZoneInfo(ref.tz)
        today = _today(ref)
        if hour == 12:
            options = [(today, 12), (today + timedelta(days=1), 0)]
        else:
            options = [(today, hour), (today, hour + 12)]
        for day, h in options:
            when = _wall(day, h, minute, tz)
            if when > ref.local:
                return _show(when, ref)
        return _show(_wall(today + timedelta(days=1), options[0][1], minute, tz), ref)

    return want


def part(hour: int, *, next_one: bool = False) -> Want:
    """A part of the day: today at `hour`; once passed, an hour from now (or tomorrow)."""

    def want(ref: _Ref) -> str:
        tz = ZoneInfo(ref.tz)
        when = _wall(_today(ref), hour, 0, tz)
        if when > ref.local:
            return _show(when, ref)
        if next_one:
            return _show(_wall(_today(ref) + timedelta(days=1), hour, 0, tz), ref)
        return rel(60)(ref)

    return want


def on(day_of: Callable[[date], date | None], hour: int = 9, minute: int = 0) -> Want:
    """A named day (09:00 unless a time is given); ASK where no such day is ahead."""

    def want(ref: _Ref) -> str:
        found = day_of(_today(ref))
        if found is None:
            return ASK
        if found == _today(ref) and (hour, minute) == (9, 0):
            # a day that is today with no time reads as "today": 18:00
            return _show(_wall(found, 18, 0, ZoneInfo(ref.tz)), ref)
        return _show(_wall(found, hour, minute, ZoneInfo(ref.tz)), ref)

    return want


# ----------------------------------------------------------------------------- days


def plus(n: int) -> Callable[[date], date]:
    return lambda today: today + timedelta(days=n)


def weekday(number: int, weeks_after: int = 0) -> Callable[[date], date]:
    """The next such weekday after today (never today), then `weeks_after` weeks on."""

    def find(today: date) -> date:
        ahead = (number - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead + 7 * weeks_after)

    return find


def of_next_week(number: int) -> Callable[[date], date]:
    return lambda today: today - timedelta(days=today.weekday()) + timedelta(days=7 + number)


def weekend(today: date) -> date:
    if today.weekday() == 5:
        return today + timedelta(days=1)
    return today + timedelta(days=(5 - today.weekday() - 1) % 7 + 1)


def calendar(month: int, day: int) -> Callable[[date], date | None]:
    """That date the next time it comes round, today included."""

    def find(today: date) -> date | None:
        for year in (today.year, today.year + 1):
            try:
                found = date(year, month, day)
            except ValueError:
                continue
            if found >= today:
                return found
        return None

    return find


def month_day(number: int) -> Callable[[date], date | None]:
    """ "on the 5th": this month's if still to come, else the next month that has it."""

    def find(today: date) -> date | None:
        year, month = today.year, today.month
        for _ in range(3):
            try:
                found = date(year, month, number)
                if found >= today:
                    return found
            except ValueError:
                pass
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None

    return find


def nth_weekday(order: int, number: int, month: int) -> Callable[[date], date | None]:
    """The order-th (-1: last) weekday of the next such month, not before today."""

    def find(today: date) -> date | None:
        for year in (today.year, today.year + 1):
            first = date(year, month, 1)
            days_in = [first + timedelta(days=i) for i in range(31)]
            days_in = [d for d in days_in if d.month == month and d.weekday() == number]
            found = days_in[order] if order == -1 else days_in[order - 1]
            if found >= today:
                return found
        return None

    return find


def day_of_next_month(number: int) -> Callable[[date], date | None]:
    def find(today: date) -> date | None:
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        try:
            return date(year, month, number)
        except ValueError:
            return None

    return find


def first_of_next_month(number: int) -> Callable[[date], date]:
    def find(today: date) -> date:
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        first = date(year, month, 1)
        return first + timedelta(days=(number - first.weekday()) % 7)

    return find


# ----------------------------------------------------------------------------- phrases

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

PHRASES: tuple[tuple[str, Want], ...] = (
    # Duckling: relative amounts
    ("in a sec", rel(15)),
    ("in a minute", rel(1)),
    ("in one minute", rel(1)),
    ("in 1'", rel(1)),
    ("in 2 minutes", rel(2)),
    ("in 2 more minutes", rel(2)),
    ("2 minutes from now", rel(2)),
    ("in a couple of minutes", rel(2)),
    ("in a pair of minutes", rel(2)),
    ("in three minutes", rel(3)),
    ("in a few minutes", rel(3)),
    ("in 60 minutes", rel(60)),
    ("in 15 minutes", rel(15)),
    ("in 15'", rel(15)),
    ("in a quarter of an hour", rel(15)),
    ("in 1/4h", rel(15)),
    ("in 1/4 hour", rel(15)),
    ("in half an hour", rel(30)),
    ("in 1/2h", rel(30)),
    ("in 1/2 hour", rel(30)),
    ("in three-quarters of an hour", rel(45)),
    ("in 3/4h", rel(45)),
    ("in 3/4 hour", rel(45)),
    ("in 2.5 hours", rel(150)),
    ("in 2 and an half hours", rel(150)),
    ("in one hour", rel(60)),
    ("in 1h", rel(60)),
    ("in a couple hours", rel(120)),
    ("in a couple of hours", rel(120)),
    ("in a few hours", rel(180)),
    ("in few hours", rel(180)),
    ("in 24 hours", rel(24 * 60)),
    ("in 24hrs", rel(24 * 60)),
    ("in about half an hour", rel(30)),
    ("in a day", days(1)),
    ("a day from now", days(1)),
    ("in 7 days", days(7)),
    ("in 1 week", days(7)),
    ("in a week", days(7)),
    ("7 days hence", days(7)),
    ("14 days hence", days(14)),
    ("a fortnight hence", days(14)),
    ("1 week hence", days(7)),
    ("three weeks hence", days(21)),
    ("in 7 days at 5pm", on(plus(7), 17)),
    ("7 days ago", ask),
    ("a week ago", ask),
    ("three months ago", ask),
    ("yesterday", ask),
    ("last tuesday", ask),
    ("last week", ask),
    ("next 3 days", ask),
    ("last 2 minutes", ask),
    # chrono: later / from now / within
    ("5 minutes later", rel(5)),
    ("2 days later", days(2)),
    ("3 weeks later", days(21)),
    ("3w later", days(21)),
    ("3mo later", months(3)),
    ("5 days from now", days(5)),
    ("10 days from now", days(10)),
    ("15 minute from now", rel(15)),
    ("12 hours from now", rel(720)),
    ("12 hrs from now", rel(720)),
    ("half an hour from now", rel(30)),
    ("12 seconds from now", rel(0, 12)),
    ("three seconds from now", rel(0, 3)),
    ("in 1 hour", rel(60)),
    ("in 1.5 hours", rel(90)),
    ("in 1d 2hr 5min", days(1, 125)),
    ("in 1d, 2hr, and 5min", days(1, 125)),
    ("within 2 weeks", days(14)),
    ("in 2 weeks", days(14)),
    ("in 3 days", days(3)),
    ("in 5 minutes", rel(5)),
    ("in 20 mins", rel(20)),
    ("in 45 min", rel(45)),
    ("in 90 minutes", rel(90)),
    ("in an hour and a half", rel(90)),
    ("in 2h30", rel(150)),
    ("in 1 hour 30 minutes", rel(90)),
    ("in 2 hours and 15 minutes", rel(135)),
    ("in twenty minutes", rel(20)),
    ("in twenty-five minutes", rel(25)),
    ("next hour", rel(60)),
    ("in a month", months(1)),
    ("in 2 months", months(2)),
    ("10 minutes from now", rel(10)),
    ("2 day after tomorrow", on(plus(3))),
    ("a week after tomorrow", on(plus(8))),
    ("the day after tomorrow", on(plus(2))),
    ("day after tomorrow 5pm", on(plus(2), 17)),
    # clock times: Duckling and chrono
    ("at 3am", clock(3)),
    ("3 in the AM", clock(3)),
    ("at 3 AM", clock(3)),
    ("3 oclock am", clock(3)),
    ("at three am", clock(3)),
    ("3:18am", clock(3, 18)),
    ("3:18a", clock(3, 18)),
    ("at 3pm", clock(15)),
    ("@ 3pm", clock(15)),
    ("3PM", clock(15)),
    ("3pm", clock(15)),
    ("3 oclock pm", clock(15)),
    ("3 o'clock in the afternoon", clock(15)),
    ("3ish pm", clock(15)),
    ("3pm approximately", clock(15)),
    ("at about 3pm", clock(15)),
    ("at 3p", clock(15)),
    ("15h00", clock(15)),
    ("at 15h00", clock(15)),
    ("at 15h", clock(15)),
    ("at 15 past 3pm", clock(15, 15)),
    ("a quarter past 3pm", clock(15, 15)),
    ("3:15 in the afternoon", clock(15, 15)),
    ("15:15", clock(15, 15)),
    ("15h15", clock(15, 15)),
    ("3:15pm", clock(15, 15)),
    ("3:15PM", clock(15, 15)),
    ("3:15p", clock(15, 15)),
    ("15 minutes past 3pm", clock(15, 15)),
    ("at 20 past 3pm", clock(15, 20)),
    ("3:20 in the afternoon", clock(15, 20)),
    ("twenty after 3pm", clock(15, 20)),
    ("3:20p", clock(15, 20)),
    ("15h20", clock(15, 20)),
    ("20 minutes past 3pm", clock(15, 20)),
    ("this afternoon at 3:20", clock(15, 20)),
    ("at half past three pm", clock(15, 30)),
    ("half past 3 pm", clock(15, 30)),
    ("15:30", clock(15, 30)),
    ("15h30", clock(15, 30)),
    ("3:30pm", clock(15, 30)),
    ("330 p.m.", clock(15, 30)),
    ("3:30 p m", clock(15, 30)),
    ("30 minutes past 3 pm", clock(15, 30)),
    ("at 15 past noon", clock(12, 15)),
    ("a quarter past noon", clock(12, 15)),
    ("12:15pm", clock(12, 15)),
    ("12h15", clock(12, 15)),
    ("15 minutes past noon", clock(12, 15)),
    ("nine fifty nine a m", clock(9, 59)),
    ("15:23:24", clock(15, 23)),
    ("9:01:10 AM", clock(9, 1)),
    ("11:00:00 PM", clock(23, 0)),
    ("a quarter to noon", clock(11, 45)),
    ("11:45am", clock(11, 45)),
    ("11h45", clock(11, 45)),
    ("15 to noon", clock(11, 45)),
    ("a quarter past 1pm", clock(13, 15)),
    ("1:15pm", clock(13, 15)),
    ("13h15", clock(13, 15)),
    ("15 minutes from 1pm", clock(13, 15)),
    ("a quarter past 8pm", clock(20, 15)),
    ("at 12pm", clock(12)),
    ("at noon", clock(12)),
    ("midday", clock(12)),
    ("mid day", clock(12)),
    ("at 12am", clock(0)),
    ("at midnight", clock(0)),
    ("at 1:30pm", clock(13, 30)),
    ("1:30pm", clock(13, 30)),
    ("10:30 am", clock(10, 30)),
    ("ten thirty am", clock(10, 30)),
    ("seven thirty p.m.", clock(19, 30)),
    ("4:23am", clock(4, 23)),
    ("four twenty-three a m", clock(4, 23)),
    ("20:32:13", clock(20, 32)),
    ("11 AM", clock(11)),
    ("at 11a", clock(11)),
    ("at 19:00", clock(19)),
    ("by 2:00pm", clock(14)),
    ("at 7", bare(7)),
    ("at 1", bare(1)),
    ("at 12", bare(12)),
    ("at 12.30", bare(12, 30)),
    ("at three twenty", bare(3, 20)),
    ("at 3 15", bare(3, 15)),
    ("12 15", bare(12, 15)),
    ("around 1030", bare(10, 30)),
    ("at 1030", bare(10, 30)),
    ("at 1730", clock(17, 30)),
    ("at 6:30", bare(6, 30)),
    ("at quarter to 8", bare(7, 45)),
    ("at half past 7", bare(7, 30)),
    ("half three", bare(3, 30)),
    ("at 7 o'clock", bare(7)),
    # parts of the day
    ("8 tonight", clock(20)),
    ("eight tonight", clock(20)),
    ("8 this evening", clock(20)),
    ("at 8 in the evening", clock(20)),
    ("at 730 in the evening", clock(19, 30)),
    ("11 at night", clock(23)),
    ("11 tonight", clock(23)),
    ("tonight at 8", clock(20)),
    ("tonight 8pm", clock(20)),
    ("6 in the afternoon", clock(18)),
    ("tonight at 11", clock(23)),
    ("tonight at 8 o'clock", clock(20)),
    ("tonight @ 3:20", ask),
    ("tonight", part(20)),
    ("this evening", part(19)),
    ("this afternoon", part(15)),
    ("at lunch", part(12)),
    ("before bed", part(22)),
    ("end of day", part(18)),
    ("by EOD", part(18)),
    ("in the morning", part(9, next_one=True)),
    ("late tonight", part(22)),
    ("after lunch", part(13)),
    ("at dinner", part(19)),
    ("b4 bed", part(22)),
    # days
    ("tomorrow", on(plus(1))),
    ("tomorrows", on(plus(1))),
    ("tmrw", on(plus(1))),
    ("tomorrow at 5pm", on(plus(1), 17)),
    ("at 5pm tomorrow", on(plus(1), 17)),
    ("3pm tomorrow", on(plus(1), 15)),
    ("4pm tomorrow", on(plus(1), 16)),
    ("tomorrow afternoon at 5", on(plus(1), 17)),
    ("at 5 tomorrow afternoon", on(plus(1), 17)),
    ("tomorrow afternoon", on(plus(1), 15)),
    ("tomorrow evening", on(plus(1), 19)),
    ("tomorrow morning", on(plus(1), 9)),
    ("tomorrow lunch", on(plus(1), 12)),
    ("tomorrow at lunch", on(plus(1), 12)),
    ("tomorrow night", on(plus(1), 20)),
    ("tomorrow before 4pm", on(plus(1), 16)),
    ("tomorrow at noon", on(plus(1), 12)),
    ("noon tomorrow", on(plus(1), 12)),
    ("tomorrow at 7", on(plus(1), 7)),
    ("tomorrow at 2", on(plus(1), 14)),
    ("next day", on(plus(1))),
    ("the following day", on(plus(1))),
    ("monday", on(weekday(MON))),
    ("mon.", on(weekday(MON))),
    ("this monday", on(weekday(MON))),
    ("tuesday", on(weekday(TUE))),
    ("thursday", on(weekday(THU))),
    ("thu", on(weekday(THU))),
    ("thu.", on(weekday(THU))),
    ("friday", on(weekday(FRI))),
    ("fri", on(weekday(FRI))),
    ("fri.", on(weekday(FRI))),
    ("saturday", on(weekday(SAT))),
    ("sunday", on(weekday(SUN))),
    ("on sat", on(weekday(SAT))),
    ("next sat", on(weekday(SAT))),
    ("sat at 10", on(weekday(SAT), 10)),
    ("sat morning", on(weekday(SAT))),
    ("sun 9am", on(weekday(SUN))),
    ("thurs", on(weekday(THU))),
    ("on Friday", on(weekday(FRI))),
    ("by Friday", on(weekday(FRI))),
    ("this coming friday", on(weekday(FRI))),
    ("friday evening", on(weekday(FRI), 19)),
    ("monday morning", on(weekday(MON))),
    ("monday mOrnIng", on(weekday(MON))),
    ("monday early morning", on(weekday(MON), 7)),
    ("on Tuesday morning", on(weekday(TUE))),
    ("at 9am on Saturday", on(weekday(SAT))),
    ("Saturday morning at 9", on(weekday(SAT))),
    ("on Saturday for 9am", on(weekday(SAT))),
    ("on Wednesday at 6pm", on(weekday(WED), 18)),
    ("Thursday at 8", on(weekday(THU), 8)),
    ("friday at 2", on(weekday(FRI), 14)),
    ("wednesday of next week", on(of_next_week(WED))),
    ("wednesday next week", on(of_next_week(WED))),
    ("friday of next week", on(of_next_week(FRI))),
    ("on Friday next week", on(of_next_week(FRI))),
    ("on Tuesday, next week", on(of_next_week(TUE))),
    ("next week friday", on(of_next_week(FRI))),
    ("friday after next", on(weekday(FRI, 1))),
    ("wednesday after next", on(weekday(WED, 1))),
    ("3 fridays from now", on(weekday(FRI, 2))),
    ("three fridays from now", on(weekday(FRI, 2))),
    ("2 sundays from now", on(weekday(SUN, 1))),
    ("two sundays from now", on(weekday(SUN, 1))),
    ("4 tuesdays from now", on(weekday(TUE, 3))),
    ("next week", on(weekday(MON))),
    ("the following week", on(weekday(MON))),
    ("upcoming week", on(weekday(MON))),
    ("this weekend", on(weekend)),
    ("this week-end", on(weekend)),
    ("on the weekend", on(weekend)),
    ("first tuesday of october", on(nth_weekday(1, TUE, 10))),
    ("first tuesday in october", on(nth_weekday(1, TUE, 10))),
    ("last friday of october", on(nth_weekday(-1, FRI, 10))),
    ("last Monday of March", on(nth_weekday(-1, MON, 3))),
    ("second wednesday of october", on(nth_weekday(2, WED, 10))),
    ("third tuesday of september", on(nth_weekday(3, TUE, 9))),
    # dates
    ("the 1st of march", on(calendar(3, 1))),
    ("first of march", on(calendar(3, 1))),
    ("march first", on(calendar(3, 1))),
    ("the second of march", on(calendar(3, 2))),
    ("march 3", on(calendar(3, 3))),
    ("the third of march", on(calendar(3, 3))),
    ("the 15th of february", on(calendar(2, 15))),
    ("15 of february", on(calendar(2, 15))),
    ("february the 15th", on(calendar(2, 15))),
    ("february 15", on(calendar(2, 15))),
    ("15th february", on(calendar(2, 15))),
    ("Aug 8", on(calendar(8, 8))),
    ("4th of July", on(calendar(7, 4))),
    ("4 of july", on(calendar(7, 4))),
    ("May twenty-fourth", on(calendar(5, 24))),
    ("Dec 5th at 3pm", on(calendar(12, 5), 15)),
    ("5 Dec at 14:30", on(calendar(12, 5), 14, 30)),
    ("December 25", on(calendar(12, 25))),
    ("christmas", on(calendar(12, 25))),
    ("xmas", on(calendar(12, 25))),
    ("xmas at 6 pm", on(calendar(12, 25), 18)),
    ("new year's eve", on(calendar(12, 31))),
    ("new years day", on(calendar(1, 1))),
    ("valentine's day", on(calendar(2, 14))),
    ("halloween", on(calendar(10, 31))),
    ("on the 15th", on(month_day(15))),
    ("on the first", on(month_day(1))),
    ("the 1st", on(month_day(1))),
    ("20th of next month", on(day_of_next_month(20))),
    ("20 of next month", on(day_of_next_month(20))),
    ("20th day of next month", on(day_of_next_month(20))),
    ("the first Monday of next month", on(first_of_next_month(MON))),
    # asked: intervals, ranges, moving holidays, vague spans
    ("3-4pm", ask),
    ("from 3 to 4 in the PM", ask),
    ("8am - 1pm", ask),
    ("between 9:30 and 11:00 on thursday", ask),
    ("9:30 - 11:00", ask),
    ("next month", ask),
    ("in March", ask),
    ("this week", ask),
    ("next year", ask),
    ("thanksgiving", ask),
    ("mother's day", ask),
    ("this summer", ask),
    ("early March", ask),
    ("last night", ask),
    ("the ides of march", ask),
    ("4/25 at 4:00pm", ask),
    ("on 2/15", ask),
    ("Thursday from 9a to 11a", ask),
    ("this Thu 9-11am", ask),
    ("4pm CET", ask),
    ("Thursday 8:00 GMT", ask),
    ("in 10-15 minutes", ask),
    ("at 7 or 8", ask),
    ("7 or 8pm", ask),
    ("in an hour or two", ask),
    ("in 1 or 2 hours", ask),
    ("at 7 pm or so", clock(19)),
)


def _cases() -> tuple[WorldCase, ...]:
    rows: list[WorldCase] = []
    for text, want in PHRASES:
        for ref in REFS:
            rows.append(WorldCase(f"call mom {text}", ref.now, ref.tz, want(ref)))
    return tuple(rows)


WORLD: tuple[WorldCase, ...] = _cases()
