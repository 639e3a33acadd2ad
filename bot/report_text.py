"""The reliability report in words: /score, the Sunday report and /history.

Pure rendering of values computed in core/score.py, in Telegram HTML (only <b> and
<i>). Every piece of user text — tasks, tags, and slip labels that may carry a tag —
goes through html.escape here, so a task like "<b>x</b> & co" is shown, not obeyed.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.replies import shorten
from core.insight import Advice, Insight
from core.kinds import KIND_LABELS
from core.models import Outcome, Promise
from core.score import WeeklyReport, whole_percent

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

HISTORY_SIZE = 30
MAX_TAGS_SHOWN = 6
MAX_CANCELLED_SHOWN = 5
MAX_ROUTINES_SHOWN = 10
ROUTINE_TASK_SHOWN = 60
# User text is cut in lists so the longest report stays under Telegram's 4,096
# (30 history lines of 500-character tasks came to 16,500).
HISTORY_TASK_SHOWN = 70
TAG_SHOWN = 32
SLIP_SHOWN = 60
CANCELLED_TASK_SHOWN = 40
EXAMPLE = "call mom back in 10 minutes"
REFLECTION = "In the past week, how reliable have you been in small things?"

MARKS = {
    Outcome.KEPT: "✅",
    Outcome.LATE: "🕒",
    Outcome.BROKEN: "❌",
    Outcome.UNANSWERED: "🔇",
    Outcome.CANCELLED: "🚫",
}


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def format_time(dt_local: datetime, clock24: bool) -> str:
    """'14:05' or '2:05 PM' — the user's clock setting decides."""
    if clock24:
        return f"{dt_local.hour:02d}:{dt_local.minute:02d}"
    return (
        f"{dt_local.hour % 12 or 12}:{dt_local.minute:02d} {'AM' if dt_local.hour < 12 else 'PM'}"
    )


def format_day(day: date) -> str:
    """'Mon 23 Nov' (of a local date or datetime): people remember a promise by its weekday."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# One suggestion per pattern, each something to try next time, never a verdict.
ADVICE: dict[Advice, str] = {
    Advice.LATER_TIME: "Try giving those a later time: “by 3pm” instead of “in 20 min”.",
    Advice.AT_THE_MOMENT: (
        "Try making those at the moment — “phone away now” — rather than hours ahead."
    ),
    Advice.SLACK: "Try promising a little slack: “by 7:15” rather than “at 7”.",
    Advice.EVENING_BEFORE: (
        "Try a look the evening before, and move the ones that won't fit while there's time."
    ),
    Advice.MOVE_EARLY: (
        "When one of those won't fit, try ⏰ New time early: moving a promise keeps your word."
    ),
}


def insight_lines(insight: Insight) -> list[str]:
    """Where it slips and what holds, over four weeks; nothing at all while data is thin."""
    if not insight.enough:
        return []
    weeks = f"in {insight.weeks} weeks"
    weak = insight.weak
    if weak is None:
        lines = [f"Where it slips: nothing stands out {weeks}."]
    else:
        lines = [
            f"Where it slips: {esc(shorten(weak.label, SLIP_SHOWN))} — "
            f"{weak.kept_any} of {weak.total} kept {weeks} "
            f"(you keep {whole_percent(weak.rest_percent)}% of the rest). " + ADVICE[weak.advice]
        ]
    holds = []
    if insight.strong is not None:
        strong = insight.strong
        label = esc(shorten(strong.label, SLIP_SHOWN))
        holds.append(f"{label} — {strong.kept_any} of {strong.total} kept {weeks}")
    if insight.repaired:
        holds.append(f"{_plural(insight.repaired, 'broken promise')} repaired {weeks}")
    if holds:
        lines.append("What holds: " + " · ".join(holds))
    return lines


def _delta(delta: int | None, before: str) -> str:
    if delta is None:
        return ""
    if delta > 0:
        return f"  ▲ +{delta} vs {before}"
    if delta < 0:
        return f"  ▼ −{-delta} vs {before}"  # a real minus sign, as in print
    return f"  = same as {before}"


def _is_over(report: WeeklyReport) -> bool:
    # In UTC: two datetimes sharing a tzinfo compare by wall time, wrong across DST.
    return report.now.astimezone(UTC) >= report.end.astimezone(UTC)


# --- /score --------------------------------------------------------------------------


def render_score(report: WeeklyReport, clock24: bool = True) -> str:
    """The week in a few short lines; anything with nothing to say is left out."""
    week = report.this_week
    if _is_over(report):
        # A report read after its week ended (a Monday report, or one sent late).
        last_day = format_day(report.end - timedelta(days=1))
        head = f"<b>Last week</b> ({format_day(report.start)} – {last_day})"
        before = "the week before"
    else:
        head = f"<b>This week</b> ({format_day(report.start)} – today)"
        before = "last week"
    if report.is_empty:
        lines = [f"{head}: nothing scored yet."]
        if report.pending:
            lines.append(
                f"{_plural(report.pending, 'promise')} still to come — "
                "I'll check in when each is due."
            )
        else:
            lines.append(
                f"Send me a promise like “{EXAMPLE}” and I'll check in when it's due; "
                "your score starts with your first answer."
            )
        last = report.last_week
        if last.scored:
            lines.append(
                f"{before.capitalize()}: {last.kept_any} of {last.scored} kept · {last.rounded}%"
            )
    else:
        lines = [
            f"{head}: {week.kept_any} of {week.scored} kept · {week.rounded}%"
            + _delta(report.delta, before)
        ]
        details = [
            ("Late", week.late),
            ("Broken", week.broken),
            ("Unanswered", week.unanswered),
            ("Repaired", week.repaired),
            ("Renegotiated", week.renegotiated),
        ]
        shown = " · ".join(
            # Said once, where the late ones are counted: why "9 of 11 kept" is 73 %.
            f"{name}: {count} (late counts half)" if name == "Late" else f"{name}: {count}"
            for name, count in details
            if count
        )
        if shown:
            lines.append(shown)
        if report.longest_streak >= 2:
            best = report.best_streak
            record = f" (your best: {best})" if best > report.longest_streak else ""
            lines.append(f"Longest streak: {report.longest_streak} kept in a row{record}")
    if report.reliability is not None:
        lines.append(f"Long-run reliability: {whole_percent(report.reliability)}%")
    if report.by_tag:
        tags = " · ".join(
            f"{esc(shorten(tag, TAG_SHOWN))} {kept}/{scored}"
            for tag, kept, scored in report.by_tag[:MAX_TAGS_SHOWN]
        )
        lines.append(f"By person: {tags}")
    lines += insight_lines(report.insight)
    if report.routines:
        lines.append("<b>Routines</b>")
        # Up to 50 routines of up to 500 characters would pass Telegram's 4096.
        for routine in report.routines[:MAX_ROUTINES_SHOWN]:
            task = shorten(routine.task, ROUTINE_TASK_SHOWN)
            line = f"{esc(task)}: {routine.this_kept}/{routine.this_total} this week"
            if routine.last_total:
                line += f" · {routine.last_kept}/{routine.last_total} last week"
            lines.append(line)
        more = len(report.routines) - MAX_ROUTINES_SHOWN
        if more > 0:
            lines.append(f"…and {more} more in /routines")
    if report.downtime_days:
        days = ", ".join(format_day(day) for day in report.downtime_days)
        lines.append(f"I was offline on {days} — check-ins then were skipped.")
    if report.cancelled:
        tasks = [
            esc(shorten(p.task, CANCELLED_TASK_SHOWN))
            for p in report.cancelled[:MAX_CANCELLED_SHOWN]
        ]
        more = len(report.cancelled) - MAX_CANCELLED_SHOWN
        if more > 0:
            tasks.append(f"+{more} more")
        lines.append(f"Cancelled (listed, not scored): {', '.join(tasks)}")
    return "\n".join(lines)


def render_weekly_report(report: WeeklyReport, clock24: bool = True) -> str:
    """The unasked Sunday report: the same body, framed, ending with the week's question."""
    return (
        "<b>Your week in small promises</b>\n\n"
        + render_score(report, clock24)
        + f"\n\n<i>{REFLECTION}</i>"
    )


