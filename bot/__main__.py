"""Composition root: settings -> store -> conversation -> Telegram or terminal.

The only module that knows both the bot and the storage adapter.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from bot.config import ConfigError, configure_logging, load_dotenv_file, load_settings
from bot.texts import NO_TOKEN_HELP

ENVIRONMENT_HELP = """\
configuration (environment variables or a .env file in the current directory):
  TELEGRAM_BOT_TOKEN      the token from @BotFather (required for `run`)
  TELEGRAM_API_BASE_URL   Bot API prefix; the token is appended
                          (default https://api.telegram.org/bot)
  KEEPWORD_DATA_DIR       where data is kept (default ./data)
  KEEPWORD_DATABASE_URL   optional postgresql://user:password@host/db: keep data in
                          PostgreSQL instead of KEEPWORD_DATA_DIR (needs the
                          `postgres` extra: pip install 'keepword[postgres]')
  KEEPWORD_TIMEZONE       default time zone for new users (default UTC)
  KEEPWORD_LOG_LEVEL      DEBUG, INFO, WARNING or ERROR (default INFO)
  KEEPWORD_ALLOWED_USERS  optional comma-separated Telegram user ids
  KEEPWORD_TIMINGS        optional, for demos: snooze=600,nudge=1800,expire=86400 (seconds)
"""


def system_clock() -> datetime:
    return datetime.now(UTC)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="keepword",
        description="Keepword — a Telegram bot that helps you keep your word in small things.",
        epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = main.add_subparsers(dest="command")
    commands.add_parser(
        "run",
        help="start the Telegram bot (long polling)",
        description="Start the Telegram bot with long polling. Updates sent while it was "
        "down are processed; check-ins missed while it was down are sent at once.",
        epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat = commands.add_parser(
        "chat",
        help="talk to the same bot in this terminal, no Telegram needed",
        description="The whole bot in your terminal, on the same data directory.",
        epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument(
        "--exit-after",
        type=float,
        metavar="SECONDS",
        help="leave this many seconds after input ends, or after the last line when "
        "piped input stays open (for scripts)",
    )
    chat.add_argument("--user-id", type=int, default=1, help="the local user's id (default 1)")
    db = commands.add_parser(
        "db",
        help="PostgreSQL schema: `db upgrade` applies migrations, `db version` shows it",
        description="Manage the schema of the database named by KEEPWORD_DATABASE_URL. "
        "The bot also applies missing migrations when it starts.",
    )
    db.add_argument("action", choices=("upgrade", "version"))
    migrate = commands.add_parser(
        "migrate",
        help="copy all data between a data directory and PostgreSQL (either way)",
        description="Copy every user's settings, promises and routines from one store into "
        "an empty other one, then read everything back and compare. Stop the bot first.",
    )
    imported = commands.add_parser(
        "import",
        help="restore an /export file (a backup, or a move from another server)",
        description="Read a keepword-export JSON file (from /export) into the data directory "
        "or database. Ids are kept, so importing twice changes nothing; a damaged, foreign "
        "or oversized file is refused whole. Stop the bot first.",
    )
    imported.add_argument("file", metavar="FILE")
    imported.add_argument(
        "--user-id",
        type=int,
        metavar="N",
        help="import the history as this user (e.g. 1, the terminal chat's user)",
    )
    migrate.add_argument("--from", dest="source", required=True, metavar="DIR|URL")
    migrate.add_argument("--to", dest="target", required=True, metavar="DIR|URL")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = args.command or "run"
    load_dotenv_file()
    try:
        settings = load_settings(require_token=False)
    except ConfigError as error:
        print(f"keepword: {error}", file=sys.stderr)
        return 2
    if command == "run" and settings.token is None:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    # In the terminal chat, logs share the screen with the conversation: warnings only.
    level = settings.log_level if command == "run" else "WARNING"
    configure_logging(level, settings.secrets())

    from bot.stores import StoreOpenError, database_command, migrate_command, open_store

    if command == "db":
        return database_command(settings, args.action)
    if command == "migrate":
        return migrate_command(args.source, args.target)
    try:
        store = open_store(settings)
    except StoreOpenError as error:
        print(f"keepword: {error}", file=sys.stderr)
        return 2

    if command == "import":
        from bot.stores import import_command

        return import_command(store, args.file, args.user_id, system_clock())
    if command == "chat":
        from bot.chat import run_chat

        return run_chat(settings, store, system_clock, args.user_id, args.exit_after)

    from bot.telegram_app import ALLOWED_UPDATES, build_application

    app, _ = build_application(settings, store, system_clock)
    app.run_polling(allowed_updates=list(ALLOWED_UPDATES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
