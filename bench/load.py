"""Load: 1,000 users each make a promise within 10 s, all due in the same minute.

Runs the real `keepword run` process against the fake Bot API server with its flood
control on (30 sends in any sliding second, 3 per chat per second: a refusal is
counted). Each user writes "load task u<n> at HH:MM" for the same minute, about a
minute ahead. Reports:

- every acknowledgement and every check-in arrived, once;
- acknowledgement latency (message queued -> reply received by the server), p50/p99;
  1,000 replies at 28/s cannot all go out in under 36 s, so this is mostly queueing;
- the most sends in any sliding second, overall and in one chat, and 429 refusals;
- the spread between the due minute and the check-ins, next to the floor the rate
  limit imposes (1,000 / 28 per second ≈ 36 s).

Run: .venv/bin/python bench/load.py [--users N] [--within SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import ROOT, percentile

from bot.ratelimit import OVERALL_PER_SECOND
from tests.e2e.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI, max_in_window

CHECKIN = "Did you keep your word?"
FIRST_USER = 500_000


def due_minute(users: int, within: float) -> datetime:
    """A whole minute after every acknowledgement can have gone out."""
    earliest = datetime.now(UTC) + timedelta(seconds=within + users / OVERALL_PER_SECOND + 15)
    return earliest.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def run(users: int, within: float) -> int:
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        async with FakeBotAPI(flood_control=True, flood_per_chat=(3, 1.0)) as api:
            bot = BotProcess(api, Path(tmp) / "data", log_path=Path(tmp) / "bot.log")
            await bot.start()
            due = due_minute(users, within)
            sent_at: dict[int, float] = {}
            started = time.monotonic()
            for n in range(users):
                uid = FIRST_USER + n
                api.send_text(uid, f"load task u{n} at {due:%H:%M}")
                sent_at[uid] = time.monotonic()
                await asyncio.sleep(
                    max(0.0, started + within * (n + 1) / users - time.monotonic())
                )
            print(
                f"{users:,} promises sent in {time.monotonic() - started:.1f} s, "
                f"due {due:%H:%M} UTC"
            )

            wait = (due - datetime.now(UTC)).total_seconds() + users / OVERALL_PER_SECOND * 2 + 60
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if sum(CHECKIN in (m.text or "") for m in api.sent) >= users:
                    break
                await asyncio.sleep(1)
            await asyncio.sleep(2)
            await bot.stop()

    acks: dict[int, list[float]] = defaultdict(list)
    checkins: dict[int, list[float]] = defaultdict(list)
    for m in api.sent:
        if m.chat_id not in sent_at:
            continue
        if (m.text or "").startswith("Got it"):
            acks[m.chat_id].append(m.t_monotonic)
        elif CHECKIN in (m.text or ""):
            checkins[m.chat_id].append(m.t_wall)
    latency = [min(times) - sent_at[uid] for uid, times in acks.items()]
    lateness = [min(times) - due.timestamp() for times in checkins.values()]
    sends = [c for c in api.calls_of("sendMessage") if c.status == 200]
    per_chat = Counter(c.chat_id for c in sends)
    busiest_chat = max(
        max_in_window([c.t_monotonic for c in sends if c.chat_id == chat]) for chat in per_chat
    )
    floor = users / OVERALL_PER_SECOND
    print(f"  acknowledgements: {len(acks):,} of {users:,}, {sum(map(len, acks.values()))} sent")
    print(
        f"  ack latency: p50 {percentile(latency, 50):.1f} s, p99 {percentile(latency, 99):.1f} s,"
        f" max {max(latency, default=float('nan')):.1f} s"
    )
    print(f"  check-ins: {len(checkins):,} of {users:,}, {sum(map(len, checkins.values()))} sent")
    print(
        f"  check-in after the due minute: first {min(lateness, default=float('nan')):.1f} s, "
        f"p50 {percentile(lateness, 50):.1f} s, last {max(lateness, default=float('nan')):.1f} s"
        f" (floor at {OVERALL_PER_SECOND}/s: {floor:.1f} s)"
    )
    print(
        f"  sends in any sliding second: max {max_in_window([c.t_monotonic for c in sends])} "
        f"overall, {busiest_chat} in one chat; 429 refusals: {api.flood_violations}"
    )
    refused = [c.t_wall - due.timestamp() for c in api.calls_of("sendMessage") if c.status == 429]
    if refused:
        print(f"  refusals at (s after the due minute): {[round(t, 1) for t in refused[:20]]}")
    ok = (
        len(acks) == users
        and len(checkins) == users
        and all(len(t) == 1 for t in (*acks.values(), *checkins.values()))
        and api.flood_violations == 0
        and max_in_window([c.t_monotonic for c in sends]) <= 30
        and max(lateness) <= floor * 1.25 + 5
    )
    print("result: " + ("every ack and check-in, within the limits" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--within", type=float, default=10.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.users, args.within)))
