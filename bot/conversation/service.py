"""The one conversation service every channel calls.

Takes an inbound message, persists it, decides (answer, decline and offer an officer,
hand off, relay to an open ticket, or a command), persists what it will say and
returns the messages to send. Adapters only parse, call and send.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from bot.answering import replies
from bot.answering.cache import AnswerCache
from bot.answering.contract import Answer
from bot.conversation import shortcuts, texts
from bot.conversation.flood import FloodLimiter
from bot.conversation.messages import Inbound, OperatorReply, Outbound
from bot.conversation.office_hours import OfficeHours
from bot.retrieval.index import SearchIndex
from bot.store.records import MessageRecord, PersonRecord, TicketRecord
from bot.store.repository import Store
from bot.vietnamese.text import folded_tokens

if TYPE_CHECKING:
    from bot.broadcast.desk import OfficerDesk

logger = logging.getLogger(__name__)

PASSAGE_PAGE_CHARS = 3500  # one Telegram message with room for the header
HISTORY_IN_TICKET = 6
MAX_TYPED_PAGES = 5  # "xem nguyên văn" typed on a text-only platform sends the pages at once
# What goes into a ticket's summary: questions and answers, not button acknowledgements.
CONVERSATION_KINDS = {"question", "answer", "not_found", "operator", "handoff_request"}
_ACCEPT_OFFER = re.compile(
    r"^(co|co a|vang|vang a|dong y|ok|oke|okay|uh|u|yes|y|gap|gap can bo|co gap|co cho toi gap|muon gap)( a| nhe| nha| a nhe)?$"
)
_CLOSE_COMMAND = re.compile(r"^/(dong|close)(@\w+)?$", re.IGNORECASE)
_COMMAND = re.compile(r"^/(\w+)(@\w+)?(\s|$)")
# A number typed to choose one of the suggested sections ("2", "số 2", "chọn 2", "muc 2").
_CHOICE = re.compile(
    r"^(?:so|chon|muc|cau|y|lua chon|choice|option|number)?\s*([0-9]{1,2})\s*(?:a|nhe|nha)?$"
)


class Answerer(Protocol):
    """What the service needs from the engine (in this process or in its own)."""

    index: SearchIndex

    async def ask(self, text: str, scope: tuple[str, str] | None = None) -> Answer:
        """``scope``: (doc, section) a citizen chose from a suggestion."""
        ...

    def passage(self, doc_id: str, section_id: str) -> str: ...


@dataclass(frozen=True)
class OperatorDesk:
    """Where tickets are posted: the operators' group on one platform."""

    platform: str
    chat_id: str


