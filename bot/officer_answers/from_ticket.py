"""A draft's starting point from a ticket: what the citizen asked, what the officer said.

The citizen's questions are those of the ticket's conversation up to its opening (the
question the bot could not answer is the last of them); the answer is the officer's latest
reply in the ticket, without the label the citizen saw ("💬 Cán bộ … trả lời:").
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from bot.core.ports import ConversationStore
from bot.core.records import MessageRecord, TicketRecord, as_utc
from bot.strings import conversation as texts

LOOK_BACK = 40  # messages of the citizen's conversation read
QUESTIONS = 2  # the citizen's last questions before the ticket opened


@dataclass(frozen=True)
class TicketDraft:
    questions: tuple[str, ...]
    answer: str  # "" when no officer has replied yet


async def draft_from_ticket(store: ConversationStore, ticket: TicketRecord) -> TicketDraft:
    said = await store.recent_messages(ticket.person_id, LOOK_BACK)
    return draft_from_messages(ticket, said)


def draft_from_messages(ticket: TicketRecord, said: list[MessageRecord]) -> TicketDraft:
    opened = as_utc(ticket.opened_at)
    ordered = sorted(said, key=lambda m: m.id)
    replies_to = {a.id: b for a, b in pairwise(ordered)}  # what came right after
    typed = [m for m in ordered if m.direction == "in" and m.kind == "question" and m.text.strip()]
    # "cho tôi gặp cán bộ" asked for an officer, not about the documents (kept only when
    # the citizen asked nothing else: the officer then writes the question)
    asked = [m for m in typed if getattr(replies_to.get(m.id), "kind", "") != "handoff"] or typed
    before = [m.text for m in asked if as_utc(m.created_at) <= opened]
    after = [m.text for m in asked if m.ticket_id == ticket.id]
    questions = before[-QUESTIONS:] or after[:QUESTIONS]
    replies = sorted(
        (m for m in said if m.kind == "operator" and m.ticket_id == ticket.id), key=lambda m: m.id
    )
    answer = texts.operator_words(replies[-1].text) if replies else ""
    return TicketDraft(tuple(dict.fromkeys(questions)), answer)
