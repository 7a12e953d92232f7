"""The core without a model or a database: memory store, fake answerer, recording senders."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from bot.conversation.flood import FloodLimiter
from bot.conversation.handoff import Contact, Handoff, OfficersChat
from bot.conversation.service import CitizenConversation
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Inbound, Outbound, SendResult
from bot.store.memory import MemoryStore
from bot.strings import errors
from tests.fakes.answerer import FakeAnswerer

OFFICERS = OfficersChat("telegram", "-100")
_keys = itertools.count(1)


@dataclass
class RecordingSender:
    """A channel that keeps what it was asked to send; ``results`` overrides the outcome."""

    platform: str
    sent: list[Outbound] = field(default_factory=list)
    results: list[SendResult] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))

    async def send(self, outbound: Outbound) -> SendResult:
        if self.results:
            return self.results.pop(0)
        self.sent.append(outbound)
        return SendResult("sent", message_id=str(next(self._ids)))

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [o.text for o in self.sent if chat_id is None or o.chat_id == chat_id]


@dataclass
class Core:
    store: MemoryStore
    answerer: FakeAnswerer
    dispatcher: Dispatcher
    senders: dict[str, RecordingSender]

    def sent(self, platform: str = "telegram") -> list[Outbound]:
        return self.senders[platform].sent


def core(
    answerer: FakeAnswerer | None = None,
    store: MemoryStore | None = None,
    *,
    officers_chat: OfficersChat | None = OFFICERS,
    flood: int = 100,
    owner: str = "this:1:a",
    expire_after: timedelta = timedelta(hours=24),
    contact: Contact | None = None,
) -> Core:
    store = store or MemoryStore()
    answerer = answerer or FakeAnswerer()
    citizens = CitizenConversation(
        store,
        answerer,
        Handoff(store, officers_chat, None, expire_after=expire_after, contact=contact),
        FloodLimiter(flood, 60.0),
    )
    dispatcher = Dispatcher(store, citizens, None, owner=owner, apology=errors.APOLOGY)  # type: ignore[arg-type]
    senders = {p: RecordingSender(p) for p in ("telegram", "web", "zalo_oa")}
    for sender in senders.values():
        dispatcher.register(sender)
    return Core(store, answerer, dispatcher, senders)


def said(
    text: str | None = None,
    *,
    chat: str = "42",
    platform: str = "telegram",
    key: str | None = None,
    action: str | None = None,
    reply_to: str | None = None,
    user: str | None = None,
    content: str = "text",
) -> Inbound:
    """A citizen's message (or button press, or an officer's reply with ``reply_to``)."""
    return Inbound(
        platform=platform,
        user_id=user or chat,
        chat_id=chat,
        update_key=key or f"u{next(_keys)}",
        text=text,
        display_name="Lan",
        action=action,
        reply_to=reply_to,
        content=content,  # type: ignore[arg-type]
    )
