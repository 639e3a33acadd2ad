"""/settings, /timezone, /export and /forget through the conversation."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.context import Sender
from bot.export import CSV_FIELDS
from core.models import Kind, Outcome
from tests.bot.test_conversation import ANN, BOB, START, Harness
from tests.bot.test_export import promise_from_export


@pytest.fixture
def h() -> Harness:
    return Harness()


def jobs_of(h: Harness, user: int) -> set[str]:
    """The scheduler keys that belong to one user's records."""
    ids = {p.id for p in h.store.open_promises(user)}
    routines = {r.id for r in h.store.routines(user)}
    return {
        key
        for key in h.scheduler.jobs
        if key == f"w:{user}"
        or (key.startswith("p:") and key[2:] in ids)
        or (key.startswith("r:") and key[2:] in routines)
    }


# --- /settings -----------------------------------------------------------------------


async def test_settings_shows_every_choice_as_buttons(h: Harness) -> None:
    text = await h.say("/settings")
    assert text.splitlines() == [
        "Settings",
        "Time zone: UTC (change with /timezone or by sharing your location)",
        "Weekly report: Sundays at 19:00",
        "Clock: 24-hour",
    ]
    datas = [data for _, data in h.outbox.last.buttons]
    assert datas == [  # each names the value it sets (Sunday is 6, Monday 0)
        "s:tz:ask",
        "s:day:5",
        "s:day:0",
        "s:hour:18",
        "s:hour:20",
        "s:report:off",
        "s:clock:12",
    ]


async def test_a_settings_tap_delivered_twice_sets_the_same_value(h: Harness) -> None:
    """After a crash Telegram delivers a tap again: it must not undo the first one."""
    await h.say("/settings")
    panel = h.outbox.last
    for word, field, value in [
        ("Weekly report off", "report_enabled", False),
        ("12-hour clock", "clock24", False),
        ("+ 1 hour", "report_hour", 20),
        ("Report day ▶", "report_day", 0),
    ]:
        data = panel.button(word)
        assert await h.press(panel.message_id, data) == "Saved"
        assert await h.press(panel.message_id, data) == "Saved"  # the same tap again
        user = h.store.get_user(ANN)
        assert user is not None
        assert getattr(user, field) == value, word
    assert "Weekly report: Mondays at 8:00 PM" in panel.text


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [
        ("s:report:toggle", "report_enabled", False),
        ("s:clock:toggle", "clock24", False),
        ("s:hour:next", "report_hour", 20),
        ("s:day:prev", "report_day", 5),
    ],
)
async def test_a_panel_from_before_still_works(
    h: Harness, data: str, field: str, value: object
) -> None:
    await h.say("/settings")
    assert await h.press(h.outbox.last.message_id, data) == "Saved"
    assert getattr(h.store.get_user(ANN), field) == value


@pytest.mark.parametrize(
    ("word", "field", "value", "shown"),
    [
        ("Report day ▶", "report_day", 0, "Weekly report: Mondays at 19:00"),
        ("◀ Report day", "report_day", 5, "Weekly report: Saturdays at 19:00"),
        ("+ 1 hour", "report_hour", 20, "Weekly report: Sundays at 20:00"),
        ("− 1 hour", "report_hour", 18, "Weekly report: Sundays at 18:00"),
        ("Weekly report off", "report_enabled", False, "Weekly report: off"),
        ("12-hour clock", "clock24", False, "Weekly report: Sundays at 7:00 PM"),
    ],
)
async def test_each_settings_button_saves_and_redraws(
    h: Harness, word: str, field: str, value: object, shown: str
) -> None:
    await h.say("/settings")
    panel = h.outbox.last
    assert await h.press(panel.message_id, panel.button(word)) == "Saved"
    user = h.store.get_user(ANN)
    assert user is not None
    assert getattr(user, field) == value
    assert shown in panel.text
    assert len(h.outbox.sent) == 1  # edited in place, nothing new sent


async def test_hours_wrap_around_midnight_and_days_around_the_week(h: Harness) -> None:
    await h.say("/settings")
    panel = h.outbox.last
    for _ in range(5):
        await h.press(panel.message_id, panel.button("+ 1 hour"))
    for _ in range(8):
        await h.press(panel.message_id, panel.button("Report day ▶"))
    assert "Weekly report: Mondays at 00:00" in panel.text
    assert h.scheduler.when(f"w:{ANN}") == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


async def test_turning_the_report_back_on_and_moving_the_day_enables_it(h: Harness) -> None:
    await h.say("/settings")
    panel = h.outbox.last
    await h.press(panel.message_id, panel.button("Weekly report off"))
    assert f"w:{ANN}" not in h.scheduler.jobs
    await h.press(panel.message_id, panel.button("Weekly report on"))
    assert h.scheduler.when(f"w:{ANN}") == datetime(2026, 11, 29, 19, 0, tzinfo=UTC)
    await h.press(panel.message_id, panel.button("Weekly report off"))
    await h.press(panel.message_id, panel.button("Report day ▶"))
    assert "Weekly report: Mondays at 19:00" in panel.text
    assert h.scheduler.when(f"w:{ANN}") == datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # today


