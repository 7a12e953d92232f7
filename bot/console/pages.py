"""What every console page shares: the frame, escaping, and the same-site check."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from aiohttp import web

from bot.strings import console as words


def same_site(request: web.Request) -> bool:
    """A browser's POST names where it came from; it must be this site."""
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc == request.host


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def page(body: str, status: int = 200, refresh: str | None = None) -> web.Response:
    meta = f'<meta http-equiv="refresh" content="0;url={refresh}">' if refresh else ""
    text = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{meta}<title>{escape(words.TITLE)}</title>"
        '<link rel="icon" href="/static/icon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/static/chat.css"></head>'
        f'<body class="doc"><main><h1>{escape(words.TITLE)}</h1>{body}</main></body></html>'
    )
    response = web.Response(text=text, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    # The site-wide "no-referrer" would make the browser send "Origin: null" with the
    # console's own forms, and the same-site check could not tell them from a forgery.
    response.headers["Referrer-Policy"] = "same-origin"
    return response
