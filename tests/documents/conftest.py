"""Shared fixtures for the document tests: the real plan, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.documents.loader import load_document
from bot.documents.model import Document
from bot.documents.structure import DocumentStructure, parse_structure

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAN_PATH = REPO_ROOT / "knowledge" / "57-KH-TU.txt"


@pytest.fixture(scope="session")
def plan() -> Document:
    return load_document(PLAN_PATH)


@pytest.fixture(scope="session")
def plan_structure(plan: Document) -> DocumentStructure:
    return parse_structure(plan.text)
