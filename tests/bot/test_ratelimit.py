"""Sending within Telegram's limits, measured by the fake Bot API server's own clock.

The server runs flood control (30 sends in any sliding second, 3 per chat in one
second) and counts refusals, so a limiter that lets too much through shows up as 429s
and as a window with too many sends. bench/ratelimit.py is the long version.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot

from bot.ratelimit import KeepwordRateLimiter, _private_chat
from tests.fakebotapi import FakeBotAPI, max_in_window


async def send_all(limiter: BaseRateLimiter[int], chats: list[int]) -> FakeBotAPI:
    api = FakeBotAPI(flood_control=True, flood_per_chat=(3, 1.0))
    async with api, ExtBot(api.token, base_url=api.base_url, rate_limiter=limiter) as bot:
        await asyncio.gather(
            *(bot.send_message(chat, f"n{n}") for n, chat in enumerate(chats)),
            return_exceptions=True,
        )
    return api


def test_max_in_window_slides() -> None:
    assert max_in_window([0.0, 0.5, 0.99, 1.0, 1.5]) == 3  # [0.5, 1.5) holds 0.5, 0.99, 1.0
    assert max_in_window([0.0, 1.0, 2.0]) == 1
    assert max_in_window([]) == 0


async def test_overall_rate_stays_under_30_in_every_sliding_second(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.CRITICAL, logger="telegram.ext")
    chats = list(range(100, 145))
    ours, default = await asyncio.gather(
        send_all(KeepwordRateLimiter(), chats), send_all(AIORateLimiter(), chats)
    )
    sent = ours.calls_of("sendMessage")
    assert len(sent) == len(chats)
    assert all(c.status == 200 for c in sent)
    assert ours.flood_violations == 0
    assert max_in_window([c.t_monotonic for c in sent]) <= 30
    # Why our own limiter: PTB's default lets a full bucket of 30 plus its refill through.
    attempts = [c.t_monotonic for c in default.calls_of("sendMessage")]
    assert max_in_window(attempts) > 30
    assert default.flood_violations > 0


async def test_one_chat_gets_a_burst_of_3_then_about_one_a_second() -> None:
    api = await send_all(KeepwordRateLimiter(), [42] * 5)
    sent = sorted(c.t_monotonic for c in api.calls_of("sendMessage"))
    assert len(sent) == 5
    assert api.flood_violations == 0
    assert max_in_window(sent) <= 3
    assert sent[2] - sent[0] < 0.5  # the burst goes out at once
    assert sent[3] - sent[0] >= 1.0  # then one per second
    assert sent[4] - sent[3] >= 0.9


async def test_a_429_pause_ends_without_a_burst(caplog: pytest.LogCaptureFixture) -> None:
    """PTB's AIORateLimiter lets everything queued during a pause go at once; ours doesn't."""
    caplog.set_level(logging.CRITICAL, logger="telegram.ext")
    chats = list(range(300, 340))
    ours_api = FakeBotAPI(flood_control=True, flood_per_chat=(3, 1.0))
    theirs_api = FakeBotAPI(flood_control=True, flood_per_chat=(3, 1.0))

    async def run(api: FakeBotAPI, limiter: BaseRateLimiter[int]) -> None:
        async with api, ExtBot(api.token, base_url=api.base_url, rate_limiter=limiter) as bot:
            first = asyncio.create_task(bot.send_message(chats[0], "first"))
            await api.wait_for_call("sendMessage")
            api.fail_next("sendMessage", 1, "429", retry_after=1)
            await asyncio.gather(
                first,
                *(bot.send_message(chat, "n") for chat in chats[1:]),
                return_exceptions=True,
            )

    await asyncio.gather(
        run(ours_api, KeepwordRateLimiter()), run(theirs_api, AIORateLimiter(max_retries=3))
    )
    sent = [c for c in ours_api.calls_of("sendMessage") if c.status == 200]
    assert len(sent) == len(chats)
    refused = next(c for c in ours_api.calls_of("sendMessage") if c.fault == "429")
    paused = [c for c in sent if 0 < c.t_monotonic - refused.t_monotonic < 1.0]
    assert paused == []  # retry_after was honoured by every queued send
    assert ours_api.flood_violations == 0
    assert max_in_window([c.t_monotonic for c in sent]) <= 30
    after = [c.t_monotonic for c in theirs_api.calls_of("sendMessage") if c.fault is None]
    assert theirs_api.flood_violations > 0 or max_in_window(after) > 30


def test_chat_ids_are_read_like_telegram_does() -> None:
    assert _private_chat(42) == 42
    assert _private_chat("42") == 42
    assert _private_chat(-100123) is None
    assert _private_chat("@channel") is None
    assert _private_chat(None) is None


async def test_the_per_chat_buckets_do_not_grow_without_bound() -> None:
    limiter = KeepwordRateLimiter()
    for chat in range(5000):
        limiter._chat_limiter(chat)
    assert len(limiter._chat_limiters) <= 1025
