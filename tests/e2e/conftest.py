from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI, SentMessage

# Short waits so a whole check-in life fits in seconds: snooze 2 s, nudge 2 s, close 4 s,
# and a check-in more than 1 s behind its time says it is late.
FAST = {"KEEPWORD_TIMINGS": "snooze=2,nudge=2,expire=4,late=1"}


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(api, tmp_path / "data", env=FAST)
    await process.start()
    yield process
    await process.stop()


def button(message: SentMessage, word: str) -> str:
    """The callback data of the first button whose label contains ``word``."""
    for row in message.current_buttons:
        for label, data in row:
            if word.lower() in label.lower():
                return data
    raise AssertionError(f"no {word!r} button in {message.current_buttons}")


def labels(message: SentMessage) -> str:
    return " ".join(label for row in message.current_buttons for label, _ in row)
