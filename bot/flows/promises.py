"""One-off promises: log, check in, answer, snooze, renegotiate, repair, list.

Every change is written to the store before the reply that confirms it, and then
``plan`` makes the scheduler's job match the stored promise. The scheduler is a cache:
``restore`` rebuilds it from the store at start, and past-due jobs fire at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot import texts
from bot.context import UTC, ButtonHandler, CommandHandler, Context, Sender
from bot.replies import DeliveryError, Keyboard
from core import lifecycle
from core.answers import time_answer
from core.history import tally_between, utc_day
from core.kinds import detect_kind
from core.lifecycle import Answer, EventKind
from core.models import Draft, Outcome, Promise, UserSettings
from core.ports import StoreError
from core.score import Tally, week_bounds
from core.timephrase import NeedsTime, ParsedPromise, ParseError, parse, parse_when

log = logging.getLogger(__name__)


class PromiseFlow:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        # A check-in step that went out but could not be stored (a full or read-only
        # disk): promise id -> (the promise as stored, as it is after the step). Retries
        # then only write it: the user is not asked again every few seconds.
        self._unsaved: dict[str, tuple[Promise, Promise]] = {}
        self._failures: dict[str, int] = {}  # promise id -> failed tries in a row
        self._told_unsaved: set[int] = set()  # users told we can't save, until we can

    @property
    def commands(self) -> dict[str, CommandHandler]:
        return {"list": self.cmd_list}

    @property
    def buttons(self) -> dict[str, ButtonHandler]:
        return {
            "k": _bound(self._answer, Answer.KEPT),
            "l": _bound(self._answer, Answer.LATE),
            "b": _bound(self._answer, Answer.BROKE),
            "z": self.btn_snooze,
            "u": self.btn_undo,
            "c": self.btn_change,
            "t": self.btn_change_to,
            "d": _bound(self._answer_from_list, Answer.KEPT),
            "ll": _bound(self._answer_from_list, Answer.LATE),
            "lb": _bound(self._answer_from_list, Answer.BROKE),
            "x": self.btn_cancel,
            "lp": self.btn_list_page,
            "r1": _bound(self._redo, "1h"),
            "rt": _bound(self._redo, "tm"),
            "rn": self.btn_redo_not_now,
            "q": self.btn_quick_time,
        }

    # ------------------------------------------------------------------ scheduling

    def plan(self, promise: Promise) -> None:
        """Make the scheduler's job for this promise match what the store says."""
        key = f"p:{promise.id}"
        event = lifecycle.next_event(promise, self.ctx.timings)
        if event is None:
            self.ctx.scheduler.cancel(key)
            return
        user_id, promise_id = promise.user_id, promise.id

        async def wake() -> None:
            await self.on_event(user_id, promise_id)

        self.ctx.scheduler.schedule(key, event.at, wake)

    async def on_event(self, user_id: int, promise_id: str) -> None:
        ctx = self.ctx
        async with ctx.lock(user_id):
            promise = ctx.store.get_promise(user_id, promise_id)
            user = ctx.store.get_user(user_id)
            unsaved = self._unsaved.pop(promise_id, None)
            if promise is None or user is None or not promise.is_open:
                self._failures.pop(promise_id, None)
                return
            now = ctx.clock()
            event = lifecycle.next_event(promise, ctx.timings)
            if event is None:
                return
            if event.at > now + timedelta(seconds=1):
                self.plan(promise)  # woken early: try again at the right time
                return
            if user.blocked:
                return  # resumes when they write again (Conversation re-plans them)
            if unsaved is not None and unsaved[0] == promise:
                acted = unsaved[1]  # it went out already: only the write is left to do
            else:
                try:
                    acted = await self._act(user, promise, event.kind, now)
                except DeliveryError:
                    # Telegram unreachable: nothing went out, the store says "not asked".
                    self._retry(promise, now, "could not be sent")
                    return
                latest = ctx.store.get_user(user_id)
                if latest is None or latest.blocked:
                    return  # the message bounced with 403: keep the promise as it was
            try:
                ctx.store.put_promise(acted)
            except StoreError:
                # A full or read-only disk: the step went out but is not stored. Only the
                # write is tried again, less and less often; a restart meanwhile asks once
                # more (the store says "not asked"), which repeats but never loses one.
                self._unsaved[promise_id] = (promise, acted)
                self._retry(promise, now, "could not be stored")
                await self._tell_unsaved(user)
                return
            self._failures.pop(promise_id, None)
            self._told_unsaved.discard(user_id)
            self.plan(acted)

    def _retry(self, promise: Promise, now: datetime, why: str) -> None:
        """Wake this promise's step again: 30 s after a first failure, twice as long
        after each further one in a row, never more than 16 minutes apart."""
        failures = self._failures.get(promise.id, 0) + 1
        self._failures[promise.id] = failures
        delay = lifecycle.retry_delay(self.ctx.timings, failures)
        log.warning(
            "check-in step %s (%d in a row); trying again in %s",
            why,
            failures,
            delay,
            exc_info=failures == 1,  # the cause once, not every quarter of an hour
        )
        self._schedule_retry(promise, now + delay)

    async def _tell_unsaved(self, user: UserSettings) -> None:
        """Say once, not at every retry, that answers can't be saved right now."""
        if user.user_id in self._told_unsaved:
            return
        self._told_unsaved.add(user.user_id)
        try:
            await self.ctx.say(user.chat_id, texts.CANT_SAVE_NOW)
        except DeliveryError:
            log.warning("could not tell a user that nothing can be saved", exc_info=True)

    def _schedule_retry(self, promise: Promise, at: datetime) -> None:
        user_id, promise_id = promise.user_id, promise.id

        async def wake() -> None:
            await self.on_event(user_id, promise_id)

        self.ctx.scheduler.schedule(f"p:{promise_id}", at, wake)

    async def _act(
        self, user: UserSettings, promise: Promise, kind: EventKind, now: datetime
    ) -> Promise:
        ctx, tz, c24 = self.ctx, self.ctx.zone(user), user.clock24
        if kind is EventKind.CHECKIN:
            late = lifecycle.checkin_is_late(promise, now, ctx.timings)
            message_id = await ctx.say(
                user.chat_id,
                texts.checkin(promise, tz, c24, late=late),
                texts.checkin_buttons(promise.id, ctx.timings.snooze),
            )
            return lifecycle.mark_asked(promise, now, message_id, late=late)
        if kind is EventKind.NUDGE:
            await ctx.say(
                user.chat_id,
                texts.nudge(promise, tz, c24),
                texts.checkin_buttons(promise.id, ctx.timings.snooze),
            )
            return lifecycle.mark_nudged(promise)
        promise = lifecycle.expire(promise, now)
        if promise.checkin_message_id is not None:
            await ctx.edit(
                user.chat_id, promise.checkin_message_id, texts.answered(promise, tz, c24)
            )
        await ctx.say(user.chat_id, texts.expired(promise, tz, c24))
        return promise

    # ------------------------------------------------------------------ text

    async def on_message(self, user: UserSettings, who: Sender, text: str) -> bool:
        """An answer to the waiting "when?" or "new time?"; True when handled.

        Only a time answers ("7pm", "ok tomorrow then"). Anything else ends the question,
        so a later promise with a time of its own ("meet sam at 7") is never swallowed
        by an old one. A time that is wrong as written ("at 25:00") keeps it waiting:
        the conversation explains the mistake and the person can correct it.
        """
        if user.draft is None and user.pending_change is None:
            return False
        now, tz = self.ctx.clock(), self.ctx.zone(user)
        if not self.waiting_fresh(user, now):
            await self.end_waiting(user)
            return False
        due = time_answer(text, now, tz)
        if due is None:
            if not isinstance(parse(text, now, tz), ParseError):
                await self.end_waiting(user)
            return False
        if user.pending_change:
            promise_id = user.pending_change
            user = self._unwait(user)
            self.ctx.store.put_user(user)
            await self._change_to(user, promise_id, due, now, tz)
            return True
        await self._complete_draft(user, due, now, tz)
        return True

    def waiting_fresh(self, user: UserSettings, now: datetime) -> bool:
        """True while the open question is young enough for a typed reply to answer it."""
        asked = user.draft.created if user.draft is not None else user.pending_change_at
        return asked is not None and now - asked <= self.ctx.timings.answer_window

    def waiting_message(self, user: UserSettings) -> int | None:
        """The message of the open "when?" or "new time?" question, if one is open."""
        if user.draft is not None:
            return user.draft.question_message_id
        if user.pending_change is not None:
            return user.pending_change_message_id
        return None

    async def end_waiting(self, user: UserSettings) -> UserSettings:
        """Close the open question, saying so on it, so its task is not left hanging.

        Called when anything else happens (a command, another button, a new promise)
        or when a reply comes after the answer window.
        """
        if user.draft is None and user.pending_change is None:
            return user
        draft, change_id = user.draft, user.pending_change
        message_id = self.waiting_message(user)
        user = self._unwait(user)
        self.ctx.store.put_user(user)
        if message_id is None:
            return user
        if draft is not None:
            await self.ctx.edit(user.chat_id, message_id, texts.when_not_answered(draft.task))
        elif change_id is not None:
            promise = self.ctx.store.get_promise(user.user_id, change_id)
            if promise is not None:
                now, tz = self.ctx.clock(), self.ctx.zone(user)
                await self.ctx.edit(
                    user.chat_id,
                    message_id,
                    texts.new_time_not_answered(promise, now, tz, user.clock24),
                )
        return user

    @staticmethod
    def _unwait(user: UserSettings) -> UserSettings:
        return replace(
            user,
            draft=None,
            pending_change=None,
            pending_change_at=None,
            pending_change_message_id=None,
        )

    async def ask_when(self, user: UserSettings, who: Sender, parsed: NeedsTime) -> None:
        user = await self.end_waiting(user)
        draft = Draft(parsed.task, parsed.tags, self.ctx.clock(), who.message_id)
        user = replace(user, draft=draft)
        self.ctx.store.put_user(user)
        sent = await self.ctx.say(
            user.chat_id,
            texts.ask_when(parsed.task, parsed.understood, parsed.unread),
            texts.when_buttons("q:"),
        )
        if sent is not None:
            self.ctx.store.put_user(replace(user, draft=replace(draft, question_message_id=sent)))

    async def add(
        self,
        user: UserSettings,
        parsed: ParsedPromise,
        source_message_id: int | None,
        *,
        repair_of: str | None = None,
    ) -> Promise | None:
        ctx = self.ctx
        now = ctx.clock()
        if len(ctx.store.open_promises(user.user_id)) >= ctx.limits.max_open:
            await ctx.say(user.chat_id, texts.TOO_MANY_OPEN.format(limit=ctx.limits.max_open))
            return None
        if not self._count_new(user, now):
            limit = ctx.limits.max_new_per_day
            await ctx.say(user.chat_id, texts.TOO_MANY_TODAY.format(limit=limit))
            return None
        promise = lifecycle.new_promise(
            promise_id=ctx.make_id(),
            user_id=user.user_id,
            task=parsed.task,
            due=parsed.due.astimezone(UTC),
            now=now,
            tags=parsed.tags,
            kind=detect_kind(parsed.task),
            source_message_id=source_message_id,
            repair_of=repair_of,
        )
        ctx.store.put_promise(promise)
        self.plan(promise)
        await self.acknowledge(user, promise, parsed.notes)
        return promise

    def _count_new(self, user: UserSettings, now: datetime) -> bool:
        """Count one more new promise today (local day); False when the day's cap is reached.

        Counted before the promise is stored: a crash in between costs one of the
        day's allowance, never lets a promise past the cap.
        """
        ctx = self.ctx
        current = ctx.store.get_user(user.user_id) or user
        today = now.astimezone(ctx.zone(current)).date().isoformat()
        made = current.made_today if current.made_on == today else 0
        if made >= ctx.limits.max_new_per_day:
            return False
        ctx.store.put_user(replace(current, made_on=today, made_today=made + 1))
        return True

    async def acknowledge(
        self, user: UserSettings, promise: Promise, notes: tuple[str, ...] = ()
    ) -> None:
        ctx = self.ctx
        now, tz = ctx.clock(), ctx.zone(user)
        sent = await ctx.say(
            user.chat_id,
            texts.acknowledgement(promise, now, tz, user.clock24, notes),
            texts.ack_buttons(promise.id),
        )
        if sent is None:
            return
        # Remember that it went out, so a re-delivery of the same message is not answered
        # twice. The promise itself is stored already: failing here loses nothing.
        # (Under the user's lock, as every change to a promise is: ``promise`` is current.)
        try:
            ctx.store.put_promise(replace(promise, ack_message_id=sent))
        except StoreError:
            log.warning("could not note that an acknowledgement went out", exc_info=True)

    async def _complete_draft(
        self, user: UserSettings, due: datetime, now: datetime, tz: ZoneInfo
    ) -> None:
        draft = user.draft
        assert draft is not None
        user = self._unwait(user)
        self.ctx.store.put_user(user)
        parsed = ParsedPromise(draft.task, due, draft.tags, rolled_to_tomorrow=False)
        await self.add(user, parsed, draft.source_message_id)

    async def _change_to(
        self, user: UserSettings, promise_id: str, due: datetime, now: datetime, tz: ZoneInfo
    ) -> str:
        """Move the promise to ``due``; returns the toast: a renegotiation or a correction."""
        promise = self.ctx.store.get_promise(user.user_id, promise_id)
        if promise is None or not promise.is_open:
            await self.ctx.say(user.chat_id, texts.ALREADY_DONE)
            return texts.ALREADY_DONE
        correction = lifecycle.is_correction(promise, now)
        promise = lifecycle.renegotiate(promise, due.astimezone(UTC), now)
        self.ctx.store.put_promise(promise)
        self.plan(promise)
        if correction:
            await self.ctx.say(user.chat_id, texts.corrected(promise, now, tz, user.clock24))
            return "Fixed"
        await self.ctx.say(user.chat_id, texts.rescheduled(promise, now, tz, user.clock24))
        return "Renegotiated"

    def quick_time(self, code: str, now: datetime, tz: ZoneInfo) -> datetime | None:
        """The times behind the quick buttons of "when?" and "new time?"."""
        if code == "15m":
            return now + timedelta(minutes=15)
        if code == "1h":
            return now + timedelta(hours=1)
        phrase = {"tn": "tonight", "tm": "tomorrow"}.get(code)
        if phrase is None:
            return None
        due = parse_when(phrase, now, tz)
        return None if isinstance(due, ParseError) else due

    def week_tally(self, user: UserSettings, now: datetime) -> Tally:
        """This week's count so far, from the store's day summaries: no record is read."""
        start, end = week_bounds(now, self.ctx.zone(user))
        last = end - timedelta(microseconds=1)
        days = self.ctx.store.closed_days(
            user.user_id, utc_day(start), utc_day(last) + timedelta(days=1)
        )
        return tally_between(days, start, end)

    # ------------------------------------------------------------------ commands

    async def cmd_list(self, user: UserSettings, who: Sender, args: str) -> None:
        text, buttons = self.render_list(user)
        await self.ctx.say(user.chat_id, text, buttons)

    def render_list(self, user: UserSettings, page: int = 0) -> tuple[str, Keyboard]:
        promises = self.ctx.store.open_promises(user.user_id)
        now, tz = self.ctx.clock(), self.ctx.zone(user)
        return (
            texts.open_list(promises, now, tz, user.clock24, page),
            texts.list_buttons(promises, now, page),
        )

    # ------------------------------------------------------------------ buttons

    def _own_open(self, user: UserSettings, args: list[str]) -> Promise | str:
        """The user's own open promise named by the button, or the toast to show."""
        if len(args) != 1:
            return texts.EXPIRED_BUTTON
        promise = self.ctx.store.get_promise(user.user_id, args[0])
        if promise is None:
            return texts.GONE
        if not promise.is_open:
            return texts.ALREADY_DONE
        return promise

    async def _answer(
        self, user: UserSettings, message_id: int, args: list[str], given: Answer
    ) -> str:
        promise = self._own_open(user, args)
        if isinstance(promise, str):
            if promise == texts.ALREADY_DONE:
                await self._show_answered(user, message_id, args[0])
            return promise
        ctx = self.ctx
        now = ctx.clock()
        promise = lifecycle.answer(promise, given, now)
        ctx.store.put_promise(promise)
        self.plan(promise)
        await self._edit_answered(user, message_id, promise)
        if promise.outcome is Outcome.BROKEN:
            await ctx.say(user.chat_id, texts.REPAIR_OFFER, texts.repair_buttons(promise.id))
        assert promise.outcome is not None
        return texts.OUTCOME_MARKS[promise.outcome]

    def own_open(self, user: UserSettings, args: list[str]) -> Promise | str:
        """The user's own open promise named by a button's args, or the toast to show."""
        return self._own_open(user, args)

    async def answer_typed(self, user: UserSettings, promise: Promise, given: Answer) -> str:
        """Answer a check-in without its buttons ("done", /answer): the check-in message
        loses its buttons and shows the answer, and a reply confirms it down below."""
        ctx = self.ctx
        now, tz = ctx.clock(), ctx.zone(user)
        promise = lifecycle.answer(promise, given, now)
        ctx.store.put_promise(promise)
        self.plan(promise)
        if promise.checkin_message_id is not None:
            await ctx.edit(
                user.chat_id, promise.checkin_message_id, texts.answered(promise, tz, user.clock24)
            )
        week = self.week_tally(user, now)
        line = texts.week_so_far(week.kept_any, week.scored) if week.scored else ""
        await ctx.say(user.chat_id, texts.answered(promise, tz, user.clock24, line))
        if promise.outcome is Outcome.BROKEN:
            await ctx.say(user.chat_id, texts.REPAIR_OFFER, texts.repair_buttons(promise.id))
        assert promise.outcome is not None
        return texts.OUTCOME_MARKS[promise.outcome]

    async def _edit_answered(self, user: UserSettings, message_id: int, promise: Promise) -> None:
        now, tz = self.ctx.clock(), self.ctx.zone(user)
        week = self.week_tally(user, now)
        line = texts.week_so_far(week.kept_any, week.scored) if week.scored else ""
        await self.ctx.edit(
            user.chat_id, message_id, texts.answered(promise, tz, user.clock24, line)
        )

    async def _show_answered(self, user: UserSettings, message_id: int, promise_id: str) -> None:
        """A tap on a check-in already answered: show the answer on it (again).

        After a crash between storing an answer and editing the check-in, Telegram
        delivers the tap again; this puts the stored outcome on the user's screen.
        """
        promise = self.ctx.store.get_promise(user.user_id, promise_id)
        if promise is not None and promise.checkin_message_id == message_id:
            await self._edit_answered(user, message_id, promise)

    async def btn_snooze(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        promise = self._own_open(user, args)
        if isinstance(promise, str):
            return promise
        ctx = self.ctx
        now, tz = ctx.clock(), ctx.zone(user)
        if promise.snoozed_until is None:
            promise = lifecycle.snooze(promise, now, ctx.timings)
            ctx.store.put_promise(promise)
            self.plan(promise)
        # else: snoozed already and not asked again since, so this is the same tap
        # delivered again (after a crash) or a second message's button: no second snooze.
        assert promise.snoozed_until is not None
        await ctx.edit(
            user.chat_id,
            message_id,
            texts.snoozed(promise, promise.snoozed_until, tz, user.clock24),
        )
        return "Snoozed"

    async def btn_undo(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        promise = self._own_open(user, args)
        if isinstance(promise, str):
            return promise
        self.ctx.store.delete_open_promise(user.user_id, promise.id)
        self.ctx.scheduler.cancel(f"p:{promise.id}")
        await self.ctx.edit(user.chat_id, message_id, texts.undone(promise))
        return "Undone"

    async def btn_change(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        promise = self._own_open(user, args)
        if isinstance(promise, str):
            return promise
        ctx = self.ctx
        now, tz = ctx.clock(), ctx.zone(user)
        user = await self.end_waiting(user)
        user = replace(user, pending_change=promise.id, pending_change_at=now)
        ctx.store.put_user(user)
        sent = await ctx.say(
            user.chat_id,
            texts.ask_new_time(promise, tz, user.clock24, now),
            texts.when_buttons("t:", promise.id),
        )
        if sent is not None:
            ctx.store.put_user(replace(user, pending_change_message_id=sent))
        return "New time?"

    async def btn_change_to(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        if len(args) != 2:
            return texts.EXPIRED_BUTTON
        code, promise_id = args
        now, tz = self.ctx.clock(), self.ctx.zone(user)
        due = self.quick_time(code, now, tz)
        if due is None:
            return texts.EXPIRED_BUTTON
        promise = self._own_open(user, [promise_id])
        if isinstance(promise, str):
            return promise
        if user.pending_change != promise_id:
            # Its question was answered or ended (which took these buttons off it): a tap
            # delivered again must not move the promise, and count, a second time.
            return texts.ALREADY_DONE
        user = self._unwait(user)
        self.ctx.store.put_user(user)
        await self.ctx.edit(
            user.chat_id, message_id, texts.ask_new_time(promise, tz, user.clock24, now)
        )
        return await self._change_to(user, promise_id, due, now, tz)

    async def _answer_from_list(
        self, user: UserSettings, message_id: int, args: list[str], given: Answer
    ) -> str:
        """Done / Late / Broke in /list: the same answer as on the check-in, which (if
        it went out) loses its buttons and shows it; the list stays on its page."""
        promise = self._own_open(user, args[:1])
        if isinstance(promise, str):
            return promise
        ctx = self.ctx
        tz = ctx.zone(user)
        promise = lifecycle.answer(promise, given, ctx.clock())
        ctx.store.put_promise(promise)
        self.plan(promise)
        if promise.checkin_message_id is not None:
            await ctx.edit(
                user.chat_id, promise.checkin_message_id, texts.answered(promise, tz, user.clock24)
            )
        await ctx.edit(user.chat_id, message_id, *self.render_list(user, _page(args)))
        if promise.outcome is Outcome.BROKEN:
            await ctx.say(user.chat_id, texts.REPAIR_OFFER, texts.repair_buttons(promise.id))
        assert promise.outcome is not None
        return texts.OUTCOME_MARKS[promise.outcome]

    async def btn_cancel(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        promise = self._own_open(user, args[:1])
        if isinstance(promise, str):
            return promise
        promise = lifecycle.cancel(promise, self.ctx.clock())
        self.ctx.store.put_promise(promise)
        self.plan(promise)
        await self.ctx.edit(user.chat_id, message_id, *self.render_list(user, _page(args)))
        return "Cancelled"

    async def btn_list_page(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        if len(args) != 1 or not args[0].isdigit():
            return texts.EXPIRED_BUTTON
        page = int(args[0])
        await self.ctx.edit(user.chat_id, message_id, *self.render_list(user, page))
        return f"Page {page + 1}"

    async def _redo(self, user: UserSettings, message_id: int, args: list[str], code: str) -> str:
        if len(args) != 1:
            return texts.EXPIRED_BUTTON
        broken = self.ctx.store.get_promise(user.user_id, args[0])
        if broken is None:
            return texts.GONE
        if broken.outcome is not Outcome.BROKEN:
            return texts.ALREADY_DONE
        if any(p.repair_of == broken.id for p in self.ctx.store.open_promises(user.user_id)):
            return texts.ALREADY_DONE
        now, tz = self.ctx.clock(), self.ctx.zone(user)
        due = self.quick_time(code, now, tz)
        assert due is not None
        await self.ctx.edit(user.chat_id, message_id, texts.REPAIR_OFFER)
        parsed = ParsedPromise(broken.task, due, broken.tags, rolled_to_tomorrow=False)
        await self.add(user, parsed, None, repair_of=broken.id)
        return "Let's make it right"

    async def btn_redo_not_now(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        await self.ctx.edit(user.chat_id, message_id, texts.REPAIR_LATER)
        return "OK"

    async def btn_quick_time(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        if user.draft is None or len(args) != 1:
            return texts.ALREADY_DONE
        if user.draft.question_message_id not in (None, message_id):
            return texts.ALREADY_DONE  # an older "when?", ended when this one was asked
        now, tz = self.ctx.clock(), self.ctx.zone(user)
        due = self.quick_time(args[0], now, tz)
        if due is None:
            return texts.EXPIRED_BUTTON
        await self.ctx.edit(user.chat_id, message_id, texts.ask_when(user.draft.task))
        await self._complete_draft(user, due, now, tz)
        return "Got it"


T = TypeVar("T")


def _page(args: list[str]) -> int:
    """The /list page a button was on ("d:<id>:<page>"); 0 for buttons from before pages."""
    return int(args[1]) if len(args) == 2 and args[1].isdigit() else 0


def _bound(
    act: Callable[[UserSettings, int, list[str], T], Awaitable[str]], value: T
) -> ButtonHandler:
    """A button handler for one of several buttons that differ only in one value:
    Kept/Late/Broke (the answer) or Redo in an hour/Tomorrow (the time code)."""

    async def handler(user: UserSettings, who: Sender, message_id: int, args: list[str]) -> str:
        return await act(user, message_id, args, value)

    return handler