async def test_the_clock_setting_changes_how_times_are_shown(h: Harness) -> None:
    assert "I'll check in at 14:20 (in 20 min)" in await h.say("call mom back in 20 minutes")
    await h.say("/settings")
    panel = h.outbox.last
    await h.press(panel.message_id, panel.button("12-hour clock"))
    assert "Clock: 12-hour" in panel.text
    assert "I'll check in at 2:30 PM (in 30 min)" in await h.say("text Sam in 30 minutes")
    assert "2:20 PM" in await h.say("/list")
    await h.press(panel.message_id, panel.button("24-hour clock"))
    assert "14:20" in await h.say("/list")


async def test_the_time_zone_button_explains_how_to_change_it(h: Harness) -> None:
    await h.say("/settings")
    panel = h.outbox.last
    assert await h.press(panel.message_id, "s:tz:ask") == "🌍"
    assert "To change it, send /timezone Europe/Berlin" in h.outbox.last.text


async def test_a_junk_settings_button_changes_nothing(h: Harness) -> None:
    await h.say("/settings")
    before = h.store.get_user(ANN)
    assert await h.press(1, "s:volume:up") == "That button has expired."
    assert await h.press(1, "s:day") == "That button has expired."
    for data in ("s:day:7", "s:hour:24", "s:hour:123", "s:report:maybe", "s:clock:13"):
        assert await h.press(1, data) == "That button has expired.", data
    assert h.store.get_user(ANN) == before


# --- /timezone -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Berlin, Germany", "Europe/Berlin"),
    ],
)
async def test_timezone_takes_a_zone_or_a_city(h: Harness, typed: str, zone: str) -> None:
    reply = await h.say(f"/timezone {typed}")
    assert f"Time zone set to {zone}" in reply
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.tz == zone


async def test_timezone_moves_the_weekly_report_to_local_time(h: Harness) -> None:
    reply = await h.say("/timezone Berlin")
    assert "it's 15:00 there now" in reply
    assert h.scheduler.when(f"w:{ANN}") == datetime(2026, 11, 29, 18, 0, tzinfo=UTC)


async def test_an_unknown_city_gets_a_friendly_error(h: Harness) -> None:
    reply = await h.say("/timezone Xyzzyville <b>")
    assert "I don't know the time zone or city “Xyzzyville <b>”" in reply
    assert "/timezone America/New_York" in reply
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.tz == "UTC"


async def test_timezone_alone_says_the_current_one(h: Harness) -> None:
    assert "Your time zone is UTC." in await h.say("/timezone")


async def test_a_shared_location_sets_the_time_zone(h: Harness) -> None:
    await h.bot.on_location(Sender(ANN, ANN, "Ann", 1), 52.52, 13.405)
    assert "Time zone set to Europe/Berlin" in h.outbox.last.text
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.tz == "Europe/Berlin"
    assert h.scheduler.when(f"w:{ANN}") == datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    await h.bot.on_location(Sender(ANN, ANN, "Ann", 2), -23.55, -46.63)
    assert "Time zone set to America/Sao_Paulo" in h.outbox.last.text


async def test_an_impossible_location_is_refused(h: Harness) -> None:
    await h.bot.on_location(Sender(ANN, ANN, "Ann", 1), 123.0, 500.0)
    assert "couldn't find a time zone at that location" in h.outbox.last.text


# --- /export -------------------------------------------------------------------------


async def make_history(h: Harness) -> None:
    await h.say("call mom back in 5 minutes #mom")
    await h.say('buy "milk", eggs & bread in 1 hour @sam')
    await h.say("every day at 8am: phone away at breakfast")
    await h.scheduler.run_due(h.clock.advance(minutes=5))
    checkin = h.outbox.last
    await h.press(checkin.message_id, checkin.button("Broke"))
    offer = h.outbox.last
    await h.press(offer.message_id, offer.button("Redo in 1 hour"))
    await h.scheduler.run_due(h.clock.advance(hours=1))


async def test_export_sends_json_and_csv_that_parse_back_to_the_store(h: Harness) -> None:
    await make_history(h)
    await h.say("/export")
    json_msg, csv_msg = h.outbox.sent[-2:]
    assert json_msg.reply.document is not None
    assert csv_msg.reply.document is not None
    assert json_msg.reply.document.filename == "keepword-2026-11-23.json"
    assert csv_msg.reply.document.filename == "keepword-promises-2026-11-23.csv"
    assert "everything I keep about you" in json_msg.text

    data = json.loads(json_msg.reply.document.content)
    assert data["format"] == "keepword-export"
    assert data["settings"]["user_id"] == ANN
    stored = sorted(
        [*h.store.open_promises(ANN), *h.store.closed_promises(ANN)], key=lambda p: p.id
    )
    exported = sorted((promise_from_export(d) for d in data["promises"]), key=lambda p: p.id)
    assert exported == stored
    assert [p.outcome for p in stored] == [Outcome.BROKEN, None, None]  # call, milk, redo
    assert stored[2].repair_of == stored[0].id
    assert [r["task"] for r in data["routines"]] == ["phone away at breakfast"]

    rows = list(csv.reader(io.StringIO(csv_msg.reply.document.content.decode())))
    assert tuple(rows[0]) == CSV_FIELDS
    assert sorted(row[0] for row in rows[1:]) == [p.id for p in stored]
    milk = next(row for row in rows[1:] if row[1].startswith("buy"))
    assert milk[1] == 'buy "milk", eggs & bread @sam'
    assert milk[6] == "'@sam"  # a spreadsheet would run a cell starting with @


