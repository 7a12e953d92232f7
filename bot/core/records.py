"""What the store hands out: small frozen dataclasses, never ORM objects.

This module imports no SQLAlchemy, so the core can type against it freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from bot.core.answer import Citation, Suggestion

Direction = Literal["in", "out"]
TicketState = Literal["open", "assigned", "answered", "closed"]
PlatformId = str | int  # platform ids arrive as int (Telegram) or str (Zalo); stored as text

ACTIVE_TICKET_STATES: tuple[TicketState, ...] = ("open", "assigned", "answered")


def as_utc(moment: datetime) -> datetime:
    """A record's time, aware: a naive one (SQLite, the memory store) is read as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class PersonRecord:
    id: int
    platform: str  # "telegram" | "zalo" | "web"
    user_id: str  # the platform's user id
    chat_id: str  # where replies go
    display_name: str
    language: str | None
    subscribed: bool
    subscribed_at: datetime | None  # consent time of the current subscription
    blocked: bool
    blocked_at: datetime | None  # since when the person has blocked the bot
    created_at: datetime
    updated_at: datetime
    topics: tuple[str, ...] | None = None  # broadcast topics chosen (None: all)
    area: str | None = None  # xã/phường, folded ("ba dinh")


@dataclass(frozen=True)
class MessageRecord:
    id: int
    person_id: int
    direction: Direction
    text: str
    kind: str
    created_at: datetime
    platform_message_id: str | None = None
    ticket_id: int | None = None
    # Filled only for messages produced by the answer engine (see Store.add_message):
    citations: tuple[Citation, ...] = ()
    confidence: float | None = None
    grounded: bool | None = None
    handoff: bool = False
    index_version: str | None = None
    delivery: str | None = None  # outbound: "sent" | "failed" | "blocked"
    delivery_error: str | None = None
    broadcast_id: int | None = None  # a "broadcast" message: which one (its photo)
    suggestions: tuple[Suggestion, ...] = ()  # a "suggest" answer's sections, best first
    suggested_for: str | None = None  # … and the question they were suggested for

    @property
    def from_answer(self) -> bool:
        """True when the answer engine produced this message."""
        return self.grounded is not None


@dataclass(frozen=True)
class TicketRecord:
    id: int
    person_id: int
    state: TicketState
    reason: str
    last_answer_id: int | None
    opened_at: datetime
    assigned_at: datetime | None = None
    assigned_by: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def active(self) -> bool:
        return self.state != "closed"


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    message_id: int
    person_id: int
    value: int  # +1 or -1
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class BroadcastRecord:
    id: int
    officer: str
    unit: str
    text: str
    photo: str | None
    audience: dict
    state: str
    scheduled_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def has_photo(self) -> bool:
        """The officer attached a photo. Telegram sends it by ``photo`` (its file id); the
        other platforms need its bytes, which may be missing (``Store.broadcast_photo``)."""
        return bool(self.photo)


@dataclass(frozen=True)
class PhotoRecord:
    """The kept bytes of a broadcast photo (``data`` empty when only the facts were read)."""

    photo: str  # the key: broadcasts.photo, a Telegram file id
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    data: bytes = b""


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    broadcast_id: int
    person_id: int
    platform: str
    chat_id: str
    attempts: int


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one delivery attempt, to be written back in a batch."""

    delivery_id: int
    person_id: int
    state: str  # "sent" | "failed" | "blocked" | "skipped" | "queued" (try again later)
    attempts: int
    reason: str | None = None
    platform_message_id: str | None = None
    retry_at: datetime | None = None  # for "queued"


@dataclass(frozen=True)
class UpdateRecord:
    """A platform update and how far its handling got (see models.ProcessedUpdate)."""

    id: int
    platform: str
    update_key: str
    state: Literal["received", "answered", "delivered"]
    owner: str | None  # the process handling it
    inbound: dict[str, Any] | None  # the update as the dispatcher saw it
    person_id: int | None
    message_id: int | None
    outbox: tuple[dict[str, Any], ...]  # the replies, once answered
    sent: int  # how many of them were handed to their platform


@dataclass(frozen=True)
class Arrival:
    """An update as it arrived: its row, and for a citizen's update who sent it."""

    update: UpdateRecord
    fresh: bool  # False: the platform sent this update before (a retry, or after a crash)
    person: PersonRecord | None = None  # known for a fresh arrival, or a resumed one
    ticket: TicketRecord | None = None  # the person's active ticket, if any
    message_id: int | None = None  # the stored inbound message (None for a button press)


# ---- personal data (Nghị định 13/2023/NĐ-CP) -------------------------------------------
CLOSED_BY_ERASURE = "xóa dữ liệu"  # who closed a ticket whose citizen deleted their data
SKIPPED_ERASED = "người dân đã xóa dữ liệu"  # why a queued delivery was not sent


@dataclass(frozen=True)
class Erased:
    """What ``erase_person`` removed. Counts only (they go to the audit log), and the
    tickets it closed, so the officers' chat can be told."""

    messages: int = 0
    feedback: int = 0
    tickets_closed: int = 0
    tickets_cleared: int = 0  # tickets whose reason (the citizen's words) was wiped
    updates_cleared: int = 0  # handled updates whose kept text and replies were wiped
    deliveries_skipped: int = 0  # queued broadcast deliveries that will not be sent
    unsubscribed: bool = False
    person_deleted: bool = False  # else the row stays, anonymised (still referenced)
    closed_ticket_ids: tuple[int, ...] = ()

    def counts(self) -> dict[str, int]:
        """For the audit log: numbers only, never an id of a message or any text."""
        return {
            "messages": self.messages,
            "feedback": self.feedback,
            "tickets_closed": self.tickets_closed,
            "tickets_cleared": self.tickets_cleared,
            "updates_cleared": self.updates_cleared,
            "deliveries_skipped": self.deliveries_skipped,
            "unsubscribed": int(self.unsubscribed),
            "person_deleted": int(self.person_deleted),
        }


@dataclass(frozen=True)
class Expired:
    """What ``erase_messages_before`` removed (the retention period)."""

    messages: int = 0
    feedback: int = 0
    tickets_cleared: int = 0  # closed tickets whose reason text was wiped
    batches: int = 0  # transactions it took
