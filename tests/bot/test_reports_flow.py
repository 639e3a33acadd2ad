"""/score, the chart, /history, kinds and the weekly report through the conversation.

A seeded week mirrors PRODUCT.md §1: 7 kept on time, 2 late, 1 broken, 1 unanswered
between Monday 23 and Friday 27 Nov 2026, after a 61 % week before.
"""

from __future__ import annotations

import json
import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.conversation import Conversation
from bot.replies import DeliveryError, Reply
from core.models import Kind, Outcome, Promise
from storage.codec import PROMISE
from storage.tinydb_store import TinyDBStore
from tests.bot.fakes import ManualScheduler, Sent
from tests.bot.test_conversation import ANN, BOB, Harness

K, L, B, U = Outcome.KEPT, Outcome.LATE, Outcome.BROKEN, Outcome.UNANSWERED
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SUNDAY_19 = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)
REFLECTION = "In the past week, how reliable have you been in small things?"
BERLIN = ZoneInfo("Europe/Berlin")
MINUTE = timedelta(minutes=1)


def seed(
    h: Harness,
    pid: str,
    due: datetime,
    outcome: Outcome | None,
    *,
    tags: tuple[str, ...] = (),
    user: int = ANN,
    late_by: timedelta = timedelta(0),
    **extra: object,
) -> Promise:
    promise = Promise(
        id=pid,
        user_id=user,
        task=f"task {pid}",
        due=due,
        created=due - timedelta(minutes=10),
        tags=tags,
        outcome=outcome,
        closed=None if outcome is None else due + late_by,
        **extra,  # type: ignore[arg-type]
    )
    h.store.put_promise(promise)
    return promise


def seed_products_week(h: Harness) -> list[Promise]:
    """This week as in the product's example, and a 61 % week before it."""
    day = [MONDAY + timedelta(days=n) for n in range(5)]
    ps = [
        seed(h, "a1", day[0] + timedelta(hours=9), K, tags=("#mom",)),
        seed(h, "a2", day[0] + timedelta(hours=10), K, tags=("#mom",)),
        seed(h, "a3", day[0] + timedelta(hours=19), B, tags=("#work",)),
        seed(h, "a4", day[1] + timedelta(hours=9), K, tags=("#mom",)),
        seed(h, "a5", day[1] + timedelta(hours=10), K, tags=("#work",), renegotiations=1),
        seed(h, "a6", day[2] + timedelta(hours=9), K, tags=("#work",)),
        seed(h, "a7", day[2] + timedelta(hours=18), K, tags=("#work",)),
        seed(h, "a8", day[3] + timedelta(hours=9), L, tags=("@sam",), late_by=25 * MINUTE),
        seed(h, "a9", day[3] + timedelta(hours=10), L, tags=("@sam",), late_by=120 * MINUTE),
        seed(h, "b1", day[3] + timedelta(hours=20), U, tags=("#work",)),
        seed(h, "b2", day[4] + timedelta(hours=9), K, tags=("#mom",), repair_of="a3"),
    ]  # fmt: skip
    for n, outcome in enumerate((K, K, K, K, K, L, B, B, B)):
        ps.append(seed(h, f"w{n}", MONDAY - timedelta(days=7, hours=-9 - 10 * n), outcome))
    return ps


def reliability(promises: list[Promise], now: datetime) -> int:
    """The long-run figure computed the plain way: weights halve every four weeks."""
    value = {K: 1.0, L: 0.5, B: 0.0, U: 0.0}
    weights = [(0.5 ** ((now - p.due) / timedelta(weeks=4)), p.outcome) for p in promises]
    total = sum(w for w, _ in weights)
    return int(100 * sum(w * value[o] for w, o in weights if o is not None) / total + 0.5)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def photos(h: Harness, user: int = ANN) -> list[Reply]:
    return [m.reply for m in h.outbox.to(user) if m.reply.photo is not None]


def reports(h: Harness, user: int = ANN) -> list[Sent]:
    return [m for m in h.outbox.to(user) if "Your week in small promises" in m.text]


@pytest.fixture
def h() -> Harness:
    return Harness()


async def until(h: Harness, at: datetime) -> None:
    """Let time pass until ``at``, running each job at its own time."""
    while due := [when for when, _ in h.scheduler.jobs.values() if when <= at]:
        h.clock.now = max(h.clock.now, min(due))
        await h.scheduler.run_due(h.clock.now)
    h.clock.now = max(h.clock.now, at)


