"""The fake Bot API must fool a real python-telegram-bot, or end-to-end tests prove nothing.

Most tests drive a real PTB Application over HTTP; the polling and conflict rules are
checked at the HTTP level, where a test can play a bot that crashed mid-poll.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakebotapi import CONFLICT_DESCRIPTION, FakeBotAPI, html_error

USER = 42
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x80\x00\x00\x01\xe0" + b"\x00" * 64

logging.getLogger("httpx").setLevel(logging.WARNING)


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when it builds an int RetryAfter; warnings are errors in this suite."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(server.token, base_url=server.base_url) as client:
        yield client


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("✅ Kept", callback_data="kept:1")],
            [InlineKeyboardButton("💤 Snooze", callback_data="snooze:1")],
        ]
    )
    await update.effective_message.reply_text(
        f"echo: {update.effective_message.text}", reply_markup=keyboard
    )


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("<b>Hello</b> &amp; welcome", parse_mode="HTML")


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"Outcome: {query.data}")


def _application(
    server: FakeBotAPI, token: str | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    app = ApplicationBuilder().token(token or server.token).base_url(server.base_url).build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(CallbackQueryHandler(_pressed))
    return app


@pytest.fixture
async def running(server: FakeBotAPI) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    app = _application(server)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


async def _http(
    server: FakeBotAPI, method: str, token: str | None = None, **params: Any
) -> tuple[int, dict[str, Any]]:
    url = f"{server.base_url}{token or server.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, json=params) as resp:
        return resp.status, await resp.json()


# ---------------------------------------------------------------- a real Application


async def test_get_me_describes_the_bot(bot: Bot, server: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert (me.username, me.first_name, me.is_bot) == ("KeepwordBot", "Keepword", True)
    assert server.calls_of("getMe")


async def test_message_round_trip_with_keyboard(server: FakeBotAPI, running: Any) -> None:
    server.send_text(USER, "42")
    reply = await server.wait_for_message(USER, "echo:")
    assert reply.text == "echo: 42"
    assert reply.buttons == [[("✅ Kept", "kept:1")], [("💤 Snooze", "snooze:1")]]
    call = await server.wait_for_call("sendMessage")
    assert call.params["chat_id"] == USER
    assert call.params["text"] == "echo: 42"  # a string field is never JSON-decoded
    await server.wait_until_idle_poll()
    assert server.pending_updates == []


async def test_command_reaches_command_handler_and_html_is_rendered(
    server: FakeBotAPI, running: Any
) -> None:
    server.send_text(USER, "/start")
    reply = await server.wait_for_message(USER, "Hello & welcome")
    assert reply.text == "<b>Hello</b> &amp; welcome"
    assert reply.plain == "Hello & welcome"
    assert reply.message_json["text"] == "Hello & welcome"


async def test_button_press_is_answered_and_edit_is_visible(
    server: FakeBotAPI, running: Any
) -> None:
    server.send_text(USER, "call mom")
    reply = await server.wait_for_message(USER, "echo:")
    query_id = server.press_button(USER, reply, "kept:1")
    text = await server.wait_for_edit(USER, reply.message_id, "Outcome")
    assert text == "Outcome: kept:1"
    assert server.current_text(USER, reply.message_id) == "Outcome: kept:1"
    assert server.current_buttons(USER, reply.message_id) == []  # an edit without markup
    await server.wait_for_call("answerCallbackQuery")
    assert server.callback_answers(query_id)[0]["text"] == "Noted"


async def test_message_ids_are_shared_per_chat_and_increase(
    server: FakeBotAPI, running: Any
) -> None:
    first = server.send_text(USER, "one")
    first_reply = await server.wait_for_message(USER, "echo: one")
    second = server.send_text(USER, "two")
    second_reply = await server.wait_for_message(USER, "echo: two")
    assert [first, first_reply.message_id, second, second_reply.message_id] == [1, 2, 3, 4]
    assert server.send_text(7, "hi") == 1
    assert (await server.wait_for_message(7, "echo: hi")).message_id == 2


# ---------------------------------------------------------------- uploads


async def test_photo_and_document_uploads_are_captured(bot: Bot, server: FakeBotAPI) -> None:
    photo = await bot.send_photo(USER, photo=PNG, caption="Your week", filename="week.png")
    doc = await bot.send_document(USER, document=b"a,b\n1,2\n", filename="promises.csv")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (640, 480)
    assert photo.caption == "Your week"
    assert doc.document is not None
    assert doc.document.file_name == "promises.csv"
    sent_photo, sent_doc = server.messages_to(USER)
    assert (sent_photo.kind, sent_photo.file_bytes, sent_photo.caption) == (
        "photo",
        PNG,
        "Your week",
    )
    assert sent_doc.kind == "document"
    assert sent_doc.file_bytes == b"a,b\n1,2\n"
    assert sent_doc.filename == "promises.csv"


# ---------------------------------------------------------------- long polling


async def test_unconfirmed_updates_are_redelivered_until_the_offset_passes(
    server: FakeBotAPI,
) -> None:
    server.send_text(USER, "first")
    server.send_text(USER, "second")
    ids = [u["update_id"] for u in server.pending_updates]
    _, got = await _http(server, "getUpdates", timeout=0)
    assert [u["update_id"] for u in got["result"]] == ids
    _, again = await _http(server, "getUpdates", timeout=0)  # the "crashed bot" case
    assert [u["update_id"] for u in again["result"]] == ids
    _, rest = await _http(server, "getUpdates", offset=ids[0] + 1, timeout=0)
    assert [u["update_id"] for u in rest["result"]] == ids[1:]
    assert server.delivery_count(ids[0]) == 2
    assert server.delivery_count(ids[1]) == 3
    _, _ = await _http(server, "getUpdates", offset=ids[1] + 1, timeout=0, limit=1)
    assert server.pending_updates == []


async def test_restarted_bot_gets_updates_a_crashed_one_never_confirmed(
    server: FakeBotAPI,
) -> None:
    # The crashed bot dies twice over: once in the middle of a long poll (its connection
    # just vanishes), once after fetching an update it never confirmed.
    async with aiohttp.ClientSession() as session:
        hanging = asyncio.create_task(
            session.post(f"{server.base_url}{server.token}/getUpdates", json={"timeout": 30})
        )
        await server.wait_for_call("getUpdates")
        await asyncio.sleep(0.05)
        hanging.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hanging
    server.send_text(USER, "call mom")
    status, _ = await _http(server, "getUpdates", timeout=0)
    assert status == 200
    app = _application(server)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        reply = await server.wait_for_message(USER, "echo: call mom", timeout=5)
        await app.updater.stop()
        await app.stop()
    assert reply.text == "echo: call mom"
    assert not [c for c in server.calls if c.status == 409]


async def test_second_concurrent_poll_gets_conflict(server: FakeBotAPI) -> None:
    first = asyncio.create_task(_http(server, "getUpdates", timeout=2))
    await server.wait_for_call("getUpdates")
    await asyncio.sleep(0.05)
    status, body = await _http(server, "getUpdates", timeout=0)
    assert (status, body["error_code"], body["description"]) == (409, 409, CONFLICT_DESCRIPTION)
    server.send_text(USER, "wake up")
    status, body = await first
    assert status == 200
    assert body["result"][0]["message"]["text"] == "wake up"


async def test_long_poll_waits_for_an_update(server: FakeBotAPI) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    poll = asyncio.create_task(_http(server, "getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    server.send_text(USER, "late")
    _, body = await poll
    assert 0.15 < loop.time() - start < 2
    assert body["result"][0]["message"]["text"] == "late"


async def test_delete_webhook_can_drop_pending_updates(bot: Bot, server: FakeBotAPI) -> None:
    server.send_text(USER, "old news")
    await bot.delete_webhook(drop_pending_updates=True)
    assert server.pending_updates == []


async def test_built_updates_deserialize_in_ptb(bot: Bot, server: FakeBotAPI) -> None:
    server.send_text(USER, "call mom at 5", forward=True)
    server.send_text(USER, "call mom at 6", edited=True)
    server.send_location(USER, 52.52, 13.40)
    server.send_text(-100, "/list@KeepwordBot", chat_type="group", chat_id=-100)
    updates = await bot.get_updates(timeout=0)
    forwarded, edited, located, group = updates
    assert forwarded.message is not None
    assert forwarded.message.forward_origin is not None
    assert edited.edited_message is not None
    assert edited.edited_message.message_id == forwarded.message.message_id
    assert located.message is not None
    assert located.message.location is not None
    assert group.message is not None
    assert group.message.chat.type == "group"
    assert group.message.entities[0].type == "bot_command"
    written = server.user_messages(USER)
    assert [m["text"] for m in written if "text" in m] == ["call mom at 5", "call mom at 6"]


# ---------------------------------------------------------------- errors and faults


async def test_429_surfaces_as_retry_after(bot: Bot, server: FakeBotAPI) -> None:
    server.fail_next("sendMessage", 1, "429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hi")
    assert caught.value.retry_after == dt.timedelta(seconds=7)
    assert (await bot.send_message(USER, "hi again")).text == "hi again"
    assert [m.text for m in server.messages_to(USER)] == ["hi again"]


async def test_502_and_dropped_connection_surface_as_network_error(
    bot: Bot, server: FakeBotAPI
) -> None:
    server.fail_next("sendMessage", 1, "502")
    server.fail_next("sendMessage", 1, "drop")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "one")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "two")
    assert server.messages_to(USER) == []
    assert [c.fault for c in server.calls_of("sendMessage")] == ["502", "drop"]


async def test_timeout_fault_can_still_deliver_the_message(bot: Bot, server: FakeBotAPI) -> None:
    server.fail_next("sendMessage", 1, "timeout", hang=30, processed=True)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "maybe sent", read_timeout=0.3)
    assert [m.text for m in server.messages_to(USER)] == ["maybe sent"]


async def test_blocked_chat_is_forbidden_until_unblocked(bot: Bot, server: FakeBotAPI) -> None:
    server.block_chat(USER)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "hi")
    server.unblock_chat(USER)
    await bot.send_message(USER, "hi")
    server.fail_next("sendMessage", 1, "403")
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "hi")


async def test_server_outage_and_return_on_the_same_port(bot: Bot, server: FakeBotAPI) -> None:
    port = server.port
    await server.stop()
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "into the void")
    await server.start()
    assert server.port == port
    await bot.send_message(USER, "back")
    assert [m.text for m in server.messages_to(USER)] == ["back"]
    call = await server.wait_for_call("sendMessage", lambda c: c.status == 200)
    assert call.params["text"] == "back"


async def test_wrong_token_is_invalid_token(server: FakeBotAPI) -> None:
    app = _application(server, token="999:WRONG")
    with pytest.raises(InvalidToken, match="rejected"):
        await app.initialize()
    await app.bot.shutdown()  # Application.shutdown skips a bot that never initialized
    status, body = await _http(server, "getMe", token="999:WRONG")
    assert (status, body["error_code"]) == (401, 401)


async def test_unknown_method_is_404(server: FakeBotAPI) -> None:
    status, body = await _http(server, "sendTelepathy", chat_id=USER)
    assert (status, body["description"]) == (404, "Not Found: method not found")


async def test_unescaped_html_is_rejected_like_telegram(bot: Bot, server: FakeBotAPI) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
        await bot.send_message(USER, "call <3 mom", parse_mode=ParseMode.HTML)
    await bot.send_message(USER, "call &lt;3 <i>mom</i>", parse_mode=ParseMode.HTML)
    assert html_error("<b>x</i>") is not None
    assert html_error("<b>x") is not None
    assert html_error('<a href="https://x.y">x</a> & <code>1 > 0</code>') is None


async def test_telegram_limits_are_enforced(bot: Bot, server: FakeBotAPI) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER, "hi", reply_markup=too_long)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(USER, "x" * 4097)
    sent = await bot.send_message(USER, "same")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("same", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("never-issued")


async def test_flood_control_answers_429_and_counts(server: FakeBotAPI) -> None:
    server.flood_control, server.flood_per_second = True, 5
    async with Bot(server.token, base_url=server.base_url) as bot:
        results = await asyncio.gather(
            *(bot.send_message(USER, f"n{i}") for i in range(8)), return_exceptions=True
        )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) == 3
    assert server.flood_violations == 3
    assert len(server.messages_to(USER)) == 5


async def test_commands_are_kept(bot: Bot, server: FakeBotAPI) -> None:
    await bot.set_my_commands([("list", "Open promises"), ("week", "This week's score")])
    assert [c["command"] for c in server.commands] == ["list", "week"]
    assert [c.command for c in await bot.get_my_commands()] == ["list", "week"]


async def test_wait_for_message_times_out_with_what_was_sent(bot: Bot, server: FakeBotAPI) -> None:
    await bot.send_message(USER, "something else")
    with pytest.raises(TimeoutError, match="something else"):
        await server.wait_for_message(USER, "Kept", timeout=0.1)


# ---------------------------------------------------------------- a real process, kill -9

_ECHO_BOT = """
import logging, sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters

