"""The citizens' side of every conversation, whatever the channel.

The dispatcher (``bot.core.dispatcher``) has stored the update and the person; this
decides what to say: an answer from the documents (or "did you mean…" choices), a
decline with the offer of an officer, a handoff, a relay to an open ticket, or what a
button or a typed command asks for. What it says is stored before it is returned.
"""

from __future__ import annotations

import logging
import re

from bot.answering.cache import AnswerCache
from bot.conversation import shortcuts
from bot.conversation.erasure import Erasure
from bot.conversation.flood import FloodLimiter
from bot.conversation.handoff import Handoff
from bot.conversation.passages import Passages
from bot.conversation.preferences import Preferences
from bot.conversation.saying import say, start_buttons
from bot.core.commands import ERASE, action_of, as_number, command_in, erase_request
from bot.core.messages import Inbound, Outbound
from bot.core.ports import Answerer, CitizenStore
from bot.core.records import Arrival, MessageRecord, PersonRecord, TicketRecord
from bot.strings import answers as replies
from bot.strings import conversation as texts
from bot.vietnamese.text import folded_tokens

logger = logging.getLogger(__name__)

_ACCEPT_OFFER = re.compile(
    r"^(co|co a|vang|vang a|dong y|ok|oke|okay|uh|u|yes|y|gap|gap can bo|co gap|co cho toi gap|muon gap)( a| nhe| nha| a nhe)?$"
)
# A number typed to choose one of the suggested sections ("2", "số 2", "chọn 2", "muc 2").
_CHOICE = re.compile(
    r"^(?:so|chon|muc|cau|y|lua chon|choice|option|number)?\s*([0-9]{1,2})\s*(?:a|nhe|nha)?$"
)


