"""The insights' downloads: every table as CSV (UTF-8 with a byte-order mark, so that
Excel reads Vietnamese right) and every chart as SVG, with the page's query.

Downloads carry no names, user ids or messages. On the per-ticket and per-broadcast
lists an admin may ask for them (``ca-nhan=1``): the download is audited. An officer who
asks is refused, and that is audited too.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web

from bot.console import insight_tables as tables
from bot.console.insight_data import BROKEN, Scope
from bot.console.insight_period import Period
from bot.console.signin import Session
from bot.strings import console_insights as words

EXPORT_WAIT = 30.0  # seconds a download waits for its figures
LINES = 20_000  # rows of a per-ticket download at most
PERIOD_FIGURES = {  # table name -> the figure it is drawn from
    "kenh": "channels",
    "kenh-theo-ngay": "channels",
    "ket-qua": "outcomes",
    "muc": "sections",
    "danh-gia": "votes",
    "yeu-cau": "tickets",
    "thong-bao": "broadcasts",
}
LISTS = ("yeu-cau-chi-tiet", "thong-bao-chi-tiet")  # rows that may name people
YEAR_TABLES = ("nam", "nam-tong")
NAMES = "|".join((*PERIOD_FIGURES, *LISTS, *YEAR_TABLES))
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take for a formula


class Exports:
    """The downloads of ``Insights`` (which has the store, the figures and the checks)."""

    store: Any
    figures: Any
    zone: Any

    # ---- what Insights provides --------------------------------------------------------
    async def _request(self, request: web.Request) -> tuple[Session, list[str], Scope]:
        raise NotImplementedError

    def _refusal(self, session: Session, text: str, status: int) -> web.HTTPException:
        raise NotImplementedError

    def _period(self, request: web.Request, session: Session) -> Period:
        raise NotImplementedError

    def _year(self, request: web.Request, session: Session) -> int:
        raise NotImplementedError

    def period_tables(self, period: Period, found: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    # ---- downloads ---------------------------------------------------------------------

    async def download(self, request: web.Request) -> web.Response:
        session, units, scope = await self._request(request)
        name = request.match_info["name"]
        personal = request.query.get("ca-nhan") == "1"
        if personal and session.role != "admin":
            await self.store.audit(
                session.actor, "console_export_personal_refused", {"table": name}
            )
            raise self._refusal(session, words.NO_PERSONAL, 403)
        personal = personal and name in LISTS
        table, label = await self._table(request, session, name, scope, units, personal)
        if table is BROKEN or table is None:
            raise self._refusal(session, words.BROKEN, 503)
        if personal:
            details = {"table": name, "period": label, "unit": scope.unit or "*"}
            await self.store.audit(session.actor, "console_export_personal", details)
        svg = request.path.endswith(".svg")
        if svg and table.chart is None:
            raise self._refusal(session, words.UNKNOWN_TABLE, 404)
        file = f"so-lieu-{name}-{label}.{'svg' if svg else 'csv'}"
        if svg:
            body, kind = table.chart.svg(standalone=True), "image/svg+xml"
        else:
            body, kind = as_csv(table), "text/csv"
        return web.Response(
            text=body,
            content_type=kind,
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{file}"',
                "Cache-Control": "no-store",
            },
        )

    async def _table(
        self,
        request: web.Request,
        session: Session,
        name: str,
        scope: Scope,
        units: list[str],
        personal: bool,
    ) -> tuple[Any, str]:
        """The table to download and a label for its file name (its period)."""
        if name in YEAR_TABLES:
            year = self._year(request, session)
            found = await self.figures.year(year, scope, self.zone, EXPORT_WAIT)
            if found is None or found is BROKEN:
                return found, str(year)
            months, totals = tables.year(found.value, year)
            return (months if name == "nam" else totals), str(year)
        period = self._period(request, session)
        label = f"{period.kind}-{period.first.isoformat()}"
        if name == "yeu-cau-chi-tiet":
            window = period.window(self.zone, scope.areas)
            lines = await self.store.ticket_lines(window, self.figures.week, personal, LINES)
            return tables.ticket_lines(lines, self.zone, personal), label
        if name == "thong-bao-chi-tiet":
            rows = await self.figures.broadcast_lines(period, scope, self.zone)
            return tables.broadcast_lines(rows, self.zone, personal), label
        found = await self.figures.period(period, scope, self.zone, units, EXPORT_WAIT)
        return self.period_tables(period, found)[name], label


def as_csv(table: tables.Table) -> str:
    """UTF-8 with a byte-order mark, so that Excel reads Vietnamese right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows([_cell(value) for value in row] for row in table.rows)
    return "\ufeff" + out.getvalue()


def _cell(value: object) -> object:
    """A text a citizen wrote (a name, a reason) that looks like a formula is kept as text:
    a spreadsheet would run "=HYPERLINK(…)" (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value
