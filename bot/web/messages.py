"""Messages as the page sees them: who wrote it, the text, citations, buttons, a photo,
and for engine answers the answer contract of ``python -m bot ask --json``.

A cited answer is also given as the page renders it: the lead-in line and one card per
section, each quote once (the chat apps' text repeats the quotes inline; the page does not).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.core.messages import Button
from bot.core.records import MessageRecord
from bot.strings.privacy import ERASED_KIND

NOTICE_KINDS = {"notice", ERASED_KIND}
HANDOFF_KIND = "handoff"  # "Đã chuyển yêu cầu #…": shown prominently, not as a grey notice
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
    elif record.kind == HANDOFF_KIND:
        author = "handoff"
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
        "lead": record.text.split("\n", 1)[0] if record.citations else None,
        "cards": _cards(record),
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
        "lead": None,
        "cards": [],
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


def _cards(record: MessageRecord) -> list[dict[str, Any]]:
    """One card per cited section, in the answer's order, with that section's quotes; "…"
    marks a quote cut inside its sentence, as the answer text shows it."""
    cards: dict[tuple[str, str], dict[str, Any]] = {}
    for c in record.citations:
        card = cards.setdefault(
            (c.doc, c.section),
            {"doc": c.doc, "section": c.section, "label": c.label, "title": c.title, "quotes": []},
        )
        before = "…" if f"“…{c.quote}" in record.text else ""
        after = "…" if f"{c.quote}…”" in record.text else ""
        card["quotes"].append({"text": c.quote, "shown": f"{before}{c.quote}{after}"})
    return list(cards.values())