# --- /score and the chart -------------------------------------------------------------


async def test_score_after_a_seeded_week_shows_the_products_example(h: Harness) -> None:
    await h.say("/start")
    seeded = seed_products_week(h)
    h.clock.now = SATURDAY_NOON
    text = await h.say("/score")
    assert text.splitlines() == [
        "This week (Mon 23 Nov – today): 9 of 11 kept · 73%  ▲ +12 vs last week",
        "Late: 2 (late counts half) · Broken: 1 · Unanswered: 1 · Repaired: 1 · Renegotiated: 1",
        "Longest streak: 6 kept in a row",
        f"Long-run reliability: {reliability(seeded, SATURDAY_NOON)}%",
        "By person: #work 3/5 · #mom 4/4 · @sam 2/2",
        # Two of three evening promises missed is what chance does: not named.
        "Where it slips: nothing stands out in 4 weeks.",
        "What holds: 1 broken promise repaired in 4 weeks",
    ]
    assert h.outbox.last.buttons == [("📈 8-week chart", "chart")]


async def test_a_long_history_costs_a_tap_one_day_and_score_four_weeks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 weeks of 10 closed promises a day, in the files of a data dir from before the
    index: the Kept tap decodes its day's records, /score the four weeks it details."""
    h = Harness()
    h.store = h.ctx.store = TinyDBStore(tmp_path / "data")
    await h.say("/start")
    outcomes = (K, K, K, L, B)
    history = [
        Promise(
            id=f"h{n}",
            user_id=ANN,
            task="call mom back",
            due=(due := SATURDAY_NOON - timedelta(hours=n * 2.4 + 1)),
            created=due - timedelta(hours=1),
            outcome=outcomes[n % 5],
            closed=due,
        )
        for n in range(1_400)
    ]
    archive = tmp_path / "data" / "users" / str(ANN) / "archive"
    archive.mkdir()
    for month in sorted({p.due.strftime("%Y-%m") for p in history}):
        docs = [PROMISE.encode(p) for p in history if p.due.strftime("%Y-%m") == month]
        table = {"promises": {str(n): doc for n, doc in enumerate(docs, 1)}}
        (archive / f"{month}.json").write_text(json.dumps(table))
    h.clock.now = SATURDAY_NOON
    await h.say("/score")  # the first read moves the old month files into days, once
    due = SATURDAY_NOON - timedelta(minutes=5)
    checkin = await h.outbox.send(ANN, Reply("⏰ Did you keep your word?"))
    assert checkin is not None
    seed(h, "now", due, None, asked=due, checkin_message_id=checkin)

    decoded = 0
    real = PROMISE.decode

    def counting(data: Any) -> Promise:
        nonlocal decoded
        decoded += 1
        return real(data)

    monkeypatch.setattr(PROMISE, "decode", counting)
    await h.press(checkin, "k:now")
    assert decoded <= 2 * 10 + 5  # the day's records, not the month's or the week's
    this_week = [p for p in history if p.due >= MONDAY]
    kept = sum(p.outcome in (K, L) for p in this_week) + 1
    answered = h.outbox.sent[checkin - 1].text
    assert answered.endswith(f"{kept} of {len(this_week) + 1} kept this week.")

    decoded = 0
    text = await h.say("/score")
    assert decoded <= 4 * 7 * 10 + 20  # four weeks of records: not 20 weeks'
    closed_now = replace(history[0], id="now", due=due, outcome=K, closed=SATURDAY_NOON)
    assert f"Long-run reliability: {reliability([*history, closed_now], h.clock.now)}%" in text
    assert text.startswith(f"This week (Mon 23 Nov – today): {kept} of {len(this_week) + 1}")


async def test_a_cancelled_or_open_promise_is_not_scored(h: Harness) -> None:
    await h.say("/start")
    seed(h, "c1", MONDAY + timedelta(hours=9), K)
    seed(h, "c2", MONDAY + timedelta(hours=10), Outcome.CANCELLED)
    seed(h, "c3", MONDAY + timedelta(days=6), None)
    h.clock.now = SATURDAY_NOON
    text = await h.say("/score")
    assert text.startswith("This week (Mon 23 Nov – today): 1 of 1 kept · 100%")
    assert "Cancelled (listed, not scored): task c2" in text


async def test_an_empty_week_explains_how_to_start(h: Harness) -> None:
    text = await h.say("/score")
    assert text.startswith("This week (Mon 23 Nov – today): nothing scored yet.")
    assert "call mom back in 10 minutes" in text
    assert "%" not in text


