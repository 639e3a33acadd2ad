"""Sending within Telegram's limits, measured against the fake Bot API server.

Telegram allows about 30 messages per second overall and about one per second in a
private chat (short bursts tolerated). This sends, as fast as the limiter lets it:

- MESSAGES messages to as many different chats (default 300), once through PTB's
  default ``AIORateLimiter()`` and once through Keepword's ``KeepwordRateLimiter``;
- the same, with one 429 (retry_after 2 s) injected at the start, through PTB's
  ``AIORateLimiter(max_retries=3)`` and ``KeepwordRateLimiter``;
- PER_CHAT messages to one chat (default 10) through ``KeepwordRateLimiter``.

and reports, from the server's own receive times, the most messages in any sliding
one-second window (not per calendar second), how many the server refused with 429
(its flood control is on: 30 per sliding second, 3 per chat in 1 s), and how long
the whole run took.
Run: .venv/bin/python bench/ratelimit.py [--messages N] [--per-chat K]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot  # noqa: E402

from bot.ratelimit import KeepwordRateLimiter  # noqa: E402
from tests.fakebotapi import FakeBotAPI, max_in_window  # noqa: E402


@dataclass
class Run:
    attempts: int  # sendMessage calls the server received, refused ones included
    delivered: int
    refused: int  # 429 answers from the server's flood control
    lost: int  # messages the caller gave up on
    max_window: int  # most calls in any sliding second
    seconds: float

    def line(self, label: str) -> str:
        return (
            f"{label:<34} max {self.max_window:>3} in any 1 s · "
            f"{self.delivered} delivered · {self.refused} refused (429) · "
            f"{self.lost} lost · {self.seconds:.1f} s"
        )


async def blast(limiter: BaseRateLimiter[int], chats: list[int]) -> Run:
    """Send one message per entry of ``chats`` at once and see what the server saw."""
    async with FakeBotAPI(flood_control=True, flood_per_chat=(3, 1.0)) as api:
        bot = ExtBot(api.token, base_url=api.base_url, rate_limiter=limiter)
        async with bot:
            start = time.monotonic()
            results = await asyncio.gather(
                *(bot.send_message(chat, f"message {n}") for n, chat in enumerate(chats)),
                return_exceptions=True,
            )
            seconds = time.monotonic() - start
        calls = api.calls_of("sendMessage")
        lost = sum(isinstance(r, Exception) for r in results)
        return Run(
            attempts=len(calls),
            delivered=sum(c.status == 200 for c in calls),
            refused=sum(c.status == 429 for c in calls),
            lost=lost,
            max_window=max_in_window([c.t_monotonic for c in calls]),
            seconds=seconds,
        )


async def after_a_429(limiter: BaseRateLimiter[int], chats: list[int]) -> Run:
    """One 429 (retry_after 2 s) early on, the rest queued: what happens when it ends."""
    async with FakeBotAPI(flood_control=True, flood_per_chat=(3, 1.0)) as api:
        bot = ExtBot(api.token, base_url=api.base_url, rate_limiter=limiter)
        async with bot:
            start = time.monotonic()
            sends = [asyncio.create_task(bot.send_message(chats[0], "first"))]
            await api.wait_for_call("sendMessage")
            api.fail_next("sendMessage", 1, "429", retry_after=2)
            sends += [asyncio.create_task(bot.send_message(c, "n")) for c in chats[1:]]
            results = await asyncio.gather(*sends, return_exceptions=True)
            seconds = time.monotonic() - start
        calls = [c for c in api.calls_of("sendMessage") if c.fault is None]
        return Run(
            attempts=len(calls),
            delivered=sum(c.status == 200 for c in calls),
            refused=api.flood_violations,
            lost=sum(isinstance(r, Exception) for r in results),
            max_window=max_in_window([c.t_monotonic for c in calls]),
            seconds=seconds,
        )


async def per_chat_gaps(count: int) -> tuple[Run, list[float]]:
    async with FakeBotAPI(flood_control=True, flood_per_chat=(3, 1.0)) as api:
        bot = ExtBot(api.token, base_url=api.base_url, rate_limiter=KeepwordRateLimiter())
        async with bot:
            start = time.monotonic()
            await asyncio.gather(*(bot.send_message(42, f"message {n}") for n in range(count)))
            seconds = time.monotonic() - start
        calls = api.calls_of("sendMessage")
        times = sorted(c.t_monotonic for c in calls)
        run = Run(
            attempts=len(calls),
            delivered=sum(c.status == 200 for c in calls),
            refused=sum(c.status == 429 for c in calls),
            lost=count - sum(c.status == 200 for c in calls),
            max_window=max_in_window(times),
            seconds=seconds,
        )
        return run, [b - a for a, b in itertools.pairwise(times)]


async def main(messages: int, per_chat: int) -> int:
    # PTB logs every refused message with a traceback; the counts below say it all.
    logging.getLogger("telegram.ext").setLevel(logging.CRITICAL)
    chats = list(range(1000, 1000 + messages))
    default = await blast(AIORateLimiter(), chats)
    ours = await blast(KeepwordRateLimiter(), chats)
    one_chat, gaps = await per_chat_gaps(per_chat)
    print(f"{messages} messages to {messages} chats, all at once:")
    print(default.line("  AIORateLimiter() (PTB default)"))
    print(ours.line("  KeepwordRateLimiter"))
    theirs_429 = await after_a_429(AIORateLimiter(max_retries=3), chats)
    ours_429 = await after_a_429(KeepwordRateLimiter(), chats)
    print(f"{messages} messages to {messages} chats, a 429 (retry after 2 s) at the start:")
    print(theirs_429.line("  AIORateLimiter(max_retries=3)"))
    print(ours_429.line("  KeepwordRateLimiter"))
    print(f"{per_chat} messages to one chat, all at once:")
    print(one_chat.line("  KeepwordRateLimiter"))
    after_burst = gaps[2:]
    if after_burst:
        rate = len(after_burst) / sum(after_burst)
        print(
            f"  gaps after the burst of 3: min {min(after_burst):.2f} s, "
            f"mean {sum(after_burst) / len(after_burst):.2f} s ({rate:.2f} messages/s)"
        )
    ok = ours.max_window <= 30 and not ours.lost and one_chat.max_window <= 3 and not one_chat.lost
    ok = ok and ours_429.max_window <= 30 and not ours_429.refused and not ours_429.lost
    print("within Telegram's limits: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--per-chat", type=int, default=10)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.messages, args.per_chat)))
