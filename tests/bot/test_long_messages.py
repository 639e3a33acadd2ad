"""Replies longer than Telegram's 4,096 characters: shortened in lists, split when sent.

Telegram refuses a longer text with 400 "message is too long"; before, such a reply
(/history with long tasks, /score with long tags, the Sunday report) was dropped, and
the outbox took the 400 for a chat that refused the bot.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import ratelimit
from bot.config import Settings
from bot.replies import Button, Reply, shown_length, split_text
from bot.report_text import render_history, render_score, render_weekly_report
from bot.telegram_app import TEXT_LIMIT, TelegramOutbox, build_application
from core.insight import Advice, Finding, Insight
from core.models import Outcome, Promise, UserSettings
from core.score import RoutineAdherence, Tally, WeeklyReport
from storage.memory_store import MemoryStore
from tests.bot.fakes import ManualScheduler
from tests.fakebotapi import FakeBotAPI, html_error

ANN = 1001
BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, tzinfo=BERLIN)
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=BERLIN)
# The longest a task can be (500), made of what escaping makes longer.
LONG_TASK = ("call <mom> & fix it " * 30)[:499] + "x"
LONG_TAG = "#" + "t" * 499


def closed(n: int, task: str = LONG_TASK) -> Promise:
    due = datetime(2026, 11, 1, 9, 0, tzinfo=UTC) + timedelta(hours=n)
    return Promise(
        id=f"p{n}",
        user_id=ANN,
        task=task,
        due=due,
        created=due - timedelta(hours=1),
        outcome=Outcome.LATE,
        closed=due + timedelta(hours=2, minutes=30),
        repair_of="p0",
    )


def finding(label: str, kept: int, total: int) -> Finding:
    return Finding(label, (), kept, 0, total, 100 * kept / total, 80.0, next(iter(Advice)))


def longest_report() -> WeeklyReport:
    """Every section of /score at its fullest, with the longest user text allowed."""
    return WeeklyReport(
        start=START,
        end=START + timedelta(days=7),
        now=NOW,
        this_week=Tally(kept=7, late=2, broken=1, unanswered=1, repaired=1, renegotiated=1),
        last_week=Tally(kept=5, late=1, broken=2, unanswered=1),
        delta=12,
        longest_streak=6,
        reliability=81.4,
        by_tag=tuple((LONG_TAG[:-1] + str(n), 3, 4) for n in range(10)),
        insight=Insight(finding(LONG_TAG, 2, 6), finding(LONG_TAG[:-1] + "s", 6, 6), 3, 40),
        cancelled=tuple(closed(n) for n in range(10)),
        routines=tuple(RoutineAdherence(f"r{n}", LONG_TASK, 3, 4, 2, 4) for n in range(50)),
        downtime_days=tuple(START.date() + timedelta(days=n) for n in range(7)),
        weeks=(),
        best_streak=9,
    )


# ---------------------------------------------------------------------- shortened in lists


def test_history_of_thirty_longest_tasks_fits_one_message() -> None:
    text = render_history([closed(n) for n in range(30)], BERLIN)
    assert shown_length(text) <= TEXT_LIMIT  # was 16,505
    lines = text.splitlines()
    assert len(lines) == 31
    assert all("…" in line and len(html.unescape(line)) < 140 for line in lines[1:])
    assert html_error(text) is None


def test_score_and_the_weekly_report_at_their_longest_fit_one_message() -> None:
    report = longest_report()
    assert shown_length(render_score(report)) <= TEXT_LIMIT  # was 8,110
    weekly = render_weekly_report(report)
    assert shown_length(weekly) <= TEXT_LIMIT
    assert html_error(weekly) is None


# ---------------------------------------------------------------------- split_text


def test_a_short_text_is_one_part() -> None:
    assert split_text("<b>hi</b> there", TEXT_LIMIT) == ["<b>hi</b> there"]


def test_parts_are_cut_between_lines_and_together_are_the_whole() -> None:
    lines = [f"{n}. call &amp; <b>fix</b> " + "x" * 90 for n in range(100)]
    parts = split_text("\n".join(lines), TEXT_LIMIT)
    assert len(parts) == 3
    assert all(shown_length(p) <= TEXT_LIMIT for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines


def test_a_line_too_long_alone_is_cut_at_a_space_and_tags_stay_balanced() -> None:
    text = "<i>" + "word &amp; " * 1500 + "</i>"
    parts = split_text(text, 1000)
    assert all(shown_length(p) <= 1000 for p in parts)
    assert all(html_error(p) is None for p in parts)
    assert all(p.startswith("<i>") and p.endswith("</i>") for p in parts)
    assert all(not p.removesuffix("</i>").endswith("&amp") for p in parts)
    shown = " ".join(html.unescape(p.removeprefix("<i>").removesuffix("</i>")) for p in parts)
    assert shown.rstrip() == ("word & " * 1500).rstrip()  # cut only at spaces, nothing lost


def test_length_is_counted_as_telegram_counts_it() -> None:
    # An emoji is two UTF-16 code units; markup and entities count as what they show.
    assert shown_length("😀") == 2
    assert shown_length("<b>&amp;</b>") == 1
    parts = split_text("😀" * 3000, TEXT_LIMIT)
    assert [p.count("😀") for p in parts] == [2048, 952]


def test_no_part_is_empty() -> None:
    parts = split_text("a" * 10 + "\n\n\n" + "b" * 10, 12)
    assert parts == ["a" * 10, "b" * 10]


# ---------------------------------------------------------------------- the outbox


@pytest.fixture
async def wired(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[FakeBotAPI, TelegramOutbox]]:
    monkeypatch.setattr(ratelimit, "CHAT_BURST", 100)  # parts to one chat: no 1 s pauses
    async with FakeBotAPI() as api:
        store = MemoryStore()
        store.put_user(UserSettings(user_id=ANN, chat_id=ANN, created=NOW))
        app, conversation = build_application(
            Settings(token=api.token, api_base_url=api.base_url),
            store,
            lambda: datetime.now(UTC),
            scheduler=ManualScheduler(),
        )
        box = conversation.ctx.outbox
        assert isinstance(box, TelegramOutbox)
        async with app:
            yield api, box
        user = store.get_user(ANN)
        assert user is not None
        assert not user.blocked  # a 400 is never taken for a chat that refused the bot


async def test_a_long_reply_arrives_in_parts_with_the_buttons_on_the_last(
    wired: tuple[FakeBotAPI, TelegramOutbox],
) -> None:
    api, box = wired
    text = "\n".join(f"{n}. a promise &amp; its time " + "x" * 60 for n in range(200))
    buttons = ((Button("📈 8-week chart", "chart"),),)
    message_id = await box.send(ANN, Reply(text, buttons))
    sent = api.messages_to(ANN)
    assert len(sent) == 5  # 18,600 characters
    assert all(len(m.plain) <= TEXT_LIMIT for m in sent)
    assert "\n".join(m.plain for m in sent) == html.unescape(text)
    assert [m.buttons for m in sent] == [[]] * 4 + [[[("📈 8-week chart", "chart")]]]
    assert message_id == sent[-1].message_id
    assert [c.status for c in api.calls_of("sendMessage")] == [200] * 5


async def test_telegram_saying_too_long_means_smaller_parts_not_a_blocked_chat(
    wired: tuple[FakeBotAPI, TelegramOutbox],
) -> None:
    api, box = wired
    api.fail_next("sendMessage", 1, "too_long")
    text = "\n".join(f"line {n} " + "y" * 50 for n in range(50))
    assert await box.send(ANN, Reply(text)) is not None
    assert [c.status for c in api.calls_of("sendMessage")] == [400, 200, 200]
    assert "\n".join(m.plain for m in api.messages_to(ANN)) == text


async def test_an_edit_too_long_is_cut_not_refused(
    wired: tuple[FakeBotAPI, TelegramOutbox],
) -> None:
    api, box = wired
    message_id = await box.send(ANN, Reply("short"))
    assert message_id is not None
    assert await box.edit(ANN, message_id, Reply("z" * 5000))
    edited = api.current_text(ANN, message_id)
    assert len(edited) == TEXT_LIMIT
    assert edited.endswith("…")
