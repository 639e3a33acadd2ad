"""Hostile text through the real handlers: nothing escapes, everything gets one reply.

Hypothesis writes the messages: any Unicode, control characters, 10,000-character
walls, HTML and Markdown fragments, RTL marks, emoji ZWJ sequences — alone, mixed, and
wrapped around a valid time so the task gets echoed back. Two passes:

- the Conversation with a memory store and a recording outbox (fast, many examples);
- the PTB Application itself (``process_update`` with real ``Update`` objects built by
  the fake Bot API server), sending over HTTP to that server, which refuses HTML that
  Telegram would refuse — so an unescaped ``<`` from a user fails the test.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from itertools import count

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot import texts
from bot.config import Settings
from bot.context import Limits, Sender
from bot.replies import Reply
from bot.telegram_app import build_application
from storage.memory_store import MemoryStore
from tests.bot.fakes import ManualScheduler
from tests.bot.test_conversation import ANN, Harness
from tests.fakebotapi import FakeBotAPI, html_error

MAX_TEXT = Limits().max_text

FRAGMENTS = (
    "<b>",
    "</b>",
    "<i>x</i>",
    "<script>alert(1)</script>",
    "<a href='javascript:x'>",
    "<3",
    "a<b",
    "a > b",
    "&",
    "&amp;",
    "&lt;b&gt;",
    "&#x3C;",
    "*bold*",
    "_it_",
    "`code`",
    "```pre```",
    "[link](http://example.com)",
    "~~strike~~",
    "||spoiler||",
    "\\",
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200d",  # zero-width joiner
    "\ufeff",
    "\u0000",
    "\u001b[31m",
    "\r\n",
    "\t",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "👍🏽",
    "مرحبا",
    "שלום",
    "#tag",
    "@handle",
    "/",
    "in 5 minutes",
    "at 25:99",
    "tomorrow",
    "every day at 8am:",
)

hostile = st.one_of(
    st.text(max_size=200),
    st.text(st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "So")), max_size=60),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=12).map("".join),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(MAX_TEXT - 2, 10_000)),
)
# Wrapped around a time, the task is stored and echoed back in the acknowledgement.
message = hostile | hostile.map(lambda t: f"{t} in 5 minutes")


def sent_texts(replies: list[Reply]) -> list[str]:
    return [r.text or (r.photo or r.document).caption for r in replies]  # type: ignore[union-attr]


def assert_nothing_oversized(store: MemoryStore, user: int) -> None:
    promises = [*store.open_promises(user), *store.closed_promises(user)]
    assert all(len(p.task) <= MAX_TEXT for p in promises)
    assert all(len(r.task) <= MAX_TEXT for r in store.routines(user))
    settings_ = store.get_user(user)
    assert settings_ is None or settings_.draft is None or len(settings_.draft.task) <= MAX_TEXT


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=message)
@example(text="x" * 10_000)
@example(text="<b>bold</b> & <i>co</i> <3 in 5 minutes")
@example(text="\u202eevil\u202c call mom in 5 minutes")
@example(text="👨‍👩‍👧‍👦" * 2_000)
@example(text="remind me to " + "a" * (MAX_TEXT - 20) + " in 5 minutes")
async def test_any_text_gets_exactly_one_valid_reply(text: str) -> None:
    h = Harness(Limits(messages_per_minute=10_000))
    await h.say(text)
    replies = [m.reply for m in h.outbox.sent]
    assert len(replies) == 1, [plain.text for plain in h.outbox.sent]
    for body in sent_texts(replies):
        assert html_error(body) is None, body
        assert len(body) <= 4096
    assert texts.SOMETHING_WRONG not in replies[0].text
    for row in replies[0].buttons:
        for button in row:
            assert len(button.data.encode()) <= 64
    assert_nothing_oversized(h.store, ANN)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(command=st.text(max_size=12), args=hostile)
async def test_any_command_gets_one_valid_reply(command: str, args: str) -> None:
    h = Harness(Limits(messages_per_minute=10_000))
    await h.bot.on_command(Sender(ANN, ANN, "Ann", 1), command, args)
    assert len(h.outbox.sent) >= 1
    for body in sent_texts([m.reply for m in h.outbox.sent]):
        assert html_error(body) is None, body
    assert_nothing_oversized(h.store, ANN)


async def test_a_conversation_of_hostile_messages_keeps_going() -> None:
    """One user, one message after another: drafts, questions and floods interleave."""
    h = Harness()
    ids = count(1)
    for n, text in enumerate(FRAGMENTS * 2):
        await h.bot.on_text(Sender(ANN, ANN, "Ann", next(ids)), f"{text} {n}")
    for m in h.outbox.sent:
        assert html_error(m.reply.text or "x") is None
    # The flood guard let the first 20 through and said so once; nothing else was lost.
    assert sum(m.reply.text == texts.SLOW_DOWN for m in h.outbox.sent) == 1
    assert len(h.outbox.sent) == Limits().messages_per_minute + 1
    assert_nothing_oversized(h.store, ANN)


# ---------------------------------------------------------------------- through PTB


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(batch=st.lists(message, min_size=20, max_size=20))
async def test_the_telegram_handlers_answer_every_hostile_update(
    api: FakeBotAPI, batch: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    store = MemoryStore()
    app, _ = build_application(
        Settings(token=api.token, api_base_url=api.base_url),
        store,
        lambda: datetime.now(UTC),
        scheduler=ManualScheduler(),
    )
    first_user = 50_000 + len(api.sent) * 100  # a fresh chat per message: no per-chat wait
    caplog.set_level(logging.WARNING)
    async with app:
        for n, text in enumerate(batch):
            api.send_text(first_user + n, text)
        for update in api.pending_updates[-len(batch) :]:
            await app.process_update(Update.de_json(update, app.bot))
    for n, text in enumerate(batch):
        user = first_user + n
        got = api.messages_to(user)
        if text.startswith("/") and "@" in text.split(" ")[0].split("\n")[0]:
            assert len(got) <= 1  # "/cmd@OtherBot" is for another bot
        else:
            assert len(got) == 1, (text, [m.body for m in got])
        assert all(texts.SOMETHING_WRONG not in m.body for m in got)
        assert_nothing_oversized(store, user)
    refused = [c for c in api.calls if c.status not in (0, 200)]
    assert refused == [], [(c.method, c.error) for c in refused]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
