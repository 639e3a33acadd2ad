"""The terminal adapter's own behaviour: rendering, labelled choices, files, errors."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest

from bot import texts
from bot.chat import (
    KEYBOARDS_KEPT,
    GuardedJobs,
    TerminalChat,
    TerminalOutbox,
    files_dir,
    letters,
    read_lines,
)
from bot.context import Context, Sender
from bot.conversation import Conversation
from bot.replies import Attachment, Button, Reply
from storage.memory_store import MemoryStore
from tests.bot.fakes import ManualClock, ManualScheduler

ME = 1
START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday
KEEP = ((Button("✅ Kept", "k:p1"), Button("🕒 Late", "l:p1")),)


class Terminal:
    def __init__(self, files: Path) -> None:
        self.clock = ManualClock(START)
        self.store = MemoryStore()
        self.scheduler = ManualScheduler()
        self.out = StringIO()
        self.outbox = TerminalOutbox(files, self.out, first_id=1)
        self.ctx = Context(self.store, self.outbox, self.scheduler, self.clock)
        self.conversation = Conversation(self.ctx)
        self.chat = TerminalChat(self.conversation, self.outbox, Sender(ME, ME, ""))
        self._seen = 0

    def new(self) -> str:
        """What was printed since the last call."""
        text = self.out.getvalue()[self._seen :]
        self._seen = len(self.out.getvalue())
        return text

    async def type(self, line: str) -> str:
        assert await self.chat.handle(line)
        return self.new()

    async def advance(self, **delta: float) -> str:
        await self.scheduler.run_due(self.clock.advance(**delta))
        return self.new()


@pytest.fixture
def term(tmp_path: Path) -> Terminal:
    return Terminal(tmp_path / "chat-files")


async def test_a_reply_prints_as_one_block_with_labelled_choices(term: Terminal) -> None:
    await term.outbox.send(ME, Reply("<b>First</b> &amp; line\n\nsecond line", KEEP))
    assert term.new() == ("bot> First & line\n     second line\n     [a1] ✅ Kept  [a2] 🕒 Late\n")
    assert term.outbox.choice("a2") == (1, "l:p1")
    assert term.outbox.choice("A1") == (1, "k:p1")
    assert term.outbox.choice("2") == (1, "l:p1")  # one keyboard: a bare number is clear
    assert term.outbox.choice("a3") is None
    assert term.outbox.choice("0") is None


async def test_an_edit_is_marked_and_its_old_labels_stop_working(term: Terminal) -> None:
    message_id = await term.outbox.send(ME, Reply("⏰ Did you keep your word?", KEEP))
    assert message_id is not None
    term.new()
    assert await term.outbox.edit(ME, message_id, Reply("✅ Kept: call mom"))
    assert term.new() == "bot> ✎ ✅ Kept: call mom\n"
    assert term.outbox.keyboards == {}
    assert term.outbox.choice("a1") is None
    assert term.outbox.miss("a1") == "(There is no [a1] now — that message's buttons are gone.)"


async def test_an_edit_that_only_drops_buttons_prints_nothing(term: Terminal) -> None:
    message_id = await term.outbox.send(ME, Reply("Settings", KEEP))
    assert message_id is not None
    term.new()
    assert await term.outbox.edit(ME, message_id, Reply("Settings"))
    assert term.new() == ""
    assert term.outbox.keyboards == {}


async def test_an_edited_message_keeps_its_letter(term: Terminal) -> None:
    first = await term.outbox.send(ME, Reply("Settings", KEEP))
    await term.outbox.send(ME, Reply("new", ((Button("Undo", "u:p2"),),)))
    assert first is not None
    term.new()
    assert await term.outbox.edit(ME, first, Reply("Settings, changed", KEEP))
    assert term.new() == "bot> ✎ Settings, changed\n     [a1] ✅ Kept  [a2] 🕒 Late\n"
    assert term.outbox.choice("a2") == (first, "l:p1")
    assert term.outbox.choice("b1") == (first + 1, "u:p2")


async def test_every_keyboard_stays_pressable_by_its_label(term: Terminal) -> None:
    old = await term.outbox.send(ME, Reply("old", KEEP))
    await term.outbox.send(ME, Reply("new", ((Button("Undo", "u:p2"),),)))
    assert old is not None
    assert term.outbox.choice("a1") == (old, "k:p1")  # printed before "new", still there
    assert term.outbox.choice("b1") == (old + 1, "u:p2")
    assert await term.outbox.edit(ME, old, Reply("old, answered"))
    assert term.outbox.choice("b1") == (old + 1, "u:p2")
    assert term.outbox.choice("1") == (old + 1, "u:p2")  # the only keyboard left


async def test_a_bare_number_with_several_keyboards_asks_which(term: Terminal) -> None:
    await term.outbox.send(ME, Reply("check-in", KEEP))
    await term.outbox.send(ME, Reply("ack", ((Button("↩️ Undo", "u:p2"),),)))
    assert term.outbox.choice("1") is None
    assert term.outbox.miss("1") == "(Which one? Type its label: [b1] ↩️ Undo, [a1] ✅ Kept)"
    assert term.outbox.miss("2") == "(Which one? Type its label: [a2] 🕒 Late)"
    assert term.outbox.miss("5") == "(There is no [5] — type a button's label, like [b1].)"
    assert term.outbox.miss("b2") == "(There is no [b2] — the only choice is [b1].)"
    assert term.outbox.miss("a9") == "(There is no [a9] — the choices are [a1]–[a2].)"
    assert term.outbox.miss("z1") == "(There is no [z1] — type a button's label, like [b1].)"
    assert term.outbox.miss("42 is the answer") is None


def test_letters_go_on_past_z() -> None:
    assert [letters(n) for n in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "a",
        "b",
        "z",
        "aa",
        "ab",
        "az",
        "ba",
        "zz",
        "aaa",
    ]


async def test_only_the_newest_keyboards_are_kept(term: Terminal) -> None:
    for n in range(KEYBOARDS_KEPT + 1):
        await term.outbox.send(ME, Reply(f"m{n}", ((Button("Undo", f"u:p{n}"),),)))
    assert len(term.outbox.keyboards) == KEYBOARDS_KEPT
    assert term.outbox.choice("a1") is None
    assert term.outbox.choice("b1") is not None


async def test_unknown_messages_cannot_be_edited(term: Terminal) -> None:
    # e.g. a check-in printed by an earlier session: the conversation then sends anew
    assert not await term.outbox.edit(ME, 999, Reply("x"))


async def test_message_ids_differ_between_sessions(tmp_path: Path) -> None:
    first = TerminalOutbox(tmp_path, StringIO())
    later = TerminalOutbox(tmp_path, StringIO())
    assert first.next_id > 1_000_000  # never restarts at 1, where old check-ins live
    assert later.next_id >= first.next_id


async def test_photos_and_documents_are_saved_and_their_paths_printed(
    term: Terminal, tmp_path: Path
) -> None:
    png = Attachment("chart.png", b"\x89PNG...", "Your last 8 weeks")
    await term.outbox.send(ME, Reply("", photo=png))
    await term.outbox.send(ME, Reply("Here", document=Attachment("../../x.csv", b"a,b\n")))
    saved = (tmp_path / "chat-files" / "chart.png").resolve()
    assert saved.read_bytes() == b"\x89PNG..."
    assert (tmp_path / "chat-files" / "x.csv").read_bytes() == b"a,b\n"  # never outside
    assert term.new() == (
        f"bot> Your last 8 weeks\n     📎 saved {saved}\n"
        f"bot> Here\n     📎 saved {(tmp_path / 'chat-files' / 'x.csv').resolve()}\n"
    )


async def test_typing_the_label_presses_the_button(term: Terminal) -> None:
    await term.type("call mom back in 1 minute")
    shown = await term.advance(minutes=1)
    assert "[b1] ✅ Kept  [b2] 🕒 Late\n     [b3] ❌ Broke it  [b4] 💤 Snooze 10 min" in shown
    shown = await term.type("b3")
    assert shown.startswith("bot> ✎ ❌ Broken: “call mom back”")
    assert "make it right" in shown
    promise = term.store.get_promise(ME, "p1") or term.store.closed_promises(ME)[0]
    assert promise.outcome is not None
    assert promise.outcome.value == "broken"


async def test_a_number_meant_for_a_check_in_never_presses_undo_below_it(term: Terminal) -> None:
    # The acknowledgement [a] is printed first, the check-in [b] under it; then a second
    # promise's acknowledgement [c]. "1" once pressed the newest: Undo on c.
    await term.type("call mom back in 1 minute")
    await term.advance(minutes=1)
    assert "[c1] ↩️ Undo" in await term.type("water the plants in 1 hour")
    shown = await term.type("1")
    assert shown.startswith("bot> (Which one? Type its label: [c1] ↩️ Undo, [b1] ✅ Kept, [a1]")
    assert len(term.store.open_promises(ME)) == 2  # nothing pressed
    shown = await term.type("b1")
    assert shown.startswith("bot> ✎ ✅ Kept: “call mom back”")
    assert [p.task for p in term.store.open_promises(ME)] == ["water the plants"]


async def test_a_label_that_is_no_choice_gets_a_note(term: Terminal) -> None:
    await term.type("call mom back in 1 minute")
    assert await term.type("a7") == "bot> (There is no [a7] — the choices are [a1]–[a2].)\n"
    assert await term.type("7") == "bot> (There is no [a7] — the choices are [a1]–[a2].)\n"
    assert len(term.store.open_promises(ME)) == 1


async def test_a_number_with_no_buttons_shown_is_plain_text(term: Terminal) -> None:
    shown = await term.type("42")
    assert "(There is no" not in shown
    assert shown.startswith("bot> ")  # the conversation answered it


async def test_the_toast_shows_only_when_the_press_showed_nothing_else(
    term: Terminal,
) -> None:
    await term.type("/score")
    shown = await term.type("a1")  # the chart: a photo, so no "(📈)"
    assert "📎 saved" in shown
    assert "(" not in shown
    await term.outbox.send(ME, Reply("stale", ((Button("✅ Kept", "k:gone"),),)))
    term.new()
    assert await term.type("b1") == f"bot> ({texts.GONE})\n"


async def test_greeting_welcomes_a_new_user_and_a_returning_one(term: Terminal) -> None:
    await term.chat.greet()
    shown = term.new()
    assert shown.startswith("bot> Hi there! I'm Keepword.")
    assert "/quit leaves." in shown
    await term.type("call mom back in 5 minutes")
    await term.chat.greet()
    assert term.new().startswith("bot> Welcome back. 1 open promise — /list shows them.")


async def test_quit_and_exit_leave(term: Terminal) -> None:
    assert not await term.chat.handle("/quit")
    assert not await term.chat.handle(" /EXIT ")
    assert await term.chat.handle("   ")
    assert term.new() == ""


async def test_a_crash_in_the_conversation_is_one_line_not_a_traceback(
    term: Terminal, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(term.conversation, "on_text", broken)
    with caplog.at_level(logging.WARNING):
        assert await term.type("call mom") == f"bot> {texts.SOMETHING_WRONG}\n"
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert caplog.records[0].exc_info is None


async def test_a_failing_job_is_one_line_too(term: Terminal) -> None:
    jobs = GuardedJobs(term.scheduler, term.chat.something_wrong)

    async def broken() -> None:
        raise RuntimeError("boom")

    jobs.schedule("p:x", START, broken)
    await term.scheduler.run_due(START)
    assert term.new() == f"bot> {texts.SOMETHING_WRONG}\n"
    jobs.schedule("p:y", START, broken)
    jobs.cancel("p:y")
    assert "p:y" not in term.scheduler.jobs


async def test_piped_lines_are_echoed_and_handled_until_quit(term: Terminal) -> None:
    await read_lines(term.chat, StringIO("call mom back in 5 minutes\n\n/quit\n/list\n"), None)
    shown = term.new()
    assert shown.startswith("you> call mom back in 5 minutes\nbot> Got it: “call mom back”")
    assert shown.endswith("you> /quit\n")  # and /list after it was never read


async def test_piped_input_ending_waits_for_exit_after(term: Terminal) -> None:
    await read_lines(term.chat, StringIO("/list"), 0.01)
    assert term.new().startswith("you> /list\nbot> No open promises.")


async def test_forget_deletes_the_saved_files_and_only_this_users(
    term: Terminal, tmp_path: Path
) -> None:
    await term.type("call mom back in 5 minutes")
    await term.type("/export")
    theirs = files_dir(tmp_path, 7) / "keepword-score.png"
    theirs.parent.mkdir(parents=True)
    theirs.write_bytes(b"png")
    assert files_dir(tmp_path, 1) == term.outbox.files_dir == tmp_path / "chat-files"
    assert len([p for p in term.outbox.files_dir.iterdir() if p.is_file()]) == 2
    await term.type("/forget")
    shown = await term.type("b1")
    assert texts.FORGOTTEN in shown
    assert [p for p in term.outbox.files_dir.iterdir() if p.is_file()] == []
    assert theirs.read_bytes() == b"png"  # another --user-id's folder is theirs


async def test_files_left_by_a_forgotten_user_go_at_the_next_greeting(term: Terminal) -> None:
    # e.g. forgotten through Telegram while this chat was closed
    term.outbox.files_dir.mkdir(parents=True)
    (term.outbox.files_dir / "keepword-2026-11-20.json").write_text("{}")
    await term.chat.greet()
    assert list(term.outbox.files_dir.iterdir()) == []
    assert term.new().startswith("bot> Hi there!")
