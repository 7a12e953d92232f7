"""The ``/thongbao`` dialogue: the text (and an optional photo) → the audience, with the
number of recipients → now or at a time → a preview exactly as citizens will see it →
confirm. Its state is kept in the database (``compose:<actor>``), so a restart does not
lose it."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.broadcast.controls import control_buttons
from bot.broadcast.desk_base import DeskBase, actor_of
from bot.core.commands import as_number
from bot.core.messages import Button, Inbound, Outbound
from bot.core.records import BroadcastRecord
from bot.strings import broadcast as wording
from bot.strings import conversation as texts
from bot.vietnamese.text import fold, folded_tokens

_TIME = re.compile(r"^(\d{1,2})[:h](\d{2})(?:\s+(\d{1,2})/(\d{1,2})(?:/(\d{4}))?)?$")


class ComposeMixin(DeskBase):
    async def _keep_photo(self, inbound: Inbound) -> list[Outbound]:
        """The draft's photo, kept now for Zalo and the web (Telegram sends its file id):
        the officer learns at once if that failed, and the bytes are there before any
        sender starts. Citizens' photos are never fetched."""
        if not inbound.attachment or self.photos is None:
            return []
        reason = await self.photos.keep(inbound.attachment)
        return [] if reason is None else [self._say(inbound, wording.photo_not_kept(reason))]

    async def _dialog_step(self, inbound: Inbound, actor: str) -> list[Outbound]:
        dialog = await self._dialog(actor) or {}
        text = (inbound.text or "").strip()
        step = dialog.get("step")
        if step == "text":
            if not text and not inbound.attachment:
                return [self._say(inbound, wording.ASK_TEXT)]
            notes = await self._keep_photo(inbound)
            dialog.update(step="audience", text=text, photo=inbound.attachment)
            await self._save(actor, dialog)
            return [*notes, self._say(inbound, wording.ASK_AUDIENCE, _audience_buttons())]
        if step == "area":
            dialog.update(step="when", audience=area_audience(text))
            await self._save(actor, dialog)
            return await self._ask_when(inbound, dialog)
        if step == "time":
            when = self._parse_time(text)
            if when is None:
                return [self._say(inbound, wording.BAD_TIME)]
            dialog.update(step="confirm", at=when.isoformat())
            await self._save(actor, dialog)
            return self._preview(inbound, dialog)
        return [self._say(inbound, wording.USE_BUTTONS)]

    async def _compose_button(
        self, inbound: Inbound, actor: str, unit: str, action: str, dialog: dict
    ) -> list[Outbound]:
        """A dialogue button (audience, now or later, confirm or cancel) at ``dialog``."""
        if action.startswith("aud:") and dialog.get("step") == "audience":
            choice = action[4:]
            if choice == "area":
                dialog["step"] = "area"
                await self._save(actor, dialog)
                return [self._say(inbound, wording.ASK_AREA)]
            audience = topic_audience(choice)
            if audience is None:
                return []  # a button this dialogue never offered
            dialog.update(step="when", audience=audience)
            await self._save(actor, dialog)
            return await self._ask_when(inbound, dialog)
        if action in ("now", "later") and dialog.get("step") == "when":
            if action == "later":
                dialog["step"] = "time"
                await self._save(actor, dialog)
                return [self._say(inbound, wording.ASK_TIME)]
            dialog.update(step="confirm", at=None)
            await self._save(actor, dialog)
            return self._preview(inbound, dialog)
        if action == "ok" and dialog.get("step") == "confirm":
            return await self._confirm(inbound, actor, unit, dialog)
        if action == "no":
            await self._clear(actor)
            return [self._say(inbound, wording.DIALOG_CANCELLED)]
        return [self._say(inbound, wording.USE_BUTTONS)]

    async def _ask_when(self, inbound: Inbound, dialog: dict) -> list[Outbound]:
        count = len(await self.store.audience(dialog["audience"]))
        dialog["count"] = count
        await self._save(actor_of(inbound), dialog)
        return [
            self._say(
                inbound,
                wording.recipients(count, dialog["audience"]),
                (Button(wording.SEND_NOW, "o:now"), Button(wording.SEND_LATER, "o:later")),
            )
        ]

    def _preview(self, inbound: Inbound, dialog: dict) -> list[Outbound]:
        at = datetime.fromisoformat(dialog["at"]) if dialog.get("at") else None
        return [
            self._say(inbound, wording.PREVIEW_HEADER),
            Outbound(
                inbound.platform,
                inbound.chat_id,
                dialog.get("text") or "",
                attachment=dialog.get("photo"),
            ),
            self._say(
                inbound,
                wording.confirm_question(dialog.get("count", 0), at, self.zone),
                (Button(wording.CONFIRM, "o:ok"), Button(wording.CANCEL, "o:no")),
            ),
        ]

    async def _confirm(
        self, inbound: Inbound, actor: str, unit: str, dialog: dict
    ) -> list[Outbound]:
        at = datetime.fromisoformat(dialog["at"]) if dialog.get("at") else None
        broadcast, total = await self.publish(
            actor,
            unit,
            dialog.get("text") or "",
            dialog.get("audience") or {},
            photo=dialog.get("photo"),
            at=at,
        )
        await self._clear(actor)
        if total is None:
            assert at is not None
            return [self._say(inbound, wording.scheduled(broadcast.id, at, self.zone))]
        return [
            Outbound(
                inbound.platform,
                inbound.chat_id,
                wording.progress(broadcast.id, {"queued": total}),
                control_buttons(broadcast.id, "sending"),
                broadcast_id=broadcast.id,
            )
        ]

    async def publish(
        self,
        actor: str,
        unit: str,
        text: str,
        audience: dict,
        *,
        photo: str | None = None,
        at: datetime | None = None,
        action: str = "broadcast",
    ) -> tuple[BroadcastRecord, int | None]:
        """A confirmed broadcast, in the chat or in the web console: created (audited as
        ``action``) and, unless it is for ``at``, queued for every recipient with the
        sender woken. The broadcast, and how many were queued (None: scheduled)."""
        broadcast = await self.store.create_broadcast(
            actor, text, audience, unit=unit, photo=photo, scheduled_at=at
        )
        when = at.isoformat() if at else None
        await self.store.audit(
            actor, action, {"id": broadcast.id, "audience": broadcast.audience, "at": when}
        )
        if at is not None:
            return broadcast, None
        total = await self.store.enqueue_broadcast(broadcast.id)
        if self._wake is not None:
            await self._wake()
        return broadcast, total

    # ---- helpers --------------------------------------------------------------------------
    def _parse_time(self, text: str) -> datetime | None:
        when = local_time(text, self.zone)
        return when if when is not None and when > datetime.now(self.zone) else None

    async def _dialog(self, actor: str) -> dict | None:
        stored = await self.store.kv_get(f"compose:{actor}")
        return json.loads(stored) if stored else None

    async def _save(self, actor: str, dialog: dict) -> None:
        await self.store.kv_set(f"compose:{actor}", json.dumps(dialog, ensure_ascii=False))

    async def _clear(self, actor: str) -> None:
        await self.store.kv_set(f"compose:{actor}", "")