async def test_export_with_nothing_yet_is_still_two_valid_files(h: Harness) -> None:
    await h.say("/export")
    json_msg, csv_msg = h.outbox.sent[-2:]
    assert json_msg.reply.document is not None
    assert csv_msg.reply.document is not None
    assert json.loads(json_msg.reply.document.content)["promises"] == []
    assert csv_msg.reply.document.content.decode().splitlines() == [",".join(CSV_FIELDS)]


# --- /forget -------------------------------------------------------------------------


async def test_forget_after_confirmation_deletes_everything_and_every_job(h: Harness) -> None:
    await make_history(h)
    await h.say("pay rent in 3 days", BOB)
    bob_jobs = jobs_of(h, BOB)
    ann_jobs = jobs_of(h, ANN)
    assert bob_jobs
    assert {f"w:{ANN}", "r:p3"} < ann_jobs  # and the open promises' check-ins
    await h.say("/forget")
    confirm = h.outbox.last
    assert "can't be undone" in confirm.text
    assert await h.press(confirm.message_id, confirm.button("Yes, delete")) == "Deleted"
    assert "I've deleted everything" in confirm.text
    assert h.store.get_user(ANN) is None
    assert h.store.open_promises(ANN) == []
    assert h.store.closed_promises(ANN) == []
    assert h.store.routines(ANN) == []
    assert ANN not in h.store.user_ids()
    assert not ann_jobs & h.scheduler.jobs.keys()
    # Bob keeps everything.
    assert jobs_of(h, BOB) == bob_jobs
    assert h.store.open_promises(BOB)
    # Nothing runs for Ann later, and nothing of hers comes back.
    await h.scheduler.run_due(h.clock.advance(days=8))
    assert h.store.get_user(ANN) is None
    assert "nothing scored yet" in await h.say("/score")
    assert "No open promises" in await h.say("/list")
    assert "No answered promises yet" in await h.say("/history")


async def test_keep_my_data_deletes_nothing(h: Harness) -> None:
    await make_history(h)
    before = (h.store.get_user(ANN), h.store.open_promises(ANN), h.store.closed_promises(ANN))
    jobs = dict(h.scheduler.jobs)
    await h.say("/forget")
    confirm = h.outbox.last
    assert await h.press(confirm.message_id, confirm.button("Keep my data")) == "Kept"
    assert "nothing was deleted" in confirm.text
    after = (h.store.get_user(ANN), h.store.open_promises(ANN), h.store.closed_promises(ANN))
    assert after[1:] == before[1:]
    assert h.scheduler.jobs.keys() == jobs.keys()


async def test_a_stale_button_after_forget_does_not_bring_the_user_back(h: Harness) -> None:
    await h.say("call mom back in 5 minutes")
    await h.scheduler.run_due(h.clock.advance(minutes=5))
    checkin = h.outbox.last
    await h.say("/settings")
    panel = h.outbox.last
    await h.say("/forget")
    confirm = h.outbox.last
    await h.press(confirm.message_id, confirm.button("Yes, delete"))
    for message_id, data in (
        (checkin.message_id, checkin.button("Kept")),
        (panel.message_id, panel.button("+ 1 hour")),
        (confirm.message_id, "f:yes"),
        (1, "chart"),
        (1, "kl"),
        (1, "ks:callback:p1"),
    ):
        assert await h.press(message_id, data) == "That one is already done."
    assert h.store.get_user(ANN) is None
    assert h.store.user_ids() == []
    assert h.scheduler.jobs == {}


async def test_export_keeps_a_corrected_kind(h: Harness) -> None:
    await h.say("water the plants in 5 minutes")
    await h.scheduler.run_due(h.clock.advance(minutes=5))
    await h.press(h.outbox.last.message_id, h.outbox.last.button("Kept"))
    await h.press(1, "ks:attention:p1")
    await h.say("/export")
    document = h.outbox.sent[-2].reply.document
    assert document is not None
    [exported] = json.loads(document.content)["promises"]
    assert (exported["kind"], exported["kind_corrected"], exported["outcome"]) == (
        Kind.ATTENTION.value,
        True,
        Outcome.KEPT.value,
    )
    assert promise_from_export(exported).due == START + timedelta(minutes=5)
