"""The console's officers' answers section ("Giải đáp", /console/giai-dap): the list by
state with a search, one answer with its versions, the form (new, prefilled from a
ticket or a group of unanswered questions, or an edit), and an admin's decisions.

Every change goes through the workflow (``bot.officer_answers.workflow``): the same
permissions, checks and audit entries as /luu in the officers' group and the import. An
officer sees and edits their unit's answers; another unit's answer is a 404, as in the
inbox. An admin approves exactly the version on the page: a page left open while someone
saved a newer one gets a polite 409, never the newer text approved unread.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot.console import officer_answers_view as views
from bot.console.clusters import sees_area
from bot.console.inbox_view import sees
from bot.console.officer_answers_files import Files, refusal
from bot.console.pages import posted, refuse_forgery, signed_page
from bot.console.signin import Session
from bot.core.commands import as_number
from bot.core.officer_answers import OfficerAnswerRecord
from bot.officer_answers.from_ticket import draft_from_ticket
from bot.officer_answers.sections import parse_sections
from bot.officer_answers.workflow import Actor, Invalid, NotAllowed, OfficerAnswers
from bot.store.officer_answers import OfficerAnswerConflict
from bot.strings import console_officer_answers as words
from bot.vietnamese.text import fold

HOME = views.HOME
ONE = HOME + "/{id:[0-9]{1,9}}"
LISTED = 2000  # answers read for the list (a search looks through them all)
FROM_CLUSTER = 3  # a group's representative question and two examples
SOURCE = re.compile(r"^(ticket:[0-9]{1,9}|cluster:[0-9]{1,10})$")
VERBS = {"duyet": "approve", "tu-choi": "reject", "rut": "withdraw"}

Require = Callable[[web.Request], Awaitable[Session]]


def actor_of(session: Session) -> Actor:
    return Actor(session.actor, session.role == "admin", session.unit)


def in_tab(record: OfficerAnswerRecord, tab: str) -> bool:
    """Chờ duyệt: drafts and edits of approved answers; the others: the state itself."""
    if tab == "cho-duyet":
        return record.pending
    return record.state == {"dang-dung": "approved", "da-tu-choi": "rejected"}.get(tab, "withdrawn")


def matches(query: str, record: OfficerAnswerRecord) -> bool:
    """Every word of the search, tone marks ignored, is in the answer's texts or unit."""
    text = record.latest.text
    haystack = fold(f"#{record.id} {' '.join(text.questions)} {text.answer} {record.unit}")
    return all(word.lstrip("#") in haystack for word in fold(query).split())