# --- /history ------------------------------------------------------------------------


def _duration(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return _plural(round(delta.total_seconds() / 86400), "day")


def _history_line(promise: Promise, tz: ZoneInfo, clock24: bool) -> str:
    assert promise.outcome is not None
    due = promise.due.astimezone(tz)
    line = f"{MARKS[promise.outcome]} {format_day(due)} {format_time(due, clock24)} "
    line += esc(shorten(promise.task, HISTORY_TASK_SHOWN))
    outcome = promise.outcome
    if outcome is Outcome.LATE:
        # The answer came at `closed`: an upper bound on how late, the best there is.
        late_by = promise.closed - promise.due if promise.closed else None
        if late_by is not None and late_by >= timedelta(minutes=1):
            line += f" · {_duration(late_by)} late"
        else:
            line += " (late)"
    elif outcome is Outcome.UNANSWERED:
        line += " (unanswered)"
    elif outcome is Outcome.CANCELLED:
        line += " (cancelled)"
    if promise.repair_of and outcome in (Outcome.KEPT, Outcome.LATE):
        line += " · a repair"
    return line


def render_history(promises: Sequence[Promise], tz: ZoneInfo, clock24: bool = True) -> str:
    """The last 30 closed promises, newest first, one line each."""
    closed = [p for p in promises if p.outcome is not None]
    if not closed:
        return (
            "No answered promises yet. Send me one like "
            f"“{EXAMPLE}” — once I've checked in, it shows up here."
        )
    closed.sort(key=lambda p: (p.closed or p.due, p.id), reverse=True)
    newest = closed[:HISTORY_SIZE]
    lines = [f"<b>Your last {_plural(len(newest), 'promise')}</b>, newest first"]
    lines += [_history_line(p, tz, clock24) for p in newest]
    return "\n".join(lines)


# --- correcting a promise's kind -----------------------------------------------------

KIND_PICK = (
    "🏷 Which promise should I file differently? Its kind decides where it counts in "
    "“Where it slips”."
)
NOTHING_TO_CORRECT = "No answered promises yet."
KIND_LABEL_TASK = 28


def kind_pick_label(promise: Promise) -> str:
    """A button label: mark, the task cut short, and the kind it is filed under now."""
    task = shorten(promise.task, KIND_LABEL_TASK)
    mark = MARKS[promise.outcome] if promise.outcome is not None else "⏳"
    return f"{mark} {task} · {KIND_LABELS[promise.kind]}"


def kind_question(promise: Promise) -> str:
    return (
        f"🏷 “{esc(promise.task)}” counts as <b>{KIND_LABELS[promise.kind]}</b>. "
        "What kind of promise was it?"
    )


def kind_set(promise: Promise) -> str:
    return f"🏷 “{esc(promise.task)}” now counts as <b>{KIND_LABELS[promise.kind]}</b>."
