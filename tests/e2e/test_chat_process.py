"""`keepword chat` as a real process: piped for scripts, and on a terminal (a pty).

The pty session goes through prompt_toolkit exactly as a person's terminal would,
so it also checks that a check-in arriving mid-typing keeps the half-typed line.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pexpect

from core.models import Promise, UserSettings
from storage.tinydb_store import TinyDBStore
from tests.e2e.botprocess import ROOT

TELEGRAM_USER = 4242

_CONTROL = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\r|\n")


def screen_lines(raw: str) -> list[str]:
    """What a terminal shows after ``raw``: enough VT100 (cursor left/right/up, erase)
    to see whether output landed inside the line being typed."""
    lines: list[list[str]] = [[]]
    row = col = 0

    def put(text: str) -> None:
        nonlocal col
        line = lines[row]
        line.extend(" " * (col - len(line)))
        line[col : col + len(text)] = text
        col += len(text)

    position = 0
    for match in _CONTROL.finditer(raw):
        put(raw[position : match.start()])
        position = match.end()
        token, (args, code) = match.group(), match.groups()
        n = int(args) if args and args.isdigit() else 1
        if token == "\r":
            col = 0
        elif token == "\n":
            row += 1
            lines.extend([] for _ in range(row + 1 - len(lines)))
        elif code == "D":
            col = max(0, col - n)
        elif code == "C":
            col += n
        elif code == "A":
            row = max(0, row - n)
        elif code == "K":
            del lines[row][col:]
        elif code == "J":
            del lines[row][col:]
            del lines[row + 1 :]
    put(raw[position:])
    return ["".join(line).rstrip() for line in lines]


def chat_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEEPWORD_", "TELEGRAM_"))}
    env.update(
        KEEPWORD_DATA_DIR=str(data_dir),
        KEEPWORD_TIMEZONE="UTC",
        PYTHONPATH=str(ROOT),
        TERM="xterm-256color",
        # A pty from pexpect never answers cursor-position requests; don't wait for them.
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    return env


def test_piped_promise_prints_the_acknowledgement_and_the_check_in(tmp_path: Path) -> None:
    # As in the README: printf 'call mom back in 2 seconds\n' | keepword chat --exit-after 5
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--exit-after", "5"],
        input="call mom back in 2 seconds\n",
        capture_output=True,
        text=True,
        env=chat_env(tmp_path / "data"),
        cwd=tmp_path,  # no stray .env
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "you> call mom back in 2 seconds" in out
    assert "bot> Got it: “call mom back” — I'll check in at" in out
    assert "bot> ⏰ Did you keep your word?  “call mom back”" in out
    assert "[a1] ↩️ Undo  [a2] 🕒 Change time" in out
    assert "[b1] ✅ Kept  [b2] 🕒 Late" in out
    assert "[b3] ❌ Broke it  [b4] 💤 Snooze 10 min" in out
    assert out.index("Got it") < out.index("Did you keep your word?")
    assert result.stderr == ""  # no logs, no tracebacks at the user


def test_exit_after_leaves_while_the_stdin_pipe_stays_open(tmp_path: Path) -> None:
    # A script that keeps its end of the pipe open (`tail -f`, a parent process) still
    # gets its --exit-after: quiet for that long after the last line is the end.
    read_end, write_end = os.pipe()
    os.write(write_end, b"/list\n")  # and the write end stays open until the end
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "chat", "--exit-after", "1"],
            stdin=read_end,
            capture_output=True,
            text=True,
            env=chat_env(tmp_path / "data"),
            cwd=tmp_path,
            timeout=20,
            check=False,
        )
    finally:
        os.close(read_end)
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert "you> /list" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("bot> Bye")
    assert result.stderr == ""


def test_chat_serves_only_its_own_user_on_a_shared_data_directory(tmp_path: Path) -> None:
    # The data directory also holds a Telegram user with a check-in due: that one is
    # `keepword run`'s to send. The terminal neither prints nor consumes it.
    data = tmp_path / "data"
    due = datetime.now(UTC) - timedelta(minutes=5)
    store = TinyDBStore(data)
    for user_id, task in ((TELEGRAM_USER, "ring the plumber secretword"), (1, "water plants")):
        store.put_user(UserSettings(user_id=user_id, chat_id=user_id, created=due))
        store.put_promise(
            Promise(id=f"p{user_id}", user_id=user_id, task=task, due=due, created=due)
        )

    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--exit-after", "1"],
        input="/list\n",
        capture_output=True,
        text=True,
        env=chat_env(data),
        cwd=tmp_path,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Did you keep your word?  “water plants”" in result.stdout  # its own: restored
    assert "secretword" not in result.stdout
    store = TinyDBStore(data)
    theirs = store.get_promise(TELEGRAM_USER, f"p{TELEGRAM_USER}")
    assert theirs is not None
    assert theirs.asked is None  # still waiting for `keepword run`
    ours = store.get_promise(1, "p1")
    assert ours is not None
    assert ours.asked is not None


def test_forget_in_the_chat_deletes_the_files_it_saved(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="ring the plumber secretword in 1 hour\n/export\n/score\nb1\n/forget\nc1\n",
        capture_output=True,
        text=True,
        env=chat_env(data),
        cwd=tmp_path,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("📎 saved") == 3  # the JSON, the CSV and the chart
    assert "I've deleted everything I kept about you" in result.stdout
    assert sorted(p.name for p in (data / "chat-files").iterdir()) == []
    assert not any("secretword" in p.read_text() for p in data.rglob("*.json"))


def test_terminal_session_promise_check_in_and_answer(tmp_path: Path) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "chat"],
        env=chat_env(tmp_path / "data"),
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=10,
        dimensions=(40, 120),
    )
    screen = io.StringIO()
    child.logfile_read = screen
    try:
        child.expect_exact("/quit leaves.")
        child.expect_exact("you>")
        child.sendline("call mom back in 1 second")
        child.expect_exact("Got it: “call mom back”")
        child.expect_exact("Did you keep your word?")
        child.expect_exact("[b1] ✅ Kept")
        child.expect_exact("you>")
        child.sendline("b1")
        child.expect_exact("✅ Kept: “call mom back”")
        child.expect_exact("1 of 1 kept this week.")
        child.sendline("/list")
        child.expect_exact("No open promises.")

        # Half a command typed when the next check-in arrives: the line survives intact.
        child.sendline("stretch in 1 second")
        child.expect_exact("Got it: “stretch”")
        child.send("/li")
        child.expect_exact("💤 Snooze 10 min")
        child.expect_exact("you>")
        child.send("st\r")
        child.expect_exact("Open promises (1)")
        child.expect_exact("stretch")

        child.sendline("/quit")
        child.expect_exact("Bye")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0

    lines = screen_lines(screen.getvalue())
    check_in = next(
        i for i, line in enumerate(lines) if "Did you keep your word?  “stretch”" in line
    )
    assert lines[check_in].startswith("bot> ⏰")  # on its own line, not inside "you> /li"
    assert lines[check_in + 2].endswith("💤 Snooze 10 min")
    assert lines[check_in + 3] == "you> /list"  # the half-typed line, redrawn and finished
    assert not any("Traceback" in line for line in lines)


def test_piped_chat_offers_no_location_and_labels_the_configured_snooze(tmp_path: Path) -> None:
    env = chat_env(tmp_path / "data") | {"KEEPWORD_TIMINGS": "snooze=30"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--exit-after", "1.5"],
        input="/settings\n/timezone\ncall mom back in 1 second\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Hi there!" in out  # the welcome of a new user, first of all
    assert "location" not in out  # a terminal cannot send one
    assert "[c4] 💤 Snooze 30 s" in out
    assert "Snooze 10 min" not in out


def test_a_check_ins_label_still_presses_it_after_newer_buttons(tmp_path: Path) -> None:
    # "1" meant for ✅ Kept once pressed ↩️ Undo on the acknowledgement printed after it.
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "chat"],
        env=chat_env(tmp_path / "data"),
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=10,
        dimensions=(40, 120),
    )
    try:
        child.expect_exact("/quit leaves.")
        child.sendline("call mom back in 1 second")
        child.expect_exact("[a1] ↩️ Undo")
        child.expect_exact("[b4] 💤 Snooze")  # the check-in, a second later
        child.sendline("water the plants in 1 hour")
        child.expect_exact("[c1] ↩️ Undo  [c2] 🕒 Change time")
        child.sendline("1")
        child.expect_exact("(Which one? Type its label: [c1] ↩️ Undo, [b1] ✅ Kept, [a1] ↩️ Undo)")
        child.sendline("b1")
        child.expect_exact("✅ Kept: “call mom back”")
        child.sendline("/list")
        child.expect_exact("Open promises (1)")
        child.expect_exact("water the plants")  # not undone
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