class OfficerAnswerPages:
    def __init__(self, store, workflow: OfficerAnswers | None, require: Require) -> None:
        self.store = store  # reads: tickets, conversations, questions (writes: the workflow)
        self.workflow = workflow
        self.require = require
        self.files = Files(store, workflow, require) if workflow is not None else None

    def routes(self) -> list[web.RouteDef]:
        if self.workflow is None or self.files is None:
            return []
        return [
            web.get(HOME, self.listing),
            web.get(views.NEW, self.new_form),
            web.post(views.NEW, self.create),
            *self.files.routes(),
            web.get(ONE, self.one),
            web.post(ONE + "/sua", self.revise),
            web.post(ONE + "/{verb:duyet|tu-choi|rut}", self.decide),
            web.route("*", HOME + "/{rest:.*}", self.unknown),  # last: a polite 404
        ]

    @property
    def flow(self) -> OfficerAnswers:
        assert self.workflow is not None
        return self.workflow

    async def unknown(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        return refusal(session, words.NOT_FOUND, 404)

    # ---- the list -------------------------------------------------------------------------
    async def listing(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        tab = request.query.get("muc", "cho-duyet")
        if tab not in words.TABS:
            return refusal(session, words.BAD_REQUEST, 400)
        query = " ".join(request.query.get("q", "").split())[: views.MAX_QUERY]
        units = None if session.role == "admin" else [session.unit]
        everything = await self.flow.store.officer_answers(units=units, limit=LISTED)
        counts = {key: sum(in_tab(r, key) for r in everything) for key in words.TABS}
        rows = [r for r in everything if in_tab(r, tab) and (not query or matches(query, r))]
        return signed_page(session, views.SECTION, views.listing(session, tab, query, rows, counts))

    # ---- one answer -----------------------------------------------------------------------
    async def one(self, request: web.Request) -> web.Response:
        session, record = await self._visible(request)
        versions = await self.flow.store.officer_answer_versions(record.id)
        since = datetime.now(UTC) - timedelta(days=views.USE_DAYS)
        admin = session.role == "admin"  # citizens' words: admins only, as in Số liệu
        use = await self.flow.store.officer_answer_use(
            record.id, since, views.USE_EXAMPLES if admin else 0
        )
        body = views.detail(session, record, versions, _editable(session, record), use)
        return signed_page(session, views.SECTION, body)

    async def _visible(self, request: web.Request) -> tuple[Session, OfficerAnswerRecord]:
        """The answer of the path if this officer may see it; else a 404 page (audited)."""
        session = await self.require(request)
        entry_id = int(request.match_info["id"])
        record = await self.flow.visible(actor_of(session), entry_id)
        if record is None:
            await self.store.audit(session.actor, "console_giai_dap_refused", {"id": entry_id})
            raise web.HTTPNotFound(
                text=refusal(session, words.NOT_FOUND, 404).text,
                content_type="text/html",
                headers={"Cache-Control": "no-store"},
            )
        return session, record

    # ---- the form ---------------------------------------------------------------------------
    async def new_form(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        ticket_id = request.query.get("ve-viec")
        asked = request.query.getall("cau-hoi", [])
        if ticket_id is not None:
            filled = await self._from_ticket(session, ticket_id)
        elif asked:
            filled = await self._from_cluster(session, asked)
        else:
            filled = views.Filled(unit=session.unit)
        return signed_page(session, views.SECTION, views.new_page(session, filled))

    async def _from_ticket(self, session: Session, raw: str) -> views.Filled:
        number = as_number(raw)
        ticket = await self.store.get_ticket(number) if number else None
        person = await self.store.get_person(ticket.person_id) if ticket else None
        if ticket is None or person is None or not sees(session, person):
            await self.store.audit(session.actor, "console_ticket_refused", {"giai_dap": raw[:20]})
            raise web.HTTPNotFound(
                text=refusal(session, words.TICKET_NOT_FOUND, 404).text,
                content_type="text/html",
                headers={"Cache-Control": "no-store"},
            )
        draft = await draft_from_ticket(self.store, ticket)
        return views.Filled(
            questions="\n".join(draft.questions),
            answer=draft.answer,
            unit=session.unit,
            source=f"ticket:{ticket.id}",
            note="" if draft.answer else words.NO_REPLY_YET,
        )

    async def _from_cluster(self, session: Session, raw: list[str]) -> views.Filled:
        """The group's questions this officer may read (the link names them by id)."""
        ids = [n for n in (as_number(r) for r in raw[:FROM_CLUSTER]) if n]
        if not ids or len(ids) != len(raw[:FROM_CLUSTER]):
            raise _refused(session, words.BAD_REQUEST, 400)
        found = await self.store.questions_said(ids)
        texts = [found[i].text for i in ids if i in found and sees_area(session, found[i].area)]
        return views.Filled(
            questions="\n".join(dict.fromkeys(t.strip() for t in texts if t.strip())),
            unit=session.unit,
            source=f"cluster:{ids[0]}",
        )

    async def create(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        form = await posted(request)
        refused = await refuse_forgery(self.store, request, session, form)
        if refused is not None:
            return refused
        filled = _filled(form, session)
        try:
            text = self.flow.text(*_parts(filled))
            admin = session.role == "admin"
            actor = Actor(session.actor, admin, "" if admin else session.unit)
            record = await self.flow.draft(actor, text, filled.unit, filled.source)
        except Invalid as exc:
            body = views.new_page(session, filled, str(exc))
            return _status(signed_page(session, views.SECTION, body), 400)
        raise web.HTTPSeeOther(f"{HOME}/{record.id}")

    async def revise(self, request: web.Request) -> web.Response:
        session, record = await self._visible(request)
        form = await posted(request)
        refused = await refuse_forgery(self.store, request, session, form)
        if refused is not None:
            return refused
        filled = _filled(form, session)
        try:
            text = self.flow.text(*_parts(filled))
            if text != record.latest.text:  # saving the same text again adds no version
                await self.flow.revise(actor_of(session), record.id, text)
        except Invalid as exc:
            body = views.form(session, filled, f"{HOME}/{record.id}/sua", words.SAVE_EDIT, str(exc))
            return _status(signed_page(session, views.SECTION, body), 400)
        except NotAllowed as exc:
            return refusal(session, str(exc), 403, f"{HOME}/{record.id}")
        except OfficerAnswerConflict:
            return refusal(session, words.NOT_FOUND, 409, HOME)
        raise web.HTTPSeeOther(f"{HOME}/{record.id}")

    # ---- decisions -----------------------------------------------------------------------
    async def decide(self, request: web.Request) -> web.Response:
        session, record = await self._visible(request)
        form = await posted(request)
        refused = await refuse_forgery(self.store, request, session, form)
        if refused is not None:
            return refused
        verb = VERBS[request.match_info["verb"]]
        back = f"{HOME}/{record.id}"
        actor = actor_of(session)
        note = str(form.get("ly-do") or "")[:500]
        version: int | None = None
        try:
            if verb == "approve":
                version = as_number(str(form.get("phien-ban") or ""))
                if version is None:
                    return refusal(session, words.BAD_REQUEST, 400, back)
                await self.flow.approve(actor, record.id, version)
            elif verb == "reject":
                await self.flow.reject(actor, record.id, note)
            else:
                await self.flow.withdraw(actor, record.id, note)
        except NotAllowed:
            return refusal(session, words.ADMINS_ONLY, 403, back)
        except OfficerAnswerConflict:
            now = await self.flow.store.get_officer_answer(record.id) or record
            stale = verb == "approve" and now.latest.version != version
            text = words.STALE if stale else words.wrong_state(now.state)
            await self.store.audit(
                session.actor, f"console_giai_dap_{verb}_refused", {"id": now.id}
            )
            return refusal(session, text, 409, back)
        raise web.HTTPSeeOther(back)


def _editable(session: Session, record: OfficerAnswerRecord) -> bool:
    """Admins edit any answer; officers their unit's, unless it is approved."""
    return session.role == "admin" or record.state != "approved"


def _filled(form, session: Session) -> views.Filled:
    def field(name: str, limit: int) -> str:
        value = form.get(name)
        return (value if isinstance(value, str) else "").replace("\r\n", "\n")[:limit]

    source = field("nguon", 64)
    return views.Filled(
        questions=field("cau-hoi", 20_000),
        answer=field("giai-dap", 20_000),
        sections=field("muc", 2_000),
        unit=field("don-vi", 200) if session.role == "admin" else session.unit,
        source=source if SOURCE.match(source) else "",
    )


def _parts(filled: views.Filled) -> tuple[list[str], str, list[tuple[str, str]]]:
    """The form's fields as the workflow takes them (raises Invalid for a section)."""
    return filled.questions.splitlines(), filled.answer, parse_sections(filled.sections)


def _status(response: web.Response, status: int) -> web.Response:
    response.set_status(status)
    return response


def _refused(session: Session, text: str, status: int) -> web.HTTPException:
    kind = {400: web.HTTPBadRequest, 404: web.HTTPNotFound}[status]
    return kind(
        text=refusal(session, text, status).text,
        content_type="text/html",
        headers={"Cache-Control": "no-store"},
    )
