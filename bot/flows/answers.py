"""Typed answers: "done" after a check-in, /answer, and the reply to the weekly question.

A check-in has buttons, but people type back: "done", "kept it", "late", "broke it".
Those words answer the check-in they refer to — the only one waiting, or, when several
are waiting, the one picked from a short list — and never become promises of their own.
The weekly report ends with a question ("how reliable have you been?"); its answer is
noted with the user's settings, not scheduled as a promise.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot import texts
from bot.context import ButtonHandler, CommandHandler, Context, Sender
from bot.flows.promises import PromiseFlow
from bot.replies import Button, Keyboard, shorten
from core.answers import answer_word, is_reflection_answer
from core.lifecycle import Answer
from core.models import Promise, UserSettings

#: The weekly question can be answered for this long after the report went out.
REFLECTION_WINDOW = timedelta(hours=24)
#: Reflection answers kept per user (a year of weeks), and characters kept of each.
REFLECTIONS_KEPT = 52
REFLECTION_CHARS = 300
#: Check-ins offered in one "which one?" list.
PICK_SIZE = 8
TASK_SHOWN = 40

_CODES = {"k": Answer.KEPT, "l": Answer.LATE, "b": Answer.BROKE}
_CODE_OF = {answer: code for code, answer in _CODES.items()}
_MARKS = {Answer.KEPT: "✅", Answer.LATE: "🕒", Answer.BROKE: "❌"}
_WORDS = {Answer.KEPT: "Kept", Answer.LATE: "Late", Answer.BROKE: "Broke it"}

NOTHING_TO_ANSWER = (
    "No check-in is waiting for an answer. /list shows your open promises — "
    "[Done] there closes one."
)
NO_CHECKINS = "No check-in is waiting for an answer."
REFLECTION_NOTED = "📝 Noted, thank you. Looking back is how the next week gets better."


def _which(given: Answer) -> str:
    return f"{_MARKS[given]} {_WORDS[given]} — which one?"


def _waiting_list(promises: list[Promise]) -> str:
    lines = ["<b>Check-ins waiting for an answer</b>"]
    for n, promise in enumerate(promises, start=1):
        lines.append(f"{n}. {texts.quoted(shorten(promise.task, 80))}")
    return "\n".join(lines)


class AnswerFlow:
    def __init__(self, ctx: Context, promises: PromiseFlow) -> None:
        self.ctx = ctx
        self.promises = promises

    @property
    def commands(self) -> dict[str, CommandHandler]:
        return {"answer": self.cmd_answer}

    @property
    def buttons(self) -> dict[str, ButtonHandler]:
        return {"aw": self.btn_answer}

    def waiting(self, user: UserSettings) -> list[Promise]:
        """Open promises whose check-in went out and got no answer yet, oldest first."""
        asked = [p for p in self.ctx.store.open_promises(user.user_id) if p.asked is not None]
        return sorted(asked, key=lambda p: (p.asked or p.due, p.id))

    # ------------------------------------------------------------------ typed text

    async def on_message(self, user: UserSettings, text: str) -> bool:
        """A typed answer to a check-in or to the weekly question; True when handled."""
        given = answer_word(text)
        if given is not None:
            await self._answer_typed(user, given)
            return True
        return await self._reflection(user, text)

    async def _answer_typed(self, user: UserSettings, given: Answer) -> None:
        waiting = self.waiting(user)
        if not waiting:
            await self.ctx.say(user.chat_id, NOTHING_TO_ANSWER)
        elif len(waiting) == 1:
            await self.promises.answer_typed(user, waiting[0], given)
        else:
            picks = waiting[-PICK_SIZE:]
            buttons: Keyboard = tuple(
                (Button(f"{n}. {shorten(p.task, TASK_SHOWN)}", f"aw:{_CODE_OF[given]}:{p.id}"),)
                for n, p in enumerate(picks, start=1)
            )
            await self.ctx.say(user.chat_id, _which(given) + "\n" + _waiting_list(picks), buttons)

    async def _reflection(self, user: UserSettings, text: str) -> bool:
        asked, now = user.reflection_asked, self.ctx.clock()
        if asked is None or now - asked > REFLECTION_WINDOW:
            return False
        if not is_reflection_answer(text, now, self.ctx.zone(user)):
            return False
        answers = (*user.reflections, (now, text[:REFLECTION_CHARS]))[-REFLECTIONS_KEPT:]
        self.ctx.store.put_user(replace(user, reflection_asked=None, reflections=answers))
        await self.ctx.say(user.chat_id, REFLECTION_NOTED)
        return True

    # ------------------------------------------------------------------ /answer

    async def cmd_answer(self, user: UserSettings, who: Sender, args: str) -> None:
        waiting = self.waiting(user)[-PICK_SIZE:]
        if not waiting:
            await self.ctx.say(user.chat_id, NO_CHECKINS)
            return
        await self.ctx.say(user.chat_id, _waiting_list(waiting), answer_rows(waiting))

    async def btn_answer(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        if len(args) != 2 or args[0] not in _CODES:
            return texts.EXPIRED_BUTTON
        promise = self.promises.own_open(user, args[1:])
        if isinstance(promise, str):
            return promise
        answered = await self.promises.answer_typed(user, promise, _CODES[args[0]])
        rest = self.waiting(user)[-PICK_SIZE:]
        if rest:
            await self.ctx.edit(user.chat_id, message_id, _waiting_list(rest), answer_rows(rest))
        else:
            await self.ctx.edit(user.chat_id, message_id, NO_CHECKINS)
        return answered


def answer_rows(promises: list[Promise]) -> Keyboard:
    """One row of Kept / Late / Broke per waiting check-in, numbered as listed."""
    return tuple(
        tuple(
            Button(f"{_MARKS[a]} {_WORDS[a]} {n}", f"aw:{_CODE_OF[a]}:{p.id}")
            for a in (Answer.KEPT, Answer.LATE, Answer.BROKE)
        )
        for n, p in enumerate(promises, start=1)
    )
