"""Messages as the page sees them: who wrote it, the text, citations, buttons, a photo,
and for engine answers the answer contract of ``python -m bot ask --json``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.core.messages import Button
from bot.core.records import MessageRecord

NOTICE_KINDS = {"notice", "handoff"}
BROADCAST_KIND = "broadcast"


def message_json(
    record: MessageRecord, buttons: tuple[Button, ...], photo: str | None = None
) -> dict[str, Any]:
    """A message as the page sees it; ``photo`` is the URL of a broadcast's photo."""
    if record.direction == "in":
        author = "user"
    elif record.kind == "operator":
        author = "officer"
    elif record.kind in NOTICE_KINDS:
        author = "notice"
    elif record.kind == BROADCAST_KIND:
        author = "broadcast"
    else:
        author = "bot"
    return {
        "id": record.id,
        "author": author,
        "kind": record.kind,
        "text": record.text,
        "citations": [
            {"doc": c.doc, "section": c.section, "label": c.label, "quote": c.quote}
            for c in record.citations
        ],
        # The page expands quotes in place, so "Xem nguyên văn" is not shown there.
        "buttons": [
            {"label": b.label, "action": b.action}
            for b in buttons
            if not b.action.startswith(("full:", "ex:"))
        ],
        "photo": photo,
        "created_at": record.created_at.isoformat(),
        # For engine answers, the answer contract of `python -m bot ask --json` as well.
        "answer": _contract(record) if record.from_answer else None,
    }


def notice_json(text: str) -> dict[str, Any]:
    """A message that was never stored (it has no id: the page shows it once, as is)."""
    return {
        "id": None,
        "author": "notice",
        "kind": "notice",
        "text": text,
        "citations": [],
        "buttons": [],
        "photo": None,
        "created_at": None,
        "answer": None,
    }


def _contract(record: MessageRecord) -> dict[str, Any]:
    return {
        "answer": record.text,
        "grounded": bool(record.grounded),
        "handoff": record.handoff,
        "confidence": round(record.confidence or 0.0, 3),
        "citations": [asdict(c) for c in record.citations],
        "kind": record.kind,
        "index_version": record.index_version or "",
        "suggestions": [asdict(s) for s in record.suggestions],
    }
