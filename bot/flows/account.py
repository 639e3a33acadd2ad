"""The user's own account: welcome, help, time zone, settings, export and forget."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot import texts, timezones
from bot.context import ButtonHandler, CommandHandler, Context, Sender
from bot.export import export_files
from bot.flows.promises import PromiseFlow
from bot.flows.reports import ReportFlow
from bot.flows.routines import RoutineFlow
from bot.replies import Attachment, Button, Keyboard, Reply, esc
from core.models import UserSettings

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ON_OFF = {"on": True, "off": False}
_CLOCKS = {"24": True, "12": False}


def _set(user: UserSettings, what: str, value: str) -> UserSettings | None:
    """The settings a settings button asks for; None for a button we never made.

    A button names the value it sets ("s:hour:20", "s:report:off"). Panels sent before
    that still say "prev"/"next"/"toggle", and are still understood.
    """
    if what in ("day", "hour"):
        size, current = (7, user.report_day) if what == "day" else (24, user.report_hour)
        step = {"next": 1, "prev": -1}.get(value)
        if step is not None:
            chosen = (current + step) % size
        elif value.isascii() and value.isdigit() and len(value) <= 2 and int(value) < size:
            chosen = int(value)
        else:
            return None
        if what == "day":
            return replace(user, report_day=chosen, report_enabled=True)
        return replace(user, report_hour=chosen, report_enabled=True)
    if what == "report" and value in (*_ON_OFF, "toggle"):
        return replace(user, report_enabled=_ON_OFF.get(value, not user.report_enabled))
    if what == "clock" and value in (*_CLOCKS, "toggle"):
        return replace(user, clock24=_CLOCKS.get(value, not user.clock24))
    return None


class AccountFlow:
    def __init__(
        self, ctx: Context, promises: PromiseFlow, routines: RoutineFlow, reports: ReportFlow
    ) -> None:
        self.ctx = ctx
        self.promises = promises
        self.routines = routines
        self.reports = reports

    @property
    def commands(self) -> dict[str, CommandHandler]:
        return {
            "start": self.cmd_start,
            "help": self.cmd_help,
            "timezone": self.cmd_timezone,
            "settings": self.cmd_settings,
            "export": self.cmd_export,
            "forget": self.cmd_forget,
        }

    @property
    def buttons(self) -> dict[str, ButtonHandler]:
        return {"s": self.btn_setting, "f": self.btn_forget}

    # ------------------------------------------------------------------ welcome

    async def cmd_start(self, user: UserSettings, who: Sender, args: str) -> None:
        await self.ctx.say(
            user.chat_id,
            texts.welcome(who.first_name or "there", user.tz, self.ctx.shares_location),
        )

    async def cmd_help(self, user: UserSettings, who: Sender, args: str) -> None:
        await self.ctx.say(user.chat_id, texts.HELP)

    # ------------------------------------------------------------------ time zone

    async def cmd_timezone(self, user: UserSettings, who: Sender, args: str) -> None:
        if not args:
            await self.ctx.say(
                user.chat_id, texts.timezone_current(user.tz, self.ctx.shares_location)
            )
            return
        name = await asyncio.to_thread(timezones.resolve, args)
        if name is None:
            await self.ctx.say(user.chat_id, texts.timezone_unknown(args))
            return
        await self._set_timezone(user, name)

    async def set_location(self, user: UserSettings, latitude: float, longitude: float) -> None:
        name = await asyncio.to_thread(timezones.at_location, latitude, longitude)
        if name is None:
            await self.ctx.say(user.chat_id, texts.timezone_not_found_at_location())
            return
        await self._set_timezone(user, name)

    async def _set_timezone(self, user: UserSettings, name: str) -> None:
        user = replace(user, tz=name)
        self.ctx.store.put_user(user)
        # Routines and the weekly report follow local wall time: move them with the user.
        self.routines.replan_user(user)
        self.reports.plan(user)
        now = self.ctx.clock().astimezone(self.ctx.zone(user))
        await self.ctx.say(user.chat_id, texts.timezone_set(name, texts.clock(now, user.clock24)))

    # ------------------------------------------------------------------ settings

    async def cmd_settings(self, user: UserSettings, who: Sender, args: str) -> None:
        await self.ctx.say(user.chat_id, *self._settings_view(user))

    def _settings_view(self, user: UserSettings) -> tuple[str, Keyboard]:
        report = (
            f"{_DAYS[user.report_day]}s at "
            f"{texts.clock_hm(user.report_hour, user.report_minute, user.clock24)}"
            if user.report_enabled
            else "off"
        )
        by_location = " or by sharing your location" if self.ctx.shares_location else ""
        text = (
            "<b>Settings</b>\n"
            f"Time zone: {esc(user.tz)} (change with /timezone{by_location})\n"
            f"Weekly report: {report}\n"
            f"Clock: {'24-hour' if user.clock24 else '12-hour'}"
        )
        # Each button carries the value it sets, not "one more" or "the other one": a tap
        # Telegram delivers again after a crash sets the same value again, never undoes it.
        day, hour = user.report_day, user.report_hour
        buttons: Keyboard = (
            (Button("🌍 Change time zone", "s:tz:ask"),),
            (
                Button("◀ Report day", f"s:day:{(day - 1) % 7}"),
                Button("Report day ▶", f"s:day:{(day + 1) % 7}"),
            ),
            (
                Button("− 1 hour", f"s:hour:{(hour - 1) % 24}"),
                Button("+ 1 hour", f"s:hour:{(hour + 1) % 24}"),
            ),
            (
                Button("🔕 Weekly report off", "s:report:off")
                if user.report_enabled
                else Button("🔔 Weekly report on", "s:report:on"),
            ),
            (
                Button("12-hour clock", "s:clock:12")
                if user.clock24
                else Button("24-hour clock", "s:clock:24"),
            ),
        )
        return text, buttons

    async def btn_setting(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        if len(args) != 2:
            return texts.EXPIRED_BUTTON
        what, value = args
        if what == "tz":
            # Telegram offers "share location" only on a reply keyboard: explain instead.
            await self.ctx.say(
                user.chat_id, texts.timezone_current(user.tz, self.ctx.shares_location)
            )
            return "🌍"
        changed = _set(user, what, value)
        if changed is None:
            return texts.EXPIRED_BUTTON
        user = changed
        self.ctx.store.put_user(user)
        self.reports.plan(user)
        await self.ctx.edit(user.chat_id, message_id, *self._settings_view(user))
        return "Saved"

    # ------------------------------------------------------------------ export / forget

    async def cmd_export(self, user: UserSettings, who: Sender, args: str) -> None:
        store = self.ctx.store
        data, csv_text = export_files(
            user,
            store.open_promises(user.user_id),
            store.closed_promises(user.user_id),
            store.routines(user.user_id),
            self.ctx.clock(),
        )
        stamp = f"{self.ctx.clock():%Y-%m-%d}"
        await self.ctx.outbox.send(
            user.chat_id,
            Reply(
                texts.EXPORT_READY,
                document=Attachment(f"keepword-{stamp}.json", data, "All your Keepword data"),
            ),
        )
        await self.ctx.outbox.send(
            user.chat_id,
            Reply("", document=Attachment(f"keepword-promises-{stamp}.csv", csv_text)),
        )

    async def cmd_forget(self, user: UserSettings, who: Sender, args: str) -> None:
        await self.ctx.say(
            user.chat_id,
            texts.FORGET_CONFIRM,
            ((Button("🗑 Yes, delete everything", "f:yes"), Button("Keep my data", "f:no")),),
        )

    async def btn_forget(
        self, user: UserSettings, who: Sender, message_id: int, args: list[str]
    ) -> str:
        if args != ["yes"]:
            await self.ctx.edit(user.chat_id, message_id, texts.FORGET_KEPT)
            return "Kept"
        store = self.ctx.store
        for promise in store.open_promises(user.user_id):
            self.ctx.scheduler.cancel(f"p:{promise.id}")
        for routine in store.routines(user.user_id):
            self.ctx.scheduler.cancel(f"r:{routine.id}")
        self.ctx.scheduler.cancel(f"w:{user.user_id}")
        store.forget_user(user.user_id)
        await self.ctx.edit(user.chat_id, message_id, texts.FORGOTTEN)
        return "Deleted"
