"""The insights pages' HTML: the choice of period and unit, and each table with its
chart and download links (server-rendered, no script)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from bot.console.charts import grouped
from bot.console.insight_period import FIRST_YEAR, KINDS, Period
from bot.console.insight_tables import Table
from bot.console.pages import PATH, escape
from bot.console.signin import Session
from bot.strings import console_insights as words

HOME = PATH + "so-lieu"
YEAR = HOME + "/nam"
UNANSWERED = HOME + "/cau-hoi-chua-tra-loi"  # another part's page (clusters of questions)
WIDE = 6  # columns from which a table is not put beside its chart
TALL = 16  # rows from which a table scrolls in a box of its own (a month's days)


def link(path: str, query: dict[str, str]) -> str:
    kept = {k: v for k, v in query.items() if v}
    return escape(path + ("?" + urlencode(kept) if kept else ""))


def intro(current: str) -> str:
    pages = (
        (HOME, words.PERIOD_LINK),
        (YEAR, words.YEAR_LINK),
        (UNANSWERED, words.UNANSWERED_LINK),
    )
    here = ' aria-current="page"'
    items = "".join(
        f'<li><a href="{path}"{here if path == current else ""}>{escape(name)}</a></li>'
        for path, name in pages
    )
    return (
        f"<h2>{escape(words.HEADING)}</h2><p>{escape(words.INTRO)}</p>"
        f'<nav class="insight-pages" aria-label="{escape(words.SUBNAV)}"><ul>{items}</ul></nav>'
    )


def scope_note(session: Session) -> str:
    text = words.ADMIN_SCOPE if session.role == "admin" else words.OFFICER_SCOPE
    return f'<p class="muted">{escape(text)}</p>'


def unit_field(session: Session, units: list[str], chosen: str | None) -> str:
    if session.role != "admin":
        return f'<p class="insight-unit">{escape(words.UNIT)}: <b>{escape(session.unit or "—")}</b></p>'
    options = [f'<option value="">{escape(words.ALL_UNITS)}</option>']
    for unit in units:
        selected = " selected" if unit == chosen else ""
        options.append(f'<option value="{escape(unit)}"{selected}>{escape(unit)}</option>')
    return f'<label>{escape(words.UNIT)} <select name="don-vi">{"".join(options)}</select></label>'


def period_filter(session: Session, period: Period, units: list[str], unit: str | None) -> str:
    kinds = "".join(
        f'<option value="{k}"{" selected" if k == period.kind else ""}>{escape(words.KINDS[k])}</option>'
        for k in KINDS
    )
    return (
        f'<form class="insight-filter" method="get" action="{HOME}" aria-label="{escape(words.FILTER)}">'
        f'<label>{escape(words.KIND)} <select name="ky">{kinds}</select></label>'
        f'<label>{escape(words.DAY_FIELD)} <input type="date" name="ngay" '
        f'value="{period.first.isoformat()}"></label>'
        f"{unit_field(session, units, unit)}"
        f'<button type="submit">{escape(words.SHOW)}</button></form>'
    )


def period_nav(period: Period, unit: str | None, today: date) -> str:
    before, after = period.previous(), period.next()
    extra = {"don-vi": unit or ""}
    parts = []
    if before.first.year >= FIRST_YEAR:
        parts.append(
            f'<a rel="prev" href="{link(HOME, {**before.query(), **extra})}">← '
            f"{escape(words.PREVIOUS)}: {escape(before.label)}</a>"
        )
    parts.append(f'<strong aria-current="true">{escape(period.label)}</strong>')
    if after.first <= today:
        parts.append(
            f'<a rel="next" href="{link(HOME, {**after.query(), **extra})}">'
            f"{escape(words.NEXT)}: {escape(after.label)} →</a>"
        )
    return f'<nav class="period-nav" aria-label="{escape(words.KIND)}">{"".join(parts)}</nav>'


def year_filter(
    session: Session, year: int, units: list[str], unit: str | None, today: date
) -> str:
    extra = {"don-vi": unit or ""}
    nav = []
    if year > FIRST_YEAR:
        nav.append(
            f'<a rel="prev" href="{link(YEAR, {"nam": str(year - 1), **extra})}">← {year - 1}</a>'
        )
    nav.append(f'<strong aria-current="true">{words.YEAR} {year}</strong>')
    if year < today.year:
        nav.append(
            f'<a rel="next" href="{link(YEAR, {"nam": str(year + 1), **extra})}">{year + 1} →</a>'
        )
    return (
        f'<form class="insight-filter" method="get" action="{YEAR}" aria-label="{escape(words.FILTER)}">'
        f'<label>{escape(words.YEAR_FIELD)} <input type="number" name="nam" min="2000" max="2100" '
        f'value="{year}"></label>{unit_field(session, units, unit)}'
        f'<button type="submit">{escape(words.SHOW)}</button></form>'
        f'<nav class="period-nav" aria-label="{escape(words.YEAR_FIELD)}">{"".join(nav)}</nav>'
    )


def table_html(table: Table) -> str:
    tall = " tall" if len(table.rows) > TALL else ""  # scrolls in its own box
    head = "".join(
        f'<th scope="col"{_num(i, table)}>{escape(c)}</th>' for i, c in enumerate(table.columns)
    )
    body = []
    for row in table.rows:
        cells = [_td(i, value, table) for i, value in enumerate(row)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table-wrap{tall}" tabindex="0" role="region" '
        f'aria-label="{escape(table.title)}">'
        f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
        "</table></div>"
    )


def section(table: Table, query: dict[str, str], *, heading: str | None = None) -> str:
    """A table with its chart, note and downloads, as a page section."""
    slug = table.name
    title = heading or table.title
    parts = [f'<section class="insight" id="{slug}" aria-labelledby="{slug}-h">']
    parts.append(f'<h3 id="{slug}-h">{escape(title)}</h3>')
    if table.note:
        parts.append(f'<p class="muted">{escape(table.note)}</p>')
    if not table.rows:
        parts.append(f"<p>{escape(words.EMPTY)}</p></section>")
        return "".join(parts)
    chart = f'<figure class="chart-box">{table.chart.svg()}</figure>' if table.chart else ""
    kind = "insight-body" if table.chart else "insight-body no-chart"
    if len(table.columns) >= WIDE:
        kind += " wide"  # the chart above its table: each gets the page's width
    parts.append(f'<div class="{kind}">{chart}{table_html(table)}</div>')
    downloads = [f'<a href="{link(f"{HOME}/{slug}.csv", query)}" download>{escape(words.CSV)}</a>']
    if table.chart:
        downloads.append(
            f'<a href="{link(f"{HOME}/{slug}.svg", query)}" download>{escape(words.SVG)}</a>'
        )
    parts.append(f'<p class="downloads">{" · ".join(downloads)}</p></section>')
    return "".join(parts)


def pending(title: str, broken: bool) -> str:
    text = words.BROKEN if broken else words.PENDING
    return (
        f'<section class="insight pending"><h3>{escape(title)}</h3><p>{escape(text)}</p></section>'
    )


def export_form(session: Session, table: str, label: str, query: dict[str, str]) -> str:
    """A download of per-ticket or per-broadcast rows; an admin may ask for the personal
    columns too (audited), an officer never sees the choice."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, v in query.items()
        if v
    )
    choice = ""
    if session.role == "admin":
        choice = (
            f'<label class="personal"><input type="checkbox" name="ca-nhan" value="1"> '
            f"{escape(words.PERSONAL)}</label>"
        )
    return (
        f'<form class="export" method="get" action="{HOME}/{table}.csv">{hidden}{choice}'
        f'<button type="submit" class="secondary">{escape(label)}</button></form>'
    )


def _td(index: int, value: object, table: Table) -> str:
    tag = 'th scope="row"' if index == 0 else "td"
    return f"<{tag}{_num(index, table)}>{escape(_cell(value))}</{tag.split()[0]}>"


def _num(index: int, table: Table) -> str:
    return ' class="num"' if index in table.numeric else ""


def _cell(value: object) -> str:
    return (
        grouped(value)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )
