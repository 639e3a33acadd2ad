"""/list with more promises than one message holds, and answers for promises already due.

A new user with 32 open promises saw 15 and "…and 17 more" with no way to reach them;
a promise whose check-in had passed offered only Done / Time / Cancel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.context import Limits
from core.models import Outcome
from tests.bot.fakes import Sent
from tests.bot.test_chat import Terminal
from tests.bot.test_conversation import ANN, Harness


@pytest.fixture
def h() -> Harness:
    return Harness(Limits(messages_per_minute=10_000))


def labels(message: Sent) -> list[str]:
    return [label for label, _ in message.buttons]


def head(text: str, lines: int = 3) -> str:
    """The title and the first listed tasks, without their times."""
    return "\n".join(line.split(" — ")[0] for line in text.splitlines()[:lines])


async def test_every_open_promise_can_be_reached_page_by_page(h: Harness) -> None:
    for n in range(1, 33):
        await h.say(f"task {n:02d} in {n} hours")
    listing_text = await h.say("/list")
    listing = h.outbox.last
    assert listing_text.startswith("Open promises (32) · page 1 of 3\n1. task 01")
    assert "15. task 15" in listing_text
    assert "16. task 16" not in listing_text
    assert "more" not in listing_text
    assert "Next ›" in labels(listing)
    assert "‹ Previous" not in labels(listing)

    await h.press(listing.message_id, listing.button("Next ›"))
    assert listing.text.startswith("Open promises (32) · page 2 of 3\n16. task 16")
    assert "30. task 30" in listing.text
    assert labels(listing)[-2:] == ["‹ Previous", "Next ›"]

    # Closing one keeps the list on the page it was on.
    await h.press(listing.message_id, listing.button("Done 17"))
    assert head(listing.text) == "Open promises (31) · page 2 of 3\n16. task 16\n17. task 18"
    await h.press(listing.message_id, listing.button("Cancel 16"))
    assert head(listing.text, 2) == "Open promises (30) · page 2 of 2\n16. task 18"
    assert "\n30. task 32 — " in listing.text
    assert "Next ›" not in labels(listing)

    await h.press(listing.message_id, listing.button("Previous"))
    assert listing.text.startswith("Open promises (30) · page 1 of 2\n1. task 01")
    outcomes = {p.task: p.outcome for p in h.store.closed_promises(ANN)}
    assert outcomes == {"task 17": Outcome.KEPT, "task 16": Outcome.CANCELLED}


async def test_a_page_past_the_end_shows_the_last_one(h: Harness) -> None:
    for n in range(16):
        await h.say(f"task {n} in {n + 1} hours")
    await h.say("/list")
    listing = h.outbox.last
    assert await h.press(listing.message_id, "lp:9") == "Page 10"
    assert listing.text.startswith("Open promises (16) · page 2 of 2\n16. task 15")
    assert await h.press(listing.message_id, "lp:x") == "That button has expired."


async def test_a_promise_already_due_offers_late_and_broke_in_the_list(h: Harness) -> None:
    await h.say("call mom back in 1 minute")
    await h.say("text Sam in 2 minutes")
    await h.say("pay rent in 3 hours")
    await h.advance(minutes=2)  # two check-ins went out, unanswered
    mom, sam = (m for m in h.outbox.sent if "Did you keep your word?" in m.text)
    await h.say("/list")
    listing = h.outbox.last
    assert labels(listing) == [
        "✅ Done 1", "🕒 Late 1", "❌ Broke 1",
        "✅ Done 2", "🕒 Late 2", "❌ Broke 2",
        "✅ Done 3", "🕒 Time 3", "✖️ Cancel 3",
    ]  # fmt: skip

    assert await h.press(listing.message_id, listing.button("Late 1")) == "🕒 Kept, late"
    assert mom.text.startswith("🕒 Kept, late: “call mom back”")  # the check-in shows it
    assert mom.current.buttons == ()
    assert listing.text.startswith("Open promises (2)\n1. text Sam")

    assert await h.press(listing.message_id, listing.button("Broke 1")) == "❌ Broken"
    assert sam.text.startswith("❌ Broken: “text Sam”")
    assert "make it right" in h.outbox.last.text  # the repair offer, as from the check-in
    assert labels(listing) == ["✅ Done 1", "🕒 Time 1", "✖️ Cancel 1"]
    outcomes = {p.task: p.outcome for p in h.store.closed_promises(ANN)}
    assert outcomes == {"call mom back": Outcome.LATE, "text Sam": Outcome.BROKEN}


async def test_a_button_from_before_pages_still_works(h: Harness) -> None:
    await h.say("buy milk in 2 hours")
    await h.say("/list")
    listing = h.outbox.last
    await h.press(listing.message_id, "d:p1")
    assert "No open promises" in listing.text


async def test_the_terminal_turns_the_pages_by_number(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    term.ctx.limits = Limits(messages_per_minute=10_000)
    for n in range(1, 18):
        await term.type(f"task {n:02d} in {n} hours")
    shown = await term.type("/list")
    assert "page 1 of 2" in shown
    # 17 acknowledgements are [a]–[q]; the list is [r]: 15 rows of three, then the turn
    assert "[r46] Next ›" in shown
    shown = await term.type("r46")
    assert "page 2 of 2" in shown
    assert "16. task 16" in shown
    assert "17. task 17" in shown
