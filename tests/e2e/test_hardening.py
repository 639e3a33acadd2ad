"""Trying to break the real `keepword run` process: Telegram faults, a blocked bot, a full
disk, a kill -9 mid-message, hostile updates, strangers, limits and secrets in logs.

Each test talks HTTP to the fake Bot API server; faults are the server's (429 with
retry_after, 502 with an HTML body, dropped connections, 403 blocked, no answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from bot import texts
from core.models import Promise, Recurrence, Routine, UserSettings
from storage.tinydb_store import TinyDBStore
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import FAST, button
from tests.fakebotapi import BOT_USER, FakeBotAPI

ANN = 1001
BOB = 2002


def private_message(user_id: int, message_id: int, **content: object) -> dict[str, object]:
    """A raw private-chat message, for the kinds the fake server has no helper for."""
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Eve"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Eve"},
        **content,
    }


def every_json_file_parses(data: Path) -> int:
    files = list(data.rglob("*.json"))
    for path in files:
        json.loads(path.read_bytes())
    return len(files)


# ---------------------------------------------------------------------- Telegram faults


async def test_429_502_and_dropped_connections_are_retried(
    api: FakeBotAPI, bot: BotProcess
) -> None:
    api.fail_next("sendMessage", 1, "429", retry_after=1)
    sent = time.monotonic()
    api.send_text(ANN, "call mom back in 1 hour")
    ack = await api.wait_for_message(ANN, "Got it")
    assert ack.t_monotonic - sent >= 1.0  # waited out, then sent

    api.fail_next("sendMessage", 2, "502")
    api.send_text(BOB, "buy bread in 1 hour")
    await api.wait_for_message(BOB, "Got it")

    api.fail_next("sendMessage", 1, "drop")
    api.send_text(3003, "water the plants in 1 hour")
    await api.wait_for_message(3003, "Got it")

    statuses = [c.fault or c.status for c in api.calls_of("sendMessage")]
    assert statuses.count("429") == 1
    assert statuses.count("502") == 2
    assert statuses.count("drop") == 1
    assert sum(s == 200 for s in statuses) == 3  # every ack, once


async def test_a_blocked_bot_stops_writing_keeps_data_and_resumes(
    api: FakeBotAPI, bot: BotProcess
) -> None:
    api.send_text(ANN, "call mom back in 1 second")
    api.send_text(ANN, "buy bread in 2 seconds")
    await api.wait_for_message(ANN, "buy bread")
    api.block_chat(ANN)
    bounced = await api.wait_for_call(
        "sendMessage", lambda c: c.chat_id == ANN and c.status == 403, timeout=5
    )
    await asyncio.sleep(2.5)  # the second check-in falls due meanwhile
    later = [c for c in api.calls[api.calls.index(bounced) + 1 :] if c.chat_id == ANN]
    assert later == []  # not even tried: the user is marked blocked

    api.unblock_chat(ANN)
    n = len(api.messages_to(ANN))
    api.send_text(ANN, "/list")
    listing = await api.wait_for_message(ANN, "Open promises", after=n)
    assert "call mom back" in listing.plain
    assert "buy bread" in listing.plain
    for task in ("call mom back", "buy bread"):
        checkin = await api.wait_for_message(
            ANN, lambda m, t=task: "Did you keep" in m.plain and t in m.plain, after=n
        )
        assert "late" in checkin.plain


async def test_a_message_in_hand_at_kill9_is_answered_after_restart(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    """The offset confirms an update only once handled, so a crash mid-way re-delivers it."""
    data = tmp_path / "data"
    bot = BotProcess(api, data, env=FAST)
    await bot.start()
    try:
        api.fail_next("sendMessage", 1, "timeout", hang=30)  # the ack hangs: still in hand
        api.send_text(ANN, "water the plants in 1 hour")
        await api.wait_for_call("sendMessage", lambda c: c.fault == "timeout")
        await asyncio.sleep(0.5)  # PTB's own updater would have confirmed it by now
        bot.kill9()
        await bot.start()
        ack = await api.wait_for_message(ANN, "Got it")
        assert "water the plants" in ack.plain
    finally:
        await bot.stop()
    assert [p.task for p in TinyDBStore(data).open_promises(ANN)] == ["water the plants"]


# ---------------------------------------------------------------------- a full disk


@dataclass
class Disk:
    data: Path
    env: dict[str, str]
    fill: Callable[[], None]
    free: Callable[[], None]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Disk]:
    """A real 1 MB tmpfs when we may mount one; else ENOSPC injected into the bot's
    os.replace from a sitecustomize module, switched on by a flag file."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
            timeout=30,
        ).returncode
        == 0
    )
    filler = mount / "filler"
    flag = tmp_path / "disk-full"
    hooks = tmp_path / "hooks"
    env: dict[str, str] = {}
    if not mounted:
        hooks.mkdir()
        (hooks / "sitecustomize.py").write_text(INJECT_ENOSPC)
        env = {
            "PYTHONPATH": f"{hooks}{os.pathsep}{Path(__file__).resolve().parents[2]}",
            "FULL_DISK_FLAG": str(flag),
        }

    def fill() -> None:
        if not mounted:
            flag.touch()
            return
        with contextlib.suppress(OSError), filler.open("wb") as out:
            while True:
                out.write(b"\0" * 4096)
                out.flush()

    def free() -> None:
        flag.unlink(missing_ok=True)
        filler.unlink(missing_ok=True)

    try:
        yield Disk(mount / "data", env, fill, free)
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount)], check=False, timeout=30)


INJECT_ENOSPC = """
import errno, os
_flag = os.environ.get("FULL_DISK_FLAG")
if _flag:
    _replace = os.replace
    def replace(src, dst, *args, **kwargs):
        if os.path.exists(_flag):
            raise OSError(errno.ENOSPC, "No space left on device")
        return _replace(src, dst, *args, **kwargs)
    os.replace = replace
"""


async def test_a_full_disk_says_so_keeps_old_data_and_recovers(
    api: FakeBotAPI, small_disk: Disk, tmp_path: Path
) -> None:
    bot = BotProcess(api, small_disk.data, log_path=tmp_path / "bot.log", env=FAST)
    bot.extra_env.update(small_disk.env)
    await bot.start()
    try:
        api.send_text(ANN, "call mom back in 1 hour")
        first = await api.wait_for_message(ANN, "Got it")
        small_disk.fill()
        api.send_text(ANN, "buy milk in 2 hours")
        await api.wait_for_message(ANN, "couldn't save that")
        api.press_button(ANN, first, button(first, "Undo"))
        await api.wait_for_call(
            "answerCallbackQuery", lambda c: "save" in str(c.params.get("text", "")).lower()
        )
        n = len(api.messages_to(ANN))
        api.send_text(ANN, "/list")  # still running, still reading
        listing = await api.wait_for_message(ANN, "Open promises", after=n)
        assert "call mom back" in listing.plain
        assert "buy milk" not in listing.plain
        assert every_json_file_parses(small_disk.data) >= 1

        small_disk.free()
        n = len(api.messages_to(ANN))
        api.send_text(ANN, "buy milk in 2 hours")
        await api.wait_for_message(ANN, "Got it", after=n)
    finally:
        await bot.stop()
    assert bot.process is not None
    assert bot.process.returncode == 0  # never fell over
    tasks = sorted(p.task for p in TinyDBStore(small_disk.data).open_promises(ANN))
    assert tasks == ["buy milk", "call mom back"]


async def test_a_disk_that_stays_full_asks_once_tells_once_and_stores_it_later(
    api: FakeBotAPI, small_disk: Disk, tmp_path: Path
) -> None:
    """The check-in goes out, its record can't be written: no resend every 30 s (the
    retry is shortened to 0.1 s here, doubling up to 3.2 s), one line to the user."""
    timings = {"KEEPWORD_TIMINGS": "snooze=60,nudge=60,expire=120,late=1,retry=0.1"}
    bot = BotProcess(api, small_disk.data, log_path=tmp_path / "bot.log", env=timings)
    bot.extra_env.update(small_disk.env)
    await bot.start()
    try:
        api.send_text(ANN, "call mom back in 1 second")
        await api.wait_for_message(ANN, "Got it")
        small_disk.fill()
        checkin = await api.wait_for_message(ANN, "Did you keep your word?")
        await api.wait_for_message(ANN, "can't save anything right now")
        await asyncio.sleep(2.0)  # 4 write tries meanwhile
        asked = [m for m in api.messages_to(ANN) if "Did you keep" in m.plain]
        told = [m for m in api.messages_to(ANN) if "can't save anything" in m.plain]
        assert (len(asked), len(told)) == (1, 1)

        small_disk.free()
        for _ in range(100):  # the next try, at most 3.2 s away, stores it
            stored = TinyDBStore(small_disk.data).open_promises(ANN)
            if stored and stored[0].checkin_message_id == checkin.message_id:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the check-in was never recorded as asked")
        api.press_button(ANN, checkin, button(checkin, "Kept"))
        await api.wait_for_edit(ANN, checkin.message_id, "Kept")
    finally:
        await bot.stop()
    assert sum("Did you keep" in m.plain for m in api.messages_to(ANN)) == 1
    assert TinyDBStore(small_disk.data).open_promises(ANN) == []


