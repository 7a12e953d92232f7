"""An admin turns a citizen's question that an officer answer answered into one more of
its sample questions: a new version, served once approved. Questions citizens confirmed
(by choosing the offered answer) are how the bot learns to answer the next ones outright."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.console.pages import PATH, escape, posted, refuse_forgery
from bot.console.signin import Session
from bot.core.officer_answers import MAX_QUESTIONS, OfficerAnswerRecord, OfficerAnswerUse
from bot.officer_answers.workflow import Invalid, NotAllowed
from bot.store.officer_answers import OfficerAnswerConflict
from bot.strings import console_officer_answers as words
from bot.vietnamese.text import fold

if TYPE_CHECKING:
    from bot.console.officer_answers import OfficerAnswerPages


async def add_asked(page: OfficerAnswerPages, request: web.Request) -> web.Response:
    from bot.console.officer_answers import HOME, actor_of
    from bot.console.officer_answers_files import refusal

    session, record = await page._visible(request)
    form = await posted(request)
    refused = await refuse_forgery(page.store, request, session, form)
    if refused is not None:
        return refused
    back = f"{HOME}/{record.id}"
    if session.role != "admin":
        await page.store.audit(session.actor, "refused", {"giai_dap": record.id})
        return refusal(session, words.ADMINS_ONLY, 403, back)
    asked = str(form.get("cau-hoi") or "")
    latest = record.latest.text
    if len(latest.questions) >= MAX_QUESTIONS:
        return refusal(session, words.TOO_MANY_QUESTIONS.format(n=MAX_QUESTIONS), 400, back)
    try:
        text = page.flow.text([*latest.questions, asked], latest.answer, latest.sections)
        if text.questions != latest.questions:  # already one of them: nothing to do
            await page.flow.revise(actor_of(session), record.id, text)
    except Invalid as exc:
        return refusal(session, str(exc), 400, back)
    except NotAllowed as exc:
        return refusal(session, str(exc), 403, back)
    except OfficerAnswerConflict:
        return refusal(session, words.NOT_FOUND, 409, HOME)
    raise web.HTTPSeeOther(back)


def asked_html(session: Session, record: OfficerAnswerRecord, use: OfficerAnswerUse | None) -> str:
    """The questions it answered, each with a button that makes it one more sample question."""
    from bot.console.officer_answers_view import when

    if use is None or not use.asked:
        return ""
    known = {fold(q) for q in record.latest.text.questions}
    items = []
    for at, text in use.asked:
        add = ""
        if fold(text) not in known:
            add = (
                f'<form method="post" action="{PATH}giai-dap/{record.id}/them-cau-hoi" class="inline">'
                f'<input type="hidden" name="csrf" value="{escape(session.csrf)}">'
                f'<input type="hidden" name="cau-hoi" value="{escape(text)}">'
                f'<button type="submit">{escape(words.ADD_ASKED)}</button></form>'
            )
        items.append(f"<li>{escape(when(at))}: {escape(text)} {add}</li>")
    return f"<h3>{escape(words.ASKED)}</h3><ul>{''.join(items)}</ul>"
