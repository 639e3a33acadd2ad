"""Buttons are input too: forged, malformed, oversized and stale callback_data.

Telegram hands the bot whatever callback_data a (modified) client sends, so a button
press is treated like any other untrusted text: it must never reach another user's
promise, never raise, and a button that outlived its promise answers with a toast.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import texts
from bot.context import Limits, Sender
from bot.conversation import _CALLBACK
from bot.replies import CALLBACK_DATA_MAX_BYTES
from storage.importing import read_export
from tests.bot.fakes import Sent
from tests.bot.test_conversation import ANN, BOB, Harness

REFUSALS = {texts.GONE, texts.EXPIRED_BUTTON, texts.ALREADY_DONE}
# Button kinds whose data names a promise or routine. The others act on the presser's
# own account (settings, chart, forget, pages, "not now"), whatever the data says.
NAMING_A_RECORD = {"k", "l", "b", "z", "u", "c", "t", "d", "x", "r1", "rt", "rp", "rr", "rd"}
NAMING_A_RECORD |= {"kd", "ks", "aw", "ll", "lb"}


def roomy() -> Harness:
    """No flood guard in the way: these tests send many messages on purpose."""
    return Harness(Limits(messages_per_minute=10_000))


async def every_button(h: Harness) -> list[str]:
    """Walk Ann through every screen that shows buttons; return all callback_data seen."""
    await h.say("call mom back in 1 minute")  # ack: undo, change time
    ack = h.outbox.last
    await h.press(ack.message_id, ack.button("Change time"))  # quick new times
    await h.say("in 2 minutes")
    await h.say("text Sam")  # "when?" quick times
    await h.say("in 3 hours")
    await h.say("stretch in 1 minute")
    await h.advance(minutes=1)  # the stretch check-in
    stretch = next(m for m in h.outbox.to(ANN) if "stretch" in m.text and "Did you" in m.text)
    await h.press(stretch.message_id, stretch.button("Broke"))  # repair offer
    await h.advance(minutes=1)  # the call-mom check-in, left open
    for n in range(15):  # more open promises than fit on one page of /list
        await h.say(f"chore {n} in {n + 5} hours")
    await h.say("/list")
    await h.say("/answer")  # the waiting check-ins, each with its answers
    for hour in range(11):  # more routines than fit on one page
        await h.say(f"every day at {hour + 6}:00: routine {hour}")
    await h.say("/routines")
    routines = h.outbox.last
    await h.press(routines.message_id, routines.button("Pause"))  # shows Resume
    await h.say("/history")
    history = h.outbox.last
    await h.press(history.message_id, history.buttons[0][1])  # which promises to relabel
    pick = h.outbox.last
    await h.press(pick.message_id, pick.buttons[0][1])  # the kinds to choose from
    h.ctx.read_export = read_export  # an /export file sent back: [Import] [Cancel]
    own = {"format": "keepword-export", "version": 1, "settings": {"user_id": ANN, "chat_id": ANN}}
    await h.bot.on_document(Sender(ANN, ANN, "Ann"), json.dumps(own).encode())
    for command in ("/score", "/settings", "/forget"):
        await h.say(command)
    seen: list[str] = []
    for message in h.outbox.to(ANN):
        for reply in (message.reply, *message.edits):
            seen += [b.data for row in reply.buttons for b in row]
    return sorted(set(seen))


def kind(data: str) -> str:
    return data.split(":")[0]


def state(h: Harness, user: int) -> tuple[Any, ...]:
    """Everything a press could change for ``user``: records, jobs and their messages."""
    store = h.store
    promise_ids = {p.id for p in store.open_promises(user)}
    routine_ids = {r.id for r in store.routines(user)}
    jobs = {
        key: at
        for key, (at, _) in h.scheduler.jobs.items()
        if key.split(":")[-1] in promise_ids | routine_ids or key == f"w:{user}"
    }
    messages = [(m.message_id, m.current) for m in h.outbox.to(user)]
    return (
        store.get_user(user),
        store.open_promises(user),
        store.closed_promises(user),
        store.routines(user),
        jobs,
        messages,
    )


async def test_every_button_kind_the_bot_shows_is_covered_and_well_formed() -> None:
    h = roomy()
    seen = await every_button(h)
    assert {kind(d) for d in seen} >= set(h.bot.buttons), "a button kind no test presses"
    for data in seen:
        assert len(data.encode()) <= CALLBACK_DATA_MAX_BYTES, data
        assert _CALLBACK.fullmatch(data), f"the bot's own button fails validation: {data!r}"


async def test_another_users_press_changes_nothing_of_the_owner() -> None:
    h = roomy()
    seen = await every_button(h)
    await h.say("/start", user=BOB)
    before = state(h, ANN)
    toasts = {}
    for data in seen:
        toasts[data] = await h.press(7, data, user=BOB)
    assert state(h, ANN) == before
    # Buttons naming a promise or routine find nothing under Bob's id.
    for data, toast in toasts.items():
        if kind(data) in NAMING_A_RECORD:
            assert toast in REFUSALS, (data, toast)


MALFORMED = [
    "",
    ":",
    "k",
    "k:",
    "k::p1",
    "k:p1:",
    "k:p1:x:y",
    "K:p1",
    "k:p1\n",
    " k:p1",
    "k:p 1",
    "k:../p1",
    "k:p1;rm",
    "k:" + "p" * 25,
    "x" * (CALLBACK_DATA_MAX_BYTES + 1),
    "k:" + "é" * 31,  # 64 characters, 64 bytes over the limit
    "💥:p1",
    "zz:p1",
    "chartx",
    "t:1h",
    "t:never:p1",
    "q:soon",
    "s:day",
    "s:moon:next",
    "f:maybe:x:y",
    "rl:-1",
    "rl:x",
    "rp",
    "rd:p1:p2:p3",
]


@pytest.mark.parametrize("data", MALFORMED)
async def test_malformed_data_is_refused_without_touching_anything(data: str) -> None:
    h = roomy()
    await h.say("call mom back in 1 minute")
    await h.advance(minutes=1)
    before = state(h, ANN)
    toast = await h.press(h.outbox.last.message_id, data)
    assert toast in REFUSALS, (data, toast)
    assert state(h, ANN) == before


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.text(max_size=80),
        st.from_regex(r"[a-z0-9]{1,5}(:[A-Za-z0-9_-]{0,30}){0,4}", fullmatch=True),
    )
)
async def test_any_data_from_anyone_never_raises_and_never_reaches_ann(data: str) -> None:
    h = roomy()
    await h.say("call mom back in 1 minute")
    await h.advance(minutes=1)
    await h.say("/start", user=BOB)
    before = state(h, ANN)
    toast = await h.press(3, data, user=BOB)
    assert isinstance(toast, str)
    assert 0 < len(toast) <= 200
    assert state(h, ANN) == before


def shown(message: Sent, word: str) -> str:
    """A button as first shown, even after an edit removed it (an old client still has it)."""
    for row in message.reply.buttons:
        for button in row:
            if word.lower() in button.label.lower():
                return button.data
    raise AssertionError(f"no {word!r} button in {message.reply.buttons}")


async def test_stale_buttons_answer_already_done_or_gone() -> None:
    h = roomy()
    await h.say("call mom back in 1 minute")
    ack = h.outbox.last
    await h.advance(minutes=1)
    checkin = h.outbox.last
    assert "Kept" in await h.press(checkin.message_id, shown(checkin, "Kept"))
    # resolved: every answer button of that check-in, and the ack's buttons
    for word in ("Kept", "Late", "Broke", "Snooze"):
        assert await h.press(checkin.message_id, shown(checkin, word)) == texts.ALREADY_DONE
    for data in (shown(ack, "Undo"), shown(ack, "Change time"), "t:1h:p1", "d:p1", "x:p1"):
        assert await h.press(ack.message_id, data) == texts.ALREADY_DONE

    # deleted: an undone promise
    await h.say("buy bread in 1 hour")
    ack = h.outbox.last
    await h.press(ack.message_id, shown(ack, "Undo"))
    for data in (shown(ack, "Undo"), shown(ack, "Change time"), "k:p2", "z:p2", "d:p2"):
        assert await h.press(ack.message_id, data) == texts.GONE

    # a deleted routine
    await h.say("every day at 8am: stretch")
    await h.say("/routines")
    listing = h.outbox.last
    delete = shown(listing, "Delete")
    await h.press(listing.message_id, delete)
    assert await h.press(listing.message_id, delete) == texts.GONE

    # from before /forget: first while no record exists, then after starting again
    await h.say("water the plants in 5 minutes")
    ack = h.outbox.last
    await h.say("/forget")
    confirm = h.outbox.last
    await h.press(confirm.message_id, shown(confirm, "Yes"))
    sent = len(h.outbox.sent)
    assert await h.press(ack.message_id, shown(ack, "Undo")) == texts.ALREADY_DONE
    assert await h.press(confirm.message_id, shown(confirm, "Yes")) == texts.ALREADY_DONE
    await h.say("/start")
    assert await h.press(ack.message_id, shown(ack, "Change time")) == texts.GONE
    assert await h.press(checkin.message_id, shown(checkin, "Kept")) == texts.GONE
    assert len(h.outbox.sent) == sent + 1  # only the welcome: stale presses say nothing
    assert h.store.open_promises(ANN) == []
