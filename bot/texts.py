"""Every sentence the bot says, rendered from plain values. Pure: no I/O, no clock.

User text is escaped here and only here, so no handler can forget it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.replies import Button, Keyboard, esc, shorten
from core.models import Outcome, Promise
from core.timephrase import asked_reason

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

EXAMPLES = (
    "call mom back in 5 minutes",
    "send Sam the photos tonight #sam",
    "be at the station by 7:30",
    "every day at 8am: phone away at breakfast",
)


# --- times ------------------------------------------------------------------------


def clock(local: datetime, clock24: bool = True) -> str:
    return clock_hm(local.hour, local.minute, clock24)


def clock_hm(hour: int, minute: int, clock24: bool = True) -> str:
    """'19:00' or '7:00 PM' — the user's clock setting decides."""
    if clock24:
        return f"{hour:02d}:{minute:02d}"
    return f"{hour % 12 or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def day_label(local: datetime, now_local: datetime) -> str:
    """'' for today, 'tomorrow', or 'Fri 27 Nov' — the day a person needs to hear."""
    days = (local.date() - now_local.date()).days
    if days == 0:
        return ""
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}"


def when(due: datetime, now: datetime, tz: ZoneInfo, clock24: bool = True) -> str:
    """'14:05', 'tomorrow at 09:00', 'Fri 27 Nov at 09:00'."""
    local, now_local = due.astimezone(tz), now.astimezone(tz)
    day = day_label(local, now_local)
    return f"{day} at {clock(local, clock24)}" if day else clock(local, clock24)


def at_when(due: datetime, now: datetime, tz: ZoneInfo, clock24: bool = True) -> str:
    """'at 14:05', 'tomorrow at 09:00': what follows "I'll check in" or "it stays"."""
    said = when(due, now, tz, clock24)
    return said if " at " in said else f"at {said}"


