"""``/luu`` in the officers' group: an officer's reply to a ticket saved as a draft of an
officer answer ("giải đáp"), for an admin to approve in the console.

The officer replies ``/luu`` (or ``/luu <câu hỏi mẫu>``) to the ticket's post or to their
own relayed reply; the handoff finds the ticket and asks here (the command is never
relayed to the citizen). The draft takes the citizen's question(s) and the officer's
latest reply in the ticket, as the console's "Lưu thành giải đáp" does; the workflow
checks, saves and audits it.
"""

from __future__ import annotations

from bot.broadcast.desk_base import actor_of
from bot.broadcast.roster import RosterMixin
from bot.core.messages import Inbound
from bot.core.records import TicketRecord
from bot.officer_answers.from_ticket import draft_from_ticket
from bot.officer_answers.workflow import Actor, Invalid, NotAllowed, OfficerAnswers
from bot.strings import officer_answers as words


class KeepAnswerMixin(RosterMixin):  # who is an officer, and of which unit: the roster's
    officer_answers: OfficerAnswers | None  # set by the app
    console_url: str  # "https://…/console/" (set with the console), "" without one

    async def keep_answer(self, inbound: Inbound, ticket: TicketRecord, sample: str) -> str:
        """What to say in the group after ``/luu`` on ``ticket``."""
        actor = actor_of(inbound)
        unit = await self.unit_of(actor)
        if unit is None:
            await self.store.audit(actor, "refused", {"command": "luu", "ticket": ticket.id})
            return words.NOT_OFFICER
        if self.officer_answers is None:
            return words.UNAVAILABLE
        if not unit:
            return words.ADMIN_NO_UNIT
        draft = await draft_from_ticket(self.store, ticket)
        if not draft.answer:
            return words.no_reply_yet(ticket.id)
        questions = [sample] if sample.strip() else list(draft.questions)
        if not questions:
            return words.NO_QUESTION
        who = Actor(actor, actor in self.roster.admins, unit)
        try:
            text = self.officer_answers.text(questions, draft.answer)
            record = await self.officer_answers.draft(who, text, source=f"ticket:{ticket.id}")
        except (Invalid, NotAllowed) as exc:
            return words.not_saved(str(exc))
        link = f"{self.console_url}giai-dap/{record.id}" if self.console_url else ""
        return words.saved(record.id, link)
