"""What every console page shares: the frame, escaping, and the same-site check."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from aiohttp import web

from bot.console.signin import Session
from bot.strings import console as words
from bot.strings import console_officer_answers
from bot.web.page import document


def same_site(request: web.Request) -> bool:
    """A browser's POST names where it came from; it must be this site."""
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc == request.host


def escape(text: str) -> str:
    return html.escape(text, quote=True)


PATH = "/console/"
# The console's sections: (path under /console/, its name in the menu).
SECTIONS = (
    ("", words.NAV_INBOX),
    ("thong-bao", words.NAV_BROADCASTS),
    ("so-lieu", words.NAV_INSIGHTS),
    ("giai-dap", console_officer_answers.NAV),
)
ADMIN_SECTIONS = (("can-bo", words.NAV_OFFICERS),)
STYLES = '<link rel="stylesheet" href="/static/console.css">'


def page(
    body: str, status: int = 200, refresh: str | None = None, *, scripts: tuple[str, ...] = ()
) -> web.Response:
    meta = f'<meta http-equiv="refresh" content="0;url={refresh}">' if refresh else ""
    tags = "".join(f'<script src="/static/{name}" defer></script>' for name in scripts)
    text = document(words.TITLE, words.TITLE, body, head=STYLES + meta + tags)
    response = web.Response(text=text, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    # The site-wide "no-referrer" would make the browser send "Origin: null" with the
    # console's own forms, and the same-site check could not tell them from a forgery.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def signed_page(
    session: Session, current: str, body: str, *, scripts: tuple[str, ...] = ()
) -> web.Response:
    """A page of a signed-in officer: the menu (``current``: the section's path), who is
    signed in with the sign-out button, then ``body``."""
    here = ' aria-current="page"'
    links = "".join(
        f'<a href="{PATH}{path}"{here if path == current else ""}>{escape(name)}</a>'
        for path, name in SECTIONS + (ADMIN_SECTIONS if session.role == "admin" else ())
    )
    unit = f" — {escape(session.unit)}" if session.unit else ""
    header = (
        f'<nav class="console-nav" aria-label="{escape(words.NAV)}">{links}</nav>'
        f'<div class="who">{escape(words.SIGNED_IN_AS)}: <b>{escape(session.actor)}</b> '
        f"({escape(words.ROLES[session.role])}){unit}"
        f'<form method="post" action="{PATH}dang-xuat">{csrf_field(session)}'
        f'<button type="submit" class="link">{escape(words.SIGN_OUT)}</button></form></div>'
    )
    return page(header + body, scripts=scripts)


def message(text: str, status: int = 200) -> web.Response:
    """A page that only says one thing (signed out, refused, nothing to do)."""
    return page(f"<p>{escape(text)}</p>", status=status)


async def posted(request: web.Request):
    """The POSTed form; a body that is not a form (a broken multipart, bad encoding) ends
    the request with a polite 400 instead of an error."""
    try:
        return await request.post()
    except (ValueError, UnicodeDecodeError, AssertionError) as exc:
        raise web.HTTPBadRequest(
            text=message(words.BAD_FORM, status=400).text,
            content_type="text/html",
            headers={"Cache-Control": "no-store"},
        ) from exc


def csrf_field(session: Session) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(session.csrf)}">'


async def refuse_forgery(
    store, request: web.Request, session: Session, form
) -> web.Response | None:
    """The refusal (audited) of a POST without the session's CSRF token or from another
    site; None for the officer's own."""
    if form.get("csrf") == session.csrf and same_site(request):
        return None
    await store.audit(session.actor, "console_forgery_refused", {"path": request.path})
    return message(words.FORGED, status=403)
