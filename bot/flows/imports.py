"""An /export file sent to the bot: read, shown, and imported only after [Import].

The file is read at once (a damaged or foreign one is refused with one line and changes
nothing) and kept in memory until the person confirms, for a few minutes at most: a
restart forgets it, and sending the file again is all it takes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import texts
from bot.context import ButtonHandler, CommandHandler, Context, Sender
from bot.replies import Button
from core.models import UserSettings
from core.transfer import ExportBundle, ImportRefused, merge_into, moved_up

CONFIRM_WINDOW = timedelta(minutes=10)

NOT_OFFERED = "I can't import files here."
REFUSED = "I couldn't import that file: {reason}. Nothing was changed."
FOREIGN = (
    "That export belongs to another Telegram account, so I won't import it here. "
    "Nothing was changed."
)
ASK = (
    "📥 This is your Keepword export: {promises} and {routines}. Import it? Promises "
    "already here are kept, the same ones are not added twice, and your settings "
    "(time zone, report time) become the file's."
)
DONE = "📥 Done: {summary}"
CANCELLED = "Not imported. Nothing was changed."
EXPIRED = "That import has expired — send the file again."


def _count(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class _Pending:
    token: str
    bundle: ExportBundle
    asked: datetime


class ImportFlow:
    def __init__(self, ctx: Context, replan: Callable[[UserSettings], None]) -> None:
        self.ctx = ctx
        self._replan = replan
        self._pending: dict[int, _Pending] = {}

    @property
    def commands(self) -> dict[str, CommandHandler]:
        return {}

    @property
    def buttons(self) -> dict[str, ButtonHandler]:
        return {"im": self.btn_import, "ix": self.btn_cancel}

    async def on_file(self, user: UserSettings, who: Sender, data: bytes) -> None:
        reader = self.ctx.read_export
        if reader is None:
            await self.ctx.say(who.chat_id, NOT_OFFERED)
            return
        try:
            bundle = reader(data)
        except ImportRefused as refused:
            await self.ctx.say(who.chat_id, REFUSED.format(reason=refused))
            return
        if bundle.user_id != user.user_id:
            await self.ctx.say(who.chat_id, FOREIGN)
            return
        token = self.ctx.make_id()
        self._pending[user.user_id] = _Pending(token, bundle, self.ctx.clock())
        text = ASK.format(
            promises=_count(len(bundle.promises), "promise"),
            routines=_count(len(bundle.routines), "routine"),
        )
        buttons = ((Button("📥 Import", f"im:{token}"), Button("Cancel", f"ix:{token}")),)
        await self.ctx.say(who.chat_id, text, buttons)

    def _take(self, user: UserSettings, args: list[str]) -> _Pending | None:
        pending = self._pending.get(user.user_id)
        if pending is None or args != [pending.token]:
            return None
        del self._pending[user.user_id]
        if self.ctx.clock() - pending.asked > CONFIRM_WINDOW:
            return None
        return pending

    async def btn_import(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        pending = self._take(user, args)
        if pending is None:
            await self.ctx.edit(who.chat_id, message_id, EXPIRED)
            return texts.EXPIRED_BUTTON
        counts = merge_into(self.ctx.store, moved_up(pending.bundle, self.ctx.clock()))
        fresh = self.ctx.store.get_user(user.user_id) or user
        self._replan(fresh)  # its open promises and routines get their jobs
        await self.ctx.edit(who.chat_id, message_id, DONE.format(summary=counts.summary()))
        return "Imported"

    async def btn_cancel(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        self._pending.pop(user.user_id, None)
        await self.ctx.edit(who.chat_id, message_id, CANCELLED)
        return "Cancelled"