def topic_audience(choice: str) -> dict | None:
    """Everyone ("all") or those of a topic (its number in ``TOPICS``); None for a choice
    never offered."""
    if choice == "all":
        return {}
    topic = as_number(choice)
    if topic is None or topic >= len(texts.TOPICS):
        return None
    return {"topics": [texts.TOPICS[topic]]}


def area_audience(name: str) -> dict:
    """The subscribers of a ward or commune, as the officer typed its name."""
    # Areas are kept folded (see Preferences.set_area): "Ba Đình" = "ba dinh".
    return {"areas": [" ".join(folded_tokens(name))], "area_names": [name]}


def local_time(text: str, zone: ZoneInfo) -> datetime | None:
    """A time as officers type it: 20:00 (today), 20:00 26/11 or 20h00 26/11/2025, in
    ``zone``; None when the text is no such time."""
    match = _TIME.match(fold(text).strip())
    if match is None:
        return None
    hour, minute, day, month, year = match.groups()
    now = datetime.now(zone)
    try:
        return datetime(
            int(year or now.year),
            int(month or now.month),
            int(day or now.day),
            int(hour),
            int(minute),
            tzinfo=zone,
        )
    except ValueError:
        return None


def _audience_buttons() -> tuple[Button, ...]:
    return (
        Button(wording.EVERYONE, "o:aud:all"),
        *(Button(topic.capitalize(), f"o:aud:{n}") for n, topic in enumerate(texts.TOPICS)),
        Button(wording.BY_AREA, "o:aud:area"),
    )