class ConversationService:
    def __init__(
        self,
        store: Store,
        engine: Answerer,
        desk: OperatorDesk | None,
        flood: FloodLimiter,
        office_hours: OfficeHours | None = None,
        answer_cache_size: int = 2048,
        officers: OfficerDesk | None = None,
    ) -> None:
        self.store = store
        self.officers = officers  # officers' broadcast commands, before anything else
        self.answers = AnswerCache(answer_cache_size)
        self.engine = engine
        self.desk = desk
        self.flood = flood
        self.office_hours = office_hours
        self._names = [d.document.meta.citation_name for d in engine.index.documents.values()]

    # ---- citizens -------------------------------------------------------------------
    async def handle(self, inbound: Inbound) -> list[Outbound]:
        if self.officers is not None and await self.officers.wants(inbound):
            if not await self.store.claim_update(inbound.platform, inbound.update_key):
                return []
            return await self.officers.handle(inbound)
        text = (inbound.text or "").strip()
        kind = "question" if inbound.content == "text" else "unsupported"
        arrival = await self.store.record_arrival(
            inbound.platform,
            inbound.update_key,
            inbound.user_id,
            inbound.chat_id,
            inbound.display_name,
            inbound.language,
            text=None if inbound.action else (text or f"[{inbound.content}]"),
            kind=kind,
            platform_message_id=inbound.message_id or None,
        )
        if arrival is None:
            logger.info("duplicate update %s/%s ignored", inbound.platform, inbound.update_key)
            return []
        person = arrival.person
        if person.blocked:  # they wrote again, so they unblocked the bot
            await self.store.set_blocked(person.id, False)
        if inbound.action:
            return await self._on_action(person, inbound.action)

        if not self.flood.allow(f"{person.platform}:{person.user_id}"):
            warn = self.flood.should_warn(f"{person.platform}:{person.user_id}")
            return [await self._say(person, texts.FLOODED, "notice")] if warn else []
        if inbound.content != "text":
            return [await self._say(person, texts.UNSUPPORTED, "notice")]

        command = _command(text)
        if command in {"start", "batdau"}:
            return [await self._say(person, replies.greeting(self._names), "greeting", start=True)]
        if command in {"help", "huongdan", "trogiup"}:
            return [await self._say(person, replies.help_text(self._names), "help")]
        typed = shortcuts.action_for(text, command)
        ticket = arrival.ticket
        if typed is not None and (ticket is None or typed in {"handoff", "sub", "unsub"}):
            return await self._on_action(person, typed, typed=True)
        if ticket is not None:
            return await self._relay(person, ticket, text)
        choice = _CHOICE.match(" ".join(folded_tokens(text)))
        if choice:
            return await self._choose_typed(person, int(choice.group(1)))
        if await self._accepts_offer(person, text):
            return await self._open_ticket(
                person, "văn bản chưa có câu trả lời, người dân đồng ý gặp cán bộ"
            )
        return await self._answer(person, text)

    async def _answer(
        self, person: PersonRecord, text: str, scope: tuple[str, str] | None = None
    ) -> list[Outbound]:
        key = text if scope is None else f"{scope[0]}\x1f{scope[1]}\x1f{text}"
        answer = self.answers.get(key)
        if answer is None:
            answer = await (
                self.engine.ask(text) if scope is None else self.engine.ask(text, scope)
            )
            self.answers.put(key, answer)
        message = await self.store.add_message(
            person.id, "out", answer.answer, answer.kind, answer=answer, question=text
        )
        out = [
            Outbound(
                person.platform,
                person.chat_id,
                answer.answer,
                texts.buttons_for(message),
                person_id=person.id,
                record_id=message.id,
            )
        ]
        if answer.handoff:
            out = await self._open_ticket(
                person, f"yêu cầu người thật / khiếu nại / kiến nghị: “{texts.clip(text, 120)}”"
            )
        return out

    async def _accepts_offer(self, person: PersonRecord, text: str) -> bool:
        """ "có" right after "không tìm thấy … Bạn có muốn gặp cán bộ?" accepts the offer."""
        if not _ACCEPT_OFFER.match(" ".join(folded_tokens(text))):
            return False
        last = await self.store.last_answer(person.id)
        return last is not None and last.kind == "not_found"

    async def _on_action(
        self, person: PersonRecord, action: str, *, typed: bool = False
    ) -> list[Outbound]:
        """A pressed button, or the words typed instead of one (``typed``)."""
        if action == "handoff":
            how = "gõ “gặp cán bộ”" if typed else "bấm “Gặp cán bộ”"
            return await self._open_ticket(person, f"người dân {how}")
        if action in {"sub", "follow"}:
            await self.store.set_subscribed(person.id, True)
            if action == "follow":  # a new follower: greet, and say they will get updates
                text = replies.greeting(self._names) + "\n" + texts.SUBSCRIBED
                return [await self._say(person, text, "greeting", start=True)]
            return [
                await self._say(
                    person,
                    texts.SUBSCRIBED + "\n" + texts.PICK_TOPICS,
                    "notice",
                    buttons=texts.topic_buttons(person.topics),
                )
            ]
        if action.startswith("topic:"):
            return await self._toggle_topic(person, action[6:])
        if action.startswith("area:"):
            return await self._set_area(person, action[5:])
        if action in {"unsub", "unfollow"}:
            await self.store.set_subscribed(person.id, False)
            if action == "unfollow":  # they left: the platform would refuse a reply
                return []
            return [await self._say(person, texts.UNSUBSCRIBED, "notice")]
        if action.startswith("ex:"):
            index = int(action[3:]) if action[3:].isdigit() else 0
            question = replies.EXAMPLES_VI[min(index, len(replies.EXAMPLES_VI) - 1)]
            await self.store.add_message(person.id, "in", question, "question")
            return await self._answer(person, question)
        if action.startswith("fb:"):
            return await self._feedback(person, action)
        if action.startswith("sg:"):
            return await self._choose(person, action)
        if action == "full" or action.startswith("full:"):
            return await self._full_passage(person, action)
        logger.warning("unknown action %r", action)
        return []

    # ---- suggestions ("Có phải bạn muốn hỏi về…") ------------------------------------
    async def _choose(self, person: PersonRecord, action: str) -> list[Outbound]:
        """A pressed suggestion button: ``sg:<message id>:<n>``, n counted from 1."""
        parts = action.split(":")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            return [await self._say(person, replies.suggestion_gone(), "notice")]
        message = await self.store.get_message(int(parts[1]))
        if message is None or message.person_id != person.id:
            return [await self._say(person, replies.suggestion_gone(), "notice")]
        return await self._answer_choice(person, message, int(parts[2]))

    async def _choose_typed(self, person: PersonRecord, number: int) -> list[Outbound]:
        """A number typed right after a suggestion (Zalo has no buttons)."""
        last = await self.store.last_answer(person.id)
        if last is None or last.kind != "suggest":
            return [await self._say(person, texts.NO_CHOICE_PENDING, "notice")]
        return await self._answer_choice(person, last, number)

    async def _answer_choice(
        self, person: PersonRecord, message: MessageRecord, number: int
    ) -> list[Outbound]:
        """The cited answer for the chosen section and the question it was suggested for.

        Choosing again, or choosing another, answers again: the suggestion stays valid.
        """
        if not message.suggestions or not message.suggested_for:
            return [await self._say(person, replies.suggestion_gone(), "notice")]
        if not 1 <= number <= len(message.suggestions):
            return [
                await self._say(person, texts.no_such_choice(len(message.suggestions)), "notice")
            ]
        chosen = message.suggestions[number - 1]
        await self.store.add_message(
            person.id, "in", f"[{number}. {chosen.label}] {message.suggested_for}", "question"
        )
        return await self._answer(person, message.suggested_for, (chosen.doc, chosen.section))

    async def _toggle_topic(self, person: PersonRecord, raw: str) -> list[Outbound]:
        if not raw.isdigit() or int(raw) >= len(texts.TOPICS):
            return []
        topic = texts.TOPICS[int(raw)]
        chosen = list(person.topics or ())
        chosen = [t for t in chosen if t != topic] if topic in chosen else [*chosen, topic]
        await self.store.set_preferences(person.id, chosen or None, person.area)
        if not person.subscribed:
            await self.store.set_subscribed(person.id, True)
        return [
            await self._say(
                person, texts.topics_chosen(chosen), "notice", buttons=texts.topic_buttons(chosen)
            )
        ]

    async def _set_area(self, person: PersonRecord, name: str) -> list[Outbound]:
        area = " ".join(folded_tokens(name))
        if not area:
            return [await self._say(person, texts.AREA_HOW, "notice")]
        await self.store.set_preferences(person.id, list(person.topics or ()) or None, area)
        if not person.subscribed:
            await self.store.set_subscribed(person.id, True)
        return [await self._say(person, texts.area_chosen(name.strip()), "notice")]

    async def _feedback(self, person: PersonRecord, action: str) -> list[Outbound]:
        _, vote, message_id = [*action.split(":"), "", ""][:3]
        if not message_id:  # typed 👍/👎: about the latest answer
            last = await self.store.last_answer(person.id)
            if last is None:
                return [await self._say(person, texts.NOTHING_TO_RATE, "notice")]
            message_id = str(last.id)
        if not message_id.isdigit():
            return []
        value = 1 if vote == "up" else -1
        await self.store.add_feedback(int(message_id), person.id, value)
        if value < 0 and (await self.store.recent_feedback(person.id, 2)) == [-1, -1]:
            return await self._open_ticket(
                person, "người dân không hài lòng với hai câu trả lời liên tiếp"
            )
        return [
            await self._say(
                person, texts.FEEDBACK_THANKS if value > 0 else texts.FEEDBACK_SORRY, "notice"
            )
        ]

    async def _full_passage(self, person: PersonRecord, action: str) -> list[Outbound]:
        if action == "full":  # typed “xem nguyên văn”: every page of the latest answer's passage
            last = await self.store.last_answer(person.id)
            if last is None or not last.citations:
                return [await self._say(person, texts.NO_SUCH_PASSAGE, "notice")]
            return await self._all_pages(person, last.id)
        parts = action.split(":")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            return []
        message = await self.store.get_message(int(parts[1]))
        if message is None or not message.citations:
            return [await self._say(person, texts.NO_SUCH_PASSAGE, "notice")]
        citation = message.citations[0]
        passage = self.engine.passage(citation.doc, citation.section)
        pages = [
            passage[i : i + PASSAGE_PAGE_CHARS] for i in range(0, len(passage), PASSAGE_PAGE_CHARS)
        ] or [""]
        page = min(int(parts[2]), len(pages) - 1)
        header = f"📄 {citation.label} (nguyên văn, trang {page + 1}/{len(pages)}):\n"
        buttons = (
            (texts.Button("Trang sau ▶", f"full:{message.id}:{page + 1}"),)
            if page + 1 < len(pages)
            else ()
        )
        return [await self._say(person, header + pages[page], "passage", buttons=buttons)]

    async def _all_pages(self, person: PersonRecord, message_id: int) -> list[Outbound]:
        out: list[Outbound] = []
        for page in range(MAX_TYPED_PAGES):
            said = await self._full_passage(person, f"full:{message_id}:{page}")
            out.extend(replace(o, buttons=()) for o in said)
            if not said or not said[-1].buttons:  # no "next page" button: that was the last
                break
        return out

    # ---- tickets --------------------------------------------------------------------
    async def _open_ticket(self, person: PersonRecord, reason: str) -> list[Outbound]:
        existing = await self.store.active_ticket(person.id)
        if existing is not None:
            return [await self._say(person, texts.TICKET_ALREADY_OPEN, "notice")]
        last = await self.store.last_answer(person.id)
        ticket = await self.store.open_ticket(person.id, reason, last.id if last else None)
        now = datetime.now(UTC)
        after_hours = None
        if self.office_hours is not None and not self.office_hours.is_open(now):
            after_hours = self.office_hours.describe_next(now)
        out = [
            await self._say(
                person, texts.handoff_notice(ticket.id, after_hours), "handoff", ticket_id=ticket.id
            )
        ]
        if self.desk is None:
            logger.warning("ticket #%s opened but no operators' chat is configured", ticket.id)
            return out
        history = [
            (m.direction, m.text)
            for m in await self.store.recent_messages(person.id, HISTORY_IN_TICKET)
        ]
        post = texts.ticket_post(ticket.id, person.platform, person.display_name, reason, history)
        out.append(Outbound(self.desk.platform, self.desk.chat_id, post, ticket_id=ticket.id))
        return out

    async def _relay(self, person: PersonRecord, ticket: TicketRecord, text: str) -> list[Outbound]:
        if self.desk is None:
            return [await self._say(person, texts.TICKET_ALREADY_OPEN, "notice")]
        post = texts.relay_post(ticket.id, person.platform, person.display_name, text)
        return [Outbound(self.desk.platform, self.desk.chat_id, post, ticket_id=ticket.id)]

    # ---- operators ------------------------------------------------------------------
    async def handle_operator(self, reply: OperatorReply) -> list[Outbound]:
        """An officer replied in the group to one of the bot's posts about a ticket."""
        ticket = await self.store.ticket_for_post(reply.chat_id, reply.reply_to_message_id)
        if ticket is None:
            return []
        note = Outbound(reply.platform, reply.chat_id, "", ticket_id=None)
        if ticket.state == "closed":
            return [_replace_text(note, texts.ticket_already_closed(ticket.id))]
        person = await self.store.get_person(ticket.person_id)
        officer = f"{reply.officer_name} ({reply.platform}:{reply.officer_id})"
        if _CLOSE_COMMAND.match(reply.text.strip()):
            await self.store.close_ticket(ticket.id, officer)
            citizen = await self._say(
                person, texts.TICKET_CLOSED_FOR_CITIZEN, "notice", ticket_id=ticket.id
            )
            return [citizen, _replace_text(note, texts.ticket_closed_note(ticket.id))]
        if ticket.state == "open":
            await self.store.assign_ticket(ticket.id, officer)
        await self.store.mark_answered(ticket.id, officer)
        return [
            await self._say(
                person, texts.operator_reply(reply.text), "operator", ticket_id=ticket.id
            )
        ]

    async def delivered(self, outbound: Outbound, platform_message_id: str) -> None:
        """The adapter sent ``outbound``; a post about a ticket is remembered for replies."""
        # Confirmations are kept where an officer may ask "did they get it?" (tickets);
        # for ordinary answers one write less per message matters more. Failures are
        # always recorded (undeliverable).
        if outbound.record_id is not None and outbound.ticket_id is not None:
            await self.store.mark_delivery(outbound.record_id, "sent", platform_message_id)
        if outbound.broadcast_id is not None:
            await self.store.set_broadcast_status(
                outbound.broadcast_id, outbound.platform, outbound.chat_id, platform_message_id
            )
        if outbound.ticket_id is not None and self._is_desk(outbound):
            await self.store.link_ticket_post(
                outbound.ticket_id, outbound.chat_id, platform_message_id
            )

    async def undeliverable(self, outbound: Outbound, reason: str, blocked: bool) -> list[Outbound]:
        """A send failed for good: a citizen who blocked the bot is marked, officers are told."""
        if blocked and outbound.person_id is not None:
            await self.store.set_blocked(outbound.person_id, True)
        if outbound.record_id is not None:
            await self.store.mark_delivery(
                outbound.record_id, "blocked" if blocked else "failed", error=reason
            )
        if outbound.ticket_id is not None and self.desk is not None and not self._is_desk(outbound):
            return [
                Outbound(
                    self.desk.platform,
                    self.desk.chat_id,
                    texts.delivery_failed(outbound.ticket_id, reason),
                )
            ]
        return []

    # ---- helpers --------------------------------------------------------------------
    def _is_desk(self, outbound: Outbound) -> bool:
        return self.desk is not None and (outbound.platform, outbound.chat_id) == (
            self.desk.platform,
            self.desk.chat_id,
        )

    async def _say(
        self,
        person: PersonRecord,
        text: str,
        kind: str,
        *,
        buttons: tuple[texts.Button, ...] = (),
        ticket_id: int | None = None,
        start: bool = False,
    ) -> Outbound:
        record = await self.store.add_message(person.id, "out", text, kind, ticket_id=ticket_id)
        if start:
            buttons = texts.start_buttons(replies.EXAMPLES_VI)
        return Outbound(
            person.platform,
            person.chat_id,
            text,
            buttons,
            ticket_id=ticket_id,
            person_id=person.id,
            record_id=record.id,
        )


def _command(text: str) -> str | None:
    match = _COMMAND.match(text)
    return match.group(1).lower() if match else None


def _replace_text(outbound: Outbound, text: str) -> Outbound:
    return Outbound(outbound.platform, outbound.chat_id, text)
