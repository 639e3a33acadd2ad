"""The demo month: up to date with its script, and a real report ten seconds after import."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.demo_month import TARGET, demo_bytes
from core.score import weekly_report
from core.transfer import moved_up
from storage.importing import read_export
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_chat_process import chat_env
from tests.e2e.test_core_loop import button
from tests.fakebotapi import FakeBotAPI

SLIP = "Where it slips: #work promises made less than an hour ahead — "


def test_the_checked_in_demo_is_what_its_script_writes() -> None:
    assert TARGET.read_bytes() == demo_bytes(), "run: .venv/bin/python bench/demo_month.py"


@pytest.mark.parametrize("days_later", [0, 1, 3, 6, 40, 400])
def test_the_demo_names_its_real_pattern_whenever_it_is_imported(days_later: int) -> None:
    bundle = read_export(TARGET.read_bytes())
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC) + timedelta(days=days_later)
    moved = moved_up(bundle, now)
    assert max(p.due for p in moved.promises) <= now
    insight = weekly_report(list(moved.promises), now, ZoneInfo("Europe/Berlin")).insight
    assert insight.weak is not None
    assert insight.weak.label == "#work promises made less than an hour ahead"


def test_import_the_demo_then_score_in_the_terminal(tmp_path: Path) -> None:
    # As in the README: keepword import docs/demo-month.json --user-id 1 && make chat
    env = chat_env(tmp_path / "data")
    imported = subprocess.run(
        [sys.executable, "-m", "bot", "import", str(TARGET), "--user-id", "1"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("Imported 127 promises (127 new) and 1 routine")
    chat = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--exit-after", "1"],
        input="/score\n", capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    assert SLIP in chat.stdout
    assert "Try giving those a later time" in chat.stdout
    assert "What holds: " in chat.stdout


async def test_the_export_sent_to_the_bot_is_imported_after_the_button(
    api: FakeBotAPI, bot: BotProcess
) -> None:
    user = 5150
    document = json.loads(demo_bytes())
    document["settings"]["user_id"] = document["settings"]["chat_id"] = user
    for record in (*document["promises"], *document["routines"]):
        record["user_id"] = user
    api.send_text(user, "/start")
    await api.wait_for_message(user)
    api.send_document(user, json.dumps(document).encode())
    question = await api.wait_for_message(user, "Import it?")
    assert "127 promises and 1 routine" in question.plain
    api.press_button(user, question, button(question, "Import"))
    await api.wait_for_edit(user, question.message_id, "Done: Imported 127 promises (127 new)")
    api.send_text(user, "/score")
    score = await api.wait_for_message(user, "Where it slips")
    assert "#work promises made less than an hour ahead" in score.plain
    api.send_document(user, b"not an export")
    refused = await api.wait_for_message(user, "couldn't import that file")
    assert "Nothing was changed." in refused.plain
