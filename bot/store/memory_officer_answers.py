"""The in-memory store's officers' answers (as the SQL store's officer_answers)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from bot.core.officer_answers import (
    OfficerAnswerRecord,
    OfficerAnswerState,
    OfficerAnswerText,
    OfficerAnswerUse,
    OfficerAnswerVersion,
    ServedOfficerAnswer,
)
from bot.core.records import as_utc
from bot.store.memory_base import MemoryBase, utc_now
from bot.store.officer_answers import (
    APPROVABLE,
    REJECTABLE,
    WITHDRAWABLE,
    OfficerAnswerConflict,
)
from bot.store.officer_answers_use import asked_words


class MemoryOfficerAnswers(MemoryBase):
    def __init__(self) -> None:
        super().__init__()
        self.officer_answer_rows: dict[int, OfficerAnswerRecord] = {}
        self.officer_answer_texts: dict[tuple[int, int], OfficerAnswerVersion] = {}

    async def draft_officer_answer(
        self, unit: str, text: OfficerAnswerText, author: str, source: str = ""
    ) -> OfficerAnswerRecord:
        now = utc_now()
        entry_id = self._next("officer_answers")
        version = OfficerAnswerVersion(entry_id, 1, text, author, now)
        record = OfficerAnswerRecord(
            entry_id, "draft", unit, author, now, now, version, source=source[:128]
        )
        self._set(self.officer_answer_texts, (entry_id, 1), version)
        self._set(self.officer_answer_rows, entry_id, record)
        return record

    async def revise_officer_answer(
        self, entry_id: int, text: OfficerAnswerText, author: str
    ) -> OfficerAnswerRecord:
        record = self._row(entry_id)
        now = utc_now()
        version = OfficerAnswerVersion(entry_id, record.latest.version + 1, text, author, now)
        reopened = record.state in ("rejected", "withdrawn")
        record = replace(
            record,
            latest=version,
            updated_at=now,
            state="draft" if reopened else record.state,
            note="" if reopened else record.note,
        )
        self._set(self.officer_answer_texts, (entry_id, version.version), version)
        self._set(self.officer_answer_rows, entry_id, record)
        return record

    async def approve_officer_answer(
        self, entry_id: int, version: int, admin: str
    ) -> OfficerAnswerRecord:
        record = self._allowed(entry_id, APPROVABLE)
        if version != record.latest.version:
            raise OfficerAnswerConflict(f"officer answer {entry_id} has a newer version")
        now = utc_now()
        record = replace(
            record,
            state="approved",
            approved_version=version,
            approved_by=admin,
            approved_at=now,
            updated_at=now,
            note="",
        )
        self._set(self.officer_answer_rows, entry_id, record)
        return record

    async def reject_officer_answer(
        self, entry_id: int, admin: str, note: str = ""
    ) -> OfficerAnswerRecord:
        return self._change(self._allowed(entry_id, REJECTABLE), "rejected", note)

    async def withdraw_officer_answer(
        self, entry_id: int, admin: str, note: str = ""
    ) -> OfficerAnswerRecord:
        return self._change(self._allowed(entry_id, WITHDRAWABLE), "withdrawn", note)

    async def get_officer_answer(self, entry_id: int) -> OfficerAnswerRecord | None:
        return self.officer_answer_rows.get(entry_id)

    async def officer_answer_versions(self, entry_id: int) -> list[OfficerAnswerVersion]:
        found = [v for (i, _), v in self.officer_answer_texts.items() if i == entry_id]
        return sorted(found, key=lambda v: -v.version)

    async def officer_answers(
        self,
        states: Iterable[OfficerAnswerState] | None = None,
        units: Iterable[str] | None = None,
        limit: int = 500,
    ) -> list[OfficerAnswerRecord]:
        wanted_states = None if states is None else set(states)
        wanted_units = None if units is None else set(units)
        found = [
            r
            for r in self.officer_answer_rows.values()
            if (wanted_states is None or r.state in wanted_states)
            and (wanted_units is None or r.unit in wanted_units)
        ]
        found.sort(key=lambda r: (r.updated_at, r.id), reverse=True)
        return found[:limit]

    async def served_officer_answer_keys(self) -> set[tuple[int, int]]:
        return {
            (r.id, r.approved_version)
            for r in self.officer_answer_rows.values()
            if r.state == "approved" and r.approved_version is not None
        }

    async def served_officer_answers(
        self, keys: Iterable[tuple[int, int]]
    ) -> list[ServedOfficerAnswer]:
        served = await self.served_officer_answer_keys()
        out = []
        for entry_id, number in keys:
            record = self.officer_answer_rows[entry_id] if (entry_id, number) in served else None
            if record is not None and record.approved_at is not None:
                text = self.officer_answer_texts[(entry_id, number)].text
                out.append(
                    ServedOfficerAnswer(entry_id, number, record.unit, record.approved_at, text)
                )
        return out

    async def officer_answer_use(
        self, entry_id: int, since: datetime, examples: int = 0
    ) -> OfficerAnswerUse:
        uses = [
            m
            for m in sorted(self.messages.values(), key=lambda m: -m.id)
            if m.direction == "out"
            and m.kind == "answer"
            and as_utc(m.created_at) >= since
            and m.citations
            and m.citations[0].kind == "officer_answer"
            and m.citations[0].entry == entry_id
        ]
        asked = []
        for use in uses[:examples]:
            before = [
                m
                for m in self.messages.values()
                if m.person_id == use.person_id and m.direction == "in" and m.id < use.id
            ]
            if before:
                asked.append((use.created_at, asked_words(max(before, key=lambda m: m.id).text)))
        last = max((m.created_at for m in uses), default=None)
        return OfficerAnswerUse(len(uses), last, tuple(asked))

    def _row(self, entry_id: int) -> OfficerAnswerRecord:
        record = self.officer_answer_rows.get(entry_id)
        if record is None:
            raise OfficerAnswerConflict(f"no officer answer {entry_id}")
        return record

    def _allowed(
        self, entry_id: int, allowed: tuple[OfficerAnswerState, ...]
    ) -> OfficerAnswerRecord:
        record = self._row(entry_id)
        if record.state not in allowed:
            raise OfficerAnswerConflict(f"officer answer {entry_id} is {record.state}")
        return record

    def _change(
        self, record: OfficerAnswerRecord, state: OfficerAnswerState, note: str
    ) -> OfficerAnswerRecord:
        record = replace(record, state=state, note=note[:1000], updated_at=utc_now())
        self._set(self.officer_answer_rows, record.id, record)
        return record
