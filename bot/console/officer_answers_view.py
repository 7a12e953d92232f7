"""The HTML of the console's officers' answers section ("Giải đáp"): the list with its
tabs, one answer with its versions and decisions, the form (the import's page is
officer_answers_files.py's).
Pure functions of what the pages show; every text from officers or the store is escaped
here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.console.broadcast_views import error_box
from bot.console.pages import PATH, csrf_field, escape
from bot.console.signin import Session
from bot.core.officer_answers import OfficerAnswerRecord, OfficerAnswerUse, OfficerAnswerVersion
from bot.core.records import as_utc
from bot.officer_answers.sections import shown
from bot.strings import console_officer_answers as words

HOME = PATH + "giai-dap"
SECTION = "giai-dap"
NEW = HOME + "/moi"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_QUERY = 200
USE_DAYS = 30  # how far back an answer's use is counted
USE_EXAMPLES = 10  # the latest questions it answered, shown to admins


def ticket_link(ticket_id: int) -> str:
    """The new form prefilled from a ticket (the inbox's "Lưu thành giải đáp")."""
    return f"{NEW}?ve-viec={ticket_id}"


def cluster_link(message_ids: Sequence[int]) -> str:
    """The new form prefilled with a group's questions (the unanswered questions' page)."""
    return f"{NEW}?{urlencode([('cau-hoi', i) for i in message_ids])}"


@dataclass(frozen=True)
class Filled:
    """What the form shows filled in (new, prefilled, edited, or refused and shown again)."""

    questions: str = ""  # one a line
    answer: str = ""
    sections: str = ""  # one a line
    unit: str = ""
    source: str = ""
    note: str = ""  # a hint above the form (no officer reply yet…)


def filled_from(record: OfficerAnswerRecord) -> Filled:
    text = record.latest.text
    return Filled(
        "\n".join(text.questions), text.answer, "\n".join(shown(text.sections)), record.unit
    )


def when(moment: datetime) -> str:
    return as_utc(moment).astimezone(HANOI).strftime("%d/%m/%Y %H:%M")


def state_of(record: OfficerAnswerRecord) -> str:
    state = words.STATES[record.state]
    if record.state == "approved" and record.pending:
        state += f" — {words.EDIT_PENDING}"
    return state


# ---- the list -------------------------------------------------------------------------------
def listing(
    session: Session, tab: str, query: str, rows: list[OfficerAnswerRecord], counts: dict[str, int]
) -> str:
    here = ' aria-current="page"'
    tabs = "".join(
        f'<a href="{HOME}?{urlencode({"muc": key})}"{here if key == tab else ""}>'
        f"{escape(name)} ({counts.get(key, 0)})</a>"
        for key, name in words.TABS.items()
    )
    scope = "" if session.role == "admin" else f'<p class="muted">{escape(words.SCOPE)}</p>'
    links = (
        f'<a href="{HOME}/tai-ve?format=jsonl">{escape(words.DOWNLOAD_JSONL)}</a> · '
        f'<a href="{HOME}/tai-ve?format=csv">{escape(words.DOWNLOAD_CSV)}</a>'
    )
    if session.role == "admin":
        links += f' · <a href="{HOME}/nhap">{escape(words.IMPORT)}</a>'
    return (
        f'<div class="bc-head"><h2>{escape(words.HEADING)}</h2>'
        f'<a class="button" href="{NEW}">{escape(words.NEW)}</a></div>'
        f'<p class="bc-hint">{escape(words.INTRO)}</p>{scope}'
        f'<nav class="console-nav" aria-label="{escape(words.HEADING)}">{tabs}</nav>'
        f'<form method="get" action="{HOME}" class="inbox-search" role="search">'
        f'<input type="hidden" name="muc" value="{escape(tab)}">'
        f'<label for="q">{escape(words.SEARCH_LABEL)}</label>'
        f'<input type="search" id="q" name="q" value="{escape(query)}" maxlength="{MAX_QUERY}">'
        f'<button type="submit">{escape(words.SEARCH)}</button></form>'
        f"{_table(rows, bool(query))}"
        f'<p class="downloads">{links}</p>'
    )


def _table(rows: list[OfficerAnswerRecord], searched: bool) -> str:
    if not rows:
        return f"<p>{escape(words.NONE_FOUND if searched else words.EMPTY)}</p>"
    # The inbox's table: its number links are 44 px targets, its rows stack on a phone.
    body = "".join(
        f'<tr data-answer="{r.id}"><td class="id"><a href="{HOME}/{r.id}">#{r.id}</a></td>'
        f'<td class="reason">{escape(r.latest.text.questions[0][:160])}</td>'
        f"<td>{escape(r.unit)}</td><td>{escape(state_of(r))}</td>"
        f"<td>{r.latest.version}</td><td>{escape(when(r.updated_at))}</td></tr>"
        for r in rows
    )
    head = "".join(f"<th>{escape(c)}</th>" for c in words.COLUMNS)
    return (
        f'<div class="table-wrap"><table class="inbox officer-answers"><thead><tr>{head}</tr>'
        f"</thead><tbody>{body}</tbody></table></div>"
    )


# ---- one answer -------------------------------------------------------------------------------
def detail(
    session: Session,
    record: OfficerAnswerRecord,
    versions: list[OfficerAnswerVersion],
    editable: bool,
    use: OfficerAnswerUse | None = None,
) -> str:
    facts = [
        (words.UNIT, escape(record.unit)),
        (words.CREATED, f"{escape(record.created_by)} — {escape(when(record.created_at))}"),
        (words.UPDATED, escape(when(record.updated_at))),
    ]
    if record.approved_version is not None and record.state == "approved":
        approved = f"{record.approved_version} — {record.approved_by or ''}"
        if record.approved_at:
            approved += f", {when(record.approved_at)}"
        facts.append((words.APPROVED, escape(approved)))
    if record.source:
        facts.append((words.SOURCE, _source(record.source)))
    if record.note:
        facts.append((words.NOTE, escape(record.note)))
    if use is not None:
        used = words.USED_COUNT.format(n=use.served, last=when(use.last)) if use.last else ""
        facts.append((words.USED.format(days=USE_DAYS), escape(used or words.USED_NEVER)))
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in facts)
    edit = ""
    if editable:
        hint = words.EDIT_APPROVED_HINT if record.state == "approved" else ""
        action = f"{HOME}/{record.id}/sua"
        edit = f"<h3>{escape(words.EDIT)}</h3>" + form(
            session, filled_from(record), action, words.SAVE_EDIT, hint=hint
        )
    return (
        f'<p><a href="{HOME}">{escape(words.BACK)}</a></p>'
        f"<h2>#{record.id} — {escape(state_of(record))}</h2>"
        f'<div class="table-wrap"><table class="data"><tbody>{rows}</tbody></table></div>'
        f"{_text(record.latest, record)}"
        f'<p class="bc-hint">{escape(words.CITIZENS_SEE.format(unit=record.unit))}</p>'
        f"{_asked(use)}{_decisions(session, record)}{edit}"
        f"<h3>{escape(words.VERSIONS)}</h3>{''.join(_version(v, record) for v in versions)}"
    )


def _asked(use: OfficerAnswerUse | None) -> str:
    if use is None or not use.asked:
        return ""
    items = "".join(f"<li>{escape(when(at))}: {escape(text)}</li>" for at, text in use.asked)
    return f"<h3>{escape(words.ASKED)}</h3><ul>{items}</ul>"


def _source(source: str) -> str:
    kind, _, rest = source.partition(":")
    if kind == "ticket" and rest.isdigit():
        label = escape(words.FROM_TICKET.format(id=rest))
        return f'<a href="{PATH}yeu-cau/{rest}">{label}</a>'
    if kind == "cluster":
        return escape(words.FROM_CLUSTER)
    return escape(words.FROM_IMPORT if source == "import" else source)


def _text(version: OfficerAnswerVersion, record: OfficerAnswerRecord) -> str:
    text = version.text
    questions = "".join(f"<li>{escape(q)}</li>" for q in text.questions)
    places = shown(text.sections)
    sections = (
        "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in places) + "</ul>"
        if places
        else f'<p class="muted">{escape(words.NO_SECTIONS)}</p>'
    )
    return (
        f'<div class="officer-answer" data-version="{version.version}">'
        f"<h4>{escape(words.QUESTIONS)}</h4><ul>{questions}</ul>"
        f'<h4>{escape(words.ANSWER)}</h4><div class="msg-text">{escape(text.answer)}</div>'
        f"<h4>{escape(words.SECTIONS)}</h4>{sections}</div>"
    )


def _version(version: OfficerAnswerVersion, record: OfficerAnswerRecord) -> str:
    marks = []
    if record.state == "approved" and version.version == record.approved_version:
        marks.append(words.SERVED)
    if version.version == record.latest.version:
        marks.append(words.NEWEST)
    badge = "".join(f' <span class="badge">{escape(m)}</span>' for m in marks)
    title = escape(words.VERSION.format(n=version.version))
    return (
        f'<details class="version"{" open" if marks else ""}><summary>{title}{badge} — '
        f"{escape(version.author)}, {escape(when(version.created_at))}</summary>"
        f"{_text(version, record)}</details>"
    )


def _decisions(session: Session, record: OfficerAnswerRecord) -> str:
    """An admin's buttons, for the states where each is allowed (the store checks again)."""
    if session.role != "admin":
        return ""
    csrf = csrf_field(session)
    base = f"{HOME}/{record.id}"
    parts = []
    if record.state in ("draft", "withdrawn") or record.pending:
        n = record.latest.version
        parts.append(
            f'<form method="post" action="{base}/duyet">{csrf}'
            f'<input type="hidden" name="phien-ban" value="{n}">'
            f'<button type="submit">{escape(words.APPROVE.format(n=n))}</button>'
            f'<p class="bc-hint">{escape(words.APPROVE_HINT)}</p></form>'
        )
    for verb, label, allowed in (
        ("tu-choi", words.REJECT, record.state == "draft"),
        ("rut", words.WITHDRAW, record.state == "approved"),
    ):
        if allowed:
            parts.append(
                f'<form method="post" action="{base}/{verb}">{csrf}'
                f'<label for="ly-do-{verb}">{escape(words.REASON)}</label>'
                f'<input type="text" id="ly-do-{verb}" name="ly-do" maxlength="500">'
                f'<button type="submit" class="secondary">{escape(label)}</button></form>'
            )
    return f'<div class="bc-controls">{"".join(parts)}</div>' if parts else ""


# ---- the form -------------------------------------------------------------------------------
def form(
    session: Session,
    filled: Filled,
    action: str,
    button: str,
    problem: str = "",
    *,
    hint: str = "",
    with_unit: bool = False,
) -> str:
    """The answer's fields; ``with_unit``: the new form (an admin types the unit)."""
    unit = ""
    if with_unit and session.role == "admin":
        unit = (
            f'<label for="oa-unit">{escape(words.UNIT_LABEL)}</label>'
            f'<input type="text" id="oa-unit" name="don-vi" maxlength="128" required '
            f'value="{escape(filled.unit)}">'
        )
    elif with_unit:
        unit = f"<p>{escape(words.UNIT_FIXED.format(unit=session.unit))}</p>"
    notes = "".join(f'<p class="bc-note">{escape(n)}</p>' for n in (filled.note, hint) if n)
    return (
        f"{error_box(problem)}{notes}"
        f'<form class="bc-compose" method="post" action="{escape(action)}">{csrf_field(session)}'
        f'<input type="hidden" name="nguon" value="{escape(filled.source)}">'
        f'<label for="oa-questions">{escape(words.QUESTIONS_LABEL)}</label>'
        '<textarea id="oa-questions" name="cau-hoi" rows="4" required '
        f'aria-describedby="oa-questions-hint">{escape(filled.questions)}</textarea>'
        f'<p id="oa-questions-hint" class="bc-hint">{escape(words.QUESTIONS_HINT)}</p>'
        f'<label for="oa-answer">{escape(words.ANSWER_LABEL)}</label>'
        '<textarea id="oa-answer" name="giai-dap" rows="8" maxlength="2000" required>'
        f"{escape(filled.answer)}</textarea>"
        f'<label for="oa-sections">{escape(words.SECTIONS_LABEL)}</label>'
        '<textarea id="oa-sections" name="muc" rows="2" placeholder="III.3">'
        f"{escape(filled.sections)}</textarea>{unit}"
        f'<div class="bc-actions"><button type="submit">{escape(button)}</button>'
        f'<a href="{HOME}">{escape(words.CANCEL)}</a></div></form>'
    )


def new_page(session: Session, filled: Filled, problem: str = "") -> str:
    return (
        f'<p><a href="{HOME}">{escape(words.BACK)}</a></p><h2>{escape(words.NEW_HEADING)}</h2>'
        + form(session, filled, NEW, words.SAVE, problem, with_unit=True)
    )
