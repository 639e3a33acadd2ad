"""The real `keepword run` process, pointed at the fake Bot API server.

Used by the end-to-end tests and the crash benchmark: start it, kill -9 it, start it
again on the same data directory, and read its log afterwards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    def __init__(
        self,
        api: FakeBotAPI,
        data_dir: Path,
        *,
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.api = api
        self.data_dir = data_dir
        self.log_path = log_path or data_dir.parent / "bot.log"
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KEEPWORD_", "TELEGRAM_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=self.api.token,
            TELEGRAM_API_BASE_URL=self.api.base_url,
            KEEPWORD_DATA_DIR=str(self.data_dir),
            KEEPWORD_TIMEZONE="UTC",
            KEEPWORD_LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(ROOT),
        )
        env.update(self.extra_env)
        return env

    async def start(self, *, wait_ready: bool = True, timeout: float = 30.0) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        calls_before = len(self.api.calls)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=self.data_dir.parent,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        self.starts += 1
        if wait_ready:
            # Ready = polling: post_init (commands, restored jobs) has run by then. A bot
            # that never gets there is killed, so a caller's `start(); try: … finally:
            # stop()` never leaves one running.
            try:
                await self.api.wait_for_call("getUpdates", timeout=timeout, after=calls_before)
            except BaseException:
                self.kill9()
                raise

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    async def stop(self, timeout: float = 15.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            for _ in range(int(timeout * 10)):
                if self.process.poll() is not None:
                    break
                await asyncio.sleep(0.1)
            else:
                self.kill9()
        return self.process.returncode

    def log(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )
