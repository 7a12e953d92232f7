"""The ports: what the core needs from the rooms around it, as Protocols.

Channels implement ``Sender`` (and ``BroadcastSender``); ``bot/store`` implements the
store ports; ``bot/answering`` implements ``Answerer``; ``bot/conversation`` and
``bot/broadcast`` implement the two dialogues the dispatcher routes to; tests, fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from bot.core.insights import Insights  # noqa: F401  (the console's Số liệu; with its types)
from bot.core.messages import Inbound, Outbound, SendResult
from bot.core.officer_answers import OfficerAnswerServing, OfficerAnswerStore  # noqa: F401

if TYPE_CHECKING:
    from bot.core.answer import Answer
    from bot.core.records import (
        Arrival,
        BroadcastRecord,
        Erased,
        Expired,
        FeedbackRecord,
        MessageRecord,
        PersonRecord,
        TicketRecord,
        UpdateRecord,
    )


class Answerer(Protocol):
    """The answer engine (in this process or in its own)."""

    async def ask(self, text: str, scope: tuple[str, str] | None = None) -> Answer:
        """``scope``: (doc, section) a citizen chose from a suggestion."""
        ...

    def document_names(self) -> list[str]:
        """How the documents are cited ("Kế hoạch 57-KH/TU")."""
        ...

    def passage(self, doc_id: str, section_id: str) -> str:
        """The whole text of a section; LookupError when there is no such section."""
        ...


class Embeddings(Protocol):
    """The engine's e5 model: unit query vectors (an array, one row per text, in order)."""

    async def embed(self, texts: Sequence[str]) -> Any: ...


class Sender(Protocol):
    """A channel: sends one message and says what became of it."""

    platform: str

    async def send(self, outbound: Outbound) -> SendResult: ...


@runtime_checkable
class NameSource(Protocol):
    """A channel whose updates carry no name but which can look one up (Zalo OA)."""

    platform: str

    async def display_name(self, user_id: str) -> str:
        """The person's name on the platform; "" when it cannot be had."""
        ...


@runtime_checkable
class StatusEditor(Protocol):
    """A channel that can edit a message it sent (an officer's broadcast status)."""

    platform: str

    async def edit_text(
        self, chat_id: str, message_id: str, text: str, buttons: tuple = ()
    ) -> float | None:
        """None when done (or nothing left to do); else seconds to wait before again."""
        ...


class BroadcastSender(Protocol):
    """A channel that can deliver a broadcast to one chat (no waiting, no retrying)."""

    platform: str

    async def deliver_broadcast(self, chat_id: str, broadcast: BroadcastRecord) -> SendResult: ...


class PhotoKeeper(Protocol):
    """Fetches a photo an officer attached to a draft broadcast and keeps its bytes."""

    async def keep(self, file_id: str) -> str | None:
        """None when kept (or kept already); else why not, in Vietnamese."""
        ...


class Dialogue(Protocol):
    """Who answers an update once the dispatcher has routed it."""

    async def respond(self, inbound: Inbound, arrival: Arrival) -> list[Outbound]: ...


class Citizens(Dialogue, Protocol):
    """The citizens' conversation, which also hears how its messages fared."""

    def is_operator_reply(self, inbound: Inbound) -> bool: ...

    async def operator_reply(self, inbound: Inbound) -> list[Outbound]: ...

    async def ticket_reply(
        self, ticket_id: int, officer: str, unit: str | None, text: str
    ) -> list[Outbound]:
        """An officer's reply from outside a chat (the web console); [] for a closed ticket."""
        ...

    async def ticket_close(self, ticket_id: int, officer: str) -> list[Outbound]: ...

    def officers_note(self, text: str) -> list[Outbound]:
        """``text`` addressed to the officers' chat (nothing when there is none)."""
        ...

    async def delivered(self, outbound: Outbound, platform_message_id: str) -> None: ...

    async def undeliverable(
        self, outbound: Outbound, reason: str, blocked: bool
    ) -> list[Outbound]: ...


class Officers(Protocol):
    """The officers' broadcast dialogue."""

    async def wants(self, inbound: Inbound) -> bool: ...

    async def handle(self, inbound: Inbound) -> list[Outbound]: ...


