"""The dependency direction bot -> core <- storage, enforced."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOREIGN_TO_CORE = ("telegram", "tinydb", "apscheduler", "bot", "storage", "matplotlib")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_imports_only_the_standard_library(path: Path) -> None:
    assert not imports(path) & set(FOREIGN_TO_CORE)


@pytest.mark.parametrize("path", sorted((ROOT / "storage").glob("*.py")), ids=lambda p: p.name)
def test_storage_does_not_import_the_bot(path: Path) -> None:
    assert not imports(path) & {"telegram", "bot", "apscheduler"}


CONVERSATION = ["context.py", "conversation.py", "replies.py", "texts.py", "flows"]


def test_the_conversation_knows_no_telegram_and_no_storage_adapter() -> None:
    files: list[Path] = []
    for name in CONVERSATION:
        path = ROOT / "bot" / name
        files += sorted(path.glob("*.py")) if path.is_dir() else [path]
    for path in files:
        assert not imports(path) & {"telegram", "tinydb", "storage", "apscheduler"}, path
