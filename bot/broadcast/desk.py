"""What officers do in a private chat with the bot: compose, schedule, follow, report.

``/thongbao`` starts a short dialogue: the text (and an optional photo) → the audience,
with the number of recipients → now or at a time (Asia/Ho_Chi_Minh) → a preview exactly
as citizens will see it → confirm. ``/lichgui`` lists scheduled and running broadcasts
with buttons to pause, resume or cancel; ``/baocao`` shows the month per unit against the
plan's target of 10 a month. Admins add and remove officers (``/themcanbo``,
``/xoacanbo``). Every action, and every refused attempt, goes to the audit log. The
dialogue's state is kept in the database, so a restart does not lose it.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.broadcast import wording
from bot.core.commands import action_of, command_in
from bot.core.messages import Button, Inbound, Outbound
from bot.store.repository import Store
from bot.vietnamese.text import fold, folded_tokens

logger = logging.getLogger(__name__)

TOPICS = ("quy hoạch", "kinh tế", "văn hóa – xã hội", "cuộc thi")
COMMANDS = {"thongbao", "lichgui", "baocao", "themcanbo", "xoacanbo", "huy"}
OFFICERS_REFRESH = 30.0  # seconds: an officer added in another process is known this late
MONTHLY_TARGET = 10  # Plan 57-KH/TU, IV.1.5: at least 10 news items a month per unit
_TIME = re.compile(r"^(\d{1,2})[:h](\d{2})(?:\s+(\d{1,2})/(\d{1,2})(?:/(\d{4}))?)?$")


@dataclass(frozen=True)
class Roster:
    """Officers from settings (``telegram:123=Unit;…``) and admins (``telegram:1;…``)."""

    officers: dict[str, str]
    admins: frozenset[str]

    @classmethod
    def parse(cls, officers: str, admins: str) -> Roster:
        entries: dict[str, str] = {}
        for item in re.split(r"[;\n]", officers):
            actor, _, unit = item.partition("=")
            if actor.strip():
                entries[actor.strip()] = unit.strip()
        return cls(entries, frozenset(a.strip() for a in re.split(r"[;,\n]", admins) if a.strip()))


class BroadcastDesk:
    def __init__(
        self,
        store: Store,
        roster: Roster,
        timezone: str = "Asia/Ho_Chi_Minh",
        wake: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.roster = roster
        self.zone = ZoneInfo(timezone)
        self._wake = wake  # tells the delivery engine there is something to send
        # Officers added by command, refreshed now and then: citizens' messages (the hot
        # path) then cost no database read to tell they are not an officer's dialogue.
        self._added: set[str] = set()
        self._added_at = -OFFICERS_REFRESH
        # Told (actor, is now an officer) after /themcanbo or /xoacanbo: e.g. menus.
        self.roster_listeners: list[Callable[[str, bool], Awaitable[None]]] = []

    async def officers(self) -> set[str]:
        """Every officer and admin: from settings and added by command."""
        return (
            set(self.roster.officers) | set(self.roster.admins) | await self.store.officer_actors()
        )

    # ---- who ------------------------------------------------------------------------
    async def unit_of(self, actor: str) -> str | None:
        if actor in self.roster.officers:
            return self.roster.officers[actor]
        if actor in self.roster.admins:
            return ""
        platform, _, user = actor.partition(":")
        return await self.store.officer_unit(platform, user)

    async def wants(self, inbound: Inbound) -> bool:
        """An officer command, an officer button, or the next step of an open dialogue."""
        if inbound.action and action_of(inbound.action).name == "o":
            return True
        command = command_in(inbound.text)
        if command is not None and command.name in COMMANDS:
            return True
        actor = _actor(inbound)
        return await self._may_be_officer(actor) and await self._dialog(actor) is not None

    async def _may_be_officer(self, actor: str) -> bool:
        if actor in self.roster.officers or actor in self.roster.admins:
            return True
        if time.monotonic() - self._added_at >= OFFICERS_REFRESH:
            self._added = await self.store.officer_actors()
            self._added_at = time.monotonic()
        return actor in self._added

    # ---- everything an officer sends ---------------------------------------------------
    async def handle(self, inbound: Inbound) -> list[Outbound]:
        actor = _actor(inbound)
        unit = await self.unit_of(actor)
        if unit is None:
            await self.store.audit(actor, "refused", {"text": (inbound.text or "")[:200]})
            return [self._say(inbound, wording.NOT_AN_OFFICER)]
        # Perhaps added in another process: their next message may continue a dialogue.
        self._added.add(actor)
        if inbound.action:
            return await self._button(inbound, actor, unit, action_of(inbound.action).rest)
        command = command_in(inbound.text)
        if command is not None and command.name in COMMANDS:
            name, argument = command.name, command.argument
            if name == "thongbao":
                await self._save(actor, {"step": "text"})
                await self.store.audit(actor, "compose")
                return [self._say(inbound, wording.ASK_TEXT)]
            if name == "huy":
                await self._clear(actor)
                return [self._say(inbound, wording.DIALOG_CANCELLED)]
            if name == "lichgui":
                return await self._schedule_list(inbound, actor)
            if name == "baocao":
                return [self._say(inbound, await self.month_text(argument.strip() or None))]
            return await self._roster_change(inbound, actor, name, argument)
        return await self._dialog_step(inbound, actor)

    async def _dialog_step(self, inbound: Inbound, actor: str) -> list[Outbound]:
        dialog = await self._dialog(actor) or {}
        text = (inbound.text or "").strip()
        step = dialog.get("step")
        if step == "text":
            if not text and not inbound.attachment:
                return [self._say(inbound, wording.ASK_TEXT)]
            dialog.update(step="audience", text=text, photo=inbound.attachment)
            await self._save(actor, dialog)
            return [self._say(inbound, wording.ASK_AUDIENCE, _audience_buttons())]
        if step == "area":
            # Areas are kept folded (see Preferences.set_area): "Ba Đình" = "ba dinh".
            folded = " ".join(folded_tokens(text))
            dialog.update(step="when", audience={"areas": [folded], "area_names": [text]})
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

    async def _button(self, inbound: Inbound, actor: str, unit: str, action: str) -> list[Outbound]:
        dialog = await self._dialog(actor) or {}
        if action.startswith("aud:") and dialog.get("step") == "audience":
            choice = action[4:]
            if choice == "area":
                dialog["step"] = "area"
                await self._save(actor, dialog)
                return [self._say(inbound, wording.ASK_AREA)]
            audience = {} if choice == "all" else {"topics": [TOPICS[int(choice)]]}
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
        if action.startswith(("pause:", "resume:", "cancel:")):
            return await self._control(inbound, actor, action)
        return [self._say(inbound, wording.USE_BUTTONS)]

    async def _ask_when(self, inbound: Inbound, dialog: dict) -> list[Outbound]:
        count = len(await self.store.audience(dialog["audience"]))
        dialog["count"] = count
        await self._save(_actor(inbound), dialog)
        return [
            self._say(
                inbound,
                wording.recipients(count, dialog["audience"]),
                (Button("Gửi ngay", "o:now"), Button("Hẹn giờ", "o:later")),
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
                (Button("✅ Xác nhận gửi", "o:ok"), Button("✖ Hủy", "o:no")),
            ),
        ]

    async def _confirm(
        self, inbound: Inbound, actor: str, unit: str, dialog: dict
    ) -> list[Outbound]:
        at = datetime.fromisoformat(dialog["at"]) if dialog.get("at") else None
        broadcast = await self.store.create_broadcast(
            actor,
            dialog.get("text") or "",
            dialog.get("audience") or {},
            unit=unit,
            photo=dialog.get("photo"),
            scheduled_at=at,
        )
        await self._clear(actor)
        await self.store.audit(
            actor,
            "broadcast",
            {"id": broadcast.id, "audience": broadcast.audience, "at": dialog.get("at")},
        )
        if at is not None:
            return [self._say(inbound, wording.scheduled(broadcast.id, at, self.zone))]
        total = await self.store.enqueue_broadcast(broadcast.id)
        if self._wake is not None:
            await self._wake()
        return [
            Outbound(
                inbound.platform,
                inbound.chat_id,
                wording.progress(broadcast.id, {"queued": total}),
                control_buttons(broadcast.id, "sending"),
                broadcast_id=broadcast.id,
            )
        ]

    async def start_due(self, now: datetime) -> list[int]:
        """Scheduled broadcasts whose time has come: queued for sending."""
        started = []
        for broadcast_id in await self.store.due_scheduled(now):
            await self.store.enqueue_broadcast(broadcast_id)
            started.append(broadcast_id)
        if started and self._wake is not None:
            await self._wake()
        return started

    async def _schedule_list(self, inbound: Inbound, actor: str) -> list[Outbound]:
        rows = await self.store.broadcasts_in(("scheduled", "sending", "paused"))
        if not rows:
            return [self._say(inbound, wording.NOTHING_SCHEDULED)]
        out = []
        for broadcast_id, state, text, at in rows[:10]:
            buttons = control_buttons(broadcast_id, state)
            out.append(
                self._say(
                    inbound, wording.listing(broadcast_id, state, text, at, self.zone), buttons
                )
            )
        return out

    async def _control(self, inbound: Inbound, actor: str, action: str) -> list[Outbound]:
        verb, _, raw = action.partition(":")
        if not raw.isdigit():
            return []
        broadcast = await self.store.get_broadcast(int(raw))
        if broadcast is None:
            return [self._say(inbound, wording.NO_SUCH_BROADCAST)]
        allowed = {
            "pause": ("sending",),
            "resume": ("paused",),
            "cancel": ("scheduled", "sending", "paused"),
        }[verb]
        if broadcast.state not in allowed:
            return [self._say(inbound, wording.cannot(verb, broadcast.state))]
        new_state = {"pause": "paused", "resume": "sending", "cancel": "cancelled"}[verb]
        await self.store.set_broadcast_state(broadcast.id, new_state)
        await self.store.audit(actor, verb, {"id": broadcast.id})
        if verb == "resume" and self._wake is not None:
            await self._wake()
        return [self._say(inbound, wording.controlled(broadcast.id, new_state))]

    async def _roster_change(
        self, inbound: Inbound, actor: str, name: str, argument: str
    ) -> list[Outbound]:
        if actor not in self.roster.admins:
            await self.store.audit(actor, "refused", {"command": name})
            return [self._say(inbound, wording.ADMIN_ONLY)]
        who, _, unit = argument.strip().partition(" ")
        platform, _, user = who.partition(":")
        if not platform or not user:
            return [self._say(inbound, wording.ROSTER_USAGE)]
        if name == "themcanbo":
            await self.store.add_officer(platform, user, unit.strip(), actor)
        else:
            await self.store.remove_officer(platform, user)
        self._added_at = -OFFICERS_REFRESH  # read the list again at the next message
        for listener in self.roster_listeners:
            await listener(f"{platform}:{user}", name == "themcanbo")
        await self.store.audit(actor, name, {"officer": who, "unit": unit.strip()})
        return [self._say(inbound, wording.roster_changed(name, who, unit.strip()))]

    # ---- the monthly report -------------------------------------------------------------
    async def month_text(self, month: str | None) -> str:
        start, end, label = self.month_bounds(month)
        return wording.month_report(label, summarise(await self.store.month_report(start, end)))

    def month_bounds(self, month: str | None) -> tuple[datetime, datetime, str]:
        now = datetime.now(self.zone)
        year, number = (now.year, now.month)
        if month and re.fullmatch(r"\d{4}-\d{2}", month):
            year, number = int(month[:4]), int(month[5:])
        start = datetime(year, number, 1, tzinfo=self.zone)
        end = (start + timedelta(days=32)).replace(day=1)
        return start, end, f"{number:02d}/{year}"

    # ---- helpers --------------------------------------------------------------------------
    def _parse_time(self, text: str) -> datetime | None:
        match = _TIME.match(fold(text).strip())
        if match is None:
            return None
        hour, minute, day, month, year = match.groups()
        now = datetime.now(self.zone)
        try:
            when = datetime(
                int(year or now.year),
                int(month or now.month),
                int(day or now.day),
                int(hour),
                int(minute),
                tzinfo=self.zone,
            )
        except ValueError:
            return None
        return when if when > now else None

    async def _dialog(self, actor: str) -> dict | None:
        stored = await self.store.kv_get(f"compose:{actor}")
        return json.loads(stored) if stored else None

    async def _save(self, actor: str, dialog: dict) -> None:
        await self.store.kv_set(f"compose:{actor}", json.dumps(dialog, ensure_ascii=False))

    async def _clear(self, actor: str) -> None:
        await self.store.kv_set(f"compose:{actor}", "")

    @staticmethod
    def _say(inbound: Inbound, text: str, buttons: tuple[Button, ...] = ()) -> Outbound:
        return Outbound(inbound.platform, inbound.chat_id, text, buttons)


def summarise(rows: list[dict]) -> list[dict]:
    """The month per unit: broadcasts, the target, reach and interaction."""
    units: dict[str, dict] = {}
    for row in rows:
        unit = units.setdefault(
            row["unit"] or "(chưa ghi đơn vị)",
            {
                "broadcasts": 0,
                "delivered": 0,
                "replies": 0,
                "questions": 0,
                "thumbs_up": 0,
                "thumbs_down": 0,
            },
        )
        unit["broadcasts"] += 1
        for key in ("delivered", "replies", "questions", "thumbs_up", "thumbs_down"):
            unit[key] += row[key]
    return [
        {
            "unit": name,
            "target": MONTHLY_TARGET,
            "met": data["broadcasts"] >= MONTHLY_TARGET,
            **data,
        }
        for name, data in sorted(units.items())
    ]


def _actor(inbound: Inbound) -> str:
    return f"{inbound.platform}:{inbound.user_id}"


def _audience_buttons() -> tuple[Button, ...]:
    return (
        Button("Tất cả người đăng ký", "o:aud:all"),
        *(Button(topic.capitalize(), f"o:aud:{n}") for n, topic in enumerate(TOPICS)),
        Button("Theo xã/phường", "o:aud:area"),
    )


def control_buttons(broadcast_id: int, state: str) -> tuple[Button, ...]:
    cancel = Button("✖ Hủy", f"o:cancel:{broadcast_id}")
    if state == "sending":
        return (Button("⏸ Tạm dừng", f"o:pause:{broadcast_id}"), cancel)
    if state == "paused":
        return (Button("▶ Tiếp tục", f"o:resume:{broadcast_id}"), cancel)
    return (cancel,)
