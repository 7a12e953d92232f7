"""The officers' answers as files: the download of what the officer may see (JSONL, the
format the import reads back, or CSV for a spreadsheet) and an admin's JSONL import, with
a report of what became of each line.

The JSONL logic is ``bot.officer_answers.exchange`` (the command line uses it too). The
upload is streamed with a bound of its own (5 MB), not through aiohttp's 1 MB form reader.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.console import officer_answers_view as views
from bot.console.broadcast_views import error_box
from bot.console.pages import csrf_field, escape, refuse_forgery, signed_page
from bot.console.signin import Session
from bot.console.uploads import BadForm, read_multipart
from bot.officer_answers import exchange
from bot.officer_answers.exchange import LineResult
from bot.officer_answers.sections import shown
from bot.officer_answers.workflow import Actor, OfficerAnswers
from bot.strings import console_officer_answers as words
from bot.strings import officer_answers as wording

HOME = views.HOME
MAX_FIELD = 4 * 1024  # the CSRF token: anything longer is no form of this page
FORMATS = {"jsonl", "csv"}

Require = Callable[[web.Request], Awaitable[Session]]


def refusal(session: Session, text: str, status: int, back: str = HOME) -> web.Response:
    """A polite page for what the section cannot do, with the way back."""
    body = f'{error_box(text)}<p><a href="{escape(back)}">{escape(words.TRY_AGAIN)}</a></p>'
    response = signed_page(session, views.SECTION, body)
    response.set_status(status)
    return response


class Files:
    def __init__(self, store, workflow: OfficerAnswers, require: Require) -> None:
        self.store = store
        self.workflow = workflow
        self.require = require

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(HOME + "/tai-ve", self.download),
            web.get(HOME + "/nhap", self.import_form),
            web.post(HOME + "/nhap", self.upload),
        ]

    # ---- the download ---------------------------------------------------------------------
    async def download(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        kind = request.query.get("format", "jsonl")
        if kind not in FORMATS or set(request.query) - {"format"}:
            return refusal(session, words.BAD_REQUEST, 400)
        actor = Actor(session.actor, session.role == "admin", session.unit)
        if kind == "jsonl":
            text, _ = await exchange.export(self.workflow, actor)
            return _attachment(text.encode("utf-8"), "application/x-ndjson", "giai-dap.jsonl")
        records = await exchange.visible_answers(self.workflow, actor)
        await self.store.audit(session.actor, "giai_dap_xuat", {"so_luong": len(records)})
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(words.CSV_COLUMNS)
        for r in records:
            text_ = r.latest.text
            writer.writerow(
                [
                    r.id,
                    r.state,
                    r.unit,
                    r.latest.version,
                    r.approved_version or "",
                    "\n".join(text_.questions),
                    text_.answer,
                    "\n".join(shown(text_.sections)),
                    r.created_by,
                    views.when(r.updated_at),
                ]
            )
        body = ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads UTF-8
        return _attachment(body, "text/csv", "giai-dap.csv")

    # ---- the import -----------------------------------------------------------------------
    async def _admin(self, request: web.Request) -> Session:
        session = await self.require(request)
        if session.role != "admin":
            await self.store.audit(session.actor, "console_giai_dap_refused", {"nhap": True})
            raise web.HTTPForbidden(
                text=refusal(session, words.ADMINS_ONLY, 403).text,
                content_type="text/html",
                headers={"Cache-Control": "no-store"},
            )
        return session

    async def import_form(self, request: web.Request) -> web.Response:
        session = await self._admin(request)
        return signed_page(session, views.SECTION, import_page(session))

    async def upload(self, request: web.Request) -> web.Response:
        session = await self._admin(request)
        try:
            fields, data = await read_upload(request, exchange.MAX_BYTES)
        except BadForm:
            return refusal(session, words.BAD_FORM, 400, HOME + "/nhap")
        refused = await refuse_forgery(self.store, request, session, fields)
        if refused is not None:
            return refused
        too_big = wording.too_big(exchange.MAX_BYTES // (1024 * 1024), exchange.MAX_LINES)
        if data is None:
            return self._again(session, too_big, 413)
        if not data:
            return self._again(session, words.NO_FILE, 400)
        actor = Actor(session.actor, True, "")
        try:
            results = await exchange.import_jsonl(self.workflow, actor, data)
        except exchange.TooBig as exc:
            return self._again(session, str(exc), 413)
        counts = {k: sum(r.outcome == k for r in results) for k in wording.OUTCOMES}
        body = import_report(results, wording.import_summary(counts))
        return signed_page(session, views.SECTION, body)

    def _again(self, session: Session, problem: str, status: int) -> web.Response:
        response = signed_page(session, views.SECTION, import_page(session, problem))
        response.set_status(status)
        return response


async def read_upload(request: web.Request, limit: int) -> tuple[dict[str, str], bytes | None]:
    """The form's fields and the file's bytes (b"" when none was chosen, None when it is
    over ``limit``). Raises BadForm."""
    if request.content_type != "multipart/form-data":
        raise BadForm("not a multipart form")
    return await read_multipart(request, "tep", limit, MAX_FIELD)


def _attachment(body: bytes, content_type: str, name: str) -> web.Response:
    response = web.Response(body=body, content_type=content_type, charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- the import's pages ---------------------------------------------------------------------
def import_page(session: Session, problem: str = "") -> str:
    return (
        f'<p><a href="{HOME}">{escape(words.BACK)}</a></p>'
        f"<h2>{escape(words.IMPORT_HEADING)}</h2><p>{escape(words.IMPORT_HELP)}</p>"
        f"{error_box(problem)}"
        f'<form class="bc-compose" method="post" action="{HOME}/nhap" '
        f'enctype="multipart/form-data">{csrf_field(session)}'
        f'<label for="oa-file">{escape(words.FILE_LABEL)}</label>'
        '<input id="oa-file" type="file" name="tep" accept=".jsonl,.json,.txt" required>'
        f'<div class="bc-actions"><button type="submit">{escape(words.IMPORT_BUTTON)}</button>'
        "</div></form>"
    )


def import_report(results: list[LineResult], summary: str) -> str:
    rows = "".join(
        f'<tr class="{r.outcome}"><td class="num">{r.line}</td>'
        f"<td>{escape(wording.OUTCOMES[r.outcome])}</td>"
        f"<td>{_answer_link(r.entry_id) if r.outcome != 'refused' else ''}</td>"
        f"<td>{escape(r.reason)}</td></tr>"
        for r in results
    )
    head = "".join(f"<th>{escape(c)}</th>" for c in words.RESULT_COLUMNS)
    return (
        f'<p><a href="{HOME}">{escape(words.BACK)}</a></p>'
        f"<h2>{escape(words.IMPORT_RESULT)}</h2><p><b>{escape(summary)}</b></p>"
        f'<div class="table-wrap"><table class="data import-result"><thead><tr>{head}</tr>'
        f"</thead><tbody>{rows}</tbody></table></div>"
    )


def _answer_link(entry_id: int | None) -> str:
    return "" if entry_id is None else f'<a href="{HOME}/{entry_id}">#{entry_id}</a>'
