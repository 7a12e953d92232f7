"""load_engine: refuse an index built with another model, warn when knowledge/ moved on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.answering.loading import load_engine
from bot.errors import SearchIndexError
from tests.answering.support import INDEX_DIR, KNOWLEDGE_DIR, repo_settings


class Warnings:
    """Stands in for ``logger.warning``: records the formatted messages."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message: str, *args: object) -> None:
        self.messages.append(message % args if args else message)


def copy_index(tmp_path: Path, edit=None) -> Path:
    target = tmp_path / "index"
    shutil.copytree(INDEX_DIR, target)
    if edit is not None:
        path = target / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        edit(manifest)
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def test_refuses_an_index_built_with_another_model(tmp_path):
    def other_model(manifest: dict) -> None:
        manifest["model"]["name"] = "intfloat/multilingual-e5-large"

    settings = repo_settings(index_dir=copy_index(tmp_path, other_model))

    with pytest.raises(SearchIndexError, match="build_index") as caught:
        load_engine(settings, warn=Warnings())
    assert "intfloat/multilingual-e5-large" in str(caught.value)


def test_refuses_a_missing_index(tmp_path):
    (tmp_path / "empty").mkdir()

    with pytest.raises(SearchIndexError, match="build_index"):
        load_engine(repo_settings(index_dir=tmp_path / "empty"), warn=Warnings())


def test_refuses_an_index_of_another_format(tmp_path):
    def old_format(manifest: dict) -> None:
        manifest["format"] = 0

    with pytest.raises(SearchIndexError, match="build_index"):
        load_engine(repo_settings(index_dir=copy_index(tmp_path, old_format)), warn=Warnings())


@pytest.mark.slow
def test_refuses_a_model_with_another_fingerprint(tmp_path):
    def other_weights(manifest: dict) -> None:
        manifest["model"]["fingerprint"] = "0" * 64

    settings = repo_settings(index_dir=copy_index(tmp_path, other_weights))

    with pytest.raises(SearchIndexError, match="build_index") as caught:
        load_engine(settings, warn=Warnings())
    assert "000000000000" in str(caught.value)


@pytest.mark.slow
def test_unchanged_knowledge_loads_without_warning(tmp_path):
    warnings = Warnings()
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)

    engine = load_engine(repo_settings(knowledge_dir=knowledge), warn=warnings)
    engine.close()

    assert isinstance(engine, AnswerEngine)
    assert warnings.messages == []


@pytest.mark.slow
def test_warns_when_knowledge_changed_since_the_build(tmp_path):
    warnings = Warnings()
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    (document,) = knowledge.glob("*.txt")
    with document.open("a", encoding="utf-8") as f:
        f.write("\nMột dòng thêm sau khi lập chỉ mục.\n")
    (knowledge / "moi.md").write_text("# Tài liệu mới\n\nNội dung mới.\n", encoding="utf-8")

    engine = load_engine(repo_settings(knowledge_dir=knowledge), warn=warnings)
    try:  # a warning, not a refusal: the engine still answers from the index it loaded
        assert (
            "42.000 USD" in engine.answer("muc tieu thu nhap binh quan dau nguoi nam 2045").answer
        )
    finally:
        engine.close()

    assert len(warnings.messages) == 1
    message = warnings.messages[0]
    assert f"đã sửa: {document.name}" in message
    assert "mới: moi.md" in message
    assert "build_index" in message
