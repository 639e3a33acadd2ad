"""The time-phrase table: what Keepword must read from a message, with an explicit `now`.

Plain data so that both the tests and bench/parse.py use the same corpus. Each row says
what the user wrote, when (local wall time in `tz`; an ambiguous fall-back time means its
first occurrence), and what must come out:

- ``"YYYY-MM-DD HH:MM"`` — a one-off promise due then, local time in `tz`; a trailing
  ``" +HH:MM"`` pins the UTC offset where a fall-back hour makes the wall time ambiguous;
- ``"NEEDS"`` — no time in the message: the bot asks when;
- ``"ERROR"`` — refused with a reason;
- ``"ROUTINE 0,1,2,3,4 09:00"`` — a routine on those weekdays (0 = Monday) at that time.

`task` is the expected task text (None where the row is only about the time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

BER = "Europe/Berlin"
NYC = "America/New_York"
TYO = "Asia/Tokyo"
KOL = "Asia/Kolkata"
SYD = "Australia/Sydney"

MON = "2026-11-23 14:00"  # an ordinary Monday afternoon
NEEDS = "NEEDS"
ERROR = "ERROR"
EVERY_DAY = "0,1,2,3,4,5,6"
WEEKDAYS = "0,1,2,3,4"


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    now: str
    tz: str
    want: str
    task: str | None = None

    def now_aware(self) -> datetime:
        return datetime.fromisoformat(self.now).replace(tzinfo=ZoneInfo(self.tz))

    @property
    def is_due(self) -> bool:
        return self.want not in (NEEDS, ERROR) and not self.want.startswith("ROUTINE")

    def due_matches(self, due: datetime) -> bool:
        """Whether `due` is the wanted time, to the minute (and offset, when pinned)."""
        local = due.astimezone(ZoneInfo(self.tz))
        wall, _, offset = self.want.partition(" +")
        wall, _, negative = wall.partition(" -")
        if local.strftime("%Y-%m-%d %H:%M") != wall:
            return False
        pinned = offset or negative
        if not pinned:
            return True
        sign = "+" if offset else "-"
        stamp = local.strftime("%z")
        return stamp == f"{sign}{pinned.replace(':', '')}"


def _c(text: str, want: str, task: str | None = None, now: str = MON, tz: str = BER) -> Case:
    return Case(text, now, tz, want, task)


def _r(text: str, days: str, at: str, task: str | None = None, now: str = MON) -> Case:
    return Case(text, now, BER, f"ROUTINE {days} {at}", task)


CASES: tuple[Case, ...] = (
    # --- relative, Berlin, Monday 14:00 ------------------------------------------------
    _c("call mom back in five minutes", "2026-11-23 14:05", "call mom back"),
    _c("call mom back in 5 min", "2026-11-23 14:05", "call mom back"),
    _c("in 2 hrs do the laundry", "2026-11-23 16:00", "do the laundry"),
    _c("text Sam in half an hour", "2026-11-23 14:30", "text Sam"),
    _c("leave for the airport in an hour and a half", "2026-11-23 15:30", "leave for the airport"),
    _c("in 90 minutes start the oven", "2026-11-23 15:30", "start the oven"),
    _c("call the bank in a couple of hours", "2026-11-23 16:00", "call the bank"),
    _c("reply to Anna in a few minutes", "2026-11-23 14:03", "reply to Anna"),
    _c("check the oven in a bit", "2026-11-23 14:15", "check the oven"),
    _c("call dad soon", "2026-11-23 14:15", "call dad"),
    _c("ping Joe shortly", "2026-11-23 14:15", "ping Joe"),
    _c("pay the invoice in 3 days", "2026-11-26 14:00", "pay the invoice"),
    _c("return the book in a week", "2026-11-30 14:00", "return the book"),
    _c("turn off the stove in 20 seconds", "2026-11-23 14:00", "turn off the stove"),
    _c("turn off the stove in 20 s", "2026-11-23 14:00", "turn off the stove"),
    _c("call back 10 minutes", "2026-11-23 14:10", "call back"),
    _c("in twenty five minutes feed the cat", "2026-11-23 14:25", "feed the cat"),
    _c("in twenty-five minutes feed the cat", "2026-11-23 14:25", "feed the cat"),
    _c("in sixty minutes stretch", "2026-11-23 15:00", "stretch"),
    _c("in 45 mins water the plants", "2026-11-23 14:45", "water the plants"),
    _c("stretch in 1 h", "2026-11-23 15:00", "stretch"),
    _c("stretch in 2h", "2026-11-23 16:00", "stretch"),
    _c("in 2h30 leave", "2026-11-23 16:30", "leave"),
    _c("in 1 hour 30 minutes leave", "2026-11-23 15:30", "leave"),
    _c("in 1 hour and 15 minutes leave", "2026-11-23 15:15", "leave"),
    _c("in 1.5 hours leave", "2026-11-23 15:30", "leave"),
    _c("in two and a half hours leave", "2026-11-23 16:30", "leave"),
    _c("in a quarter of an hour leave", "2026-11-23 14:15", "leave"),
    _c("in 10 min pay Sam back #money", "2026-11-23 14:10", "pay Sam back #money"),
    _c("I'll call you back in 5", "2026-11-23 14:05", "call you back"),
    _c("10 minutes from now call mom", "2026-11-23 14:10", "call mom"),
    _c("in 2 weeks renew the passport", "2026-12-07 14:00", "renew the passport"),
    _c("in a month cancel the trial", "2026-12-23 14:00", "cancel the trial"),
    _c("in a fortnight see the dentist", "2026-12-07 14:00", "see the dentist"),
    _c("take the pizza out in a sec", "2026-11-23 14:15", "take the pizza out"),
    _c("call mom asap", "2026-11-23 14:15", "call mom"),
    _c("in about 20 minutes call mom", "2026-11-23 14:20", "call mom"),
    _c("call mom in 20 mins' time", "2026-11-23 14:20", "call mom"),
    _c("in 3 days at 9 pay rent", "2026-11-26 09:00", "pay rent"),
    _c("pay rent at 9am in 3 days", "2026-11-26 09:00", "pay rent"),
    _c("in forty minutes take the cake out", "2026-11-23 14:40", "take the cake out"),
    _c("in an hour call the garage", "2026-11-23 15:00", "call the garage"),
    _c("in a minute call mom", "2026-11-23 14:01", "call mom"),
    _c("in 3 hours and a half pick up Leo", "2026-11-23 17:30", "pick up Leo"),
    # --- clock times -----------------------------------------------------------------
    _c("call mom at 7", "2026-11-23 19:00", "call mom"),
    _c("call mom by 7:30", "2026-11-23 19:30", "call mom"),
    _c("call mom at 19:00", "2026-11-23 19:00", "call mom"),
    _c("call mom 7pm", "2026-11-23 19:00", "call mom"),
    _c("call mom 7 pm", "2026-11-23 19:00", "call mom"),
    _c("call mom at 7.30pm", "2026-11-23 19:30", "call mom"),
    _c("call mom at 7:30 p.m.", "2026-11-23 19:30", "call mom"),
    _c("lunch with Ana at noon", "2026-11-24 12:00", "lunch with Ana"),
    _c("back up the server at midnight", "2026-11-24 00:00", "back up the server"),
    _c("call mom at 3", "2026-11-23 15:00", "call mom"),
    _c("call mom at 2", "2026-11-24 02:00", "call mom"),
    _c("call mom at 1", "2026-11-24 01:00", "call mom"),
    _c("call mom at 12", "2026-11-24 00:00", "call mom"),
    _c("call mom at 13", "2026-11-24 13:00", "call mom"),
    _c("call mom at 13:30", "2026-11-24 13:30", "call mom"),
    _c("call mom at 9am", "2026-11-24 09:00", "call mom"),
    _c("call mom at 07:30", "2026-11-24 07:30", "call mom"),
    _c("call mom at 0:30", "2026-11-24 00:30", "call mom"),
    _c("call mom at seven", "2026-11-23 19:00", "call mom"),
    _c("call mom seven pm", "2026-11-23 19:00", "call mom"),
    _c("call mom at half past 7", "2026-11-23 19:30", "call mom"),
    _c("call mom at quarter to 8", "2026-11-23 19:45", "call mom"),
    _c("call mom at 7 o'clock", "2026-11-23 19:00", "call mom"),
    _c("call mom 7 o'clock", "2026-11-23 19:00", "call mom"),
    _c("call mom @ 8pm", "2026-11-23 20:00", "call mom"),
    _c("call mom around 6", "2026-11-23 18:00", "call mom"),
    _c("call mom at 24:00", "2026-11-24 00:00", "call mom"),
    _c("meet Sam at the station at 7", "2026-11-23 19:00", "meet Sam at the station"),
    _c("call mom back at around 7", "2026-11-23 19:00", "call mom back"),
    _c("I may call Sam at 5", "2026-11-23 17:00", "I may call Sam"),
    _c("the second floor meeting at 4pm", "2026-11-23 16:00", "the second floor meeting"),
    _c("log in at 9", "2026-11-23 21:00", "log in"),
    _c("turn on the heating at 6pm", "2026-11-23 18:00", "turn on the heating"),
    _c("call mom at 5, no at 6", "2026-11-23 18:00", "call mom at 5, no"),
    _c("meditate for 10 minutes at 7", "2026-11-23 19:00", "meditate for 10 minutes"),
    _c("buy milk for 2.50 at 5", "2026-11-23 17:00", "buy milk for 2.50"),
    _c("reply to 5 emails at 9", "2026-11-23 21:00", "reply to 5 emails"),
    _c("pick up the kids at 3:15pm", "2026-11-23 15:15", "pick up the kids"),
    _c("pick up the kids at 3:15", "2026-11-23 15:15", "pick up the kids"),
    _c("standup at 9:30 tomorrow", "2026-11-24 09:30", "standup"),
    _c("call mom at 10 tonight", "2026-11-23 22:00", "call mom"),
    _c("call mom at 7 in the evening", "2026-11-23 19:00", "call mom"),
    _c("call mom at 10 in the morning", "2026-11-24 10:00", "call mom"),
    _c("call mom at 1 this afternoon", "2026-11-24 13:00", "call mom"),
    _c("call mom at 4 this afternoon", "2026-11-23 16:00", "call mom"),
    _c("call mom 9 tonight", "2026-11-23 21:00", "call mom"),
    _c("call mom at 6:45am", "2026-11-24 06:45", "call mom"),
    _c("call mom at 12pm", "2026-11-24 12:00", "call mom"),
    _c("call mom at 12am", "2026-11-24 00:00", "call mom"),
    _c("call mom by 16.30", "2026-11-23 16:30", "call mom"),
    _c("call mom 7 a.m.", "2026-11-24 07:00", "call mom"),
    _c("make pasta 10 minutes", "2026-11-23 14:10", "make pasta"),
    _c("Monday's report at 5", "2026-11-23 17:00", "Monday's report"),
    # --- parts of the day --------------------------------------------------------------
    _c("water the plants this morning", "2026-11-23 15:00", "water the plants"),
    _c("call the bank at lunch", "2026-11-23 15:00", "call the bank"),
    _c("call the bank this afternoon", "2026-11-23 15:00", "call the bank"),
    _c("send the report EOD", "2026-11-23 18:00", "send the report"),
    _c("send the report by end of day", "2026-11-23 18:00", "send the report"),
    _c("call mom this evening", "2026-11-23 19:00", "call mom"),
    _c("call mom tonight", "2026-11-23 20:00", "call mom"),
    _c("read before bed", "2026-11-23 22:00", "read"),
    _c("call mom in the morning", "2026-11-24 09:00", "call mom"),
    _c("call mom in the evening", "2026-11-23 19:00", "call mom"),
    _c("call mom at night", "2026-11-23 20:00", "call mom"),
    _c("call mom today", "2026-11-23 18:00", "call mom"),
    _c("call mom later today", "2026-11-23 18:00", "call mom"),
    _c("call mom lunchtime", "2026-11-23 15:00", "call mom"),
    _c("send the slides by the end of the day", "2026-11-23 18:00", "send the slides"),
    _c("floss at bedtime", "2026-11-23 22:00", "floss"),
    # --- tomorrow ----------------------------------------------------------------------
    _c("tomorrow call mom", "2026-11-24 09:00", "call mom"),
    _c("call mom tomorrow morning", "2026-11-24 09:00", "call mom"),
    _c("call mom tomorrow afternoon", "2026-11-24 15:00", "call mom"),
    _c("call mom tomorrow evening", "2026-11-24 19:00", "call mom"),
    _c("call mom tomorrow night", "2026-11-24 20:00", "call mom"),
    _c("call mom tomorrow at 7", "2026-11-24 07:00", "call mom"),
    _c("call mom tomorrow at 2", "2026-11-24 14:00", "call mom"),
    _c("call mom tomorrow at 7pm", "2026-11-24 19:00", "call mom"),
    _c("call mom tmrw at 7pm", "2026-11-24 19:00", "call mom"),
    _c("call mom tomorrow at noon", "2026-11-24 12:00", "call mom"),
    _c("call mom tomorrow at midnight", "2026-11-25 00:00", "call mom"),
    _c("call mom day after tomorrow", "2026-11-25 09:00", "call mom"),
    _c("remind me tomorrow to call mom", "2026-11-24 09:00", "call mom"),
    _c("tomorrow at 9 to call the plumber", "2026-11-24 09:00", "call the plumber"),
    _c("call mom tomorrow lunchtime", "2026-11-24 12:00", "call mom"),
    _c("call mom tomorrow at 12", "2026-11-24 12:00", "call mom"),
    _c("call mom tomorrow at 6:30", "2026-11-24 18:30", "call mom"),
    _c("call mom tomorrow before bed", "2026-11-24 22:00", "call mom"),
    _c("call mom tomorrow at 8 in the evening", "2026-11-24 20:00", "call mom"),
    _c("call mom tomorrow at 11:15", "2026-11-24 11:15", "call mom"),
    # --- weekdays ----------------------------------------------------------------------
    _c("call mom on Friday", "2026-11-27 09:00", "call mom"),
    _c("send the report by Friday", "2026-11-27 09:00", "send the report"),
    _c("Friday send the report", "2026-11-27 09:00", "send the report"),
    _c("next Monday at 9 plan the week", "2026-11-30 09:00", "plan the week"),
    _c("call mom Monday", "2026-11-30 09:00", "call mom"),
    _c("call mom this friday", "2026-11-27 09:00", "call mom"),
    _c("call mom friday evening", "2026-11-27 19:00", "call mom"),
    _c("call mom on Wednesday at 6pm", "2026-11-25 18:00", "call mom"),
    _c("call mom on wed at 6pm", "2026-11-25 18:00", "call mom"),
    _c("call mom on sat", "2026-11-28 09:00", "call mom"),
    _c("call mom Thursday at 8", "2026-11-26 08:00", "call mom"),
    _c("call mom Tue", "2026-11-24 09:00", "call mom"),
    _c("call mom on Sunday at 10", "2026-11-29 10:00", "call mom"),
    _c("call mom next week", "2026-11-30 09:00", "call mom"),
    _c("clean the garage this weekend", "2026-11-28 09:00", "clean the garage"),
    _c("call mom on Monday at midnight", "2026-12-01 00:00", "call mom"),
    _c("call mom Friday at 2", "2026-11-27 14:00", "call mom"),
    _c("call mom friday morning at 10", "2026-11-27 10:00", "call mom"),
    _c("call mom next friday at noon", "2026-11-27 12:00", "call mom"),
    _c("on Saturday at 8pm book the table", "2026-11-28 20:00", "book the table"),
    # --- dates -------------------------------------------------------------------------
    _c("pay rent on 5 Dec", "2026-12-05 09:00", "pay rent"),
    _c("pay rent Dec 5", "2026-12-05 09:00", "pay rent"),
    _c("pay rent Dec 5th at 3pm", "2026-12-05 15:00", "pay rent"),
    _c("pay rent December 5", "2026-12-05 09:00", "pay rent"),
    _c("pay rent 2026-12-05", "2026-12-05 09:00", "pay rent"),
    _c("pay rent 2026-12-05 14:30", "2026-12-05 14:30", "pay rent"),
    _c("pay rent 2026-12-05T14:30", "2026-12-05 14:30", "pay rent"),
    _c("pay rent 5th of December", "2026-12-05 09:00", "pay rent"),
    _c("pay rent on the 5th", "2026-12-05 09:00", "pay rent"),
    _c("renew the insurance 1 Jan", "2027-01-01 09:00", "renew the insurance"),
    _c("renew the insurance Jan 1 2027", "2027-01-01 09:00", "renew the insurance"),
    _c("renew the insurance 5 Dec 2026 at 9", "2026-12-05 09:00", "renew the insurance"),
    _c("pay taxes on 1 Mar", "2027-03-01 09:00", "pay taxes"),
    _c("call mom 22 Nov", "2027-11-22 09:00", "call mom"),
    _c("call mom 23 Nov", "2026-11-23 18:00", "call mom"),
    _c("call mom 23 Nov at 18:00", "2026-11-23 18:00", "call mom"),
    _c("call mom on May 5 at 10", "2027-05-05 10:00", "call mom"),
    _c("call mom 24 Nov at 8pm", "2026-11-24 20:00", "call mom"),
    _c("call mom Dec 5 at 2", "2026-12-05 14:00", "call mom"),
    _c("send the card by 24 December", "2026-12-24 09:00", "send the card"),
    _c("book flights on 3rd Feb at 18:00", "2027-02-03 18:00", "book flights"),
    # --- refused -----------------------------------------------------------------------
    _c("call mom in -5 minutes", ERROR),
    _c("call mom at 25:99", ERROR),
    _c("call mom at 13pm", ERROR),
    _c("call mom in 0 minutes", ERROR),
    _c("pay rent 31 Feb", ERROR),
    _c("pay rent 2025-01-01", ERROR),
    _c("pay rent in 400 days", ERROR),
    _c("pay rent 2026-13-05", ERROR),
    _c("pay rent 2027-02-29", ERROR),
    _c("pay rent 2028-01-01", ERROR),
    _c("in 5 minutes", ERROR),
    _c("remind me at 7", ERROR),
    _c("tomorrow", ERROR),
    _c("call mom at 0am", ERROR),
    _c("call mom 31 Apr", ERROR),
    _c("call mom today at 8am", ERROR),
    _c("call mom in 13 months", ERROR),
    _c("call mom in 100000 hours", ERROR),
    _c("call mom 29 Feb", ERROR),
    _c("call mom at 12:60", ERROR),
    _c("call mom in zero minutes", ERROR),
    _c("call mom on 5 Dec 2025", ERROR),
    # --- no time: ask when -------------------------------------------------------------
    _c("text Sam later", NEEDS, "text Sam later"),
    _c("bring a book", NEEDS, "bring a book"),
    _c("remind me to call mom", NEEDS, "call mom"),
    _c("I'll fix the bike", NEEDS, "fix the bike"),
    _c("take a 10 minute walk", NEEDS, "take a 10 minute walk"),
    _c("water the plants for 5 minutes", NEEDS, "water the plants for 5 minutes"),
    _c("eat 5 apples", NEEDS, "eat 5 apples"),
    _c("say good night to the kids", NEEDS, "say good night to the kids"),
    _c("wash the car in the sun", NEEDS, "wash the car in the sun"),
    _c("march in the parade", NEEDS, "march in the parade"),
    _c("sign in to the portal", NEEDS, "sign in to the portal"),
    _c("call back a few people", NEEDS, "call back a few people"),
    _c("put it in 10 boxes", NEEDS, "put it in 10 boxes"),
    _c("get a second opinion", NEEDS, "get a second opinion"),
    _c("read chapter 5", NEEDS, "read chapter 5"),
    _c("take a day off", NEEDS, "take a day off"),
    _c("buy 2.50 worth of stamps", NEEDS, "buy 2.50 worth of stamps"),
    _c("sat with grandpa", NEEDS, "sat with grandpa"),
    _c("I may help Sam move", NEEDS, "I may help Sam move"),
    _c("do the morning pages", NEEDS, "do the morning pages"),
    # --- task text ---------------------------------------------------------------------
    _c("remind me in 10 minutes to take the pizza out", "2026-11-23 14:10", "take the pizza out"),
    _c("I promise to call mom back at 8", "2026-11-23 20:00", "call mom back"),
    _c("gonna call mom at 9", "2026-11-23 21:00", "call mom"),
    _c("I'm gonna call mom at 9", "2026-11-23 21:00", "call mom"),
    _c("promise: call mom at 9", "2026-11-23 21:00", "call mom"),
    _c("I will call mom at 9", "2026-11-23 21:00", "call mom"),
    _c(
        "I'll call @sam back in 10 min #work #Work",
        "2026-11-23 14:10",
        "call @sam back #work #Work",
    ),
    _c("Remind me to Call Mom in 5 min!", "2026-11-23 14:05", "Call Mom"),
    _c("  call   mom    in 5 min  ", "2026-11-23 14:05", "call mom"),
    _c("I promise I'll call mom at 9", "2026-11-23 21:00", "call mom"),
    _c("to call mom at 9", "2026-11-23 21:00", "call mom"),
    _c("at 9: call mom", "2026-11-23 21:00", "call mom"),
    _c("call mom, tomorrow", "2026-11-24 09:00", "call mom"),
    _c("don't forget to call mom at 9", "2026-11-23 21:00", "call mom"),
    _c("I’ll call the vet at 4", "2026-11-23 16:00", "call the vet"),
    _c("remind me at 5 to call mom", "2026-11-23 17:00", "call mom"),
    _c("sign in to the portal in 5 min", "2026-11-23 14:05", "sign in to the portal"),
    # --- routines ----------------------------------------------------------------------
    _r("every day at 8am: phone away at breakfast", EVERY_DAY, "08:00", "phone away at breakfast"),
    _r("daily at 7:30 stretch", EVERY_DAY, "07:30", "stretch"),
    _r(
        "every weekday at 9 check in with the team #work",
        WEEKDAYS,
        "09:00",
        "check in with the team #work",
    ),
    _r("every Monday at 10 plan the week", "0", "10:00", "plan the week"),
    _r("every Sunday at 18:00 call mom #mom", "6", "18:00", "call mom #mom"),
    _r("every morning meditate", EVERY_DAY, "09:00", "meditate"),
    _r("every evening journal", EVERY_DAY, "19:00", "journal"),
    _r("every night read a chapter", EVERY_DAY, "20:00", "read a chapter"),
    _r("every weekend at 10 go for a run", "5,6", "10:00", "go for a run"),
    _r("on mondays at 10 standup", "0", "10:00", "standup"),
    _r("mondays and thursdays at 7 gym", "0,3", "07:00", "gym"),
    _r("every mon, wed and fri at 7:30 gym", "0,2,4", "07:30", "gym"),
    _r("every monday morning plan the week", "0", "09:00", "plan the week"),
    _r("every weekday evening journal", WEEKDAYS, "19:00", "journal"),
    _r("every day at midnight back up photos", EVERY_DAY, "00:00", "back up photos"),
    _r("every day at noon eat fruit", EVERY_DAY, "12:00", "eat fruit"),
    _r("every day at 6 walk the dog", EVERY_DAY, "18:00", "walk the dog"),
    _r("every evening at 9 call mom", EVERY_DAY, "21:00", "call mom"),
    _r("every tuesday and friday at 6pm swim", "1,4", "18:00", "swim"),
    _r("every day call grandma", EVERY_DAY, "09:00", "call grandma"),
    _r("everyday at 7am vitamins", EVERY_DAY, "07:00", "vitamins"),
    _r("every Saturday at 11 call grandma", "5", "11:00", "call grandma"),
    _r("each weekday at 8:45 leave on time", WEEKDAYS, "08:45", "leave on time"),
    _r(
        "remind me every day at 10pm to put the phone away",
        EVERY_DAY,
        "22:00",
        "put the phone away",
    ),
    _c("every hour drink water", ERROR),
    _c("every 5 minutes stretch", ERROR),
    _c("hourly stretch", ERROR),
    _c("every other day water the plants", ERROR),
    _c("every week call grandma", ERROR),
    _c("every day in 5 minutes stretch", ERROR),
    _c("every day at 8am", ERROR),
    _c("every tuesday at 25:00 swim", ERROR),
    _c("every 2 hours drink", ERROR),
    _c("every Monday tomorrow call mom", ERROR),
    # --- Europe/Berlin spring forward, Sun 29 Mar 2026 02:00 → 03:00 -------------------
    _c("call mom tomorrow at 9", "2026-03-29 09:00 +02:00", "call mom", "2026-03-28 10:00"),
    _c("call mom tomorrow at 02:30", "2026-03-29 03:00", "call mom", "2026-03-28 10:00"),
    _c("call mom in 24 hours", "2026-03-29 11:00", "call mom", "2026-03-28 10:00"),
    _c("call mom in 1 day", "2026-03-29 10:00", "call mom", "2026-03-28 10:00"),
    _c("call mom tomorrow at 2:30", "2026-03-29 14:30", "call mom", "2026-03-28 10:00"),
    _c("call mom at 2:30", "2026-03-29 03:00", "call mom", "2026-03-29 01:30"),
    _c("call mom in 2 hours", "2026-03-29 04:30", "call mom", "2026-03-29 01:30"),
    _c("call mom in 30 minutes", "2026-03-29 03:00", "call mom", "2026-03-29 01:30"),
    _c("call mom at 3", "2026-03-29 03:00", "call mom", "2026-03-29 01:30"),
    _c("call mom tonight", "2026-03-29 20:00", "call mom", "2026-03-29 01:30"),
    _c("call mom in 1 day", "2026-03-29 03:00", "call mom", "2026-03-28 02:30"),
    # --- Europe/Berlin fall back, Sun 25 Oct 2026 03:00 → 02:00 ------------------------
    _c("call mom tomorrow at 02:30", "2026-10-25 02:30 +02:00", "call mom", "2026-10-24 12:00"),
    _c("call mom in 24 hours", "2026-10-25 11:00", "call mom", "2026-10-24 12:00"),
    _c("call mom tomorrow at 9", "2026-10-25 09:00 +01:00", "call mom", "2026-10-24 12:00"),
    _c("call mom in 1 day", "2026-10-25 12:00", "call mom", "2026-10-24 12:00"),
    _c("call mom in 2 hours", "2026-10-25 02:30 +01:00", "call mom", "2026-10-25 01:30"),
    _c("call mom in 1 hour", "2026-10-25 02:30 +02:00", "call mom", "2026-10-25 01:30"),
    _c("call mom at 2:30", "2026-10-25 02:30 +02:00", "call mom", "2026-10-25 01:30"),
    _c("call mom in 1 hour", "2026-10-25 02:30 +01:00", "call mom", "2026-10-25 02:30"),
    _c("call mom at 3", "2026-10-25 03:00 +01:00", "call mom", "2026-10-25 02:30"),
    # --- America/New_York spring forward, Sun 8 Mar 2026 02:00 → 03:00 -----------------
    _c("call mom tomorrow at 02:15", "2026-03-08 03:00", "call mom", "2026-03-07 12:00", NYC),
    _c("call mom tomorrow at 9", "2026-03-08 09:00 -04:00", "call mom", "2026-03-07 12:00", NYC),
    _c("call mom in 24 hours", "2026-03-08 13:00", "call mom", "2026-03-07 12:00", NYC),
    _c("call mom in 90 min", "2026-03-08 03:30", "call mom", "2026-03-08 01:00", NYC),
    _c("call mom at 2:30", "2026-03-08 03:00", "call mom", "2026-03-08 01:00", NYC),
    _c("call mom tonight", "2026-03-08 20:00", "call mom", "2026-03-08 01:00", NYC),
    # --- America/New_York fall back, Sun 1 Nov 2026 02:00 → 01:00 ----------------------
    _c(
        "call mom tomorrow at 01:30",
        "2026-11-01 01:30 -04:00",
        "call mom",
        "2026-10-31 12:00",
        NYC,
    ),
    _c("call mom in 24 hours", "2026-11-01 11:00", "call mom", "2026-10-31 12:00", NYC),
    _c("call mom tomorrow at 9", "2026-11-01 09:00 -05:00", "call mom", "2026-10-31 12:00", NYC),
    _c("call mom in 2 hours", "2026-11-01 01:30 -05:00", "call mom", "2026-11-01 00:30", NYC),
    _c("call mom in 1 hour", "2026-11-01 01:30 -04:00", "call mom", "2026-11-01 00:30", NYC),
    _c("call mom at 1:30", "2026-11-01 01:30 -04:00", "call mom", "2026-11-01 00:30", NYC),
    # --- America/New_York, an early Monday ---------------------------------------------
    _c("call mom at 7", "2026-11-23 07:00", "call mom", "2026-11-23 06:30", NYC),
    _c("call mom at 6", "2026-11-23 18:00", "call mom", "2026-11-23 06:30", NYC),
    _c("call mom at 6:30", "2026-11-23 18:30", "call mom", "2026-11-23 06:30", NYC),
    _c("call mom this morning", "2026-11-23 09:00", "call mom", "2026-11-23 06:30", NYC),
    _c("call mom in the morning", "2026-11-23 09:00", "call mom", "2026-11-23 06:30", NYC),
    # --- Asia/Tokyo, Monday 23:50 ------------------------------------------------------
    _c("call mom tonight", "2026-11-24 00:50", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom at 7", "2026-11-24 07:00", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom at midnight", "2026-11-24 00:00", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom in 15 min", "2026-11-24 00:05", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom tomorrow", "2026-11-24 09:00", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom at 23:55", "2026-11-23 23:55", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom at 11:45pm", "2026-11-24 23:45", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom before bed", "2026-11-24 00:50", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom this evening", "2026-11-24 00:50", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom in the morning", "2026-11-24 09:00", "call mom", "2026-11-23 23:50", TYO),
    _c("call mom at 12", "2026-11-24 00:00", "call mom", "2026-11-23 23:50", TYO),
    # --- Asia/Kolkata, Sunday 23:50 (the week boundary) ---------------------------------
    _c("call mom tomorrow at 8", "2026-11-30 08:00", "call mom", "2026-11-29 23:50", KOL),
    _c("call mom on Monday", "2026-11-30 09:00", "call mom", "2026-11-29 23:50", KOL),
    _c("call mom on Sunday", "2026-12-06 09:00", "call mom", "2026-11-29 23:50", KOL),
    _c("call mom next week", "2026-11-30 09:00", "call mom", "2026-11-29 23:50", KOL),
    _c("call mom this weekend", "2026-12-05 09:00", "call mom", "2026-11-29 23:50", KOL),
    _c("call mom in 10 minutes", "2026-11-30 00:00", "call mom", "2026-11-29 23:50", KOL),
    _c("call mom at 9:30", "2026-11-30 09:30", "call mom", "2026-11-29 23:50", KOL),
    _c("call mom in a week", "2026-12-06 23:50", "call mom", "2026-11-29 23:50", KOL),
    # --- Australia/Sydney, weekend nights -----------------------------------------------
    _c("call mom Monday at 9", "2026-11-30 09:00", "call mom", "2026-11-29 22:00", SYD),
    _c("call mom tonight", "2026-11-29 23:00", "call mom", "2026-11-29 22:00", SYD),
    _c("call mom at 10", "2026-11-30 10:00", "call mom", "2026-11-29 22:00", SYD),
    _c("call mom this weekend", "2026-11-29 09:00", "call mom", "2026-11-28 23:50", SYD),
    _c("call mom on the weekend", "2026-11-29 09:00", "call mom", "2026-11-28 23:50", SYD),
    _c("call mom on Saturday", "2026-12-05 09:00", "call mom", "2026-11-28 23:50", SYD),
    # --- Australia/Sydney DST: forward Sun 4 Oct 2026, back Sun 5 Apr 2026 -------------
    _c("call mom tomorrow at 2:30am", "2026-10-04 03:00", "call mom", "2026-10-03 12:00", SYD),
    _c("call mom in 1 hour", "2026-10-04 03:30", "call mom", "2026-10-04 01:30", SYD),
    _c("call mom tomorrow at 9", "2026-10-04 09:00 +11:00", "call mom", "2026-10-03 12:00", SYD),
    _c("call mom tomorrow at 2:30am", "2026-04-05 02:30 +11:00", None, "2026-04-04 12:00", SYD),
    _c("call mom in 24 hours", "2026-04-05 11:00", "call mom", "2026-04-04 12:00", SYD),
    # --- New Year's Eve, Berlin 23:50 ---------------------------------------------------
    _c("call mom tomorrow", "2027-01-01 09:00", "call mom", "2026-12-31 23:50"),
    _c("call mom on Jan 1", "2027-01-01 09:00", "call mom", "2026-12-31 23:50"),
    _c("call mom 31 Dec", "2027-01-01 00:50", "call mom", "2026-12-31 23:50"),
    _c("call mom in 5 minutes", "2026-12-31 23:55", "call mom", "2026-12-31 23:50"),
    _c("call mom 2027-12-31", "2027-12-31 09:00", "call mom", "2026-12-31 23:50"),
    _c("call mom on the 1st", "2027-01-01 09:00", "call mom", "2026-12-31 23:50"),
    # --- noon and "12": 12:xx is noon first, then the coming midnight ------------------
    _c("call mom at 12", "2026-11-23 12:00", "call mom", "2026-11-23 08:00"),
    _c("call mom 12:15", "2026-11-23 12:15", "call mom", "2026-11-23 04:30"),
    _c("call mom at 12:45", "2026-11-24 00:45", "call mom", "2026-11-23 13:00"),
    _c("call mom at 12", "2026-11-23 12:00", "call mom", "2026-11-23 00:10", NYC),
    _c("call mom midday", "2026-11-23 12:00", "call mom", "2026-11-23 08:00"),
    _c("call mom mid day", "2026-11-23 12:00", "call mom", "2026-11-23 08:00"),
    _c("call mom mid-day tomorrow", "2026-11-24 12:00", "call mom"),
    _c("call mom noon tomorrow", "2026-11-24 12:00", "call mom"),
    # --- minutes relative to an hour with am/pm or noon ---------------------------------
    _c("call mom a quarter past 3pm", "2026-11-23 15:15", "call mom"),
    _c("call mom 20 minutes to 2pm tomorrow", "2026-11-24 13:40", "call mom"),
    _c("call mom a quarter to noon", "2026-11-23 11:45", "call mom", "2026-11-23 08:00"),
    _c("call mom 15 to noon", "2026-11-23 11:45", "call mom", "2026-11-23 08:00"),
    _c("call mom twenty after 3pm", "2026-11-23 15:20", "call mom"),
    _c("call mom half past 5 pm", "2026-11-23 17:30", "call mom"),
    _c("call mom at 15 past 3pm", "2026-11-23 15:15", "call mom"),
    _c("call mom at half past three pm", "2026-11-23 15:30", "call mom"),
    _c("call mom half three", "2026-11-23 15:30", "call mom"),
    _c("call mom quarter to 1pm", "2026-11-24 12:45", "call mom"),
    _c("call mom ten to midnight", "2026-11-23 23:50", "call mom"),
    _c("call mom quarter past midnight", "2026-11-24 00:15", "call mom"),
    _c("call mom a quarter of 5", "2026-11-23 16:45", "call mom"),
    _c("call mom ten till 6", "2026-11-23 17:50", "call mom"),
    _c("call mom 5 to 7", NEEDS, "call mom 5 to 7"),
    # --- clock formats: 13h30, 1730, 3p, 11:00:00 PM, 12 15, three twenty -----------------
    _c("call mom 13h30", "2026-11-23 13:30", "call mom", "2026-11-23 04:30"),
    _c("call mom at 15h00", "2026-11-23 15:00", "call mom", "2026-11-23 04:30"),
    _c("call mom 12h15", "2026-11-23 12:15", "call mom", "2026-11-23 04:30"),
    _c("call mom at 15h", "2026-11-23 15:00", "call mom", "2026-11-23 04:30"),
    _c("call mom 1030", "2026-11-23 10:30", "call mom", "2026-11-23 04:30"),
    _c("call mom at 1730", "2026-11-23 17:30", "call mom", "2026-11-23 04:30"),
    _c("call mom 330 p.m.", "2026-11-23 15:30", "call mom", "2026-11-23 04:30"),
    _c("call mom 3:18a", "2026-11-24 03:18", "call mom", "2026-11-23 04:30"),
    _c("call mom at 3p", "2026-11-23 15:00", "call mom", "2026-11-23 04:30"),
    _c("call mom 11a", "2026-11-23 11:00", "call mom", "2026-11-23 04:30"),
    _c("call mom 11:00:00 PM", "2026-11-23 23:00", "call mom", "2026-11-23 04:30"),
    _c("call mom 9:01:10 AM", "2026-11-23 09:01", "call mom", "2026-11-23 04:30"),
    _c("call mom 12 15", "2026-11-23 12:15", "call mom", "2026-11-23 04:30"),
    _c("call mom at 3 15", "2026-11-23 15:15", "call mom", "2026-11-23 04:30"),
    _c("call mom 3 oclock am", "2026-11-24 03:00", "call mom", "2026-11-23 04:30"),
    _c("call mom 3 oclock pm", "2026-11-23 15:00", "call mom", "2026-11-23 04:30"),
    _c("call mom 3ish pm", "2026-11-23 15:00", "call mom", "2026-11-23 04:30"),
    _c("call mom at three twenty", "2026-11-23 15:20", "call mom", "2026-11-23 04:30"),
    _c("call mom four twenty-three a m", "2026-11-24 04:23", "call mom", "2026-11-23 04:30"),
    _c("call mom nine fifty nine a m", "2026-11-23 09:59", "call mom", "2026-11-23 04:30"),
    _c("call mom seven thirty p.m.", "2026-11-23 19:30", "call mom", "2026-11-23 04:30"),
    _c("call mom 730 in the evening", "2026-11-23 19:30", "call mom", "2026-11-23 04:30"),
    _c("call mom approximately 1030", "2026-11-23 10:30", "call mom", "2026-11-23 04:30"),
    _c("call mom at seven oh five", "2026-11-23 07:05", "call mom", "2026-11-23 04:30"),
    _c("run for 2h30", NEEDS, "run for 2h30"),
    _c("in 2h30 call mom", "2026-11-23 16:30", "call mom"),
    _c("I'm at 101 points", NEEDS),
    _c("pay the 2026 dues", NEEDS),
    _c("reply to 150 emails at 9", "2026-11-23 21:00", "reply to 150 emails"),
)