class CitizenConversation:
    def __init__(
        self,
        store: CitizenStore,
        answerer: Answerer,
        handoff: Handoff,
        flood: FloodLimiter,
        answer_cache_size: int = 2048,
    ) -> None:
        self.store = store
        self.answerer = answerer
        self.handoff = handoff
        self.flood = flood
        self.answers = AnswerCache(answer_cache_size)
        names = answerer.document_names()
        self.names = names
        self.passages = Passages(store, answerer)
        self.preferences = Preferences(store, names)
        self.erasure = Erasure(store, handoff)

    # ---- the Citizens port ------------------------------------------------------------
    async def respond(self, inbound: Inbound, arrival: Arrival) -> list[Outbound]:
        person = arrival.person
        assert person is not None
        key = f"{person.platform}:{person.user_id}"
        if not self.flood.allow(key):  # buttons and commands count too
            warn = self.flood.should_warn(key)
            return [await say(self.store, person, texts.FLOODED, "notice")] if warn else []
        if inbound.action:
            return await self._on_action(person, inbound.action)
        if inbound.content != "text":
            return [await say(self.store, person, texts.UNSUPPORTED, "notice")]
        ticket, closed = await self.handoff.still_open(person, arrival.ticket)
        return closed + await self._on_text(person, (inbound.text or "").strip(), ticket)

    async def _on_text(
        self, person: PersonRecord, text: str, ticket: TicketRecord | None
    ) -> list[Outbound]:
        command = command_in(text)
        name = command.name if command else None
        if name in {"start", "batdau"}:
            greeting = replies.greeting(self.names)
            return [await say(self.store, person, greeting, "greeting", buttons=start_buttons())]
        if name in {"help", "huongdan", "trogiup"}:
            return [await say(self.store, person, replies.help_text(self.names), "help")]
        # Deleting one's data is heard even while a ticket is open (not relayed to officers).
        wants = erase_request(text)
        if wants is not None:
            return await self.erasure.ask(person, english=wants == "en")
        confirmed = await self.erasure.typed(person, text)
        if confirmed is not None:
            return confirmed
        typed = shortcuts.action_for(text, name)
        if typed is not None and (ticket is None or typed in {"handoff", "sub", "unsub", "leave"}):
            return await self._on_action(person, typed, typed=True)
        if ticket is not None:
            return await self.handoff.relay(person, ticket, text)
        choice = _CHOICE.match(" ".join(folded_tokens(text)))
        if choice:
            return await self._choose_typed(person, int(choice.group(1)))
        if await self._accepts_offer(person, text):
            return await self.handoff.open(person, texts.REASON_ACCEPTED_OFFER)
        return await self._answer(person, text)

    def is_operator_reply(self, inbound: Inbound) -> bool:
        return self.handoff.is_reply(inbound)

    async def operator_reply(self, inbound: Inbound) -> list[Outbound]:
        return await self.handoff.reply(inbound)

    async def ticket_reply(
        self, ticket_id: int, officer: str, unit: str | None, text: str
    ) -> list[Outbound]:
        ticket = await self._active(ticket_id)
        return [] if ticket is None else await self.handoff.carry(ticket, officer, unit, text)

    async def ticket_close(self, ticket_id: int, officer: str) -> list[Outbound]:
        ticket = await self._active(ticket_id)
        if ticket is None:
            return []
        note = self.handoff.to_officers(texts.ticket_closed_note(ticket.id))
        return [*await self.handoff.close_for_officer(ticket, officer), *note]

    async def _active(self, ticket_id: int) -> TicketRecord | None:
        ticket = await self.store.get_ticket(ticket_id)
        return ticket if ticket is not None and ticket.active else None

    def officers_note(self, text: str) -> list[Outbound]:
        return self.handoff.to_officers(text)

    async def delivered(self, outbound: Outbound, platform_message_id: str) -> None:
        await self.handoff.delivered(outbound, platform_message_id)

    async def undeliverable(self, outbound: Outbound, reason: str, blocked: bool) -> list[Outbound]:
        return await self.handoff.undeliverable(outbound, reason, blocked)

    # ---- answers ----------------------------------------------------------------------
    async def _answer(
        self,
        person: PersonRecord,
        text: str,
        scope: tuple[str, str] | None = None,
        *,
        asked: str | None = None,
    ) -> list[Outbound]:
        """The engine's answer to ``text``; ``asked``: what to keep as the citizen's words
        (a pressed button asks in their name). Stored after the answer is composed: the
        store's transaction should not wait for the engine."""
        key = text if scope is None else f"{scope[0]}\x1f{scope[1]}\x1f{text}"
        answer = self.answers.get(key)
        if answer is None:
            answer = await (
                self.answerer.ask(text) if scope is None else self.answerer.ask(text, scope)
            )
            self.answers.put(key, answer)
        if asked is not None:
            await self.store.add_message(person.id, "in", asked, "question")
        message = await self.store.add_message(
            person.id, "out", answer.answer, answer.kind, answer=answer, question=text
        )
        if answer.handoff:
            return await self.handoff.open(person, texts.reason_asked_for_person(text))
        buttons = texts.buttons_for(message)
        return [
            Outbound(
                person.platform,
                person.chat_id,
                answer.answer,
                buttons,
                person_id=person.id,
                record_id=message.id,
            )
        ]

    async def _accepts_offer(self, person: PersonRecord, text: str) -> bool:
        """ "có" right after "không tìm thấy … Bạn có muốn gặp cán bộ?" accepts the offer."""
        if not _ACCEPT_OFFER.match(" ".join(folded_tokens(text))):
            return False
        last = await self.store.last_answer(person.id)
        return last is not None and last.kind == "not_found"

    async def _on_action(
        self, person: PersonRecord, raw: str, *, typed: bool = False
    ) -> list[Outbound]:
        """A pressed button, or the words typed instead of one (``typed``)."""
        action = action_of(raw)
        if action.name == "handoff":
            return await self.handoff.open(person, texts.reason_button(typed))
        if action.name == "leave":
            return await self.handoff.leave(person)
        if action.name in {"sub", "follow"}:
            return await self.preferences.subscribe(person, new_follower=action.name == "follow")
        if action.name in {"unsub", "unfollow"}:
            return await self.preferences.unsubscribe(person, left=action.name == "unfollow")
        if action.name == "topic":
            return await self.preferences.toggle_topic(person, action.rest)
        if action.name == "area":
            return await self.preferences.set_area(person, action.rest)
        if action.name == "ex":
            index = min(action.number(0) or 0, len(replies.EXAMPLES_VI) - 1)
            question = replies.EXAMPLES_VI[index]
            return await self._answer(person, question, asked=question)
        if action.name == "fb":
            return await self._feedback(person, action.args)
        if action.name == ERASE:
            return await self.erasure.pressed(person, action.args)
        if action.name == "sg":
            return await self._choose(person, action.number(0), action.number(1))
        if action.name == "full":
            if not action.rest:
                return await self.passages.latest(person)
            message_id, page = action.number(0), action.number(1)
            if message_id is None or page is None:
                return []
            return await self.passages.page(person, message_id, page)
        logger.warning("unknown action %r", raw)
        return []

    # ---- suggestions ("Có phải bạn muốn hỏi về…") ------------------------------------
    async def _choose(
        self, person: PersonRecord, message_id: int | None, number: int | None
    ) -> list[Outbound]:
        """A pressed suggestion button: ``sg:<message id>:<n>``, n counted from 1."""
        message = None if message_id is None else await self.store.get_message(message_id)
        if number is None or message is None or message.person_id != person.id:
            return [await say(self.store, person, replies.suggestion_gone(), "notice")]
        return await self._answer_choice(person, message, number)

    async def _choose_typed(self, person: PersonRecord, number: int) -> list[Outbound]:
        """A number typed right after a suggestion (Zalo has no buttons)."""
        last = await self.store.last_answer(person.id)
        if last is None or last.kind != "suggest":
            return [await say(self.store, person, texts.NO_CHOICE_PENDING, "notice")]
        return await self._answer_choice(person, last, number)

    async def _answer_choice(
        self, person: PersonRecord, message: MessageRecord, number: int
    ) -> list[Outbound]:
        """The cited answer for the chosen section and the question it was suggested for.

        Choosing again, or choosing another, answers again: the suggestion stays valid.
        """
        if not message.suggestions or not message.suggested_for:
            return [await say(self.store, person, replies.suggestion_gone(), "notice")]
        if not 1 <= number <= len(message.suggestions):
            text = texts.no_such_choice(len(message.suggestions))
            return [await say(self.store, person, text, "notice")]
        chosen = message.suggestions[number - 1]
        asked = f"[{number}. {chosen.label}] {message.suggested_for}"
        scope = (chosen.doc, chosen.section)
        return await self._answer(person, message.suggested_for, scope, asked=asked)

    # ---- feedback -----------------------------------------------------------------------
    async def _feedback(self, person: PersonRecord, args: tuple[str, ...]) -> list[Outbound]:
        """👍/👎 on an answer: ``fb:up:<id>`` pressed, or typed (about the latest answer)."""
        vote, message_id = [*args, "", ""][:2]
        if not message_id:
            last = await self.store.last_answer(person.id)
            if last is None:
                return [await say(self.store, person, texts.NOTHING_TO_RATE, "notice")]
            message_id = str(last.id)
        number = as_number(message_id)
        rated = None if number is None else await self.store.get_message(number)
        if rated is None or rated.person_id != person.id or rated.direction != "out":
            return [await say(self.store, person, texts.NOTHING_TO_RATE, "notice")]
        value = 1 if vote == "up" else -1
        await self.store.add_feedback(rated.id, person.id, value)
        if value < 0 and (await self.store.recent_feedback(person.id, 2)) == [-1, -1]:
            return await self.handoff.open(person, texts.REASON_TWO_DOWNVOTES)
        text = texts.FEEDBACK_THANKS if value > 0 else texts.FEEDBACK_SORRY
        return [await say(self.store, person, text, "notice")]
