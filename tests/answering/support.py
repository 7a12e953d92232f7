"""Paths and helpers shared by the answering tests (and the CLI/script tests)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from bot.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
INDEX_DIR = REPO_ROOT / "index"
DATA_DIR = REPO_ROOT / "data"
DEV_SET = REPO_ROOT.parent / "shared" / "eval" / "dev.jsonl"  # shared/ sits beside the checkout
TUNE_SET = REPO_ROOT / "tests" / "data" / "tune.jsonl"


def repo_settings(**overrides) -> Settings:
    """Settings with absolute paths, so tests do not depend on the working directory."""
    paths = {"knowledge_dir": KNOWLEDGE_DIR, "index_dir": INDEX_DIR, "data_dir": DATA_DIR}
    return Settings(**{**paths, **overrides})


def read_questions(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def norm(text: str) -> str:
    """NFC and whitespace runs collapsed: how quotes are compared with the document."""
    return " ".join(unicodedata.normalize("NFC", text).split())
