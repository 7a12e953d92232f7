"""The console's insights ("Số liệu", /console/so-lieu): the plan's yardsticks for a day,
a week or a month (questions by channel and by day, how the bot answered, the sections
asked about and their 👍/👎, ticket response times, each unit's broadcasts against the
10 a month), and a year's summary (/console/so-lieu/nam: reach, interest, interaction).

An officer sees their unit: citizens whose chosen ward belongs to it (the inbox's rule)
and the unit's broadcasts; an admin any unit, or all. Every table downloads as CSV
(UTF-8 with BOM, for Excel) and every chart as SVG, at ``<name>.csv`` / ``<name>.svg``
with the page's query. Downloads carry no names, user ids or messages; an admin may ask
for them on the per-ticket and per-broadcast lists (``ca-nhan=1``), which is audited; an
officer who asks is refused (audited too). The numbers come from the store's aggregate
queries (bot/store/insights.py) through a short-lived cache (insight_data.py).
"""

from __future__ import annotations

import time as clock
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console import insight_html as html
from bot.console import insight_tables as tables
from bot.console.insight_data import BROKEN, Figures, Scope
from bot.console.insight_exports import NAMES, PERIOD_FIGURES, Exports
from bot.console.insight_period import Period, offset, parse_year
from bot.console.pages import signed_page
from bot.console.signin import Session
from bot.conversation.office_hours import OfficeHours
from bot.core.insights import Insights as InsightQueries
from bot.core.insights import Workweek
from bot.strings import console_insights as words
from bot.vietnamese.text import fold

PAGE_WAIT = 0.35  # seconds a page waits for its figures (the rest: "being computed")
AREAS_KEPT = 300.0  # seconds the list of wards is kept
HANOI = "Asia/Ho_Chi_Minh"
REFUSALS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest,
    403: web.HTTPForbidden,
    404: web.HTTPNotFound,
    503: web.HTTPServiceUnavailable,
}


def workweek(hours: OfficeHours | None, zone: ZoneInfo, today: date) -> Workweek:
    """Office hours as the store's queries take them (07:30–17:00, Monday–Friday when the
    console was given none)."""

    def seconds(moment: time) -> int:
        return moment.hour * 3600 + moment.minute * 60 + moment.second

    if hours is None:
        return Workweek(7 * 3600 + 1800, 17 * 3600, frozenset(range(5)), offset(zone, today))
    return Workweek(seconds(hours.opens), seconds(hours.closes), hours.days, offset(zone, today))


class InsightStore(InsightQueries, Protocol):
    """The store as the insights use it: the counts, and the audit log."""

    async def audit(self, actor: str, action: str, details: dict | None = None) -> None: ...


