"""The console's pages: sign in with a one-time link, the signed-in home, sign out.

Pages are rendered on the server (no script, no CDN). The session cookie is HttpOnly,
SameSite=Strict, scoped to /console/ and ``Secure`` behind HTTPS; every change (a POST)
carries the session's CSRF token and must come from this site. Every sign-in, refusal
and sign-out is audited.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.console.broadcasts import Broadcasts
from bot.console.clusters import Clusters
from bot.console.inbox import Inbox
from bot.console.insights import Insights
from bot.console.officer_answers import OfficerAnswerPages
from bot.console.officers import Officers
from bot.console.pages import escape, message, page, posted, refuse_forgery, signed_page
from bot.console.signin import LINK_SECONDS, Roles, Session, SignIn
from bot.conversation.office_hours import OfficeHours
from bot.core.ports import KeyValues
from bot.strings import console as words

COOKIE = "hd_console"
PATH = "/console/"


class AuditLog(KeyValues, Protocol):
    """The store as the console uses it: key-values for sessions, and the audit log."""

    async def audit(self, actor: str, action: str, details: dict | None = None) -> None: ...


class Console:
    def __init__(
        self,
        store: AuditLog,
        sign_in: SignIn,
        roles: Roles,
        secure: bool,
        dispatcher=None,
        lateness: tuple[OfficeHours | None, int] = (None, 120),
    ) -> None:
        self.store = store
        self.sign_in = sign_in
        self.roles = roles
        self.secure = secure
        self.inbox = None
        if dispatcher is not None:  # lateness: office hours, and the target in their minutes
            self.inbox = Inbox(store, dispatcher, self.require, *lateness)
        # The console's other sections (broadcasts, insights): anything with routes().
        self.parts: list = []
        self.officer_answers = None  # the workflow of officers' answers (Giải đáp)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/console", self.to_home),
            web.get(PATH, self.home),
            web.get(PATH + "dang-nhap", self.redeem),
            web.post(PATH + "dang-xuat", self.sign_out),
            *(self.inbox.routes() if self.inbox else []),
            *(route for part in self.parts for route in part.routes()),
        ]

    async def to_home(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(PATH)

    async def redeem(self, request: web.Request) -> web.Response:
        actor, why = await self.sign_in.redeem(request.query.get("t", ""))
        role = await self.roles(actor) if actor else None
        if actor is not None and role is None:
            why = "not_officer"
        if actor is None or role is None:
            await self.store.audit(actor or "?", "console_link_refused", {"why": why})
            body = f"<p>{escape(words.LINK_REFUSED[why])}</p><p>{escape(words.ASK_AGAIN)}</p>"
            return page(body, status=403)
        session = await self.sign_in.open(actor, *role)
        await self.store.audit(actor, "console_sign_in", {"role": role[0]})
        # A page, not a redirect: a SameSite=Strict cookie set during a navigation that
        # came from another site (the chat app) is only sent on the next, same-site one.
        body = (
            f'<p>{escape(words.SIGNING_IN)}</p><p><a href="{PATH}">{escape(words.CONTINUE)}</a></p>'
        )
        response = page(body, refresh=PATH)
        response.set_cookie(
            COOKIE,
            session.id,
            path=PATH,
            httponly=True,
            samesite="Strict",
            secure=self.secure,
        )
        return response

    async def home(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        if self.inbox is None:
            return signed_page(session, "", "")
        return await self.inbox.home(request, session)

    async def sign_out(self, request: web.Request) -> web.Response:
        session = await self._session(request)
        if session is None:
            return message(words.NOT_SIGNED_IN, status=401)
        refused = await refuse_forgery(self.store, request, session, await posted(request))
        if refused is not None:
            return refused
        await self.sign_in.close(session)
        await self.store.audit(session.actor, "console_sign_out")
        response = message(words.SIGNED_OUT)
        response.del_cookie(COOKIE, path=PATH)
        return response

    async def require(self, request: web.Request) -> Session:
        """The signed-in officer's session; otherwise the request ends with 401."""
        session = await self._session(request)
        if session is None:
            raise web.HTTPUnauthorized(
                text=message(words.NOT_SIGNED_IN, status=401).text,
                content_type="text/html",
                headers={"Cache-Control": "no-store"},
            )
        return session

    async def _session(self, request: web.Request) -> Session | None:
        session = await self.sign_in.find(request.cookies.get(COOKIE))
        if session is not None and await self.roles(session.actor) is None:
            await self.sign_in.close(session)  # no longer an officer: signed out at once
            return None
        return session


def console_for(
    store: AuditLog,
    desk,
    dispatcher,
    public_base_url: str,
    idle_minutes: int,
    lateness: tuple[OfficeHours | None, int] = (None, 120),
    clusters=None,  # the ClusterJob behind the unanswered questions' page
    officer_answers=None,  # bot.officer_answers.workflow.OfficerAnswers
) -> Console:
    """The console, and the desk's ``/dangnhap`` answered with links to it."""
    sign_in = SignIn(store, idle_seconds=idle_minutes * 60)
    base = public_base_url.rstrip("/")

    async def link(actor: str) -> str | None:
        if not base:
            return None
        url = f"{base}{PATH}dang-nhap?t={await sign_in.new_link_token(actor)}"
        return words.link_message(url, LINK_SECONDS // 60)

    desk.console_link = link
    desk.console_url = f"{base}{PATH}" if base else ""  # for links in the officers' group
    secure = base.startswith("https://")
    console = Console(store, sign_in, desk.role_of, secure, dispatcher, lateness)
    console.officer_answers = officer_answers
    # The console's sections besides the inbox, one line each:
    console.parts.append(Broadcasts(store, desk, console.require))
    console.parts.append(Insights(store, console.require, desk, *lateness))
    console.parts.append(Clusters(store, clusters, console.require))
    console.parts.append(Officers(store, desk, console.require))
    console.parts.append(OfficerAnswerPages(store, officer_answers, console.require))
    return console
