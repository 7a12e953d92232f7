"""People's names for platforms whose updates carry none (Zalo OA).

Officers see a citizen's name on a ticket, so the first update of a person without a
stored name asks the platform once; after that the stored name stands. The platform is
asked at most once per person per process (a bounded memory of whom it was asked for).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from bot.core.messages import Inbound
from bot.core.ports import NameSource, UpdateLog

REMEMBERED = 50_000  # people whose name was looked up; the oldest are forgotten first


class Names:
    def __init__(self, store: UpdateLog) -> None:
        self.store = store
        self._sources: dict[str, NameSource] = {}
        self._asked: OrderedDict[tuple[str, str], None] = OrderedDict()

    def register(self, source: NameSource) -> None:
        self._sources[source.platform] = source

    async def named(self, inbound: Inbound) -> Inbound:
        """``inbound`` with the person's name when it must be looked up, else as it is."""
        source = self._sources.get(inbound.platform)
        key = (inbound.platform, inbound.user_id)
        if (
            source is None
            or inbound.display_name
            or inbound.action == "unfollow"  # someone leaving needs no name
            or key in self._asked
        ):
            return inbound
        self._remember(key)
        person = await self.store.find_person(inbound.platform, inbound.user_id)
        if person is not None and person.display_name:
            return inbound  # "" keeps the stored name
        name = await source.display_name(inbound.user_id)
        return replace(inbound, display_name=name) if name else inbound

    def _remember(self, key: tuple[str, str]) -> None:
        self._asked[key] = None
        if len(self._asked) > REMEMBERED:
            self._asked.popitem(last=False)