class Insights(Exports):
    def __init__(
        self,
        store: InsightStore,
        require: Callable[[web.Request], Awaitable[Session]],
        desk: Any,  # the broadcast desk: its roster names the units of officers in settings
        office_hours: OfficeHours | None,
        target_minutes: int,
        *,
        wait: float = PAGE_WAIT,
    ) -> None:
        self.store = store
        self.require = require
        self.desk = desk
        self.zone = office_hours.zone if office_hours is not None else ZoneInfo(HANOI)
        self.target_minutes = target_minutes
        self.wait = wait
        self.figures = Figures(
            store, workweek(office_hours, self.zone, self.today()), target_minutes * 60
        )
        self._areas: tuple[float, list[str]] | None = None

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(html.HOME, self.period_page),
            web.get(html.YEAR, self.year_page),
            web.get(html.HOME + "/{name:" + NAMES + "}.csv", self.download),
            web.get(html.HOME + "/{name:" + NAMES + "}.svg", self.download),
        ]

    def today(self) -> date:
        return datetime.now(self.zone).date()

    # ---- who sees what -----------------------------------------------------------------
    async def units(self) -> list[str]:
        """Units an admin may pick: of officers (settings and added) and of broadcasts."""
        roster = getattr(getattr(self.desk, "roster", None), "officers", {})
        return sorted({*roster.values(), *await self.store.insight_units()} - {""})

    async def areas_of(self, unit: str) -> tuple[str, ...]:
        """The wards whose citizens belong to the unit: as the inbox sees them, a ward
        (folded) named within the unit's folded name."""
        if self._areas is None or clock.monotonic() - self._areas[0] > AREAS_KEPT:
            self._areas = (clock.monotonic(), await self.store.insight_areas())
        folded = fold(unit)
        return tuple(area for area in self._areas[1] if area and area in folded)

    async def scope(self, request: web.Request, session: Session, units: list[str]) -> Scope:
        asked = request.query.get("don-vi", "").strip()
        if session.role != "admin":
            if asked and asked != session.unit:
                await self.store.audit(session.actor, "console_insights_refused", {"unit": asked})
                raise self._refusal(session, words.OTHER_UNIT, 403)
            return Scope(session.unit, await self.areas_of(session.unit))
        if not asked:
            return Scope(None, None)
        if asked not in units:
            raise self._refusal(session, words.BAD_UNIT, 400)
        return Scope(asked, await self.areas_of(asked))

    def _refusal(self, session: Session, text: str, status: int) -> web.HTTPException:
        """A polite page with the menu and the way back, as the error to raise."""
        body = (
            f'<p>{html.escape(text)}</p><p><a href="{html.HOME}">{html.escape(words.BACK)}</a></p>'
        )
        page = signed_page(session, "so-lieu", body)
        return REFUSALS[status](
            text=page.text, content_type="text/html", headers={"Cache-Control": "no-store"}
        )

    async def _request(self, request: web.Request) -> tuple[Session, list[str], Scope]:
        session = await self.require(request)
        units = await self.units()
        return session, units, await self.scope(request, session, units)

    def _period(self, request: web.Request, session: Session) -> Period:
        try:
            return Period.parse(request.query.get("ky"), request.query.get("ngay"), self.today())
        except ValueError as exc:
            raise self._refusal(session, str(exc), 400) from None

    # ---- pages -------------------------------------------------------------------------
    async def period_page(self, request: web.Request) -> web.Response:
        session, units, scope = await self._request(request)
        period = self._period(request, session)
        found = await self.figures.period(period, scope, self.zone, units, self.wait)
        built = self.period_tables(period, found)
        query = {**period.query(), "don-vi": scope.unit if session.role == "admin" else ""}
        body = [
            html.intro(html.HOME),
            html.scope_note(session),
            html.period_filter(session, period, units, scope.unit),
            html.period_nav(period, query["don-vi"], self.today()),
        ]
        titles = {
            "kenh": words.CHANNELS,
            "kenh-theo-ngay": words.CHANNELS_DAILY,
            "ket-qua": words.OUTCOMES,
            "muc": words.SECTIONS,
            "danh-gia": words.VOTES,
            "yeu-cau": words.TICKETS,
            "thong-bao": words.broadcasts_heading(period.month()[0]),
        }
        waiting = False
        for name, title in titles.items():
            table = built[name]
            if table is None or table is BROKEN:
                waiting = waiting or table is None
                body.append(html.pending(title, table is BROKEN))
                continue
            body.append(html.section(table, query))
            if name == "yeu-cau":
                body.append(html.export_form(session, "yeu-cau-chi-tiet", words.TICKET_LIST, query))
            if name == "thong-bao":
                body.append(
                    html.export_form(session, "thong-bao-chi-tiet", words.BROADCAST_LIST, query)
                )
        body.append(f'<p class="muted">{html.escape(words.PERSONAL_NOTE)}</p>')
        response = signed_page(session, "so-lieu", "".join(body))
        if waiting:
            response.headers["Refresh"] = "3"  # the figures still being computed
        return response

    def period_tables(self, period: Period, found: dict[str, Any]) -> dict[str, Any]:
        """Each table of the period page by name (None: not computed yet; BROKEN)."""

        def ready(name: str) -> bool:
            return found[name] is not None and found[name] is not BROKEN

        built: dict[str, Any] = {name: found[figure] for name, figure in PERIOD_FIGURES.items()}
        if ready("channels"):
            built["kenh"], built["kenh-theo-ngay"] = tables.channels(found["channels"], period)
        if ready("outcomes"):
            built["ket-qua"] = tables.outcomes(found["outcomes"], period)
        if ready("sections"):
            built["muc"] = tables.sections(found["sections"], period)
        if ready("votes"):
            built["danh-gia"] = tables.votes(found["votes"], period)
        if ready("tickets"):
            built["yeu-cau"] = tables.tickets(found["tickets"], self.target_minutes)
        if ready("broadcasts"):
            built["thong-bao"] = tables.broadcasts(found["broadcasts"], period)
        return built

    async def year_page(self, request: web.Request) -> web.Response:
        session, units, scope = await self._request(request)
        year = self._year(request, session)
        found = await self.figures.year(year, scope, self.zone, self.wait)
        unit = scope.unit if session.role == "admin" else ""
        query = {"nam": str(year), "don-vi": unit or ""}
        body = [
            html.intro(html.YEAR),
            html.scope_note(session),
            html.year_filter(session, year, units, unit, self.today()),
        ]
        if found is None or found is BROKEN:
            body.append(html.pending(f"{words.YEAR} {year}", found is BROKEN))
        else:
            months, totals = tables.year(found.value, year)
            when = found.at.astimezone(self.zone).strftime("%H:%M %d/%m/%Y")
            body.append(f'<p class="muted">{html.escape(words.COMPUTED.format(at=when))}</p>')
            body += [html.section(totals, query), html.section(months, query)]
        response = signed_page(session, "so-lieu", "".join(body))
        if found is None:
            response.headers["Refresh"] = "3"
        return response

    def _year(self, request: web.Request, session: Session) -> int:
        try:
            return parse_year(request.query.get("nam"), self.today())
        except ValueError as exc:
            raise self._refusal(session, str(exc), 400) from None
