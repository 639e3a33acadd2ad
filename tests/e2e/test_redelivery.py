"""Telegram delivers an update again when the bot died before confirming it: the real
`keepword run` process is killed with SIGKILL at the worst moment, started again, and the
fake Bot API hands it the same update (the same update id) a second time.

The kill comes from inside the bot, at an exact write: a sitecustomize module wraps
``os.replace`` and, while a flag file exists, kills the process when a write of a user's
``open.json`` carries the settings value the flag names. That is a ``kill -9`` that hits
the window between two steps every time, rather than once in a few hundred runs.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from storage.tinydb_store import TinyDBStore
from tests.e2e.botprocess import ROOT, BotProcess
from tests.e2e.conftest import FAST, button
from tests.fakebotapi import FakeBotAPI

ANN = 1001

KILL_AT_WRITE = """
import json, os, signal
_flag = os.environ.get("KILL_AT_WRITE_FLAG")
if _flag:
    _replace = os.replace

    def _matches(path, rule):
        try:
            with open(path, "rb") as source:
                settings = json.load(source).get("settings", {}).values()
        except (OSError, ValueError, AttributeError):
            return False
        field = rule["field"]
        for doc in settings:
            if "equals" in rule and doc.get(field) == rule["equals"]:
                return True
            if "above" in rule and isinstance(doc.get(field), int) and doc[field] > rule["above"]:
                return True
        return False

    def _die():
        os.unlink(_flag)
        os.kill(os.getpid(), signal.SIGKILL)

    def replace(src, dst, *args, **kwargs):
        rule = None
        if str(dst).endswith("open.json") and os.path.exists(_flag):
            with open(_flag) as flag:
                rule = json.load(flag)
            if not _matches(src, rule):
                rule = None
        if rule is not None and rule["when"] == "before":
            _die()  # the write never lands
        result = _replace(src, dst, *args, **kwargs)
        if rule is not None:
            _die()  # the write landed; nothing after it ran
        return result

    os.replace = replace
"""


def killing_bot(api: FakeBotAPI, tmp_path: Path) -> tuple[BotProcess, Path]:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(KILL_AT_WRITE)
    flag = tmp_path / "kill-at-write"
    env = {
        **FAST,
        "PYTHONPATH": f"{hooks}{os.pathsep}{ROOT}",
        "KILL_AT_WRITE_FLAG": str(flag),
    }
    return BotProcess(api, tmp_path / "data", env=env), flag


async def died(bot: BotProcess, timeout: float = 10.0) -> None:
    assert bot.process is not None
    for _ in range(int(timeout * 20)):
        if bot.process.poll() is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot was not killed at the write")


async def test_a_message_redelivered_after_its_ack_went_out_is_not_acknowledged_again(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    bot, flag = killing_bot(api, tmp_path)
    await bot.start()
    try:
        first = api.send_text(ANN, "/help")
        await api.wait_for_message(ANN, "Commands")
        # Killed just before the handled message id is noted: the promise is stored and
        # acknowledged, and Telegram never hears that the update was handled.
        flag.write_text(json.dumps({"field": "last_message_id", "above": first, "when": "before"}))
        api.send_text(ANN, "call mom back in 1 hour")
        update_id = api.pending_updates[-1]["update_id"]
        await api.wait_for_message(ANN, "Got it")
        await died(bot)
        assert not flag.exists()

        await bot.start()
        n = len(api.messages_to(ANN))
        api.send_text(ANN, "/list")
        listing = await api.wait_for_message(ANN, "Open promises", after=n)
        assert api.delivery_count(update_id) >= 2  # the same update, delivered again
    finally:
        await bot.stop()
    assert listing.plain.count("call mom back") == 1
    acks = [m for m in api.messages_to(ANN) if m.plain.startswith("Got it")]
    assert len(acks) == 1
    [promise] = TinyDBStore(tmp_path / "data").open_promises(ANN)
    assert promise.ack_message_id == acks[0].message_id
    assert "Traceback" not in bot.log()


async def test_a_tap_redelivered_after_a_crash_does_not_toggle_the_setting_back(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    bot, flag = killing_bot(api, tmp_path)
    await bot.start()
    try:
        api.send_text(ANN, "/settings")
        panel = await api.wait_for_message(ANN, "Weekly report: Sundays")
        # Killed right after "report off" is stored, before the panel is redrawn and the
        # tap is answered: Telegram delivers the tap again after the restart.
        flag.write_text(json.dumps({"field": "report_enabled", "equals": False, "when": "after"}))
        api.press_button(ANN, panel, button(panel, "report off"))
        update_id = api.pending_updates[-1]["update_id"]
        await died(bot)

        await bot.start()
        await api.wait_for_edit(ANN, panel.message_id, "Weekly report: off")
        n = len(api.messages_to(ANN))
        api.send_text(ANN, "/settings")
        again = await api.wait_for_message(ANN, "Settings", after=n)
        assert api.delivery_count(update_id) >= 2
    finally:
        await bot.stop()
    assert "Weekly report: off" in again.plain
    user = TinyDBStore(tmp_path / "data").get_user(ANN)
    assert user is not None
    assert not user.report_enabled
