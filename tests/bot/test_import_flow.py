"""Sending an /export file to the bot: asked once, imported on [Import], refused kindly."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bench.demo_month import demo_bytes
from bot import texts
from bot.context import Sender
from bot.flows.imports import CONFIRM_WINDOW
from storage.importing import read_export
from tests.bot.test_conversation import ANN, Harness


@pytest.fixture
def h() -> Harness:
    harness = Harness()
    harness.ctx.read_export = read_export
    return harness


def export_of(user_id: int) -> bytes:
    document = json.loads(demo_bytes())
    document["settings"]["user_id"] = document["settings"]["chat_id"] = user_id
    for record in (*document["promises"], *document["routines"]):
        record["user_id"] = user_id
    return json.dumps(document).encode()


async def send(h: Harness, data: bytes, user: int = ANN) -> str:
    before = len(h.outbox.sent)
    await h.bot.on_document(Sender(user, user, "Ann"), data)
    return "\n".join(m.text for m in h.outbox.sent[before:])


async def test_an_export_is_imported_after_the_button_and_only_once(h: Harness) -> None:
    await h.say("/start")
    asked = await send(h, export_of(ANN))
    assert "This is your Keepword export: 127 promises and 1 routine. Import it?" in asked
    question = h.outbox.last
    assert h.store.closed_promises(ANN) == []  # nothing before the tap
    tap = question.button("Import")
    assert await h.press(question.message_id, tap) == "Imported"
    assert question.text.startswith("📥 Done: Imported 127 promises (127 new)")
    assert len(h.store.closed_promises(ANN)) == 127
    user = h.store.get_user(ANN)
    assert user is not None
    assert user.tz == "Europe/Berlin"
    # The same tap again (a re-delivery) imports nothing more.
    assert await h.press(question.message_id, tap) == texts.EXPIRED_BUTTON
    assert len(h.store.closed_promises(ANN)) == 127
    assert "Where it slips: #work promises made less than an hour ahead" in await h.say("/score")


async def test_cancel_and_an_old_question_import_nothing(h: Harness) -> None:
    await h.say("/start")
    await send(h, export_of(ANN))
    question = h.outbox.last
    assert await h.press(question.message_id, question.button("Cancel")) == "Cancelled"
    assert question.text == "Not imported. Nothing was changed."
    await send(h, export_of(ANN))
    question = h.outbox.last
    h.clock.now += CONFIRM_WINDOW + timedelta(seconds=1)
    assert await h.press(question.message_id, question.button("Import")) == texts.EXPIRED_BUTTON
    assert h.store.closed_promises(ANN) == []


async def test_someone_elses_or_a_damaged_file_is_refused_with_one_line(h: Harness) -> None:
    await h.say("/start")
    foreign = await send(h, export_of(ANN + 1))
    assert foreign == (
        "That export belongs to another Telegram account, so I won't import it here. "
        "Nothing was changed."
    )
    damaged = await send(h, b'{"format": "keepword-export", "version": 1, "settings": 5}')
    assert damaged.startswith("I couldn't import that file: the file has a damaged record")
    assert (await send(h, b"%PDF-1.4")).startswith("I couldn't import that file: this is not")
    assert h.store.closed_promises(ANN) == []
    assert h.store.closed_promises(ANN + 1) == []
    assert h.store.get_user(ANN + 1) is None
