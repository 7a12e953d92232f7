"""Officers' answers: drafts, versions, approval and withdrawal, and what the engine serves."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, or_, select, tuple_

from bot.core.officer_answers import (
    OfficerAnswerRecord,
    OfficerAnswerState,
    OfficerAnswerText,
    OfficerAnswerVersion,
    ServedOfficerAnswer,
)
from bot.store.base import StoreBase
from bot.store.columns import utcnow
from bot.store.errors import StoreError
from bot.store.officer_answers_model import OfficerAnswer, OfficerAnswerVersionRow

# What each decision may follow (anything else is a conflict the caller reports).
APPROVABLE: tuple[OfficerAnswerState, ...] = ("draft", "approved", "withdrawn")
REJECTABLE: tuple[OfficerAnswerState, ...] = ("draft",)
WITHDRAWABLE: tuple[OfficerAnswerState, ...] = ("approved",)


class OfficerAnswerConflict(StoreError):
    """The answer is not in a state that allows this (approved meanwhile, a newer version…)."""


class OfficerAnswersMixin(StoreBase):
    async def draft_officer_answer(
        self, unit: str, text: OfficerAnswerText, author: str, source: str = ""
    ) -> OfficerAnswerRecord:
        now = utcnow()
        async with self._write() as session:
            row = OfficerAnswer(
                state="draft",
                unit=unit,
                created_by=author,
                created_at=now,
                updated_at=now,
                latest_version=1,
                source=source[:128],
                note="",
            )
            session.add(row)
            await session.flush()
            version = _version_row(row.id, 1, text, author, now)
            session.add(version)
            await session.flush()
            return _record(row, version)

    async def revise_officer_answer(
        self, entry_id: int, text: OfficerAnswerText, author: str
    ) -> OfficerAnswerRecord:
        """A new version; an approved answer keeps serving its approved one until the new
        one is approved; a rejected or withdrawn one becomes a draft again."""
        now = utcnow()
        async with self._write() as session:
            row = await _locked(session, entry_id)
            row.latest_version += 1
            row.updated_at = now
            if row.state in ("rejected", "withdrawn"):
                row.state, row.note = "draft", ""
            version = _version_row(entry_id, row.latest_version, text, author, now)
            session.add(version)
            await session.flush()
            return _record(row, version)

    async def approve_officer_answer(
        self, entry_id: int, version: int, admin: str
    ) -> OfficerAnswerRecord:
        """Serve ``version``: it must be the newest (what the admin read is what is served)."""
        return await self._decide(entry_id, admin, APPROVABLE, "approved", version=version)

    async def reject_officer_answer(
        self, entry_id: int, admin: str, note: str = ""
    ) -> OfficerAnswerRecord:
        return await self._decide(entry_id, admin, REJECTABLE, "rejected", note=note)

    async def withdraw_officer_answer(
        self, entry_id: int, admin: str, note: str = ""
    ) -> OfficerAnswerRecord:
        return await self._decide(entry_id, admin, WITHDRAWABLE, "withdrawn", note=note)

    async def _decide(
        self,
        entry_id: int,
        admin: str,
        allowed: tuple[OfficerAnswerState, ...],
        state: OfficerAnswerState,
        version: int | None = None,
        note: str = "",
    ) -> OfficerAnswerRecord:
        now = utcnow()
        async with self._write() as session:
            row = await _locked(session, entry_id)
            if row.state not in allowed:
                raise OfficerAnswerConflict(f"officer answer {entry_id} is {row.state}")
            if version is not None:
                if version != row.latest_version:
                    raise OfficerAnswerConflict(f"officer answer {entry_id} has a newer version")
                row.approved_version, row.approved_by, row.approved_at = version, admin, now
            row.state, row.note, row.updated_at = state, note[:1000], now
            latest = await _latest(session, row)
            return _record(row, latest)

    async def get_officer_answer(self, entry_id: int) -> OfficerAnswerRecord | None:
        async with self._read() as session:
            row = await session.get(OfficerAnswer, entry_id)
            return None if row is None else _record(row, await _latest(session, row))

    async def officer_answer_versions(self, entry_id: int) -> list[OfficerAnswerVersion]:
        """Every version, newest first."""
        query = (
            select(OfficerAnswerVersionRow)
            .where(OfficerAnswerVersionRow.entry_id == entry_id)
            .order_by(OfficerAnswerVersionRow.version.desc())
        )
        async with self._read() as session:
            return [_version(v) for v in (await session.scalars(query)).all()]

    async def officer_answers(
        self,
        states: Iterable[OfficerAnswerState] | None = None,
        units: Iterable[str] | None = None,
        limit: int = 500,
    ) -> list[OfficerAnswerRecord]:
        """Newest change first, with each one's newest text; ``units`` None: every unit."""
        latest = and_(
            OfficerAnswerVersionRow.entry_id == OfficerAnswer.id,
            OfficerAnswerVersionRow.version == OfficerAnswer.latest_version,
        )
        query = select(OfficerAnswer, OfficerAnswerVersionRow).join(OfficerAnswerVersionRow, latest)
        if states is not None:
            query = query.where(OfficerAnswer.state.in_(list(states)))
        if units is not None:
            query = query.where(OfficerAnswer.unit.in_(list(units)))
        query = query.order_by(OfficerAnswer.updated_at.desc(), OfficerAnswer.id.desc())
        async with self._read() as session:
            rows = (await session.execute(query.limit(limit))).all()
        return [_record(row, version) for row, version in rows]

    async def served_officer_answer_keys(self) -> set[tuple[int, int]]:
        """(id, version) of every approved answer: read every second by each process."""
        query = select(OfficerAnswer.id, OfficerAnswer.approved_version).where(
            OfficerAnswer.state == "approved"
        )
        async with self._read() as session:
            return {(i, v) for i, v in (await session.execute(query)).all()}

    async def served_officer_answers(
        self, keys: Iterable[tuple[int, int]]
    ) -> list[ServedOfficerAnswer]:
        """The approved texts of ``keys`` that are still served."""
        wanted = list(keys)
        if not wanted:
            return []
        served: list[ServedOfficerAnswer] = []
        async with self._read() as session:
            for start in range(0, len(wanted), 500):  # bounded IN lists
                part = wanted[start : start + 500]
                query = (
                    select(OfficerAnswer, OfficerAnswerVersionRow)
                    .join(
                        OfficerAnswerVersionRow,
                        and_(
                            OfficerAnswerVersionRow.entry_id == OfficerAnswer.id,
                            OfficerAnswerVersionRow.version == OfficerAnswer.approved_version,
                        ),
                    )
                    .where(OfficerAnswer.state == "approved")
                    .where(_keys_in(part))
                )
                for row, version in (await session.execute(query)).all():
                    served.append(_served(row, version))
        return served


