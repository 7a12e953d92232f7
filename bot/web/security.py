"""What every web response gets: security headers, polite errors, CORS, a per-IP limit.

Nothing from a user or a document is ever put into HTML on the server: the page builds
its DOM with textContent. The headers make injected markup inert anyway (CSP without
'unsafe-inline'), and no stack trace ever reaches a browser.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.conversation.flood import FloodLimiter
from bot.store.errors import unreachable
from bot.strings import errors

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_API_BODY = 64 * 1024  # a question is at most a few KB; 50 KB pasted still fits


def content_security_policy(allowed_origins: list[str]) -> str:
    ancestors = " ".join(["'self'", *allowed_origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; frame-ancestors {ancestors}; base-uri 'none'; "
        "form-action 'self'; object-src 'none'"
    )


def web_middlewares(allowed_origins: list[str], per_minute: int) -> list:
    csp = content_security_policy(allowed_origins)
    origins = set(allowed_origins)
    per_ip = FloodLimiter(per_minute, 60.0)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        api = request.path.startswith("/api/")
        origin = request.headers.get("Origin")
        try:
            if api and request.method == "OPTIONS":
                response: web.StreamResponse = web.Response(status=204)
            elif api and (request.content_length or 0) > MAX_API_BODY:
                response = _error(413, errors.TOO_LARGE)
            elif api and request.method == "POST" and not per_ip.allow(request.remote or "?"):
                response = _error(429, errors.TOO_FAST)
            else:
                response = await handler(request)
        except web.HTTPException as exc:
            if not api:
                raise
            response = _error(exc.status, exc.reason or errors.APOLOGY)
        except Exception as exc:
            if unreachable(exc):  # the database stalls or is down: busy, not broken
                logger.warning("web request %s: the database cannot be reached", request.path)
                response = _error(503, errors.BUSY)
            else:
                logger.exception("web request %s %s failed", request.method, request.path)
                response = _error(500, errors.APOLOGY)
        if not response.prepared:  # a stream (SSE) has sent its headers already
            _headers(response, csp)
            if api and origin in origins:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Visitor"
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                response.headers["Vary"] = "Origin"
        return response

    return [guard]


def security_headers(response: web.StreamResponse, allowed_origins: list[str]) -> None:
    """For responses prepared by their handler (SSE): the same headers, set before prepare."""
    _headers(response, content_security_policy(allowed_origins))


def _headers(response: web.StreamResponse, csp: str) -> None:
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
