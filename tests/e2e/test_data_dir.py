"""The real `keepword run` process on a data directory someone else has touched: a
damaged user file costs only that user; a second process on it is turned away."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import FAST
from tests.fakebotapi import FakeBotAPI

ANN = 1001  # restored first: user ids are scanned in order
BOB = 2002

Damage = Callable[[dict[str, Any]], None]


def a_number_for_a_promise(document: dict[str, Any]) -> None:
    document["promises"]["1"] = 5


def report_day_9(document: dict[str, Any]) -> None:
    document["settings"]["1"]["report_day"] = 9


@pytest.mark.parametrize("damage", [a_number_for_a_promise, report_day_9])
async def test_a_damaged_user_file_costs_only_that_user(
    api: FakeBotAPI, tmp_path: Path, damage: Damage
) -> None:
    data = tmp_path / "data"
    bot = BotProcess(api, data, env=FAST)
    await bot.start()
    try:
        api.send_text(ANN, "ring the plumber secretword in 1 hour")
        await api.wait_for_message(ANN, "Got it")
        api.send_text(BOB, "water the plants in 2 seconds")
        await api.wait_for_message(BOB, "Got it")
        bot.kill9()
        assert not any("Did you keep" in m.plain for m in api.messages_to(BOB))

        path = data / "users" / str(ANN) / "open.json"
        document = json.loads(path.read_text())
        damage(document)
        damaged = json.dumps(document)
        path.write_text(damaged)

        await bot.start()
        checkin = await api.wait_for_message(BOB, "Did you keep your word?", timeout=10)
        assert "water the plants" in checkin.plain
        n = len(api.messages_to(ANN))
        api.send_text(ANN, "/list")
        await api.wait_for_message(ANN, "couldn't", after=n)  # told, not silence
        n = len(api.messages_to(BOB))
        api.send_text(BOB, "/list")
        await api.wait_for_message(BOB, "water the plants", after=n)
    finally:
        await bot.stop()
    assert path.read_text() == damaged  # never overwritten
    log = bot.log()
    assert f"skipping user {ANN} at start-up" in log
    assert "secretword" not in log
    assert "background task" not in log


async def test_a_second_process_on_the_same_data_dir_exits_with_one_line(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    bot = BotProcess(api, data, env=FAST)
    await bot.start()
    try:
        api.send_text(ANN, "call mom back in 1 hour")
        await api.wait_for_message(ANN, "Got it")
        assert bot.process is not None
        for command in ("run", "chat"):
            second = subprocess.run(
                [sys.executable, "-m", "bot", command],
                cwd=tmp_path,
                env=bot.environment(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=30,
            )
            assert second.returncode != 0, command
            assert second.stdout == ""
            lines = second.stderr.strip().splitlines()
            assert len(lines) == 1, second.stderr
            assert "in use by another Keepword process" in lines[0]
            assert f"pid {bot.process.pid}" in lines[0]
        assert sum("Got it" in m.plain for m in api.messages_to(ANN)) == 1
        # The lock dies with its process: after a kill -9 the next start is not refused.
        bot.kill9()
        await bot.start()
        n = len(api.messages_to(ANN))
        api.send_text(ANN, "/list")
        await api.wait_for_message(ANN, "call mom back", after=n)
    finally:
        await bot.stop()
