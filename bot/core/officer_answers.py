"""Officers' answers kept for reuse: what the store hands out about them.

An officer answers a question the documents do not answer; saved as an *officer answer*
(sample questions, the answer, the unit, the sections it relates to) and approved by an
admin, the engine serves it to later citizens who ask the same thing in other words,
always labelled as the unit's explanation, never as the documents' text. Every edit is a
new version; the version served is the one an admin approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

OfficerAnswerState = Literal["draft", "approved", "rejected", "withdrawn"]
STATES: tuple[OfficerAnswerState, ...] = ("draft", "approved", "rejected", "withdrawn")
MAX_QUESTIONS = 10
MAX_QUESTION_CHARS = 500
MAX_ANSWER_CHARS = 2000
MAX_SECTIONS = 5


@dataclass(frozen=True)
class OfficerAnswerText:
    """What an officer writes: sample questions, the answer, related sections."""

    questions: tuple[str, ...]
    answer: str
    sections: tuple[tuple[str, str], ...] = ()  # (doc, canonical section id)


@dataclass(frozen=True)
class OfficerAnswerVersion:
    entry_id: int
    version: int
    text: OfficerAnswerText
    author: str  # "platform:user" of who wrote this version
    created_at: datetime


@dataclass(frozen=True)
class OfficerAnswerRecord:
    id: int
    state: OfficerAnswerState
    unit: str  # whose explanation it is: "Phường Hoàn Kiếm"
    created_by: str
    created_at: datetime
    updated_at: datetime
    latest: OfficerAnswerVersion  # the newest text (what a reviewer approves)
    approved_version: int | None = None  # the version served while approved
    approved_by: str | None = None
    approved_at: datetime | None = None
    source: str = ""  # "ticket:12", "cluster:…", "telegram:…", "import"
    note: str = ""  # why it was rejected or withdrawn

    @property
    def pending(self) -> bool:
        """The newest text waits for an admin (a draft, or an edit of an approved answer)."""
        return self.state == "draft" or (
            self.state == "approved" and self.approved_version != self.latest.version
        )


@dataclass(frozen=True)
class ServedOfficerAnswer:
    """An approved version as the engine serves it."""

    entry_id: int
    version: int
    unit: str
    approved_at: datetime
    text: OfficerAnswerText

    @property
    def key(self) -> tuple[int, int]:
        return (self.entry_id, self.version)


@dataclass(frozen=True)
class OfficerAnswerUse:
    """How often citizens were given one officer answer (as the answer, not as an offer)."""

    served: int
    last: datetime | None
    asked: tuple[tuple[datetime, str], ...] = ()  # the latest questions it answered, newest first


class OfficerAnswerStore(Protocol):
    """Officers' answers in the store (``bot/store/officer_answers.py``). A decision that
    does not follow from the current state raises ``OfficerAnswerConflict``."""

    async def draft_officer_answer(
        self, unit: str, text: OfficerAnswerText, author: str, source: str = ""
    ) -> OfficerAnswerRecord: ...

    async def revise_officer_answer(
        self, entry_id: int, text: OfficerAnswerText, author: str
    ) -> OfficerAnswerRecord: ...

    async def approve_officer_answer(
        self, entry_id: int, version: int, admin: str
    ) -> OfficerAnswerRecord: ...

    async def reject_officer_answer(
        self, entry_id: int, admin: str, note: str = ""
    ) -> OfficerAnswerRecord: ...

    async def withdraw_officer_answer(
        self, entry_id: int, admin: str, note: str = ""
    ) -> OfficerAnswerRecord: ...

    async def get_officer_answer(self, entry_id: int) -> OfficerAnswerRecord | None: ...

    async def officer_answer_versions(self, entry_id: int) -> list[OfficerAnswerVersion]: ...

    async def officer_answers(
        self,
        states: Iterable[OfficerAnswerState] | None = None,
        units: Iterable[str] | None = None,
        limit: int = 500,
    ) -> list[OfficerAnswerRecord]: ...

    async def served_officer_answer_keys(self) -> set[tuple[int, int]]: ...

    async def officer_answer_use(
        self, entry_id: int, since: datetime, examples: int = 0
    ) -> OfficerAnswerUse:
        """Answers led by it since ``since``; with ``examples``, the citizens' questions
        they answered (their words: for admins only)."""
        ...

    async def served_officer_answers(
        self, keys: Iterable[tuple[int, int]]
    ) -> list[ServedOfficerAnswer]: ...


class OfficerAnswerServing(Protocol):
    """The engine's side index of approved answers (``bot/answering/officer_index.py``)."""

    async def serve_officer_answers(self, served: Sequence[ServedOfficerAnswer]) -> None:
        """Serve exactly ``served`` from now on (new ones embedded, missing ones dropped)."""
        ...
