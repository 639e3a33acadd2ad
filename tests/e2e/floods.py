"""Floods one user (or strangers in a group) can send, and how long another user waits.

Each flood queues its updates on the fake Bot API server at once; then Bob sends
``/help``, so his update sits behind the whole flood in Telegram's queue. ``bob_waits``
is the time from Bob's message to his answer, measured on the server. Shared by
``tests/e2e/test_fairness.py`` and ``bench/fairness.py``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from tests.fakebotapi import FakeBotAPI

ANN = 1001
BOB = 2002
CAT = 3003
GROUP = -100900
STRANGERS = 5000  # group members 5000, 5001, …
FLOOD = 120
TAPS = 60

STICKER = {
    "file_id": "S1",
    "file_unique_id": "s1",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
    "type": "regular",
}


def private_message(user_id: int, message_id: int, **content: object) -> dict[str, object]:
    """A raw private-chat message, for the kinds the fake server has no helper for."""
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Eve"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Eve"},
        **content,
    }


async def edits(api: FakeBotAPI) -> None:
    """One message, then the same message edited FLOOD times."""
    api.send_text(ANN, "call mom back in 1 hour")
    for n in range(FLOOD):
        api.send_text(ANN, f"call mom back in {n + 2} hours", edited=True)


async def stickers(api: FakeBotAPI) -> None:
    for n in range(FLOOD):
        api.send_update({"message": private_message(ANN, 1 + n, sticker=STICKER)})


async def group_mentions(api: FakeBotAPI) -> None:
    """FLOOD different people each mention the bot once in one group."""
    for n in range(FLOOD):
        api.send_text(
            STRANGERS + n, "@KeepwordBot hello", chat_id=GROUP, chat_type="group", first_name="Eve"
        )


async def taps(api: FakeBotAPI) -> None:
    """Two users open /settings and each tap "+ 1 hour" TAPS times (every tap edits)."""
    screens = []
    for user in (ANN, CAT):
        api.send_text(user, "/settings")
        screens.append(await api.wait_for_message(user, "Settings"))
    for _ in range(TAPS):
        for user, screen in zip((ANN, CAT), screens, strict=True):
            api.press_button(user, screen, "s:hour:next")


FLOODS: dict[str, Callable[[FakeBotAPI], Awaitable[None]]] = {
    "edits": edits,
    "stickers": stickers,
    "group_mentions": group_mentions,
    "taps": taps,
}


async def bob_waits(api: FakeBotAPI, *, timeout: float) -> float:
    """Bob asks for /help right behind the flood; seconds until the answer arrived."""
    sent = time.monotonic()
    api.send_text(BOB, "/help", first_name="Bob")
    answer = await api.wait_for_message(BOB, "Commands", timeout=timeout)
    return answer.t_monotonic - sent
