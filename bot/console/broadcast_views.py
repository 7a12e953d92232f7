"""The HTML of the console's broadcasts section: the list, the compose form, the preview
and one broadcast with its progress. Pure functions of what the pages show; every text
from officers or the store is escaped here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.console.pages import csrf_field, escape
from bot.console.signin import Session
from bot.core.records import BroadcastRecord, as_utc
from bot.strings import broadcast as wording
from bot.strings import console_broadcasts as words
from bot.strings import conversation as texts

HOME = "/console/thong-bao"
SCRIPT = "console-broadcasts.js"
FINAL = ("done", "cancelled")
KINDS = ("id", "at", "text", "state")  # the history's first columns; the rest: numbers
SECONDARY = ' class="secondary"'
# Which states each control is offered in (the page's script shows and hides them).
CONTROLS = (
    ("tam-dung", ("sending",), words.PAUSE),
    ("tiep-tuc", ("paused",), words.RESUME),
    ("huy", ("scheduled", "sending", "paused"), words.CANCEL),
)


@dataclass(frozen=True)
class Choices:
    """What the compose form shows filled in (a new one, a draft edited, a refused one)."""

    text: str = ""
    choice: str = "all"  # "all", a topic's number, or "area"
    area: str = ""
    later: bool = False
    at: str = ""  # as the datetime field holds it: 2025-11-26T20:00
    draft: str = ""  # the draft edited, whose photo may be kept
    photo: bool = False  # that draft has a photo


def totals(counts: dict[str, int]) -> dict[str, int]:
    """The deliveries' counts as the page shows them (waiting: queued or in flight)."""
    shown = {key: counts.get(key, 0) for key in ("sent", "blocked", "skipped", "failed")}
    shown["waiting"] = counts.get("queued", 0) + counts.get("sending", 0)
    shown["total"] = sum(shown.values())
    return shown


def bubble(text: str, photo_url: str | None, note: str = "") -> str:
    """The message as citizens get it: the photo, then the text exactly as written."""
    image = (
        f'<img class="msg-photo" src="{escape(photo_url)}" alt="{escape(words.PHOTO)}">'
        if photo_url
        else ""
    )
    extra = f'<p class="bc-note">{escape(note)}</p>' if note else ""
    return (
        f'<div class="bc-phone"><div class="msg msg-broadcast bc-bubble">{image}'
        f'<div class="msg-text">{escape(text)}</div></div></div>{extra}'
    )


def error_box(problem: str) -> str:
    return f'<p class="bc-error" role="alert">{escape(problem)}</p>' if problem else ""