# ---------------------------------------------------------------------- hostile updates


async def test_odd_updates_each_get_the_right_answer(api: FakeBotAPI, bot: BotProcess) -> None:
    sticker = {
        "file_id": "S1",
        "file_unique_id": "s1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    photo = [{"file_id": "P1", "file_unique_id": "p1", "width": 90, "height": 90}]
    voice = {"file_id": "V1", "file_unique_id": "v1", "duration": 3}
    for user, content in (
        (11, {"sticker": sticker}),
        (12, {"photo": photo}),
        (13, {"voice": voice}),
    ):
        api.send_update({"message": private_message(user, 1, **content)})
    api.send_text(14, "call mom back in 1 hour")
    api.send_text(14, "call mom back in 2 hours", edited=True)
    api.send_text(15, "call mom back in 1 hour", forward=True)
    api.send_text(16, "/frobnicate")
    api.send_text(17, "/score@KeepwordBot")
    api.send_text(18, "/score@OtherBot")
    api.send_text(19, "<b>" * 200 + " in 5 minutes")
    group, channel = -100500, -100600
    api.send_text(20, "hello everyone", chat_id=group, chat_type="group")
    api.send_text(20, "/score@OtherBot", chat_id=group, chat_type="group")
    api.send_text(20, "/start@KeepwordBot", chat_id=group, chat_type="group")
    joined = -100700  # Keepword added to a group: it says where it works, once
    added = {"message_id": 1, "date": int(time.time()), "new_chat_members": [BOT_USER]}
    added |= {"chat": {"id": joined, "type": "group", "title": "Friends"}}
    added |= {"from": {"id": 20, "is_bot": False, "first_name": "Eve"}}
    api.send_update({"message": added})
    channel_chat = {"id": channel, "type": "channel", "title": "News"}
    for n, text in enumerate(("today's news", "/start@KeepwordBot"), start=1):
        post = {"message_id": n, "date": int(time.time()), "chat": channel_chat, "text": text}
        api.send_update({"channel_post": post})

    for user in (11, 12, 13):
        reply = await api.wait_for_message(user)
        assert "only read text" in reply.plain
    await api.wait_for_message(14, "Got it")
    assert "edits don't change a promise" in (await api.wait_for_message(14, after=1)).plain
    assert "call mom back" in (await api.wait_for_message(15, "Got it")).plain
    assert "don't know that command" in (await api.wait_for_message(16)).plain
    assert "This week" in (await api.wait_for_message(17)).plain
    assert "over 500 characters" in (await api.wait_for_message(19)).plain
    assert "private chats" in (await api.wait_for_message(group)).plain
    assert "private chats" in (await api.wait_for_message(channel)).plain
    assert "private chats" in (await api.wait_for_message(joined)).plain

    api.send_text(18, "/help")
    await api.wait_for_message(18, "Commands")
    await api.wait_until_idle_poll()
    await asyncio.sleep(0.3)
    assert len(api.messages_to(18)) == 1  # "/score@OtherBot" was for another bot
    assert len(api.messages_to(group)) == 1  # only when addressed to Keepword
    assert len(api.messages_to(channel)) == 1
    for user in range(11, 20):
        assert all(texts.SOMETHING_WRONG not in m.plain for m in api.messages_to(user))
    assert "Traceback" not in bot.log()


# ---------------------------------------------------------------------- strangers, limits


async def test_only_allowed_users_are_served(api: FakeBotAPI, tmp_path: Path) -> None:
    data = tmp_path / "data"
    bot = BotProcess(api, data, env={**FAST, "KEEPWORD_ALLOWED_USERS": f"{ANN}, 4242"})
    await bot.start()
    try:
        api.send_text(BOB, "call mom back in 1 hour", first_name="Bob")
        refusal = await api.wait_for_message(BOB)
        assert "private" in refusal.plain
        api.send_text(ANN, "call mom back in 1 hour")
        ack = await api.wait_for_message(ANN, "Got it")
        api.send_text(BOB, "buy bread in 1 hour", first_name="Bob")
        query = api.press_button(BOB, ack, button(ack, "Undo"))
        answer = await api.wait_for_call(
            "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query
        )
        assert "private" in str(answer.params.get("text"))
        await api.wait_until_idle_poll()
        await asyncio.sleep(0.3)
        assert len(api.messages_to(BOB)) == 1  # refused once, not once per message
    finally:
        await bot.stop()
    store = TinyDBStore(data)
    assert store.get_user(BOB) is None
    assert store.open_promises(BOB) == []
    assert not (data / "users" / str(BOB)).exists()
    assert [p.task for p in store.open_promises(ANN)] == ["call mom back"]


async def test_open_promise_routine_and_length_limits(api: FakeBotAPI, tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = TinyDBStore(data)
    now = datetime.now(UTC)
    for user in (ANN, BOB):
        store.put_user(UserSettings(user_id=user, chat_id=user, created=now))
    for n in range(200):
        due = datetime(2099, 1, 1, tzinfo=UTC)
        store.put_promise(Promise(id=f"a{n}", user_id=ANN, task=f"t{n}", due=due, created=now))
    for n in range(50):
        rule = Recurrence((0,), 9, n)
        store.put_routine(Routine(id=f"r{n}", user_id=BOB, task=f"r{n}", rule=rule, created=now))
    bot = BotProcess(api, data, env=FAST)
    await bot.start()
    try:
        api.send_text(ANN, "one more in 1 hour")
        assert "200 open promises already" in (await api.wait_for_message(ANN)).plain
        api.send_text(BOB, "every day at 9am: one more")
        assert "50 routines already" in (await api.wait_for_message(BOB)).plain
        api.send_text(3003, "x" * 501)
        assert "over 500 characters" in (await api.wait_for_message(3003)).plain
    finally:
        await bot.stop()
    store = TinyDBStore(data)
    assert len(store.open_promises(ANN)) == 200
    assert len(store.routines(BOB)) == 50
    assert store.open_promises(3003) == []


# ---------------------------------------------------------------------- secrets


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
async def test_the_token_never_and_message_texts_not_at_info_reach_the_log(
    tmp_path: Path, level: str
) -> None:
    token = "987654321:AAE-s3cr3t-T0KEN_value-that-must-not-leak"
    marker = "zebra-7f3a-marker"
    async with FakeBotAPI(token=token) as api:
        bot = BotProcess(api, tmp_path / "data", env={**FAST, "KEEPWORD_LOG_LEVEL": level})
        await bot.start()
        try:
            api.fail_next("sendMessage", 1, "502")  # errors and retries get logged too
            api.send_text(ANN, f"call {marker} back in 1 second")
            ack = await api.wait_for_message(ANN, "Got it")
            checkin = await api.wait_for_message(ANN, "Did you keep your word?", timeout=6)
            api.press_button(ANN, checkin, button(checkin, "Kept"))
            await api.wait_for_edit(ANN, checkin.message_id, "Kept")
            api.press_button(ANN, ack, "k:" + marker)  # a forged button carrying the marker
            await api.wait_for_call("answerCallbackQuery", after=len(api.calls) - 1)
        finally:
            await bot.stop()
    log = bot.log()
    assert len(log.splitlines()) > 3
    secret = token.split(":", 1)[1]
    for leak in (token, quote(token), quote(token, safe=""), secret):
        assert leak not in log, f"the token leaked at {level}"
    if level == "INFO":
        assert marker not in log
    else:
        assert "DEBUG" in log  # the run really logged at DEBUG
