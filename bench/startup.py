"""Start-up with many pending promises, and acknowledgement latency under that load.

Seeds USERS users × PER_USER open promises (default 10,000 × 10 = 100,000), starts the
real `keepword run` process against the fake Bot API server, and measures:
- seconds from process start until it answers a message, and its peak RSS;
- acknowledgement latency (message queued -> reply sent) for a stream of messages
  from distinct users while the 100,000 promises are stored: median and p99.

Targets (issue: core loop): ready < 5 s, RSS < 300 MB, ack p99 < 50 ms.
Run: .venv/bin/python bench/startup.py [--users N] [--per-user K] [--messages M]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from harness import ROOT, peak_rss_mb, seed, summary

from tests.e2e.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI


async def measure(
    users: int, per_user: int, messages: int, routines: int, gap: float
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        data = Path(tmp) / "data"
        t = time.perf_counter()
        seed(data, users=users, open_per_user=per_user, routines_per_user=routines)
        print(
            f"seeded {users:,} users × {per_user} open promises"
            + (f" + {routines} routines" if routines else "")
            + f" in {time.perf_counter() - t:.1f} s"
        )
        async with FakeBotAPI() as api:
            bot = BotProcess(api, data, log_path=Path(tmp) / "bot.log")
            probe = 1
            started = time.monotonic()
            await bot.start(wait_ready=False)
            api.send_text(probe, "call mom back in 1 hour")
            ack = await api.wait_for_message(probe, "Got it", timeout=120)
            ready = ack.t_monotonic - started
            assert bot.process is not None
            rss_ready = peak_rss_mb(bot.process.pid)
            during = await ack_latencies(api, 50, gap, first_user=100)
            while "restored {" not in bot.log():
                await asyncio.sleep(0.1)
            restored = time.monotonic() - started
            line = next(x for x in bot.log().splitlines() if "restored {" in x)
            print(f"bot log: {line.split(': ', 1)[1]}")

            latencies = await ack_latencies(api, messages, gap, first_user=1000)
            rss = peak_rss_mb(bot.process.pid)
            await bot.stop()
    print(f"start-up until the first answer: {ready:.2f} s   (target < 5 s)")
    print(f"every job restored after: {restored:.2f} s (in the background, answering meanwhile)")
    print(f"ack latency while restoring: {summary(during)}")
    print(f"peak RSS: {rss_ready:.0f} MB at ready, {rss:.0f} MB after the run (target < 300 MB)")
    print(
        f"ack latency with {users * per_user:,} stored, messages {gap * 1000:.0f} ms apart: "
        f"{summary(latencies)} (target p99 < 50 ms)"
    )
    return {"ready_s": ready, "rss_mb": rss}


async def ack_latencies(api: FakeBotAPI, count: int, gap: float, first_user: int) -> list[float]:
    """Message queued -> acknowledgement sent, one new user per message."""
    latencies = []
    for n in range(count):
        user = first_user + n
        queued = time.monotonic()
        api.send_text(user, f"text Sam back in {n % 50 + 5} minutes")
        reply = await api.wait_for_message(user, "Got it", timeout=30)
        latencies.append(reply.t_monotonic - queued)
        # Spaced like people typing; back to back, the 28/s send limit itself adds up
        # to 36 ms (one token per 1/28 s), which is not the bot's own latency.
        await asyncio.sleep(gap)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--routines", type=int, default=0, help="routines per user")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between messages")
    args = parser.parse_args()
    asyncio.run(measure(args.users, args.per_user, args.messages, args.routines, args.gap))


if __name__ == "__main__":
    main()
