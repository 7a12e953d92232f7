"""What every web response gets: security headers, polite errors, CORS, a per-IP limit.

Nothing from a user or a document is ever put into HTML on the server: the page builds
its DOM with textContent. The headers make injected markup inert anyway (CSP without
'unsafe-inline'), and no stack trace ever reaches a browser.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from bot.config import Settings
from bot.store.errors import unreachable
from bot.strings import errors
from bot.web.clients import ClientAddresses, Limits, networks

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STREAM_PATH = "/api/events"
MAX_API_BODY = 64 * 1024  # a question is at most a few KB; 50 KB pasted still fits


def content_security_policy(allowed_origins: list[str]) -> str:
    ancestors = " ".join(["'self'", *allowed_origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; frame-ancestors {ancestors}; base-uri 'none'; "
        "form-action 'self'; object-src 'none'"
    )


def web_middlewares(
    allowed_origins: list[str],
    limits: Limits,
    addresses: ClientAddresses,
    public_base_url: str = "",
) -> list:
    csp = content_security_policy(allowed_origins)
    origins = set(allowed_origins)
    if public_base_url:
        parsed = urlsplit(public_base_url)
        origins.add(f"{parsed.scheme}://{parsed.netloc}")

    def foreign(request: web.Request, origin: str | None) -> bool:
        """A browser on another site (not the page itself, not an allowed portal)."""
        return bool(origin) and origin not in origins and urlsplit(origin).netloc != request.host

    async def checked(request: web.Request, handler: Handler, api: bool) -> web.StreamResponse:
        address = addresses.of(request)
        post = request.method == "POST"
        if api and request.method == "OPTIONS":
            return web.Response(status=204)
        if api and (request.content_length or 0) > MAX_API_BODY:
            return _error(413, errors.TOO_LARGE)
        if api and post and request.content_type != "application/json":
            return _error(415, errors.NOT_JSON)  # a form or text/plain: a cross-site forgery
        if api and post and foreign(request, request.headers.get("Origin")):
            return _error(403, errors.FOREIGN_ORIGIN)
        # The web's own calls are limited; platforms are not: their webhooks (they have
        # secrets) and Zalo fetching a broadcast's photo for every recipient come from a
        # few addresses for everyone.
        page = request.method == "GET" and not request.path.startswith("/media/")
        if (api or page) and not limits.allow(request.method, address):
            return _error(429, errors.TOO_FAST)
        if request.path != STREAM_PATH:
            return await handler(request)
        if not limits.open_stream(address):
            return _error(429, errors.TOO_MANY_STREAMS)
        try:
            return await handler(request)
        finally:
            limits.close_stream(address)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        api = request.path.startswith("/api/")
        origin = request.headers.get("Origin")
        try:
            response = await checked(request, handler, api)
        except web.HTTPException as exc:
            if not api:
                raise
            response = _error(exc.status, _reason(exc))
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


def _reason(exc: web.HTTPException) -> str:
    """Our own refusals carry Vietnamese reasons; aiohttp's (405, 404 …) get ours."""
    reason = exc.reason or ""
    if reason and not reason.isascii():
        return reason
    known = {404: errors.NOT_FOUND, 413: errors.TOO_LARGE, 503: errors.BUSY}
    return known.get(exc.status) or (errors.BAD_REQUEST if exc.status < 500 else errors.APOLOGY)


def web_guard(settings: Settings) -> list:
    """The web's middlewares: limits per client address (behind TRUSTED_PROXIES, the
    forwarded one), same-origin JSON posts, polite errors, security headers."""
    limits = Limits(
        settings.web_requests_per_minute,
        settings.web_gets_per_minute,
        settings.web_streams_per_address,
    )
    addresses = ClientAddresses(networks(settings.trusted_proxies))
    return web_middlewares(
        settings.web_allowed_origins, limits, addresses, settings.public_base_url
    )
