"""Daily routines: recurring micro-commitments; each occurrence is its own promise.

A routine has one job (``r:<routine id>``) at its next occurrence. When it fires, the
occurrence is stored as a Promise linked to the routine and checked in exactly like a
one-off promise — same buttons, nudge and unanswered rule, same score.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot import texts
from bot.context import UTC, ButtonHandler, CommandHandler, Context, Sender
from bot.flows.promises import PromiseFlow
from bot.replies import Button, Keyboard, esc
from core import lifecycle
from core.kinds import detect_kind
from core.models import Routine, UserSettings
from core.routines import due_occurrences, next_after, since
from core.score import tally, week_bounds
from core.timephrase import ParsedRoutine, describe_recurrence, next_occurrence


class RoutineFlow:
    def __init__(self, ctx: Context, promises: PromiseFlow) -> None:
        self.ctx = ctx
        self.promises = promises

    @property
    def commands(self) -> dict[str, CommandHandler]:
        return {"routines": self.cmd_routines}

    @property
    def buttons(self) -> dict[str, ButtonHandler]:
        return {"rp": self.btn_pause, "rr": self.btn_resume, "rd": self.btn_delete}

    # ------------------------------------------------------------------ scheduling

    def plan(self, routine: Routine, user: UserSettings | None = None) -> None:
        key = f"r:{routine.id}"
        user = user or self.ctx.store.get_user(routine.user_id)
        if routine.paused or user is None:
            self.ctx.scheduler.cancel(key)
            return
        # The first occurrence after the last one asked: in the past after downtime,
        # so the job fires at once and catches up.
        at = next_occurrence(routine.rule, since(routine), self.ctx.zone(user))
        user_id, routine_id = routine.user_id, routine.id

        async def wake() -> None:
            await self.on_event(user_id, routine_id)

        self.ctx.scheduler.schedule(key, at, wake)

    def restore(self) -> int:
        users: dict[int, UserSettings | None] = {}
        count = 0
        for routine in self.ctx.store.all_routines():
            if routine.user_id not in users:
                users[routine.user_id] = self.ctx.store.get_user(routine.user_id)
            self.plan(routine, users[routine.user_id])
            count += 1
        return count

    def replan_user(self, user: UserSettings) -> None:
        """Routines follow local wall time, so a new time zone moves every one of them."""
        for routine in self.ctx.store.routines(user.user_id):
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
            occurrence = lifecycle.new_promise(
                promise_id=ctx.make_id(),
                user_id=user_id,
                task=routine.task,
                due=due.latest.astimezone(UTC),
                now=now,
                tags=routine.tags,
                kind=routine.kind,
                routine_id=routine.id,
            )
            ctx.store.put_promise(occurrence)
            if due.skipped:
                window = (due.skipped[0].astimezone(UTC), due.latest.astimezone(UTC))
                user = replace(user, downtime=(*user.downtime, window))
                ctx.store.put_user(user)
            routine = replace(routine, last_occurrence=due.latest.astimezone(UTC))
            ctx.store.put_routine(routine)
            self.promises.plan(occurrence)
            self.plan(routine, user)

    # ------------------------------------------------------------------ adding

    async def add(self, user: UserSettings, parsed: ParsedRoutine) -> None:
        ctx = self.ctx
        if len(ctx.store.routines(user.user_id)) >= ctx.limits.max_routines:
            await ctx.say(
                user.chat_id, texts.TOO_MANY_ROUTINES.format(limit=ctx.limits.max_routines)
            )
            return
        now = ctx.clock()
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
        first = next_after(routine, now, ctx.zone(user))
        assert first is not None
        await ctx.say(
            user.chat_id,
            texts.routine_added(
                describe_recurrence(routine.rule, user.clock24),
                routine.task,
                texts.when(first, now, ctx.zone(user), user.clock24),
            ),
        )

    # ------------------------------------------------------------------ /routines

    async def cmd_routines(self, user: UserSettings, who: Sender, args: str) -> None:
        await self.ctx.say(user.chat_id, *self.render(user))

    def render(self, user: UserSettings) -> tuple[str, Keyboard]:
        ctx = self.ctx
        routines = ctx.store.routines(user.user_id)
        if not routines:
            return texts.NO_ROUTINES, ()
        now, tz = ctx.clock(), ctx.zone(user)
        week_start, _ = week_bounds(now, tz)
        four_weeks = week_start - timedelta(weeks=3)
        closed = ctx.store.closed_promises(user.user_id, since=four_weeks)
        lines = ["<b>Your routines</b>"]
        rows: list[tuple[Button, ...]] = []
        for number, routine in enumerate(routines, start=1):
            mine = [p for p in closed if p.routine_id == routine.id]
            week = tally(p for p in mine if p.due >= week_start)
            month = tally(mine)
            schedule = describe_recurrence(routine.rule, user.clock24)
            state = " · paused" if routine.paused else ""
            lines.append(
                f"{number}. {esc(routine.task)} — {esc(schedule)}{state}\n"
                f"    {week.kept_any} of {week.scored} this week · "
                f"{month.kept_any} of {month.scored} in 4 weeks"
            )
            toggle = (
                Button(f"▶️ Resume {number}", f"rr:{routine.id}")
                if routine.paused
                else Button(f"⏸ Pause {number}", f"rp:{routine.id}")
            )
            rows.append((toggle, Button(f"🗑 Delete {number}", f"rd:{routine.id}")))
        return "\n".join(lines), tuple(rows)

    async def _change(
        self, user: UserSettings, message_id: int, args: list[str], action: str
    ) -> str:
        ctx = self.ctx
        routine = ctx.store.get_routine(user.user_id, args[0]) if len(args) == 1 else None
        if routine is None:
            return texts.GONE
        now = ctx.clock()
        if action == "delete":
            ctx.store.delete_routine(user.user_id, routine.id)
            ctx.scheduler.cancel(f"r:{routine.id}")
        else:
            paused = action == "pause"
            if routine.paused == paused:
                return texts.ALREADY_DONE
            # Resuming starts from now: a paused stretch is neither asked nor scored.
            routine = replace(routine, paused=paused, last_occurrence=now)
            ctx.store.put_routine(routine)
            self.plan(routine, user)
        await ctx.edit(user.chat_id, message_id, *self.render(user))
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
