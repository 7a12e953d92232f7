"""Who may do what with officers' answers, checked, cleaned and audited in one place.

Officers draft answers for their own unit and edit their unit's drafts; admins approve,
reject, withdraw, and edit any. The console, the Telegram officers' group (``/luu``) and
the JSONL import all come through here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.core.officer_answers import (
    MAX_ANSWER_CHARS,
    MAX_QUESTION_CHARS,
    MAX_QUESTIONS,
    MAX_SECTIONS,
    OfficerAnswerRecord,
    OfficerAnswerStore,
    OfficerAnswerText,
)
from bot.core.ports import KeyValues
from bot.errors import BotError
from bot.vietnamese.text import clean


class NotAllowed(BotError):
    """The actor may not do this (another unit's answer, an officer approving…)."""


class Invalid(BotError):
    """What was written cannot be saved; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class Actor:
    who: str  # "platform:user"
    admin: bool
    unit: str  # "" for an admin without a unit


class AuditedStore(OfficerAnswerStore, KeyValues):  # the audit log lives beside the answers
    async def audit(self, actor: str, action: str, details: dict | None = None) -> None: ...


Changed = Callable[[], Awaitable[None]]


class OfficerAnswers:
    def __init__(
        self,
        store: AuditedStore,
        sections: Callable[[str, str], bool] = lambda doc, section: True,
    ) -> None:
        self.store = store
        self.section_exists = sections  # whether the index knows (doc, section)
        self.listeners: list[Changed] = []  # told when what is served may have changed

    def text(
        self, questions: Sequence[str], answer: str, sections: Sequence[tuple[str, str]] = ()
    ) -> OfficerAnswerText:
        """Cleaned (NFC, one space), bounded and checked; raises Invalid with the reason."""
        asked = [clean(q)[:MAX_QUESTION_CHARS] for q in questions]
        asked = list(dict.fromkeys(q for q in asked if q))[:MAX_QUESTIONS]
        said = "\n".join(line for line in map(clean, answer.splitlines()) if line)
        if not asked:
            raise Invalid("Cần ít nhất một câu hỏi mẫu.")
        if not said:
            raise Invalid("Cần nội dung giải đáp.")
        if len(said) > MAX_ANSWER_CHARS:
            raise Invalid(f"Giải đáp dài quá {MAX_ANSWER_CHARS} ký tự.")
        places = list(dict.fromkeys((clean(d), clean(s)) for d, s in sections))[:MAX_SECTIONS]
        unknown = [f"{d} {s}" for d, s in places if not self.section_exists(d, s)]
        if unknown:
            raise Invalid("Không có mục này trong văn bản: " + ", ".join(unknown))
        return OfficerAnswerText(tuple(asked), said, tuple(places))

    async def draft(
        self, actor: Actor, text: OfficerAnswerText, unit: str = "", source: str = ""
    ) -> OfficerAnswerRecord:
        """An officer's answer saved as a draft of their unit (an admin names the unit)."""
        unit = clean(actor.unit or unit)[:128]
        if not unit:
            raise Invalid("Cần ghi tên đơn vị giải đáp.")
        record = await self.store.draft_officer_answer(unit, text, actor.who, source)
        await self._audit(actor, "giai_dap_soan", record)
        return record

    async def revise(
        self, actor: Actor, entry_id: int, text: OfficerAnswerText
    ) -> OfficerAnswerRecord:
        record = await self._visible(actor, entry_id)
        if not actor.admin and record.state == "approved":
            raise NotAllowed("Giải đáp đã duyệt chỉ quản trị viên sửa được.")
        record = await self.store.revise_officer_answer(entry_id, text, actor.who)
        await self._audit(actor, "giai_dap_sua", record)
        await self._changed()
        return record

    async def approve(self, actor: Actor, entry_id: int, version: int) -> OfficerAnswerRecord:
        await self._admin(actor, entry_id)
        record = await self.store.approve_officer_answer(entry_id, version, actor.who)
        await self._audit(actor, "giai_dap_duyet", record)
        await self._changed()
        return record

    async def reject(self, actor: Actor, entry_id: int, note: str = "") -> OfficerAnswerRecord:
        await self._admin(actor, entry_id)
        record = await self.store.reject_officer_answer(entry_id, actor.who, clean(note))
        await self._audit(actor, "giai_dap_tu_choi", record)
        return record

    async def withdraw(self, actor: Actor, entry_id: int, note: str = "") -> OfficerAnswerRecord:
        await self._admin(actor, entry_id)
        record = await self.store.withdraw_officer_answer(entry_id, actor.who, clean(note))
        await self._audit(actor, "giai_dap_rut", record)
        await self._changed()
        return record

    async def visible(self, actor: Actor, entry_id: int) -> OfficerAnswerRecord | None:
        """The answer if ``actor`` may see it: admins every one, officers their unit's."""
        record = await self.store.get_officer_answer(entry_id)
        if record is None or not (actor.admin or record.unit == actor.unit):
            return None
        return record

    async def _visible(self, actor: Actor, entry_id: int) -> OfficerAnswerRecord:
        record = await self.visible(actor, entry_id)
        if record is None:
            await self.store.audit(actor.who, "refused", {"giai_dap": entry_id})
            raise NotAllowed("Không có giải đáp này trong đơn vị của bạn.")
        return record

    async def _admin(self, actor: Actor, entry_id: int) -> None:
        if not actor.admin:
            await self.store.audit(actor.who, "refused", {"giai_dap": entry_id})
            raise NotAllowed("Chỉ quản trị viên được duyệt, từ chối hoặc rút giải đáp.")

    async def _audit(self, actor: Actor, action: str, record: OfficerAnswerRecord) -> None:
        details = {"giai_dap": record.id, "phien_ban": record.latest.version, "don_vi": record.unit}
        await self.store.audit(actor.who, action, details)

    async def _changed(self) -> None:
        for listener in self.listeners:
            await listener()
