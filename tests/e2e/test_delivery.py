"""Delivery through the real `keepword run` process and the fake Bot API.

Long replies, button answers, send errors Telegram gives besides 429/5xx/403, stopping
with a backlog, and start-up failures — each as a user (or an operator) meets them.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.flows.reports import report_week
from core.models import Outcome, UserSettings
from storage.tinydb_store import TinyDBStore
from tests.bot.test_conversation import Harness
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import FAST
from tests.e2e.test_report import ANN, promise, roomy_zone, seed_week
from tests.fakebotapi import FakeBotAPI

FAST_TIMINGS = FAST["KEEPWORD_TIMINGS"]
K, L, B, X = Outcome.KEPT, Outcome.LATE, Outcome.BROKEN, Outcome.CANCELLED
TELEGRAM_LIMIT = 4096
LONG_TASK = ("call <mom> & fix it " * 30)[:499] + "x"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def bot(api: FakeBotAPI, data_dir: Path) -> AsyncIterator[BotProcess]:
    """The bot on a data directory the test may fill first; started by the test."""
    process = BotProcess(api, data_dir, env=FAST)
    yield process
    await process.stop()


def seed_long_week(store: TinyDBStore, now: datetime) -> str:
    """Ann's report fell due 5 minutes ago; her week is full of the longest text allowed:
    eight 500-character tags, cancelled 500-character tasks, 30 such tasks answered."""
    zone = roomy_zone(now)
    tz = ZoneInfo(zone)
    due = (now - timedelta(minutes=5)).astimezone(tz)
    store.put_user(
        UserSettings(
            user_id=ANN,
            chat_id=ANN,
            tz=zone,
            report_day=due.weekday(),
            report_hour=due.hour,
            report_minute=due.minute,
            created=now - timedelta(days=30),
        )
    )
    week = report_week(due, tz)
    for n in range(30):
        tag = "#" + chr(ord("a") + n % 8) * 499
        outcome = (K, L, B, X)[n % 4]
        seeded = promise(f"t{n}", week + timedelta(minutes=10 * (n + 1)), outcome)
        store.put_promise(replace(seeded, task=LONG_TASK, tags=(tag,)))
    return week.date().isoformat()


async def test_the_longest_report_score_and_history_all_arrive(
    api: FakeBotAPI, bot: BotProcess, data_dir: Path
) -> None:
    week = seed_long_week(TinyDBStore(data_dir), datetime.now(UTC))
    await bot.start()

    report = await api.wait_for_message(ANN, "Your week in small promises", timeout=15)
    assert "By person: #aaaa" in report.plain
    assert "…" in report.plain
    api.send_text(ANN, "/score")
    score = await api.wait_for_message(ANN, "This week")
    api.send_text(ANN, "/history")
    history = await api.wait_for_message(ANN, "newest first")
    lines = history.plain.splitlines()
    assert len(lines) == 31
    assert all(line.endswith(("…", "(cancelled)", "late", "(late)")) for line in lines[1:])
    for message in (report, score, history):
        assert len(message.plain) <= TELEGRAM_LIMIT
    assert [c.status for c in api.calls_of("sendMessage")] == [200] * 3

    await bot.stop()
    user = TinyDBStore(data_dir).get_user(ANN)
    assert user is not None
    assert user.last_report_week == week  # sent and remembered, not lost for the week
    assert not user.blocked


# ---------------------------------------------------------------------- button answers

BOB = 2002
# One press of every kind of button, with what a real one carries (t2 is broken, o1 open),
# then data no button carries.
EVERY_PRESS = (
    "k:o1", "l:o1", "b:t2", "z:o1", "u:nothere", "c:o1", "t:1h:o1", "d:o1",
    "ll:o1", "lb:o1", "lp:1", "x:nothere",
    "r1:t2", "rt:t2", "rn:t2", "q:15m", "chart", "kl", "kd:t0", "ks:on_time:t0",
    "rp:nothere", "rr:nothere", "rd:nothere", "rl:0", "s:tz:x", "s:clock:12", "f:no",
    "aw:k:o1", "im:nothere", "ix:nothere", "zzz", "k:o1:x:y", "not a button!", "f:yes",
)  # fmt: skip


def test_every_press_kind_is_in_the_list() -> None:
    actions = {data.split(":")[0] for data in EVERY_PRESS}
    assert set(Harness().bot.buttons) <= actions  # a new button joins EVERY_PRESS


async def test_every_button_press_is_answered_and_a_slow_one_at_once(
    api: FakeBotAPI, bot: BotProcess, data_dir: Path
) -> None:
    seed_week(TinyDBStore(data_dir), datetime.now(UTC))
    await bot.start()
    api.send_text(ANN, "/score")
    score = await api.wait_for_message(ANN, "kept")
    api.fail_next("sendPhoto", 1, "timeout", hang=3.5)  # a slow upload
    pressed = time.monotonic()
    query = api.press_button(ANN, score, "chart")
    answer = await api.wait_for_call(
        "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query
    )
    # Answered ANSWER_WITHIN (1 s) after the update arrives; before, after the photo (≥ 3.5 s).
    assert answer.t_monotonic - pressed < 3.0
    await api.wait_for_message(ANN, lambda m: m.kind == "photo", timeout=15)  # it went on

    presses = [api.press_button(ANN, score, data) for data in EVERY_PRESS]
    presses.append(api.press_button(BOB, score, "chart"))  # someone else's message
    api.send_text(BOB, "hello", chat_id=-100500, chat_type="group")
    presses.append(api.press_button(BOB, 1, "chart", chat_id=-100500))  # in a group
    kinds = [*EVERY_PRESS, "Bob on Ann's message", "in a group"]

    with contextlib.suppress(TimeoutError):  # then say which ones were not answered
        await api.wait_for_call(
            "answerCallbackQuery",
            lambda _: all(api.callback_answers(q) for q in presses),
            timeout=10,
        )
    assert [
        kind for kind, q in zip(kinds, presses, strict=True) if not api.callback_answers(q)
    ] == []
    assert all(len(api.callback_answers(q)) == 1 for q in presses)  # each once


# ---------------------------------------------------------------------- other send errors

MOVED = -1001234567890
BACKOFF = (0.3, 0.6, 1.2)  # retry=0.3, doubling


async def test_a_checkin_refused_with_404_401_409_is_retried_and_follows_a_moved_chat(
    api: FakeBotAPI, data_dir: Path
) -> None:
    bot = BotProcess(api, data_dir, env={"KEEPWORD_TIMINGS": f"{FAST_TIMINGS},retry=0.3"})
    try:
        await bot.start()
        api.send_text(ANN, "call mom back in 1 second")
        await api.wait_for_message(ANN, "Got it")
        for kind in ("404", "401", "409"):
            api.fail_next("sendMessage", 1, kind)  # type: ignore[arg-type]
        checkin = await api.wait_for_message(ANN, "Did you keep your word?", timeout=10)
        statuses = [c.status for c in api.calls_of("sendMessage")]
        assert statuses == [200, 404, 401, 409, 200]  # before: the 404 ended it till restart
        tries = [c.t_monotonic for c in api.calls_of("sendMessage")[1:]]
        gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
        assert all(round(gap, 1) >= least for gap, least in zip(gaps, BACKOFF, strict=True))

        api.migrate_chat(ANN, MOVED)  # the chat now lives under a new id
        nudge = await api.wait_for_message(MOVED, "Just checking", timeout=10)
        assert nudge.buttons == checkin.buttons
        await bot.stop()
        user = TinyDBStore(data_dir).get_user(ANN)
        assert user is not None
        assert user.chat_id == MOVED  # kept, for after a restart
    finally:
        await bot.stop()