logging.getLogger("httpx").setLevel(logging.WARNING)

async def echo(update, context):
    await update.effective_message.reply_text("echo: " + update.effective_message.text)

app = ApplicationBuilder().token(sys.argv[2]).base_url(sys.argv[1]).build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0, timeout=10)
"""


async def _spawn_bot(server: FakeBotAPI) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _ECHO_BOT,
        server.base_url,
        server.token,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _reap(child: asyncio.subprocess.Process) -> None:
    """Kill the child if it still runs, and wait for it, but never for ever."""
    if child.returncode is None:
        child.kill()
    await asyncio.wait_for(child.wait(), timeout=10)


async def test_bot_killed_mid_poll_restarts_without_conflict(server: FakeBotAPI) -> None:
    first = await _spawn_bot(server)
    try:
        server.send_text(USER, "one")
        await server.wait_for_message(USER, "echo: one", timeout=10)
        polls = len(server.calls)
        await server.wait_for_call(
            "getUpdates", lambda c: c.params.get("timeout") == 10, after=polls
        )
        first.kill()  # SIGKILL: the open long poll is never closed politely
    finally:
        await _reap(first)  # killed above, or here when a wait timed out
    server.send_text(USER, "two")
    second = await _spawn_bot(server)
    try:
        await server.wait_for_message(USER, "echo: two", timeout=10)
        second.terminate()
        await asyncio.wait_for(second.wait(), timeout=10)
    finally:
        await _reap(second)
    assert [c for c in server.calls if c.status == 409] == []
    assert server.pending_updates == []
