"""Sending within Telegram's limits: ~30 messages/s overall, ~1/s per chat (bursts of 3).

PTB's AIORateLimiter limits the overall rate and groups but not private chats, and its
default bucket (30 tokens refilled over a second) admits about 60 messages in the first
second. Its pause after a 429 also holds requests that already took a token, and lets
them all go at once when the pause ends: under load one 429 became a burst, and the
burst more 429s (bench/load.py counted 301 refusals).

This limiter uses, measured against a Bot API double (bench/ratelimit.py):
- overall: a bucket of 1 refilled 28 times a second, so every sliding second stays at
  or below 30;
- per private chat: a bucket of 3 refilled about once a second (5% slower, so jitter
  between leaving here and arriving at Telegram never puts a fourth into one second);
- per group or channel: 20 a minute, as PTB does;
- after a 429: nothing is sent until its retry_after has passed, and a send admitted
  before the 429 takes a fresh token afterwards, so the pause ends without a burst;
- after the event loop was busy (a thousand check-ins falling due in one moment): a
  send admitted while it was busy takes a fresh token too. A leaky bucket measures
  time, not sends, so tokens given out on time during a 300 ms stall all left at its
  end, seven at once (bench/load.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

OVERALL_PER_SECOND = 28
CHAT_BURST = 3
CHAT_PER_SECOND = 1.0
CHAT_MARGIN = 1.05
GROUP_PER_MINUTE = 20
_STALL = 0.5 / OVERALL_PER_SECOND  # admitted this long ago and not sent yet: queue again
_REQUEUES = 4
_MAX_LIMITERS = 1024

Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class KeepwordRateLimiter(BaseRateLimiter[int]):
    def __init__(self, max_retries: int = 3) -> None:
        self.max_retries = max_retries
        self._overall = AsyncLimiter(1, 1 / OVERALL_PER_SECOND)
        self._chat_limiters: dict[int | str, AsyncLimiter] = {}
        self._resume_at = 0.0  # loop time before which Telegram asked us not to send

    async def initialize(self) -> None:
        """Nothing to set up: buckets are made on first use."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            if len(self._chat_limiters) >= _MAX_LIMITERS:
                # Forget chats whose bucket is full again: they have been quiet a while.
                for key, old in list(self._chat_limiters.items()):
                    if old.has_capacity(old.max_rate):
                        del self._chat_limiters[key]
            if isinstance(chat_id, int) and chat_id > 0:
                limiter = AsyncLimiter(CHAT_BURST, CHAT_BURST / CHAT_PER_SECOND * CHAT_MARGIN)
            else:
                limiter = AsyncLimiter(GROUP_PER_MINUTE, 60)
            self._chat_limiters[chat_id] = limiter
        return limiter

    async def _paused(self) -> bool:
        """Wait out a 429's retry_after; True when there was one to wait out."""
        loop = asyncio.get_running_loop()
        waited = False
        while (left := self._resume_at - loop.time()) > 0:
            waited = True
            await asyncio.sleep(left)
        return waited

    @contextlib.asynccontextmanager
    async def _slot(self, chat_id: int | str | None) -> AsyncIterator[None]:
        chat = self._chat_limiter(chat_id) if chat_id is not None else None
        if chat is not None:
            await chat.acquire()
        loop = asyncio.get_running_loop()
        for _ in range(_REQUEUES):
            await self._paused()
            if chat_id is None:
                break  # calls about no chat (commands menu, callback answers) are free
            await self._overall.acquire()
            admitted = loop.time()
            await asyncio.sleep(0)  # a busy event loop shows itself here
            if await self._paused():
                continue  # a 429 came while we queued: take a fresh token after the pause
            if loop.time() - admitted < _STALL:
                break
            # The loop was busy since the token was given (a thousand jobs waking at
            # once): the sends admitted meanwhile would leave together. Queue again.
        yield

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = _chat(data.get("chat_id"))
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            async with self._slot(chat_id):
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as error:
                    if attempt == retries:
                        raise
                    seconds = _seconds(error.retry_after) + 0.1
                    loop = asyncio.get_running_loop()
                    self._resume_at = max(self._resume_at, loop.time() + seconds)
                    log.info("Telegram asked to slow down: pausing sends for %.1f s", seconds)
        raise AssertionError("unreachable")  # the last attempt returns or raises


def _chat(chat_id: object) -> int | str | None:
    """The chat a call is about: an int id, or an @channel username; None for no chat."""
    if chat_id is None or isinstance(chat_id, int):
        return chat_id
    try:
        return int(str(chat_id))
    except ValueError:
        return str(chat_id)


def _private_chat(chat_id: object) -> int | None:
    value = _chat(chat_id)
    return value if isinstance(value, int) and value > 0 else None


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
