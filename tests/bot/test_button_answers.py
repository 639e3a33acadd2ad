"""Every button press is answered (answerCallbackQuery), whatever its work does.

Until it is, Telegram shows a spinner on the button. The end-to-end side (every kind of
button, a slow chart): tests/e2e/test_delivery.py.
"""

from __future__ import annotations

import pytest

from bot import telegram_app, texts
from bot.replies import plain
from tests.bot.test_conversation import ANN
from tests.bot.test_flood import feed, no_chat_pauses, running

__all__ = ["no_chat_pauses"]  # a fixture, used by name
from tests.fakebotapi import FakeBotAPI


@pytest.mark.usefixtures("no_chat_pauses")
async def test_a_press_whose_work_fails_is_still_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(telegram_app, "BACKOFF_SECONDS", 0.001)
    monkeypatch.setattr(telegram_app, "ANSWER_WITHIN", 30.0)  # so the failure's own toast
    async with FakeBotAPI() as api, running(api) as app:
        api.send_text(ANN, "/score")
        await feed(app, api)
        score = api.messages_to(ANN)[0]
        api.fail_next("sendPhoto", telegram_app.SEND_ATTEMPTS, "502")  # the chart can't go out
        query = api.press_button(ANN, score, "chart")
        await feed(app, api)
        assert [a.get("text") for a in api.callback_answers(query)] == [texts.BUTTON_FAILED]
        assert api.messages_to(ANN)[-1].plain == plain(texts.SOMETHING_WRONG)


async def test_a_press_whose_work_is_slow_is_answered_at_once_then_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(telegram_app, "ANSWER_WITHIN", 0.05)
    async with FakeBotAPI() as api, running(api) as app:
        api.send_text(ANN, "/score")
        await feed(app, api)
        score = api.messages_to(ANN)[0]
        api.fail_next("sendPhoto", 1, "timeout", hang=1.0)
        query = api.press_button(ANN, score, "chart")
        await feed(app, api)
        [answer] = api.calls_of("answerCallbackQuery")
        [photo] = api.calls_of("sendPhoto")
        assert answer.params == {"callback_query_id": query}  # no toast: it came early
        assert answer.t_monotonic < photo.t_monotonic + 1.0  # before the photo was through
        assert api.messages_to(ANN)[-1].kind == "photo"
