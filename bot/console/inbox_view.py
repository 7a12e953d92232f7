"""What the inbox shows: which tickets an officer may see, which are late, the rows of the
list and the lines of a conversation (HTML fragments the live script refreshes, and the
same facts as JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.console.pages import PATH, escape
from bot.console.signin import Session
from bot.conversation.office_hours import OfficeHours
from bot.core.records import MessageRecord, PersonRecord, TicketRecord, as_utc
from bot.strings import console as words
from bot.vietnamese.text import fold

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
WAITING = ("open", "assigned")  # an officer still owes the citizen a reply


def sees(session: Session, person: PersonRecord) -> bool:
    """Admins see every ticket; an officer those of citizens in their unit's ward."""
    if session.role == "admin":
        return True
    return bool(person.area) and person.area in fold(session.unit)


def matches(query: str, ticket: TicketRecord, person: PersonRecord) -> bool:
    """Every word of the search, tone marks ignored, is in the ticket's number, reason, the
    citizen's name, ward or channel."""
    words_wanted = fold(query).split()
    haystack = fold(
        f"#{ticket.id} {ticket.id} {ticket.reason} {person.display_name} {person.area or ''} "
        f"{person.platform} {words.PLATFORMS.get(person.platform, '')}"
    )
    return all(word.lstrip("#") in haystack for word in words_wanted)


@dataclass(frozen=True)
class Row:
    ticket: TicketRecord
    person: PersonRecord
    waited_minutes: int  # since it was opened, by the clock
    late: bool  # still owed a reply after the target, counted in office hours

    def as_json(self) -> dict:
        return {
            "id": self.ticket.id,
            "platform": self.person.platform,
            "name": self.person.display_name,
            "area": self.person.area,
            "state": self.ticket.state,
            "reason": self.ticket.reason,
            "opened_at": as_utc(self.ticket.opened_at).isoformat(),
            "waited_minutes": self.waited_minutes,
            "late": self.late,
            "assigned_by": self.ticket.assigned_by,
        }


class Lateness:
    """A ticket is late when it has waited longer than the target, in office hours."""

    def __init__(self, office_hours: OfficeHours | None, target_minutes: int) -> None:
        self.office_hours = office_hours
        self.target_minutes = target_minutes

    def row(self, ticket: TicketRecord, person: PersonRecord, now: datetime) -> Row:
        opened = as_utc(ticket.opened_at)
        waited = max(0, int((now - opened).total_seconds() // 60))
        if self.office_hours is None:
            counted = waited
        else:
            counted = self.office_hours.open_minutes(opened, now)
        late = ticket.state in WAITING and counted > self.target_minutes
        return Row(ticket, person, waited, late)


def rows_html(rows: list[Row], searched: bool) -> str:
    """The list's table (or the line saying it is empty): the live region's content."""
    if not rows:
        return f"<p>{escape(words.INBOX_NONE_FOUND if searched else words.INBOX_EMPTY)}</p>"
    body = []
    for row in rows:
        ticket, person = row.ticket, row.person
        wait = escape(words.waited(row.waited_minutes)) if ticket.active else "—"
        if row.late:
            wait += f' <strong class="badge">({escape(words.LATE)})</strong>'
        cells = (
            ("id", f'<a href="{PATH}yeu-cau/{ticket.id}">#{ticket.id}</a>'),
            ("channel", escape(words.PLATFORMS.get(person.platform, person.platform))),
            ("name", escape(person.display_name or "—")),
            ("wait", wait),
            ("state", escape(words.STATES[ticket.state])),
            ("reason", escape(ticket.reason[:160])),
        )
        late = ' class="late"' if row.late else ""
        tds = "".join(f'<td class="{name}">{html}</td>' for name, html in cells)
        body.append(f'<tr data-ticket="{ticket.id}"{late}>{tds}</tr>')
    head = "".join(f"<th>{escape(c)}</th>" for c in words.COLUMNS)
    return (
        f'<div class="table-wrap"><table class="inbox"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def conversation_html(said: list[MessageRecord], last_answer_id: int | None) -> str:
    """A ticket's conversation, oldest first, in Hà Nội time; the bot's last answer
    before the handoff is named, so the officer sees what the citizen was told."""
    lines = []
    for message in said:
        side = "in" if message.direction == "in" else message.kind
        who = words.WHO.get(side, words.WHO["out"])
        when = as_utc(message.created_at).astimezone(HANOI).strftime("%d/%m %H:%M")
        note = ""
        if message.id == last_answer_id:
            note = f' <span class="badge">{escape(words.LAST_ANSWER)}</span>'
        lines.append(
            f'<li data-message="{message.id}"><b>{escape(who)}</b> <small>{escape(when)}</small>'
            f'{note}<div class="msg-text">{escape(message.text)}</div></li>'
        )
    return f'<ol class="conversation">{"".join(lines)}</ol>'