def _keys_in(keys: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    try:
        return tuple_(OfficerAnswer.id, OfficerAnswer.approved_version).in_(keys)
    except NotImplementedError:  # pragma: no cover (a dialect without row values)
        return or_(
            *(and_(OfficerAnswer.id == i, OfficerAnswer.approved_version == v) for i, v in keys)
        )


async def _locked(session, entry_id: int) -> OfficerAnswer:  # type: ignore[no-untyped-def]
    query = select(OfficerAnswer).where(OfficerAnswer.id == entry_id).with_for_update()
    row = (await session.scalars(query)).one_or_none()
    if row is None:
        raise OfficerAnswerConflict(f"no officer answer {entry_id}")
    return row


async def _latest(session, row: OfficerAnswer) -> OfficerAnswerVersionRow:  # type: ignore[no-untyped-def]
    query = select(OfficerAnswerVersionRow).where(
        OfficerAnswerVersionRow.entry_id == row.id,
        OfficerAnswerVersionRow.version == row.latest_version,
    )
    return (await session.scalars(query)).one()


def _version_row(
    entry_id: int, number: int, text: OfficerAnswerText, author: str, now
) -> OfficerAnswerVersionRow:  # type: ignore[no-untyped-def]
    return OfficerAnswerVersionRow(
        entry_id=entry_id,
        version=number,
        questions=list(text.questions),
        answer=text.answer,
        sections=[list(s) for s in text.sections],
        author=author,
        created_at=now,
    )


def _text(version: OfficerAnswerVersionRow) -> OfficerAnswerText:
    return OfficerAnswerText(
        questions=tuple(version.questions or ()),
        answer=version.answer,
        sections=tuple((str(d), str(s)) for d, s in version.sections or ()),
    )


def _version(version: OfficerAnswerVersionRow) -> OfficerAnswerVersion:
    return OfficerAnswerVersion(
        version.entry_id, version.version, _text(version), version.author, version.created_at
    )


def _record(row: OfficerAnswer, latest: OfficerAnswerVersionRow) -> OfficerAnswerRecord:
    return OfficerAnswerRecord(
        id=row.id,
        state=row.state,  # type: ignore[arg-type]
        unit=row.unit,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        latest=_version(latest),
        approved_version=row.approved_version,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        source=row.source,
        note=row.note,
    )


def _served(row: OfficerAnswer, version: OfficerAnswerVersionRow) -> ServedOfficerAnswer:
    assert row.approved_at is not None
    return ServedOfficerAnswer(row.id, version.version, row.unit, row.approved_at, _text(version))
