"""Daily routines: recurring micro-commitments; each occurrence is its own promise.

A routine has one job (``r:<routine id>``) at its next occurrence. When it fires, the
occurrence is stored as a Promise linked to the routine and checked in exactly like a
one-off promise — same buttons, nudge and unanswered rule, same score. The routine
remembers its last occurrence (``last_occurrence``), so a restart asks for a missed
day once and only once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot import texts
from bot.context import UTC, ButtonHandler, CommandHandler, Context, Sender
from bot.flows.promises import PromiseFlow
from bot.replies import Button, Keyboard, esc, shorten
from core import lifecycle
from core.kinds import detect_kind
from core.models import Promise, Routine, UserSettings
from core.routines import add_window, due_occurrences, is_behind, next_after, since
from core.score import Tally, tally, week_bounds
from core.timephrase import ParsedRoutine, describe_recurrence, next_occurrence

# Routines shown per /routines message: 50 long ones would pass Telegram's 4096 characters.
PAGE = 10
TASK_SHOWN = 60  # characters of a task in the list; the check-in shows it whole


class RoutineFlow:
    def __init__(self, ctx: Context, promises: PromiseFlow) -> None:
        self.ctx = ctx
        self.promises = promises

    @property
    def commands(self) -> dict[str, CommandHandler]:
        return {"routines": self.cmd_routines}

    @property
    def buttons(self) -> dict[str, ButtonHandler]:
        return {
            "rp": self.btn_pause,
            "rr": self.btn_resume,
            "rd": self.btn_delete,
            "rl": self.btn_page,
        }

    # ------------------------------------------------------------------ scheduling

    def plan(self, routine: Routine, user: UserSettings | None = None) -> None:
        key = f"r:{routine.id}"
        user = user or self.ctx.store.get_user(routine.user_id)
        if routine.paused or user is None or user.blocked:
            self.ctx.scheduler.cancel(key)  # a blocked user is re-planned when they write
            return
        # The first occurrence after the last one asked: in the past after downtime,
        # so the job fires at once and catches up.
        at = next_occurrence(routine.rule, since(routine), self.ctx.zone(user))
        user_id, routine_id = routine.user_id, routine.id

        async def wake() -> None:
            await self.on_event(user_id, routine_id)

        self.ctx.scheduler.schedule(key, at, wake)

    def replan_user(self, user: UserSettings) -> None:
        """Routines follow local wall time, so a new time zone moves every one of them.

        Also called when a user who blocked the bot writes again. Either way, an hour
        that passed meanwhile was not missed by the bot: start again from now rather
        than ask late and report it as downtime.
        """
        now, tz = self.ctx.clock(), self.ctx.zone(user)
        for routine in self.ctx.store.routines(user.user_id):
            if is_behind(routine, now, tz):
                routine = replace(routine, last_occurrence=now)
                self.ctx.store.put_routine(routine)
            self.plan(routine, user)

    async def on_event(self, user_id: int, routine_id: str) -> None:
        ctx = self.ctx
        async with ctx.lock(user_id):
            routine = ctx.store.get_routine(user_id, routine_id)
            user = ctx.store.get_user(user_id)
            if routine is None or user is None or routine.paused or user.blocked:
                return
            now = ctx.clock()
            due = due_occurrences(routine, now, ctx.zone(user))
            if due.latest is None:
                self.plan(routine, user)  # woken early: try again at the right time
                return
            latest = due.latest.astimezone(UTC)
            occurrence = self._stored_occurrence(routine, latest)
            if occurrence is None:
                occurrence = lifecycle.new_promise(
                    promise_id=ctx.make_id(),
                    user_id=user_id,
                    task=routine.task,
                    due=latest,
                    now=now,
                    tags=routine.tags,
                    kind=routine.kind,
                    routine_id=routine.id,
                )
                ctx.store.put_promise(occurrence)
            window = due.downtime
            downtime = user.downtime if window is None else add_window(user.downtime, window, now)
            if downtime != user.downtime:  # a user's other routines mostly repeat it
                user = replace(user, downtime=downtime)
                ctx.store.put_user(user)
            routine = replace(routine, last_occurrence=latest)
            ctx.store.put_routine(routine)
            self.promises.plan(occurrence)
            self.plan(routine, user)

    def _stored_occurrence(self, routine: Routine, due: datetime) -> Promise | None:
        """The occurrence stored before a crash cut this step short; never store it twice."""
        store = self.ctx.store
        for promise in (
            *store.open_promises(routine.user_id),
            *store.closed_promises(routine.user_id, due, due + timedelta(seconds=1)),
        ):
            if promise.routine_id == routine.id and promise.due == due:
                return promise
        return None

    # ------------------------------------------------------------------ adding

    async def add(self, user: UserSettings, parsed: ParsedRoutine) -> None:
        ctx = self.ctx
        if len(ctx.store.routines(user.user_id)) >= ctx.limits.max_routines:
            await ctx.say(
                user.chat_id, texts.TOO_MANY_ROUTINES.format(limit=ctx.limits.max_routines)
            )
            return
        now, tz = ctx.clock(), ctx.zone(user)
        routine = Routine(
            id=ctx.make_id(),
            user_id=user.user_id,
            task=parsed.task,
            rule=parsed.rule,
            created=now,
            tags=parsed.tags,
            kind=detect_kind(parsed.task),
        )
        ctx.store.put_routine(routine)
        self.plan(routine, user)
        first = next_after(routine, now, tz)
        assert first is not None
        schedule = describe_recurrence(routine.rule, user.clock24)
        await ctx.say(
            user.chat_id, texts.routine_added(schedule, routine.task, first, now, tz, user.clock24)
        )

    # ------------------------------------------------------------------ /routines

    async def cmd_routines(self, user: UserSettings, who: Sender, args: str) -> None:
        await self.ctx.say(user.chat_id, *self.render(user))

    def render(self, user: UserSettings, page: int = 0) -> tuple[str, Keyboard]:
        ctx = self.ctx
        routines = ctx.store.routines(user.user_id)
        if not routines:
            return texts.NO_ROUTINES, ()
        pages = (len(routines) + PAGE - 1) // PAGE
        page = min(max(page, 0), pages - 1)
        first = page * PAGE
        now, tz = ctx.clock(), ctx.zone(user)
        week_start, _ = week_bounds(now, tz)
        four_weeks = week_start - timedelta(weeks=3)
        closed = ctx.store.closed_promises(user.user_id, since=four_weeks)
        title = f"<b>Your routines</b> ({len(routines)})"
        if pages > 1:
            title += f" · page {page + 1} of {pages}"
        lines = [title]
        rows: list[tuple[Button, ...]] = []
        for number, routine in enumerate(routines[first : first + PAGE], start=first + 1):
            mine = [p for p in closed if p.routine_id == routine.id]
            week = tally(p for p in mine if p.due >= week_start)
            month = tally(mine)
            schedule = describe_recurrence(routine.rule, user.clock24)
            upcoming = next_after(routine, now, tz)
            state = (
                "paused"
                if upcoming is None
                else f"next {texts.when(upcoming, now, tz, user.clock24)}"
            )
            lines.append(
                f"{number}. {esc(shorten(routine.task, TASK_SHOWN))} — {esc(schedule)} · {state}\n"
                f"    {_adherence(week, month)}"
            )
            toggle = (
                Button(f"▶️ Resume {number}", f"rr:{routine.id}:{page}")
                if routine.paused
                else Button(f"⏸ Pause {number}", f"rp:{routine.id}:{page}")
            )
            rows.append((toggle, Button(f"🗑 Delete {number}", f"rd:{routine.id}:{page}")))
        if pages > 1:
            rows.append(
                tuple(
                    Button(label, f"rl:{to}")
                    for label, to in (("◀ Previous", page - 1), ("Next ▶", page + 1))
                    if 0 <= to < pages
                )
            )
        return "\n".join(lines), tuple(rows)

    async def _change(
        self, user: UserSettings, message_id: int, args: list[str], action: str
    ) -> str:
        ctx = self.ctx
        if len(args) not in (1, 2):
            return texts.EXPIRED_BUTTON
        page = int(args[1]) if len(args) == 2 and args[1].isdigit() else 0
        routine = ctx.store.get_routine(user.user_id, args[0])
        if routine is None:
            return texts.GONE
        if action == "delete":
            ctx.store.delete_routine(user.user_id, routine.id)
            ctx.scheduler.cancel(f"r:{routine.id}")
        else:
            paused = action == "pause"
            if routine.paused == paused:
                return texts.ALREADY_DONE
            # Resuming starts from now: a paused stretch is neither asked nor scored.
            routine = replace(routine, paused=paused, last_occurrence=ctx.clock())
            ctx.store.put_routine(routine)
            self.plan(routine, user)
        await ctx.edit(user.chat_id, message_id, *self.render(user, page))
        return {"delete": "Deleted", "pause": "Paused", "resume": "Resumed"}[action]

    async def btn_pause(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        return await self._change(user, message_id, args, "pause")

    async def btn_resume(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        return await self._change(user, message_id, args, "resume")

    async def btn_delete(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        return await self._change(user, message_id, args, "delete")

    async def btn_page(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        if len(args) != 1 or not args[0].isdigit():
            return texts.EXPIRED_BUTTON
        await self.ctx.edit(user.chat_id, message_id, *self.render(user, int(args[0])))
        return f"Page {int(args[0]) + 1}"


def _adherence(week: Tally, month: Tally) -> str:
    """'3 of 4 this week · 10 of 12 in 4 weeks' — or what there is, never '0 of 0'."""
    if not month.scored:
        return "no answers yet"
    this = f"{week.kept_any} of {week.scored} this week" if week.scored else "none this week"
    return f"{this} · {month.kept_any} of {month.scored} in 4 weeks"