async def test_the_chart_button_sends_a_phone_sized_png(h: Harness) -> None:
    await h.say("/start")
    seed_products_week(h)
    h.clock.now = SATURDAY_NOON
    await h.say("/score")
    toast = await h.press(h.outbox.last.message_id, h.outbox.last.button("chart"))
    assert toast == "📈"
    [chart] = photos(h)
    assert chart.photo is not None
    assert chart.photo.filename.endswith(".png")
    assert png_size(chart.photo.content) == (1000, 600)


# --- /history and kinds -------------------------------------------------------------


async def test_history_lists_closed_promises_newest_first_with_how_late(h: Harness) -> None:
    await h.say("/start")
    seed_products_week(h)
    seed(h, "o1", SATURDAY_NOON + timedelta(hours=3), None)  # open: not history
    h.clock.now = SATURDAY_NOON
    lines = (await h.say("/history")).splitlines()
    assert lines[0] == "Your last 20 promises, newest first"
    assert lines[1:5] == [
        "✅ Fri 27 Nov 09:00 task b2 · a repair",
        "🔇 Thu 26 Nov 20:00 task b1 (unanswered)",
        "🕒 Thu 26 Nov 10:00 task a9 · 2 h late",
        "🕒 Thu 26 Nov 09:00 task a8 · 25 min late",
    ]
    assert lines[-1] == "✅ Mon 16 Nov 09:00 task w0"
    assert "task o1" not in "\n".join(lines)
    assert h.outbox.last.button("kind") == "kl"


async def test_history_shows_thirty_at_most(h: Harness) -> None:
    await h.say("/start")
    for n in range(35):
        seed(h, f"h{n}", MONDAY - timedelta(days=40) + timedelta(hours=n), K)
    lines = (await h.say("/history")).splitlines()
    assert lines[0] == "Your last 30 promises, newest first"
    assert len(lines) == 31
    assert lines[1].endswith("task h34")


