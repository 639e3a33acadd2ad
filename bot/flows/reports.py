"""The reliability report: /score, the 8-week chart, /history, kinds, the weekly report.

The weekly report is one job per user (``w:<user id>``) at the user's local report
time; like every job it is rebuilt from the store at start. A report missed while the
bot was down is sent when it is back, once (``last_report_week`` remembers).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import report_text, texts
from bot.context import ButtonHandler, CommandHandler, Context, Sender
from bot.replies import Attachment, Button, DeliveryError, Keyboard, Reply
from bot.report_text import render_history, render_score, render_weekly_report
from core.history import day_start, utc_day
from core.kinds import KIND_LABELS
from core.models import Kind, Recurrence, UserSettings
from core.ports import StoreError
from core.score import WeeklyReport, detail_days, week_bounds, weekly_report
from core.timephrase import next_occurrence

log = logging.getLogger(__name__)

HISTORY_SIZE = 30
KIND_PICK_SIZE = 8
# Beyond a year the long-run average (half-life 4 weeks) no longer moves.
REPORT_HORIZON = timedelta(weeks=52)
# A weekly report missed by more than this during downtime is not sent late.
LATE_REPORT_WINDOW = timedelta(hours=24)
# A weekly report that could not be delivered is tried again after this long.
RETRY_AFTER = timedelta(minutes=1)

CHART_BUTTON: Keyboard = ((Button("📈 8-week chart", "chart"),),)
KIND_BUTTON: Keyboard = ((Button("🏷 Correct a kind", "kl"),),)


def report_week(due: datetime, tz: ZoneInfo) -> datetime:
    """The local Monday of the week a report due at ``due`` is about.

    The report's own week — except a report set for a Monday, which would otherwise
    look at a few hours of a new week: it reviews the week that just ended.
    """
    local = due.astimezone(tz)
    if local.weekday() == 0:
        local -= timedelta(days=1)
    return week_bounds(local, tz)[0]


class ReportFlow:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def commands(self) -> dict[str, CommandHandler]:
        return {"score": self.cmd_score, "history": self.cmd_history}

    @property
    def buttons(self) -> dict[str, ButtonHandler]:
        return {
            "chart": self.btn_chart,
            "kl": self.btn_kind_list,
            "kd": self.btn_kind,
            "ks": self.btn_kind_set,
        }

    # ------------------------------------------------------------------ the report

    def report(
        self, user: UserSettings, now: datetime, week_of: datetime | None = None
    ) -> WeeklyReport:
        """The records of the weeks shown in detail, and day summaries for the year before.

        What it reads grows with those four weeks (which the daily cap on new promises
        bounds), not with the user's history.
        """
        store, tz = self.ctx.store, self.ctx.zone(user)
        first, last = detail_days(now, tz, week_of)
        promises = [
            *store.closed_promises(user.user_id, day_start(first), day_start(last)),
            *store.open_promises(user.user_id),
        ]
        history = [
            day
            for day in store.closed_days(user.user_id, utc_day(now - REPORT_HORIZON))
            if not first <= day.day < last
        ]
        return weekly_report(
            promises,
            now,
            tz,
            routines=store.routines(user.user_id),
            downtime=user.downtime,
            week_of=week_of,
            history=history,
        )

    async def cmd_score(self, user: UserSettings, who: Sender, args: str) -> None:
        report = self.report(user, self.ctx.clock())
        await self.ctx.say(user.chat_id, render_score(report, user.clock24), CHART_BUTTON)

    async def btn_chart(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        await self.send_chart(user, self.report(user, self.ctx.clock()))
        return "📈"

    async def send_chart(
        self, user: UserSettings, report: WeeklyReport, caption: str = ""
    ) -> None:
        # Imported here: matplotlib costs start-up time that most sessions never need.
        from bot.chart import render_chart

        # Rendering takes a few hundred ms: keep the event loop (and other users) moving.
        png = await asyncio.to_thread(render_chart, report.weeks, user.tz)
        await self.ctx.outbox.send(
            user.chat_id,
            Reply(caption, photo=Attachment("keepword-score.png", png, "Your last 8 weeks")),
        )

    async def cmd_history(self, user: UserSettings, who: Sender, args: str) -> None:
        newest = self.ctx.store.latest_closed(user.user_id, HISTORY_SIZE)
        text = render_history(newest, self.ctx.zone(user), user.clock24)
        await self.ctx.say(user.chat_id, text, KIND_BUTTON if newest else ())

    # ------------------------------------------------------------------ kinds

    async def btn_kind_list(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        """Offer the latest answered promises: the ones whose kind a person remembers."""
        latest = self.ctx.store.latest_closed(user.user_id, KIND_PICK_SIZE)
        if not latest:
            return report_text.NOTHING_TO_CORRECT
        buttons = tuple(
            (Button(report_text.kind_pick_label(p), f"kd:{p.id}"),)
            for p in latest[:KIND_PICK_SIZE]
        )
        await self.ctx.say(user.chat_id, report_text.KIND_PICK, buttons)
        return "🏷"

    async def btn_kind(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        promise = self.ctx.store.get_promise(user.user_id, args[0]) if len(args) == 1 else None
        if promise is None:
            return texts.GONE
        buttons = tuple(
            (
                Button(
                    ("• " if kind is promise.kind else "") + KIND_LABELS[kind].capitalize(),
                    f"ks:{kind.value}:{promise.id}",
                ),
            )
            for kind in Kind
        )
        await self.ctx.edit(user.chat_id, message_id, report_text.kind_question(promise), buttons)
        return "🏷"

    async def btn_kind_set(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        if len(args) != 2 or args[0] not in Kind._value2member_map_:
            return texts.EXPIRED_BUTTON
        promise = self.ctx.store.get_promise(user.user_id, args[1])
        if promise is None:
            return texts.GONE
        promise = replace(promise, kind=Kind(args[0]), kind_corrected=True)
        self.ctx.store.put_promise(promise)
        await self.ctx.edit(user.chat_id, message_id, report_text.kind_set(promise))
        return "Saved"

    # ------------------------------------------------------------------ weekly, unasked

    def plan(self, user: UserSettings, *, catch_up: bool = False) -> bool:
        key = f"w:{user.user_id}"
        if not user.report_enabled or user.blocked:
            self.ctx.scheduler.cancel(key)
            return False
        now, tz = self.ctx.clock(), self.ctx.zone(user)
        rule = Recurrence((user.report_day,), user.report_hour, user.report_minute)
        due = at = next_occurrence(rule, now, tz)
        if catch_up:
            previous = next_occurrence(rule, now - timedelta(days=7), tz)
            week = report_week(previous, tz).date().isoformat()
            if now - previous < LATE_REPORT_WINDOW and user.last_report_week != week:
                due, at = previous, now  # it fell due while the bot was down: send it now
        self._schedule(user.user_id, due, at)
        return True

    def _schedule(self, user_id: int, due: datetime, at: datetime) -> None:
        async def wake() -> None:
            await self.send_weekly(user_id, due)

        self.ctx.scheduler.schedule(f"w:{user_id}", at, wake)

    async def send_weekly(self, user_id: int, due: datetime) -> None:
        """Send the report of the week ``due`` closes, once; then plan the next one."""
        ctx = self.ctx
        async with ctx.lock(user_id):
            user = ctx.store.get_user(user_id)
            if user is None:
                return  # forgotten meanwhile
            try:
                user = await self._send_weekly(user, due)
            except DeliveryError:
                retry = ctx.clock() + RETRY_AFTER
                if retry - due < LATE_REPORT_WINDOW:  # later than that, the week is old news
                    log.warning("weekly report not sent; trying again shortly", exc_info=True)
                    self._schedule(user_id, due, retry)
                    return
                log.warning("weekly report not sent and now too late", exc_info=True)
            self.plan(user)

    async def _send_weekly(self, user: UserSettings, due: datetime) -> UserSettings:
        ctx = self.ctx
        week_of = report_week(due, ctx.zone(user))
        report = self.report(user, ctx.clock(), week_of=week_of)
        week = report.start.date().isoformat()
        if user.last_report_week == week or not self.was_active(user, report):
            return user
        sent = await ctx.say(user.chat_id, render_weekly_report(report, user.clock24))
        if sent is None:
            return user  # the chat refused it (blocked): nothing more to send
        # Remembered before the chart: a crash while drawing never repeats the report.
        user = replace(user, last_report_week=week, downtime=(), reflection_asked=ctx.clock())
        try:
            ctx.store.put_user(user)
        except StoreError:  # not retried: that would send the report again
            log.warning("could not note the weekly report as sent", exc_info=True)
        try:
            await self.send_chart(user, report)
        except Exception:  # the report itself went out; a missing chart is not worth a retry
            log.warning("weekly chart not sent", exc_info=True)
        return user

    def was_active(self, user: UserSettings, report: WeeklyReport) -> bool:
        """A user who did nothing all week gets no report: silence is kinder than zeros."""
        if report.this_week.scored or report.this_week.cancelled:
            return True
        return any(
            report.start <= p.created < report.end or report.start <= p.due < report.end
            for p in self.ctx.store.open_promises(user.user_id)
        )
