"""The console's officers page (admins only): who may use the desk and the console — the
officers and admins from settings (changed only there), the officers added by an admin
with their units — adding one, removing one, and the latest entries of the audit log.

Adding and removing go through the desk's ``change_roster``, as ``/themcanbo`` and
``/xoacanbo`` do in a chat: the same audit entries, and a removed officer is signed out
of the console at their next request. An officer who opens the page is refused (and
the refusal audited).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.pages import PATH, csrf_field, escape, message, posted, refuse_forgery, signed_page
from bot.console.signin import Session
from bot.core.records import as_utc
from bot.strings import console as words

HOME = PATH + "can-bo"
SECTION = "can-bo"
PLATFORMS = ("telegram", "zalo_oa", "zalo_bot")
ACCOUNT = re.compile(r"^(telegram|zalo_oa|zalo_bot):[0-9A-Za-z_-]{1,64}$")
MAX_UNIT = 200
AUDITED = 50  # audit entries shown
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


class Officers:
    def __init__(self, store, desk, require: Callable[[web.Request], Awaitable[Session]]) -> None:
        self.store = store
        self.desk = desk
        self.require = require

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(HOME, self.page),
            web.post(HOME + "/{act:them|xoa}", self.change),
        ]

    async def _admin(self, request: web.Request) -> Session:
        session = await self.require(request)
        if session.role != "admin":
            await self.store.audit(session.actor, "console_officers_refused", {})
            raise web.HTTPForbidden(
                text=signed_page(session, SECTION, _p(words.ADMINS_ONLY)).text,
                content_type="text/html",
                headers={"Cache-Control": "no-store"},
            )
        return session

    async def page(self, request: web.Request) -> web.Response:
        session = await self._admin(request)
        roster = self.desk.roster
        csrf = csrf_field(session)
        rows = [
            (actor, unit, words.FROM_SETTINGS, "")
            for actor, unit in sorted(roster.officers.items(), key=lambda i: (i[1], i[0]))
        ]
        rows += [(actor, "", words.ADMIN_FROM_SETTINGS, "") for actor in sorted(roster.admins)]
        for actor, unit in await self.store.added_officers():
            remove = (
                f'<form method="post" action="{HOME}/xoa">{csrf}'
                f'<input type="hidden" name="who" value="{escape(actor)}">'
                f'<button type="submit" class="secondary">{escape(words.REMOVE)}</button></form>'
            )
            rows.append((actor, unit, words.ADDED, remove))
        body_rows = "".join(
            f"<tr><td>{escape(actor)}</td><td>{escape(unit or '—')}</td>"
            f"<td>{escape(origin)}</td><td>{action}</td></tr>"
            for actor, unit, origin, action in rows
        )
        head = "".join(f"<th>{escape(c)}</th>" for c in words.OFFICER_COLUMNS)
        platforms = ", ".join(PLATFORMS)
        body = (
            f"<h2>{escape(words.OFFICERS)}</h2><p>{escape(words.OFFICERS_HELP)}</p>"
            f'<div class="table-wrap"><table class="data"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body_rows}</tbody></table></div>"
            f"<h3>{escape(words.ADD_OFFICER)}</h3>"
            f'<form method="post" action="{HOME}/them" class="officer-add">{csrf}'
            f'<label for="who">{escape(words.ACCOUNT_LABEL.format(platforms=platforms))}</label>'
            '<input type="text" id="who" name="who" required maxlength="80" '
            'placeholder="telegram:123456789" autocomplete="off">'
            f'<label for="unit">{escape(words.UNIT_LABEL)}</label>'
            f'<input type="text" id="unit" name="unit" required maxlength="{MAX_UNIT}" '
            'placeholder="UBND phường Ba Đình">'
            f'<button type="submit">{escape(words.ADD)}</button></form>'
            f"<h3>{escape(words.AUDIT)}</h3>{await self._audit()}"
        )
        return signed_page(session, SECTION, body)

    async def _audit(self) -> str:
        rows = []
        for actor, action, details, at in await self.store.audit_entries(AUDITED):
            when = as_utc(at).astimezone(HANOI)
            shown = ", ".join(f"{k}: {v}" for k, v in sorted((details or {}).items()))
            rows.append(
                f"<tr><td>{when:%d/%m %H:%M}</td><td>{escape(actor)}</td>"
                f"<td>{escape(action)}</td><td>{escape(shown[:200])}</td></tr>"
            )
        head = "".join(f"<th>{escape(c)}</th>" for c in words.AUDIT_COLUMNS)
        return (
            f'<div class="table-wrap"><table class="data"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )

    async def change(self, request: web.Request) -> web.Response:
        session = await self._admin(request)
        form = await posted(request)
        refused = await refuse_forgery(self.store, request, session, form)
        if refused is not None:
            return refused
        who = str(form.get("who") or "").strip()
        unit = " ".join(str(form.get("unit") or "").split())
        add = request.match_info["act"] == "them"
        if not ACCOUNT.match(who) or (add and not 0 < len(unit) <= MAX_UNIT):
            return message(words.BAD_OFFICER, status=400)
        if who in self.desk.roster.admins or who in self.desk.roster.officers:
            return message(words.IN_SETTINGS, status=409)
        await self.desk.change_roster(session.actor, add, who, unit if add else "")
        raise web.HTTPSeeOther(HOME)


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"
