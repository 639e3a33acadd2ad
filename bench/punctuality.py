"""Check-in punctuality: N promises (default 1,000) due in the same minute.

Seeds N users with one promise each, all due a few seconds after the bot starts,
runs the real bot against the fake Bot API server and records when each check-in
was sent. Under Telegram's ~30 messages/s limit (we send at most 28/s) the last one
cannot go out before N/28 s after the due time; the figure to watch is how close
the bot gets to that floor, and that every check-in arrives exactly once.
Run: .venv/bin/python bench/punctuality.py [--promises N]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import ROOT, percentile, seed

from bot.ratelimit import OVERALL_PER_SECOND
from tests.e2e.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI, max_in_window

CHECKIN = "Did you keep your word?"


async def measure(promises: int, lead: float) -> None:
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        data = Path(tmp) / "data"
        due = datetime.now(UTC) + timedelta(seconds=lead)
        users = seed(data, users=promises, open_per_user=1, due_from=due, due_spread=timedelta(0))
        async with FakeBotAPI() as api:
            bot = BotProcess(api, data, log_path=Path(tmp) / "bot.log")
            await bot.start()
            deadline = time.monotonic() + lead + promises / OVERALL_PER_SECOND * 3 + 30
            while time.monotonic() < deadline:
                got = [m for m in api.sent if CHECKIN in (m.text or "")]
                if len(got) >= promises:
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(1)
            await bot.stop()
        checkins = [m for m in api.sent if CHECKIN in (m.text or "")]
    per_chat = Counter(m.chat_id for m in checkins)
    lateness = [(m.wall_time - due).total_seconds() for m in checkins]
    floor = promises / OVERALL_PER_SECOND
    print(f"{promises:,} promises due at the same moment")
    print(
        f"check-ins delivered: {len(per_chat):,} of {len(users):,}; "
        f"sent twice: {sum(1 for n in per_chat.values() if n > 1)}"
    )
    if lateness:
        print(
            f"lateness after due: first {min(lateness):.2f} s, median "
            f"{percentile(lateness, 50):.2f} s, p99 {percentile(lateness, 99):.2f} s, "
            f"last {max(lateness):.2f} s (rate-limit floor {floor:.1f} s at "
            f"{OVERALL_PER_SECOND}/s)"
        )
        sends = [m.t_monotonic for m in api.sent]
        print(f"most messages in any sliding 1-s window: {max_in_window(sends)} (limit 30)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--promises", type=int, default=1000)
    parser.add_argument("--lead", type=float, default=15.0, help="seconds from start to due")
    args = parser.parse_args()
    asyncio.run(measure(args.promises, args.lead))


if __name__ == "__main__":
    main()
