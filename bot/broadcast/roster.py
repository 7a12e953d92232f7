"""Who may use the broadcast desk: officers and admins from settings, officers added and
removed by admins (``/themcanbo``, ``/xoacanbo``), and each one's unit."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bot.broadcast.desk_base import DeskBase
from bot.core.messages import Inbound, Outbound
from bot.strings import broadcast as wording

OFFICERS_REFRESH = 30.0  # seconds: an officer added in another process is known this late


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


class RosterMixin(DeskBase):
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

    async def role_of(self, actor: str) -> tuple[str, str] | None:
        """("admin" | "officer", unit) for the web console; None for anyone else."""
        unit = await self.unit_of(actor)
        if unit is None:
            return None
        return ("admin" if actor in self.roster.admins else "officer", unit)

    async def _may_be_officer(self, actor: str) -> bool:
        if actor in self.roster.officers or actor in self.roster.admins:
            return True
        if time.monotonic() - self._added_at >= OFFICERS_REFRESH:
            self._added = await self.store.officer_actors()
            self._added_at = time.monotonic()
        return actor in self._added

    async def _roster_change(
        self, inbound: Inbound, actor: str, name: str, argument: str
    ) -> list[Outbound]:
        if actor not in self.roster.admins:
            await self.store.audit(actor, "refused", {"command": name})
            return [self._say(inbound, wording.ADMIN_ONLY)]
        who, _, unit = argument.strip().partition(" ")
        if not await self.change_roster(actor, name == "themcanbo", who, unit.strip()):
            return [self._say(inbound, wording.ROSTER_USAGE)]
        return [self._say(inbound, wording.roster_changed(name, who, unit.strip()))]

    async def change_roster(self, admin: str, add: bool, who: str, unit: str = "") -> bool:
        """An admin adds (with a unit) or removes an officer ``platform:user``, from a chat
        or the console; False when ``who`` is not ``platform:user``. Audited."""
        platform, _, user = who.partition(":")
        if not platform or not user or platform != platform.strip() or user != user.strip():
            return False
        if add:
            await self.store.add_officer(platform, user, unit, admin)
        else:
            await self.store.remove_officer(platform, user)
        self._added_at = -OFFICERS_REFRESH  # read the list again at the next message
        for listener in self.roster_listeners:
            await listener(who, add)
        name = "themcanbo" if add else "xoacanbo"
        await self.store.audit(admin, name, {"officer": who, "unit": unit})
        return True
