"""Officers' answers as JSONL, out and back in (the console's download and upload, and
``python -m bot giai-dap xuat|nhap``).

One JSON object a line: id, state, unit, version, approved_version, questions, answer,
sections, created_by, updated_at. Reading one back goes through the workflow: a line
with the "id" of an answer becomes a new version of it, a line without one a new draft;
nothing is approved by an import (the state in the line is not read). Each line gets its
own outcome, so one bad line refuses only itself; the file is bounded (size and lines).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.core.commands import as_number
from bot.core.officer_answers import OfficerAnswerRecord
from bot.core.records import as_utc
from bot.officer_answers.sections import sections_from_json
from bot.officer_answers.workflow import Actor, Invalid, NotAllowed, OfficerAnswers
from bot.store.officer_answers import OfficerAnswerConflict
from bot.strings import officer_answers as words

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 5000
MAX_LINE_BYTES = 64 * 1024  # an answer is at most 2,000 characters, ten questions of 500
EVERY = 100_000  # answers read for an export: all of them, with a bound
SOURCE = "import"

Outcome = Literal["created", "revised", "unchanged", "refused"]


class TooBig(ValueError):
    """The file is over MAX_BYTES or MAX_LINES: nothing of it was read."""


@dataclass(frozen=True)
class LineResult:
    line: int  # 1-based, as an editor numbers them
    outcome: Outcome
    entry_id: int | None = None
    reason: str = ""


def as_json(record: OfficerAnswerRecord) -> dict:
    """One answer as a line of the export (its newest text)."""
    text = record.latest.text
    return {
        "id": record.id,
        "state": record.state,
        "unit": record.unit,
        "version": record.latest.version,
        "approved_version": record.approved_version,
        "questions": list(text.questions),
        "answer": text.answer,
        "sections": [list(s) for s in text.sections],
        "created_by": record.created_by,
        "updated_at": as_utc(record.updated_at).isoformat(),
    }


def jsonl(records: Iterable[OfficerAnswerRecord]) -> str:
    return "".join(json.dumps(as_json(r), ensure_ascii=False) + "\n" for r in records)


async def visible_answers(workflow: OfficerAnswers, actor: Actor) -> list[OfficerAnswerRecord]:
    """Every answer ``actor`` may see (admins all, officers their unit's), oldest first."""
    units = None if actor.admin else [actor.unit]
    records = await workflow.store.officer_answers(units=units, limit=EVERY)
    return sorted(records, key=lambda r: r.id)


async def export(workflow: OfficerAnswers, actor: Actor) -> tuple[str, int]:
    """The JSONL of what ``actor`` may see, and how many answers it holds (audited)."""
    records = await visible_answers(workflow, actor)
    await workflow.store.audit(actor.who, "giai_dap_xuat", {"so_luong": len(records)})
    return jsonl(records), len(records)


async def import_jsonl(workflow: OfficerAnswers, actor: Actor, data: bytes) -> list[LineResult]:
    """Each non-blank line read back through the workflow; raises TooBig for a file over
    the bounds (nothing read). Blank lines get no result."""
    lines = data.split(b"\n")
    if lines[-1] == b"":  # the newline ending the last line starts none
        lines.pop()
    if len(data) > MAX_BYTES or len(lines) > MAX_LINES:
        raise TooBig(words.too_big(MAX_BYTES // (1024 * 1024), MAX_LINES))
    results = []
    for number, raw in enumerate(lines, 1):
        if raw.strip():
            results.append(await _one(workflow, actor, number, raw))
    counts = {k: sum(r.outcome == k for r in results) for k in words.OUTCOMES}
    await workflow.store.audit(actor.who, "giai_dap_nhap", {"dong": len(results), **counts})
    return results


async def _one(workflow: OfficerAnswers, actor: Actor, number: int, raw: bytes) -> LineResult:
    entry_id = None
    try:
        item = _decoded(raw)
        entry_id = _entry_id(item.get("id"))
        questions = item.get("questions")
        if isinstance(questions, str):
            questions = [questions]
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            raise Invalid(words.NO_QUESTIONS)
        answer = item.get("answer")
        if not isinstance(answer, str):
            raise Invalid(words.NO_ANSWER)
        text = workflow.text(questions, answer, sections_from_json(item.get("sections")))
        if entry_id is None:
            unit = item.get("unit") if isinstance(item.get("unit"), str) else ""
            record = await workflow.draft(actor, text, unit=str(unit), source=SOURCE)
            return LineResult(number, "created", record.id)
        current = await workflow.visible(actor, entry_id)
        if current is None:
            raise Invalid(words.no_such_answer(entry_id))
        if current.latest.text == text:
            return LineResult(number, "unchanged", entry_id)
        await workflow.revise(actor, entry_id, text)
        return LineResult(number, "revised", entry_id)
    except (Invalid, NotAllowed) as exc:
        return LineResult(number, "refused", entry_id, str(exc))
    except OfficerAnswerConflict:  # gone between the look and the edit
        return LineResult(number, "refused", entry_id, words.no_such_answer(entry_id or 0))


def _decoded(raw: bytes) -> dict:
    if len(raw) > MAX_LINE_BYTES:
        raise Invalid(words.LINE_TOO_LONG)
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")  # a BOM some editors write
    except UnicodeDecodeError as exc:
        raise Invalid(words.NOT_UTF8) from exc
    try:
        item = json.loads(text)
    except ValueError as exc:
        raise Invalid(words.BAD_JSON) from exc
    if not isinstance(item, dict):
        raise Invalid(words.NOT_OBJECT)
    return item


def _entry_id(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid(words.BAD_ID)
    number = value if isinstance(value, int) else as_number(str(value))
    if number is None or not 0 < number <= 2**31 - 1:
        raise Invalid(words.BAD_ID)
    return number