def compose(
    session: Session, chosen: Choices, count_text: str, zone: ZoneInfo, problem: str = ""
) -> str:
    now = datetime.now(zone).strftime("%Y-%m-%dT%H:%M")

    def radio(name: str, value: str, label: str, checked: bool) -> str:
        mark = " checked" if checked else ""
        return (
            f'<label class="choice"><input type="radio" name="{name}" value="{value}"{mark}>'
            f" {escape(label)}</label>"
        )

    audiences = [radio("gui-toi", "all", words.EVERYONE, chosen.choice == "all")]
    for n, topic in enumerate(texts.TOPICS):
        audiences.append(radio("gui-toi", str(n), words.topic(topic), chosen.choice == str(n)))
    audiences.append(radio("gui-toi", "area", words.BY_AREA, chosen.choice == "area"))
    keep = ""
    if chosen.draft and chosen.photo:
        keep = (
            f'<img class="bc-thumb" src="{HOME}/nhap/{escape(chosen.draft)}/anh" alt="">'
            '<label class="choice"><input type="checkbox" name="giu-anh" value="1" checked>'
            f" {escape(words.KEEP_PHOTO)}</label>"
        )
    return (
        f'<p><a href="{HOME}">{escape(words.BACK)}</a></p>'
        f"<h2>{escape(words.COMPOSE)}</h2>{error_box(problem)}"
        f'<form class="bc-compose" method="post" action="{HOME}/soan" '
        f'enctype="multipart/form-data" data-count="{HOME}/so-nguoi" data-once>'
        f'{csrf_field(session)}<input type="hidden" name="nhap" value="{escape(chosen.draft)}">'
        f'<label for="bc-text">{escape(words.TEXT)}</label>'
        '<textarea id="bc-text" name="text" rows="8" maxlength="4096" '
        f'aria-describedby="bc-text-hint">{escape(chosen.text)}</textarea>'
        f'<p id="bc-text-hint" class="bc-hint">{escape(words.TEXT_HINT)}</p>'
        f'<label for="bc-photo">{escape(words.PHOTO)}</label>{keep}'
        '<input id="bc-photo" type="file" name="photo" '
        'accept="image/jpeg,image/png,image/gif,image/webp" aria-describedby="bc-photo-hint">'
        f'<p id="bc-photo-hint" class="bc-hint">{escape(words.PHOTO_HINT)}</p>'
        f'<fieldset class="bc-audience"><legend>{escape(words.AUDIENCE)}</legend>'
        f"{''.join(audiences)}"
        f'<div class="bc-area"><label for="bc-area">{escape(words.AREA)}</label>'
        f'<input id="bc-area" type="text" name="xa" maxlength="100" value="{escape(chosen.area)}">'
        f'</div><p id="bc-count" class="bc-count" aria-live="polite">{escape(count_text)}</p>'
        f'</fieldset><fieldset class="bc-when"><legend>{escape(words.WHEN)}</legend>'
        f"{radio('khi', 'now', words.NOW, not chosen.later)}"
        f"{radio('khi', 'later', words.LATER, chosen.later)}"
        f'<div class="bc-at"><label for="bc-at">{escape(words.AT)}</label>'
        f'<input id="bc-at" type="datetime-local" name="luc" min="{now}" '
        f'value="{escape(chosen.at)}"></div></fieldset>'
        f'<div class="bc-actions"><button type="submit">{escape(words.TO_PREVIEW)}</button>'
        f'<a href="{HOME}">{escape(words.CANCEL_COMPOSE)}</a></div></form>'
    )


def preview(
    session: Session,
    token: str,
    draft: dict,
    count: int,
    at: datetime | None,
    zone: ZoneInfo,
    zalo_note: bool,
) -> str:
    photo = f"{HOME}/nhap/{token}/anh" if draft.get("photo") else None
    name = wording.audience_name(draft["audience"])
    return (
        f'<p><a href="{HOME}">{escape(words.BACK)}</a></p>'
        f"<h2>{escape(words.PREVIEW)}</h2>"
        f"{bubble(draft['text'], photo, words.ZALO_OA_PHOTO if zalo_note else '')}"
        f'<p class="bc-count">{escape(words.count(count, name))}</p>'
        f'<form class="bc-confirm" method="post" action="{HOME}/nhap/{token}/xac-nhan" data-once>'
        f"{csrf_field(session)}<p><b>{escape(wording.confirm_question(count, at, zone))}</b></p>"
        f'<div class="bc-actions"><button type="submit">{escape(words.CONFIRM)}</button>'
        f'<a href="{HOME}/soan?nhap={token}">{escape(words.EDIT)}</a></div></form>'
    )


def progress_json(broadcast: BroadcastRecord, counts: dict[str, int]) -> dict:
    shown = totals(counts)
    return {
        "id": broadcast.id,
        "state": broadcast.state,
        "state_name": wording.STATE_NAMES.get(broadcast.state, broadcast.state),
        "counts": shown,
        "line": words.progress_line(shown),
        "final": broadcast.state in FINAL,
    }


