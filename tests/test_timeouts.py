"""A hung test must fail, not hang the run: every test has a time limit (pytest-timeout),
and a test's ``finally`` still runs when the limit strikes, so the processes it started
are killed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

HUNG_TEST = """
import asyncio
from pathlib import Path

async def test_waits_for_ever(tmp_path):
    child = await asyncio.create_subprocess_exec("sleep", "300")
    Path({pid_file!r}).write_text(str(child.pid))
    try:
        await asyncio.Event().wait()  # what a wait for a child never killed looks like
    finally:
        if child.returncode is None:
            child.kill()
        await asyncio.wait_for(child.wait(), timeout=10)
"""


def test_every_test_has_a_time_limit(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    limit = float(pytestconfig.getini("timeout"))
    assert 0 < limit <= 300


def test_a_hung_test_fails_in_time_and_its_child_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    (tmp_path / "test_hung.py").write_text(HUNG_TEST.format(pid_file=str(pid_file)))
    started = time.monotonic()
    argv = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml")]
    argv += ["--rootdir", str(tmp_path), "-p", "no:cacheprovider", "-o", "timeout=1"]
    result = subprocess.run(
        [*argv, str(tmp_path / "test_hung.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    took = time.monotonic() - started
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Timeout (>1.0s)" in result.stdout
    assert took < 30
    pid = int(pid_file.read_text())
    assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid), "the child was left running"


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
