"""`python -m bot …` as a user or another program runs it (subprocess, real model and index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CONTRACT_KEYS = {"answer", "grounded", "handoff", "confidence", "citations"}
CITATION_KEYS = {"doc", "section", "title", "quote"}


def run_bot(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        timeout=120,
    )


def assert_contract(data: dict) -> None:
    assert data.keys() >= CONTRACT_KEYS
    assert isinstance(data["answer"], str) and data["answer"]
    assert isinstance(data["grounded"], bool)
    assert isinstance(data["handoff"], bool)
    assert 0.0 <= data["confidence"] <= 1.0
    for citation in data["citations"]:
        assert citation.keys() >= CITATION_KEYS


@pytest.mark.slow
def test_ask_json_prints_one_answer_object():
    result = run_bot("ask", "muc tieu thu nhap binh quan dau nguoi nam 2045", "--json")

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # the whole output is one JSON document
    assert isinstance(data, dict)
    assert_contract(data)
    assert data["grounded"] is True
    assert "42.000 USD" in data["answer"]
    assert any(c["section"] == "II.2.2" for c in data["citations"])


@pytest.mark.slow
def test_ask_plain_prints_the_answer_and_its_source():
    result = run_bot("ask", "muc tieu thu nhap binh quan dau nguoi nam 2045")

    assert result.returncode == 0, result.stderr
    assert "42.000 USD" in result.stdout
    assert "Nguồn: Kế hoạch 57-KH/TU, mục II.2.2" in result.stdout


@pytest.mark.slow
def test_ask_jsonl_answers_line_by_line_and_survives_a_bad_line():
    lines = [
        json.dumps({"id": "q1", "question": "muc tieu thu nhap binh quan dau nguoi nam 2045"}),
        '{"id": "q2", "question": "thiếu dấu đóng',
        json.dumps({"id": "q3", "question": "cho tôi gặp cán bộ"}, ensure_ascii=False),
    ]

    result = run_bot("ask", "--jsonl", stdin="\n".join(lines) + "\n")

    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    first, bad, third = out
    assert first["id"] == "q1"
    assert_contract(first)
    assert "42.000 USD" in first["answer"]
    assert "error" in bad
    assert "answer" not in bad
    assert third["id"] == "q3"
    assert_contract(third)
    assert third["handoff"] is True


@pytest.mark.slow
def test_ask_jsonl_keeps_the_id_of_a_line_without_a_question():
    result = run_bot(
        "ask", "--jsonl", stdin=json.dumps({"id": "q7", "text": "mục tiêu 2045"}) + "\n"
    )

    assert result.returncode == 0, result.stderr
    (data,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert "error" in data
    assert data["id"] == "q7"


@pytest.mark.slow
def test_chat_answers_until_the_user_says_goodbye():
    result = run_bot("chat", stdin="xin chào\nmuc tieu thu nhap 2045\nthoát\nmuc tieu 2030\n")

    assert result.returncode == 0, result.stderr
    assert "Xin chào!" in result.stdout
    assert "42.000 USD" in result.stdout
    assert result.stdout.count("Bot:") == 2  # nothing is answered after "thoát"


@pytest.mark.slow
def test_chat_ends_cleanly_at_end_of_input():
    result = run_bot("chat", stdin="muc tieu thu nhap 2045\n")

    assert result.returncode == 0, result.stderr
    assert "42.000 USD" in result.stdout
    assert "Traceback" not in result.stderr


def test_ask_without_a_question_is_a_usage_error():
    result = run_bot("ask")

    assert result.returncode != 0
    assert "usage:" in result.stderr
    assert "cần câu hỏi" in result.stderr
    assert result.stdout == ""


def test_a_missing_index_is_reported_without_a_traceback(tmp_path):
    result = run_bot("ask", "muc tieu 2045", env={"INDEX_DIR": str(tmp_path)})

    assert result.returncode != 0
    assert "build_index" in result.stderr
    assert "Traceback" not in result.stderr