def detail(
    session: Session,
    broadcast: BroadcastRecord,
    counts: dict[str, int],
    photo_url: str | None,
    zone: ZoneInfo,
) -> str:
    shown = totals(counts)
    url = f"{HOME}/{broadcast.id}"
    items = "".join(
        f'<div><dt>{escape(words.COUNTS[key])}</dt><dd data-count="{key}">{shown[key]}</dd></div>'
        for key in ("sent", "blocked", "skipped", "failed", "waiting", "total")
    )
    items += f"<div><dt>{escape(words.REPLIES)}</dt><dd>{counts.get('replies', 0)}</dd></div>"
    controls = "".join(
        f'<form method="post" action="{url}/{verb}" data-when="{" ".join(states)}" data-once'
        f"{'' if broadcast.state in states else ' hidden'}>{csrf_field(session)}"
        f'<button type="submit"{SECONDARY if verb == "huy" else ""}>'
        f"{escape(label)}</button></form>"
        for verb, states, label in CONTROLS
    )
    finished = shown["total"] - shown["waiting"]
    state = wording.STATE_NAMES.get(broadcast.state, broadcast.state)
    note = "" if photo_url or not broadcast.photo else words.NO_PHOTO_KEPT
    who = broadcast.officer + (f" — {broadcast.unit}" if broadcast.unit else "")
    when = words.when(broadcast.state, broadcast.scheduled_at, broadcast.started_at, zone)
    return (
        f'<p><a href="{HOME}">{escape(words.BACK)}</a></p>'
        f"<h2>{escape(words.title(broadcast.id))}</h2>"
        f'<section class="bc-progress" data-progress="{url}/tien-do" '
        f'data-state="{broadcast.state}" aria-labelledby="bc-progress-title">'
        f'<h3 id="bc-progress-title">{escape(words.PROGRESS)}: '
        f'<span class="bc-state" data-state-name aria-live="polite">{escape(state)}</span></h3>'
        f'<progress max="{max(shown["total"], 1)}" value="{finished}" '
        f'aria-label="{escape(words.PROGRESS)}"></progress>'
        f'<p class="bc-line" data-line>{escape(words.progress_line(shown))}</p>'
        f'<dl class="bc-counts">{items}</dl><p class="muted">{escape(when)}</p></section>'
        f'<div class="bc-controls">{controls}</div>'
        f"{bubble(broadcast.text, photo_url, note)}"
        f"<p>{escape(words.AUDIENCE_OF)}: {escape(wording.audience_name(broadcast.audience))}</p>"
        f"<p>{escape(words.SENDER)}: {escape(who)}</p>"
    )


def history(
    session: Session, rows: list[tuple[BroadcastRecord, dict[str, int]]], zone: ZoneInfo
) -> str:
    """The broadcasts as a table (on a phone, one card each: see console.css)."""
    columns = [(head, "num" if n >= 4 else KINDS[n]) for n, head in enumerate(words.COLUMNS)]
    if session.role == "admin":
        columns.insert(2, (words.UNIT_COLUMN, "unit"))
    lines = []
    for broadcast, counts in rows:
        shown = totals(counts)
        moment = broadcast.started_at or broadcast.scheduled_at or broadcast.created_at
        short = " ".join(broadcast.text.split()) or "—"
        short = short if len(short) <= 90 else short[:89] + "…"
        link = f'<a href="{HOME}/{broadcast.id}">'
        cells = [
            f"{link}#{broadcast.id}</a>",
            escape(words.local(as_utc(moment), zone)),
            f"{link}{escape(short)}</a>",
            escape(wording.STATE_NAMES.get(broadcast.state, broadcast.state)),
            *(str(shown[key]) for key in ("total", "sent", "blocked", "skipped", "failed")),
            str(counts.get("replies", 0)),
        ]
        if session.role == "admin":
            cells.insert(2, escape(broadcast.unit or "—"))
        lines.append(
            "<tr>"
            + "".join(
                f'<td data-label="{escape(head)}" class="{kind}">{cell}</td>'
                for (head, kind), cell in zip(columns, cells, strict=True)
            )
            + "</tr>"
        )
    if not lines:
        return f"<p>{escape(words.EMPTY)}</p>"
    head = "".join(f'<th scope="col" class="{kind}">{escape(h)}</th>' for h, kind in columns)
    return (
        f'<table class="data bc-history"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(lines)}</tbody></table>"
        f'<p class="bc-hint">{escape(words.REPLIES_NOTE)}</p>'
    )


def listing(session: Session, table: str, older: int | None) -> str:
    scope = "" if session.role == "admin" else f'<p class="muted">{escape(words.SCOPE)}</p>'
    more = f'<p><a href="{HOME}?truoc={older}">{escape(words.OLDER)}</a></p>' if older else ""
    return (
        f'<div class="bc-head"><h2>{escape(words.HEADING)}</h2>'
        f'<a class="button" href="{HOME}/soan">{escape(words.NEW)}</a></div>'
        f"{scope}{table}{more}"
    )