async def test_a_kind_is_corrected_from_history_and_feeds_where_it_slips(h: Harness) -> None:
    await h.say("/start")
    outcomes = (K,) * 9 + (B,) * 5
    for n, outcome in enumerate(outcomes):
        seed(h, f"k{n:02d}", MONDAY + timedelta(days=n // 3, hours=9 + n % 3), outcome)
    h.clock.now = SATURDAY_NOON + timedelta(hours=6)
    # Filed as "other", the misses say nothing a person can act on.
    assert "Where it slips: nothing stands out in 4 weeks." in await h.say("/score")

    await h.say("/history")
    await h.press(h.outbox.last.message_id, "kl")
    pick = h.outbox.last
    assert "Which promise" in pick.text
    for pid in ("k13", "k12", "k11", "k10", "k09"):
        assert (f"❌ task {pid} · other", f"kd:{pid}") in pick.buttons
        assert await h.press(pick.message_id, f"kd:{pid}") == "🏷"
        assert "counts as other" in pick.text
        assert ("Calling/texting back", f"ks:callback:{pid}") in pick.buttons
        assert ("• Other", f"ks:other:{pid}") in pick.buttons
        assert await h.press(pick.message_id, f"ks:callback:{pid}") == "Saved"
        assert pick.text == f"🏷 “task {pid}” now counts as calling/texting back."
        stored = h.store.get_promise(ANN, pid)
        assert stored is not None
        assert (stored.kind, stored.kind_corrected) == (Kind.CALLBACK, True)
        await h.press(h.outbox.last.message_id, "kl")
        pick = h.outbox.last
    assert (
        "Where it slips: call-backs and replies — 0 of 5 kept in 4 weeks (you keep 100% of the"
        " rest)." in await h.say("/score")
    )


async def test_kind_buttons_cannot_touch_another_users_promise_or_take_junk(h: Harness) -> None:
    await h.say("/start")
    await h.say("/start", BOB)
    seed(h, "x1", MONDAY + timedelta(hours=9), K)
    assert await h.press(1, "ks:callback:x1", BOB) == "That one is gone."
    assert await h.press(1, "kd:x1", BOB) == "That one is gone."
    assert await h.press(1, "ks:nonsense:x1") == "That button has expired."
    assert await h.press(1, "ks:callback") == "That button has expired."
    stored = h.store.get_promise(ANN, "x1")
    assert stored is not None
    assert (stored.kind, stored.kind_corrected) == (Kind.OTHER, False)


# --- the weekly report ---------------------------------------------------------------


async def keep_one(h: Harness, text: str = "call mom back in 20 minutes") -> None:
    await h.say(text)
    await until(h, h.clock() + timedelta(minutes=20))
    checkin = h.outbox.last
    await h.press(checkin.message_id, checkin.button("Kept"))


async def test_the_weekly_report_arrives_on_sunday_at_19_with_chart_and_reflection(
    h: Harness,
) -> None:
    await keep_one(h)
    assert h.scheduler.when(f"w:{ANN}") == SUNDAY_19
    await until(h, SUNDAY_19 - timedelta(seconds=1))
    assert reports(h) == []
    await until(h, SUNDAY_19)
    [report] = reports(h)
    assert "This week (Mon 23 Nov – today): 1 of 1 kept · 100%" in report.text
    assert report.text.endswith(REFLECTION)
    assert h.outbox.last.reply.photo is not None
    assert png_size(h.outbox.last.reply.photo.content) == (1000, 600)
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.last_report_week == "2026-11-23"
    assert h.scheduler.when(f"w:{ANN}") == SUNDAY_19 + timedelta(weeks=1)


async def test_an_inactive_user_gets_no_report(h: Harness) -> None:
    await h.say("/start")
    await keep_one(h, "call mom back in 20 minutes")  # active this week...
    await until(h, SUNDAY_19)
    assert len(reports(h)) == 1
    await until(h, SUNDAY_19 + timedelta(weeks=1))  # ...and silent the next
    assert len(reports(h)) == 1
    assert h.scheduler.when(f"w:{ANN}") == SUNDAY_19 + timedelta(weeks=2)


async def test_a_new_user_who_never_promised_gets_no_report(h: Harness) -> None:
    await h.say("/start")
    await until(h, SUNDAY_19 + timedelta(hours=1))
    assert reports(h) == []
    assert photos(h) == []


@pytest.mark.parametrize(
    ("monday", "sunday_19_utc"),
    [
        (datetime(2026, 10, 19, 10, tzinfo=UTC), datetime(2026, 10, 25, 18, tzinfo=UTC)),
        (datetime(2026, 3, 23, 10, tzinfo=UTC), datetime(2026, 3, 29, 17, tzinfo=UTC)),
    ],
)
async def test_the_report_keeps_19_local_across_a_dst_sunday(
    h: Harness, monday: datetime, sunday_19_utc: datetime
) -> None:
    h.clock.now = monday
    await h.say("/timezone Europe/Berlin")
    assert h.scheduler.when(f"w:{ANN}") == sunday_19_utc
    # Monday 00:30 in Berlin is still Sunday in UTC: it counts for the Berlin week.
    early = datetime.combine(monday.date(), datetime.min.time(), BERLIN) + timedelta(minutes=30)
    seed(h, "d1", early.astimezone(UTC), K)
    await until(h, sunday_19_utc - timedelta(minutes=1))
    assert reports(h) == []
    await until(h, sunday_19_utc)
    [report] = reports(h)
    assert "1 of 1 kept · 100%" in report.text
    assert report.text.endswith(REFLECTION)
    assert photos(h)
    following = h.scheduler.when(f"w:{ANN}")
    assert following is not None
    assert following.astimezone(BERLIN).replace(tzinfo=None) == datetime.combine(
        sunday_19_utc.date() + timedelta(weeks=1), datetime.min.time()
    ) + timedelta(hours=19)


async def test_settings_move_the_report_and_off_cancels_it(h: Harness) -> None:
    await keep_one(h)
    await h.say("/settings")
    panel = h.outbox.last
    await h.press(panel.message_id, panel.button("◀ Report day"))  # Saturday
    await h.press(panel.message_id, panel.button("+ 1 hour"))  # 20:00
    assert "Weekly report: Saturdays at 20:00" in panel.text
    saturday_20 = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
    assert h.scheduler.when(f"w:{ANN}") == saturday_20
    await until(h, saturday_20)
    assert len(reports(h)) == 1
    await until(h, SUNDAY_19 + timedelta(hours=2))  # not again on Sunday
    assert len(reports(h)) == 1

    h.clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    await keep_one(h)  # active in the next week too
    await h.press(panel.message_id, panel.button("Weekly report off"))
    assert "Weekly report: off" in panel.text
    assert f"w:{ANN}" not in h.scheduler.jobs
    await until(h, saturday_20 + timedelta(weeks=1, hours=1))
    assert len(reports(h)) == 1
    await h.press(panel.message_id, panel.button("Weekly report on"))
    assert h.scheduler.when(f"w:{ANN}") == saturday_20 + timedelta(weeks=2)


async def restart(h: Harness) -> None:
    """A new process on the same store: fresh jobs, rebuilt from the store."""
    h.scheduler = ManualScheduler()
    h.ctx.scheduler = h.scheduler
    h.bot = Conversation(h.ctx)
    await h.bot.restore()
    await h.scheduler.run_due(h.clock())


async def test_a_report_missed_while_down_is_sent_once_at_restore(h: Harness) -> None:
    await keep_one(h)
    h.clock.now = SUNDAY_19 + timedelta(hours=3)  # down over the report's time
    await restart(h)
    [report] = reports(h)
    assert "This week (Mon 23 Nov – today): 1 of 1 kept" in report.text
    assert len(photos(h)) == 1
    await restart(h)
    h.clock.advance(minutes=5)
    await restart(h)
    assert len(reports(h)) == 1
    assert h.scheduler.when(f"w:{ANN}") == SUNDAY_19 + timedelta(weeks=1)


async def test_a_report_missed_into_monday_reports_the_week_that_ended(h: Harness) -> None:
    await keep_one(h)
    h.clock.now = SUNDAY_19 + timedelta(hours=13)  # Monday 08:00: a new, empty week
    await restart(h)
    [report] = reports(h)
    assert "Last week (Mon 23 Nov – Sun 29 Nov): 1 of 1 kept · 100%" in report.text
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.last_report_week == "2026-11-23"


async def test_a_report_missed_by_more_than_a_day_is_dropped(h: Harness) -> None:
    await keep_one(h)
    h.clock.now = SUNDAY_19 + timedelta(hours=25)
    await restart(h)
    assert reports(h) == []
    assert h.scheduler.when(f"w:{ANN}") == SUNDAY_19 + timedelta(weeks=1)


async def test_a_monday_report_reviews_the_week_just_ended(h: Harness) -> None:
    await keep_one(h)
    h.clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday
    await h.say("/settings")
    panel = h.outbox.last
    await h.press(panel.message_id, panel.button("Report day ▶"))  # Monday, 19:00
    monday_19 = SUNDAY_19 + timedelta(days=1)
    assert h.scheduler.when(f"w:{ANN}") == monday_19
    await until(h, monday_19)
    [report] = reports(h)
    assert "Last week (Mon 23 Nov – Sun 29 Nov): 1 of 1 kept · 100%" in report.text


async def test_a_report_that_cannot_be_delivered_is_tried_again(h: Harness) -> None:
    await keep_one(h)
    real_send = h.outbox.send
    failures = 2

    async def flaky(chat_id: int, reply: Reply) -> int | None:
        nonlocal failures
        if "Your week" in reply.text and failures:
            failures -= 1
            raise DeliveryError("network down")
        return await real_send(chat_id, reply)

    h.outbox.send = flaky  # type: ignore[method-assign]
    await until(h, SUNDAY_19 + timedelta(minutes=1))
    assert reports(h) == []
    await until(h, SUNDAY_19 + timedelta(minutes=2))
    assert len(reports(h)) == 1
    assert h.scheduler.when(f"w:{ANN}") == SUNDAY_19 + timedelta(weeks=1)


async def test_the_report_waits_for_a_user_who_blocked_the_bot(h: Harness) -> None:
    await keep_one(h)
    h.outbox.blocked.add(ANN)
    await h.bot.on_blocked(ANN)
    user = h.store.get_user(ANN)
    assert user is not None
    h.bot.reports.plan(user)
    assert f"w:{ANN}" not in h.scheduler.jobs


async def test_weekly_report_state_survives_in_the_store(h: Harness) -> None:
    await keep_one(h)
    user = h.store.get_user(ANN)
    assert user is not None
    h.store.put_user(replace(user, last_report_week="2026-11-23"))  # already sent
    await until(h, SUNDAY_19)
    assert reports(h) == []


async def test_a_report_undeliverable_for_a_day_is_given_up(h: Harness) -> None:
    await keep_one(h)

    async def down(chat_id: int, reply: Reply) -> int | None:
        raise DeliveryError("network down")

    h.outbox.send = down  # type: ignore[method-assign]
    await until(h, SUNDAY_19 + timedelta(hours=25))
    assert h.scheduler.when(f"w:{ANN}") == SUNDAY_19 + timedelta(weeks=1)
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.last_report_week is None
