"""The in-memory store's deletion of personal data (as the SQL store's ``erasure``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.records import (
    ACTIVE_TICKET_STATES,
    CLOSED_BY_ERASURE,
    Erased,
    Expired,
    TicketRecord,
)
from bot.store.memory_base import MemoryBase, utc_now


class MemoryErasure(MemoryBase):
    async def erase_person(self, person_id: int) -> Erased:
        person = self.people.get(person_id)
        if person is None:
            return Erased()
        # No await below: nothing else runs in between, all of it or (on an error) none.
        mine = {m.id for m in self.messages.values() if m.person_id == person_id}
        feedback = self._erase_messages(mine, person_id)
        closed, cleared = self._erase_tickets(person_id)
        handled = [
            row
            for row in self.updates.values()
            if row.person_id == person_id
            and row.state == "delivered"
            and (row.inbound is not None or row.outbox)
        ]
        for row in handled:  # their kept text and replies go; the dedup key stays
            self._set(self.updates, row.id, replace(row, inbound=None, outbox=()))
        skipped = 0
        for key, state in list(self.deliveries.items()):
            if key[1] == person_id and state == "queued":
                self._set(self.deliveries, key, "skipped")
                skipped += 1
        referenced = (
            any(t.person_id == person_id for t in self.tickets.values())
            or any(p == person_id for _, p in self.deliveries)
            or any(
                u.person_id == person_id and u.state != "delivered" for u in self.updates.values()
            )
        )
        if referenced:
            anonymous = replace(
                person,
                display_name="",
                language=None,
                subscribed=False,
                subscribed_at=None,
                topics=None,
                area=None,
                updated_at=utc_now(),
            )
            self._set(self.people, person_id, anonymous)
        else:
            self._delete(self.people, person_id)
        erased = Erased(
            messages=len(mine),
            feedback=feedback,
            tickets_closed=len(closed),
            tickets_cleared=cleared,
            updates_cleared=len(handled),
            deliveries_skipped=skipped,
            unsubscribed=person.subscribed,
            person_deleted=not referenced,
            closed_ticket_ids=tuple(closed),
        )
        await self.audit(f"{person.platform}:{person.user_id}", "erase_person", erased.counts())
        return erased

    async def erase_messages_before(self, cutoff: datetime, batch: int = 5000) -> Expired:
        batch = max(batch, 1)
        old = sorted(i for i, m in self.messages.items() if m.created_at < cutoff)
        feedback = 0
        for start in range(0, len(old), batch):
            feedback += self._erase_messages(set(old[start : start + batch]))
        told = [
            t
            for t in self.tickets.values()
            if t.closed_at is not None and t.closed_at < cutoff and t.reason
        ]
        for ticket in told:
            self._set(self.tickets, ticket.id, replace(ticket, reason=""))
        batches = -(-len(old) // batch) - (-len(told) // batch)  # as the SQL store's
        return Expired(len(old), feedback, len(told), batches)

    def _erase_messages(self, ids: set[int], person_id: int | None = None) -> int:
        """Delete the messages ``ids``, the votes on them (and ``person_id``'s other
        votes), and tickets' pointers to them; the number of votes deleted."""
        votes = [
            key
            for key, vote in self.feedback.items()
            if vote.message_id in ids or vote.person_id == person_id
        ]
        for key in votes:
            self._delete(self.feedback, key)
        for ticket in list(self.tickets.values()):
            if ticket.last_answer_id in ids:
                self._set(self.tickets, ticket.id, replace(ticket, last_answer_id=None))
        for message_id in ids:
            self._delete(self.messages, message_id)
        return len(votes)

    def _erase_tickets(self, person_id: int) -> tuple[list[int], int]:
        """Close the person's active tickets and wipe every one's reason: (closed, wiped)."""
        closed, cleared = [], 0
        mine = sorted((t for t in self.tickets.values() if t.person_id == person_id), key=_id)
        for ticket in mine:
            changed = ticket
            if ticket.state in ACTIVE_TICKET_STATES:
                changed = replace(
                    changed, state="closed", closed_at=utc_now(), closed_by=CLOSED_BY_ERASURE
                )
                closed.append(ticket.id)
            if ticket.reason:
                changed = replace(changed, reason="")
                cleared += 1
            if changed != ticket:
                self._set(self.tickets, ticket.id, changed)
        return closed, cleared


def _id(ticket: TicketRecord) -> int:
    return ticket.id