class UpdateLog(Protocol):
    """Where each update's progress is kept: received → answered → delivered."""

    def unit(self) -> AbstractAsyncContextManager[None]:
        """One transaction for everything written inside (all or nothing on a crash)."""
        ...

    async def record_arrival(
        self,
        platform: str,
        update_key: str,
        owner: str,
        inbound: dict[str, Any],
        user_id: str,
        chat_id: str,
        display_name: str = "",
        language: str | None = None,
        *,
        text: str | None = None,
        kind: str = "question",
        platform_message_id: str | None = None,
    ) -> Arrival: ...

    async def receive_update(
        self, platform: str, update_key: str, owner: str, inbound: dict[str, Any] | None = None
    ) -> tuple[UpdateRecord, bool]: ...

    async def resume_arrival(self, claim: UpdateRecord) -> Arrival: ...

    async def get_update(self, update_id: int) -> UpdateRecord | None: ...

    async def take_over_update(
        self, update_id: int, previous: str | None, owner: str
    ) -> UpdateRecord | None:
        """The row, now ours, if ``previous`` still held it (with what it noted as sent)."""
        ...

    async def answer_update(
        self, update_id: int, outbox: list[dict[str, Any]], sent: int = 0
    ) -> None: ...

    async def mark_update_sent(self, update_id: int, sent: int, total: int) -> None: ...

    async def unfinished_updates(self, after: int = 0) -> Sequence[UpdateRecord]: ...

    async def process_alive(self, owner: str | None) -> bool: ...

    async def find_person(self, platform: str, user_id: str) -> PersonRecord | None: ...


class KeyValues(Protocol):
    """Small named values shared by every process (secrets, markers)."""

    async def kv_get(self, key: str) -> str | None: ...

    async def kv_set(self, key: str, value: str) -> None: ...

    async def kv_compare_and_set(self, key: str, expected: str | None, new: str) -> bool:
        """Atomic across processes; True when this call made the change."""
        ...


class ConversationStore(Protocol):
    """People, what they and the bot said, and their votes."""

    async def get_person(self, person_id: int) -> PersonRecord | None: ...

    async def find_person(self, platform: str, user_id: str) -> PersonRecord | None: ...

    async def set_blocked(self, person_id: int, blocked: bool) -> PersonRecord: ...

    async def set_subscribed(self, person_id: int, subscribed: bool) -> PersonRecord: ...

    async def set_preferences(
        self, person_id: int, topics: list[str] | None, area: str | None
    ) -> None: ...

    async def add_message(
        self,
        person_id: int,
        direction: Literal["in", "out"],
        text: str,
        kind: str,
        platform_message_id: str | None = None,
        answer: Answer | None = None,
        ticket_id: int | None = None,
        broadcast_id: int | None = None,
        question: str | None = None,
    ) -> MessageRecord: ...

    async def mark_delivery(
        self,
        message_id: int,
        delivery: str,
        platform_message_id: str | None = None,
        error: str | None = None,
    ) -> None: ...

    async def get_message(self, message_id: int) -> MessageRecord | None: ...

    async def recent_messages(self, person_id: int, limit: int = 20) -> list[MessageRecord]: ...

    async def last_answer(self, person_id: int) -> MessageRecord | None: ...

    async def add_feedback(self, message_id: int, person_id: int, value: int) -> FeedbackRecord: ...

    async def recent_feedback(self, person_id: int, limit: int = 10) -> list[int]: ...


class TicketStore(ConversationStore, Protocol):
    """Tickets, their posts in the officers' chat, and officers' status messages."""

    async def open_ticket(
        self, person_id: int, reason: str, last_answer_id: int | None = None
    ) -> TicketRecord: ...

    async def active_ticket(self, person_id: int) -> TicketRecord | None: ...

    async def link_ticket_post(self, ticket_id: int, chat_id: str, message_id: str) -> None: ...

    async def ticket_for_post(self, chat_id: str, message_id: str) -> TicketRecord | None: ...

    async def assign_ticket(self, ticket_id: int, officer: str) -> TicketRecord: ...

    async def mark_answered(self, ticket_id: int, officer: str) -> TicketRecord: ...

    async def close_ticket(self, ticket_id: int, officer: str) -> TicketRecord: ...

    async def set_broadcast_status(
        self, broadcast_id: int, platform: str, chat_id: str, message_id: str
    ) -> None: ...

    async def inbox_tickets(
        self, include_closed: bool = False, limit: int = 200
    ) -> list[tuple[TicketRecord, PersonRecord]]:
        """The officers' inbox with each ticket's citizen: tickets not closed, the longest
        waiting first; with ``include_closed`` the latest of any state, newest first."""
        ...


class PersonalData(Protocol):
    """Deleting personal data: on a citizen's request, and after the retention period."""

    async def erase_person(self, person_id: int) -> Erased:
        """In one transaction: the person's messages (and their feedback), subscription,
        tickets' text (open ones closed), kept update texts; the person row deleted when
        nothing refers to it any more, else anonymised. Audited with the counts."""
        ...

    async def erase_messages_before(self, cutoff: datetime, batch: int = 5000) -> Expired:
        """Everyone's messages older than ``cutoff`` (and what hangs off them), and the
        text of tickets closed before it; ``batch`` rows per transaction."""
        ...


class CitizenStore(TicketStore, PersonalData, Protocol):
    """What the citizens' conversation needs of the store."""
