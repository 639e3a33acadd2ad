"""Sending within Telegram's limits: ~30 messages/s overall, ~1/s per chat (bursts of 3).

PTB's AIORateLimiter limits the overall rate and groups, but not private chats, and
its default bucket (30 tokens refilled over a second) admits about 60 messages in the
first second. Measured against a Bot API double: a bucket of 1 refilled 28 times a
second keeps every sliding one-second window at or below 30. This subclass uses that
bucket and adds a per-chat bucket of 3 refilled about once a second (5% slower, so the
jitter between leaving here and arriving at Telegram never puts a fourth message into
one second). Figures: bench/ratelimit.py.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter

OVERALL_PER_SECOND = 28
CHAT_BURST = 3
CHAT_PER_SECOND = 1.0
CHAT_MARGIN = 1.05
_MAX_CHAT_LIMITERS = 1024


class KeepwordRateLimiter(AIORateLimiter):
    def __init__(self, max_retries: int = 3) -> None:
        super().__init__(
            overall_max_rate=1,
            overall_time_period=1 / OVERALL_PER_SECOND,
            max_retries=max_retries,
        )
        self._chat_limiters: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            if len(self._chat_limiters) >= _MAX_CHAT_LIMITERS:
                # Forget chats whose bucket is full again: they have been quiet a while.
                for key, old in list(self._chat_limiters.items()):
                    if old.has_capacity(old.max_rate):
                        del self._chat_limiters[key]
            limiter = AsyncLimiter(CHAT_BURST, CHAT_BURST / CHAT_PER_SECOND * CHAT_MARGIN)
            self._chat_limiters[chat_id] = limiter
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = _private_chat(data.get("chat_id"))
        if chat_id is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        async with self._chat_limiter(chat_id):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )


def _private_chat(chat_id: object) -> int | None:
    try:
        value = int(chat_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None
