"""The reliability report: /score, the 8-week chart, /history and the weekly report.

The weekly report is one job per user (``w:<user id>``) at the user's local report
time; like every job it is rebuilt from the store at start. A report missed while the
bot was down is sent when it is back, once (``last_report_week`` remembers).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta

from core.score import WeeklyReport, week_bounds, weekly_report
from core.timephrase import next_occurrence

from bot.context import ButtonHandler, CommandHandler, Context, Sender
from bot.replies import Attachment, Button, Reply
from bot.report_text import render_history, render_score, render_weekly_report
from core.models import Recurrence, UserSettings

log = logging.getLogger(__name__)

HISTORY_SIZE = 30
# Beyond a year the long-run average (half-life 4 weeks) no longer moves.
REPORT_HORIZON = timedelta(weeks=52)
# A weekly report missed by more than this during downtime is not sent late.
LATE_REPORT_WINDOW = timedelta(hours=24)

CHART_BUTTON = ((Button("📈 8-week chart", "chart"),),)


class ReportFlow:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def commands(self) -> dict[str, CommandHandler]:
        return {"score": self.cmd_score, "history": self.cmd_history}

    @property
    def buttons(self) -> dict[str, ButtonHandler]:
        return {"chart": self.btn_chart}

    # ------------------------------------------------------------------ the report

    def report(self, user: UserSettings, now: datetime) -> WeeklyReport:
        store = self.ctx.store
        promises = [
            *store.closed_promises(user.user_id, since=now - REPORT_HORIZON),
            *store.open_promises(user.user_id),
        ]
        return weekly_report(
            promises,
            now,
            self.ctx.zone(user),
            routines=store.routines(user.user_id),
            downtime=user.downtime,
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
        store, now = self.ctx.store, self.ctx.clock()
        closed = store.closed_promises(user.user_id, since=now - timedelta(days=90))
        if len(closed) < HISTORY_SIZE:
            closed = store.closed_promises(user.user_id)
        newest = sorted(closed, key=lambda p: p.closed or p.due, reverse=True)[:HISTORY_SIZE]
        await self.ctx.say(user.chat_id, render_history(newest, self.ctx.zone(user), user.clock24))

    # ------------------------------------------------------------------ weekly, unasked

    def restore(self) -> int:
        count = 0
        for user_id in self.ctx.store.user_ids():
            user = self.ctx.store.get_user(user_id)
            if user is not None and self.plan(user, catch_up=True):
                count += 1
        return count

    def plan(self, user: UserSettings, *, catch_up: bool = False) -> bool:
        key = f"w:{user.user_id}"
        if not user.report_enabled or user.blocked:
            self.ctx.scheduler.cancel(key)
            return False
        now, tz = self.ctx.clock(), self.ctx.zone(user)
        rule = Recurrence((user.report_day,), user.report_hour, user.report_minute)
        at = next_occurrence(rule, now, tz)
        if catch_up:
            previous = next_occurrence(rule, now - timedelta(days=7), tz)
            week = week_bounds(previous, tz)[0].date().isoformat()
            if now - previous < LATE_REPORT_WINDOW and user.last_report_week != week:
                at = now  # the report fell due while the bot was down: send it now
        user_id = user.user_id

        async def wake() -> None:
            await self.send_weekly(user_id)

        self.ctx.scheduler.schedule(key, at, wake)
        return True

    async def send_weekly(self, user_id: int) -> None:
        ctx = self.ctx
        async with ctx.lock(user_id):
            user = ctx.store.get_user(user_id)
            if user is None:
                return
            now = ctx.clock()
            report = self.report(user, now)
            week = report.start.date().isoformat()
            if user.last_report_week != week and self.was_active(user, report):
                await ctx.say(user.chat_id, render_weekly_report(report, user.clock24))
                await self.send_chart(user, report)
                user = replace(user, last_report_week=week, downtime=())
                ctx.store.put_user(user)
            self.plan(user)

    def was_active(self, user: UserSettings, report: WeeklyReport) -> bool:
        """A user who did nothing all week gets no report: silence is kinder than zeros."""
        if report.this_week.scored or report.this_week.cancelled:
            return True
        return any(
            report.start <= p.created < report.end or report.start <= p.due < report.end
            for p in self.ctx.store.open_promises(user.user_id)
        )