def relative(delta: timedelta) -> str:
    seconds = max(0, round(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days = round(seconds / 86400)
    return f"{days} day{'s' if days != 1 else ''}"


def quoted(task: str) -> str:
    return f"“{esc(task)}”"


# --- the promise flow --------------------------------------------------------------


def acknowledgement(
    promise: Promise, now: datetime, tz: ZoneInfo, clock24: bool, notes: tuple[str, ...] = ()
) -> str:
    at, wait = at_when(promise.due, now, tz, clock24), relative(promise.due - now)
    lines = [f"Got it: {quoted(promise.task)} — I'll check in {at} (in {wait})."]
    lines += [f"<i>{esc(note)}</i>" for note in notes]
    return "\n".join(lines)


def ack_buttons(promise_id: str) -> Keyboard:
    return ((Button("↩️ Undo", f"u:{promise_id}"), Button("🕒 Change time", f"c:{promise_id}")),)


def checkin(promise: Promise, tz: ZoneInfo, clock24: bool, *, late: bool) -> str:
    due = clock(promise.due.astimezone(tz), clock24)
    text = f"⏰ Did you keep your word?  {quoted(promise.task)} (due {due})"
    if late:
        text = f"<i>Sorry, this check-in comes late — I was offline at {due}.</i>\n" + text
    return text


def nudge(promise: Promise, tz: ZoneInfo, clock24: bool) -> str:
    due = clock(promise.due.astimezone(tz), clock24)
    return f"👋 Just checking: did you keep {quoted(promise.task)}? (due {due})"


def checkin_buttons(promise_id: str, snooze: timedelta) -> Keyboard:
    """Kept / Late / Broke / Snooze; the Snooze label says the snooze actually configured."""
    return (
        (Button("✅ Kept", f"k:{promise_id}"), Button("🕒 Late", f"l:{promise_id}")),
        (
            Button("❌ Broke it", f"b:{promise_id}"),
            Button(f"💤 Snooze {relative(snooze)}", f"z:{promise_id}"),
        ),
    )


OUTCOME_MARKS = {
    Outcome.KEPT: "✅ Kept",
    Outcome.LATE: "🕒 Kept, late",
    Outcome.BROKEN: "❌ Broken",
    Outcome.UNANSWERED: "🔇 Unanswered",
    Outcome.CANCELLED: "🚫 Cancelled",
}


def answered(promise: Promise, tz: ZoneInfo, clock24: bool, week_line: str = "") -> str:
    assert promise.outcome is not None
    due = clock(promise.due.astimezone(tz), clock24)
    text = f"{OUTCOME_MARKS[promise.outcome]}: {quoted(promise.task)} (due {due})"
    if promise.repair_of and promise.outcome in (Outcome.KEPT, Outcome.LATE):
        text += "\n🔧 Repaired — that's what trust is made of."
    return f"{text}\n{week_line}" if week_line else text


def week_so_far(kept_any: int, scored: int) -> str:
    return f"{kept_any} of {scored} kept this week."


def snoozed(promise: Promise, until: datetime, tz: ZoneInfo, clock24: bool) -> str:
    again = clock(until.astimezone(tz), clock24)
    return f"💤 Snoozed {quoted(promise.task)} — I'll ask again at {again}."


REPAIR_OFFER = "No scolding — it happens. Want to make it right?"


def repair_buttons(promise_id: str) -> Keyboard:
    return (
        (
            Button("🔁 Redo in 1 hour", f"r1:{promise_id}"),
            Button("🌅 Tomorrow 09:00", f"rt:{promise_id}"),
        ),
        (Button("Not now", f"rn:{promise_id}"),),
    )


def expired(promise: Promise, tz: ZoneInfo, clock24: bool) -> str:
    due = clock(promise.due.astimezone(tz), clock24)
    return f"🔇 No answer, so I closed {quoted(promise.task)} (due {due}) as unanswered."


ASK_WHEN_OPTIONS = (
    ("15m", "In 15 min"),
    ("1h", "In 1 hour"),
    ("tn", "Tonight 20:00"),
    ("tm", "Tomorrow 09:00"),
)


def ask_when(task: str, understood: str = "", unread: str = "") -> str:
    if understood or unread:
        # The message held a time Keepword could not fully read: say what it did read.
        return (
            f"{asked(understood, unread)}\n"
            f"When should I check in on {quoted(task)}? "
            "Tap a time or type one, like “in 20 min”, “19:00” or “friday at 9”."
        )
    return (
        f"When should I check in on {quoted(task)}?\n"
        "Tap a time or type one, like “in 20 min”, “19:00” or “friday at 9”."
    )


def asked(understood: str, unread: str) -> str:
    return asked_reason(understood, unread, quote=quoted)


def when_not_answered(task: str) -> str:
    return (
        f"When should I check in on {quoted(task)}?\n"
        "<i>No time given, so I let it go — send it again with a time when you want it.</i>"
    )


def new_time_not_answered(promise: Promise, now: datetime, tz: ZoneInfo, clock24: bool) -> str:
    return (
        f"New time for {quoted(promise.task)}?\n"
        f"<i>No new time given — it stays {at_when(promise.due, now, tz, clock24)}.</i>"
    )


def when_buttons(prefix: str, promise_id: str = "") -> Keyboard:
    suffix = f":{promise_id}" if promise_id else ""
    buttons = tuple(Button(label, f"{prefix}{code}{suffix}") for code, label in ASK_WHEN_OPTIONS)
    return (buttons[:2], buttons[2:])


def ask_new_time(promise: Promise, tz: ZoneInfo, clock24: bool, now: datetime) -> str:
    return (
        f"New time for {quoted(promise.task)} (now {when(promise.due, now, tz, clock24)})?\n"
        "Tap one or type it, like “in 30 min” or “tomorrow at 10”."
    )


def rescheduled(promise: Promise, now: datetime, tz: ZoneInfo, clock24: bool) -> str:
    at = at_when(promise.due, now, tz, clock24)
    return (
        f"🤝 Renegotiated: {quoted(promise.task)} — I'll check in {at} "
        f"(in {relative(promise.due - now)}). Honest and allowed."
    )


def corrected(promise: Promise, now: datetime, tz: ZoneInfo, clock24: bool) -> str:
    at = at_when(promise.due, now, tz, clock24)
    return (
        f"✏️ Fixed: {quoted(promise.task)} — I'll check in {at} "
        f"(in {relative(promise.due - now)}). A correction, not a renegotiation."
    )


def parse_error(reason: str, example: str) -> str:
    return f"⚠️ {esc(reason)}\nFor example: <i>{esc(example)}</i>"


def undone(promise: Promise) -> str:
    return f"↩️ Undone: {quoted(promise.task)} is forgotten."


def cancelled(promise: Promise) -> str:
    return f"🚫 Cancelled {quoted(promise.task)}. It's listed, not scored."


ALREADY_DONE = "That one is already done."
GONE = "That one is gone."
EXPIRED_BUTTON = "That button has expired."
BUTTON_FAILED = "⚠️ That didn't work"
REPAIR_LATER = "OK — no redo for now. Making it right later still counts."


# --- lists -------------------------------------------------------------------------

LIST_PAGE = 15
LIST_TASK_SHOWN = 80  # 15 tasks of up to 500 characters would pass Telegram's 4096


def list_page(count: int, page: int) -> tuple[int, int]:
    """(page, pages): the page asked for, kept within the pages there are."""
    pages = max(1, -(-count // LIST_PAGE))
    return min(max(page, 0), pages - 1), pages


def open_list(
    promises: list[Promise], now: datetime, tz: ZoneInfo, clock24: bool, page: int = 0
) -> str:
    if not promises:
        return "No open promises. Send one like <i>call mom back in 10 minutes</i>."
    page, pages = list_page(len(promises), page)
    title = f"<b>Open promises</b> ({len(promises)})"
    if pages > 1:
        title += f" · page {page + 1} of {pages}"
    lines = [title]
    first = page * LIST_PAGE
    for number, promise in enumerate(promises[first : first + LIST_PAGE], start=first + 1):
        task = esc(shorten(promise.task, LIST_TASK_SHOWN))
        lines.append(f"{number}. {task} — {_list_time(promise, now, tz, clock24)}")
    return "\n".join(lines)


def _list_time(promise: Promise, now: datetime, tz: ZoneInfo, clock24: bool) -> str:
    """The time a listed promise will next be asked about: a snooze moves it."""
    if promise.snoozed_until is None:
        return when(promise.due, now, tz, clock24)
    again = when(promise.snoozed_until, now, tz, clock24)
    return f"💤 {again} (snoozed; due {when(promise.due, now, tz, clock24)})"


def list_buttons(promises: list[Promise], now: datetime, page: int = 0) -> Keyboard:
    """One row per listed promise: Done / Time / Cancel before it is due, and the
    check-in's own answers (Done / Late / Broke) once it is. ‹ › turn the pages."""
    page, pages = list_page(len(promises), page)
    first = page * LIST_PAGE
    rows: list[tuple[Button, ...]] = []
    for n, p in enumerate(promises[first : first + LIST_PAGE], start=first + 1):
        done = Button(f"✅ Done {n}", f"d:{p.id}:{page}")
        if p.due <= now:
            rows.append(
                (
                    done,
                    Button(f"🕒 Late {n}", f"ll:{p.id}:{page}"),
                    Button(f"❌ Broke {n}", f"lb:{p.id}:{page}"),
                )
            )
        else:
            rows.append(
                (
                    done,
                    Button(f"🕒 Time {n}", f"c:{p.id}"),
                    Button(f"✖️ Cancel {n}", f"x:{p.id}:{page}"),
                )
            )
    if pages > 1:
        turns = (("‹ Previous", page - 1), ("Next ›", page + 1))
        rows.append(tuple(Button(label, f"lp:{to}") for label, to in turns if 0 <= to < pages))
    return tuple(rows)


def routine_added(
    schedule: str, task: str, first: datetime, now: datetime, tz: ZoneInfo, clock24: bool
) -> str:
    local = first.astimezone(tz)
    day = day_label(local, now.astimezone(tz)) or "today"
    return (
        f"🔁 {esc(schedule)}: {quoted(task)}. I'll ask each time — first {day} at "
        f"{clock(local, clock24)} (in {relative(first - now)})."
    )


NO_ROUTINES = (
    "No routines yet. Send one like <i>every day at 8am: phone away at breakfast</i> "
    "or <i>every weekday at 9 check in with the team #work</i>."
)
TOO_MANY_ROUTINES = "⚠️ You have {limit} routines already. Delete one in /routines first."


# --- commands ----------------------------------------------------------------------


def welcome(first_name: str, tz_name: str, location: bool = True) -> str:
    """``location``: whether this chat can share a location (Telegram can, a terminal not)."""
    return (
        f"Hi {esc(first_name)}! I'm Keepword. I help you keep your word in small things.\n\n"
        "Just tell me a promise in plain words, for example:\n"
        f"• <i>{esc(EXAMPLES[0])}</i>\n"
        f"• <i>{esc(EXAMPLES[1])}</i>\n\n"
        "When it's due I'll ask if you kept it — one tap. Each week you'll see how reliable "
        "you were and where it slips.\n\n"
        f"Your time zone is <b>{esc(tz_name)}</b>. If that's wrong, send "
        "<i>/timezone Europe/Berlin</i> (or your city)"
        + (", or share your location." if location else ".")
    )


HELP = (
    "<b>Tell me a promise</b> in plain words — no command needed:\n"
    "• <i>call mom back in 5 minutes</i>\n"
    "• <i>be at the station by 7:30</i>\n"
    "• <i>send Sam the photos tonight #sam</i>\n"
    "• <i>pay the rent on Friday</i> · <i>dentist 5 Dec at 3pm</i>\n"
    "• <i>every weekday at 9: check in with the team #work</i>\n\n"
    "Times I understand: in 10 min, in half an hour, at 7pm, at noon, tonight, EOD, "
    "tomorrow morning, on Friday, next Monday at 9, 5 Dec, 2026-12-05 14:30.\n"
    "#tags and @names show who a promise is for; the score breaks down by them.\n"
    "Up to 200 open promises, 300 new ones a day and 50 routines.\n\n"
    "<b>Commands</b>\n"
    "/list — open promises\n"
    "/score — this week's reliability\n"
    "/history — the last 30 closed promises\n"
    "/routines — daily routines\n"
    "/settings — time zone, weekly report, clock\n"
    "/timezone — set your time zone (e.g. /timezone Europe/Berlin)\n"
    "/export — all your data as files\n"
    "/forget — delete everything I keep about you"
)

COMMANDS: tuple[tuple[str, str], ...] = (
    ("list", "Open promises"),
    ("score", "This week's reliability"),
    ("history", "The last 30 closed promises"),
    ("routines", "Daily routines"),
    ("settings", "Time zone, weekly report, clock"),
    ("timezone", "Set your time zone"),
    ("export", "Download all your data"),
    ("forget", "Delete all your data"),
    ("help", "What I understand"),
    ("start", "Welcome"),
)

TOO_LONG = "⚠️ That's over {limit} characters — promises are small. Please shorten it."
TOO_MANY_OPEN = "⚠️ You have {limit} open promises already. Close some in /list before adding more."
TOO_MANY_TODAY = (
    "🙂 That's {limit} new promises today — more than anyone can keep track of, so I'll "
    "take new ones again tomorrow. Your open promises and check-ins carry on as usual."
)
SAVE_FAILED = "⚠️ I couldn't save that, please try again in a moment."
CANT_SAVE_NOW = (
    "⚠️ I can't save anything right now — a problem on my side. Until it's fixed your "
    "answers won't be kept; your promises are still here, and I'll keep trying."
)
SLOW_DOWN = "🐢 That's a lot of messages at once — give me a minute, then try again."
NOT_PRIVATE = "I work in private chats only — message me directly to track your promises."
UNSUPPORTED = (
    "I can only read text. Tell me a promise in words, like <i>call mom back in 10 minutes</i>."
)
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
NOT_ALLOWED = "Sorry, this Keepword bot is private."
EDIT_IGNORED = (
    "I saw an edited message — edits don't change a promise. "
    "Use /list to change a time, or send it again."
)
NO_TOKEN_HELP = """\
Keepword needs a Telegram bot token to run.

  1. In Telegram, talk to @BotFather, send /newbot and follow the steps.
  2. Put the token it gives you in a file named .env here:
       TELEGRAM_BOT_TOKEN=123456:ABC-your-token
     (copy .env.example to .env to see every setting).
  3. Run `make run` again.

No token yet? `make chat` runs the whole bot in this terminal right now."""
SOMETHING_WRONG = "⚠️ Something went wrong on my side. Please try again."


# --- account -----------------------------------------------------------------------


def timezone_current(name: str, location: bool = True) -> str:
    change = "<i>/timezone Europe/Berlin</i>"
    if location:
        change += ", <i>/timezone Tokyo</i>, or share your location with me"
    else:
        change += " or <i>/timezone Tokyo</i>"
    return f"Your time zone is <b>{esc(name)}</b>.\nTo change it, send {change}."


def timezone_unknown(text: str) -> str:
    return (
        f"⚠️ I don't know the time zone or city “{esc(text[:64])}”.\n"
        "Try an IANA name like <i>/timezone America/New_York</i> or a big city near you."
    )


def timezone_not_found_at_location() -> str:
    return "⚠️ I couldn't find a time zone at that location. Try /timezone with a city name."


def timezone_set(name: str, local_now: str) -> str:
    return f"🌍 Time zone set to <b>{esc(name)}</b> — it's {local_now} there now."


EXPORT_READY = "📦 Here is everything I keep about you: a JSON file and a CSV of your promises."
FORGET_CONFIRM = (
    "This deletes every promise, routine, score and setting I keep about you. "
    "It can't be undone. Are you sure?"
)
FORGET_KEPT = "OK — nothing was deleted."
FORGOTTEN = "🗑 Done. I've deleted everything I kept about you. Send /start to begin again."

FILE_TOO_BIG = "That file is larger than 20 MB, so I can't read it. Nothing was changed."
FILE_UNREADABLE = "I couldn't download that file from Telegram — please send it again."
