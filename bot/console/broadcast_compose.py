"""Composing a broadcast in the console: the form (text, photo, audience with its count,
now or a time), a draft kept in the store, its exact preview, and the confirmation.

A draft lives under ``console_draft:<token>`` (only its author may open it), so the
preview shows what will go out and the confirmation sends exactly that. Confirming
goes through the desk's ``publish`` (the chat dialogue's own: created, audited, queued,
the sender woken). A draft is confirmed once: the first click turns it into
"confirming" with an atomic compare-and-set, and any later click is sent on to the
broadcast it became.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.broadcast.desk import BroadcastDesk
from bot.broadcast.media import image_type, upload_key
from bot.channels.zalo_protocol import OA_IMAGE_TYPES, OA_MAX_IMAGE_BYTES
from bot.console import broadcast_form as form
from bot.console import broadcast_views as views
from bot.console.pages import escape, posted, refuse_forgery, signed_page
from bot.console.signin import Session
from bot.console.uploads import BadForm
from bot.store.repository import Store
from bot.strings import broadcast as wording
from bot.strings import console_broadcasts as words
from bot.strings.conversation import TOPICS

HOME = views.HOME
DRAFT = "console_draft:"
TOKEN = "{token:[A-Za-z0-9_-]{16,64}}"

Require = Callable[[web.Request], Awaitable[Session]]


def refusal(session: Session, text: str, status: int, back: str = HOME) -> web.Response:
    """A polite page for input the section cannot take, with the way back."""
    body = f'{views.error_box(text)}<p><a href="{escape(back)}">{escape(words.TRY_AGAIN)}</a></p>'
    response = signed_page(session, "thong-bao", body)
    response.set_status(status)
    return response


class Compose:
    def __init__(self, store: Store, desk: BroadcastDesk, require: Require) -> None:
        self.store = store
        self.desk = desk
        self.require = require

    def routes(self) -> list[web.RouteDef]:
        draft = f"{HOME}/nhap/{TOKEN}"
        return [
            web.get(HOME + "/soan", self.form_page),
            web.post(HOME + "/soan", self.create),
            web.get(HOME + "/so-nguoi", self.count),
            web.get(draft, self.preview),
            web.get(draft + "/anh", self.photo),
            web.post(draft + "/xac-nhan", self.confirm),
        ]

    # ---- the form ---------------------------------------------------------------------
    async def form_page(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        chosen = views.Choices()
        token = request.query.get("nhap", "")
        if token:  # "Sửa lại" from the preview: the draft's choices filled in
            _, draft = await self._draft(session, token)
            chosen = _choices_of(token, draft, self.desk.zone)
        return await self._form(session, chosen)

    async def _form(
        self, session: Session, chosen: views.Choices, problem: str = "", status: int = 200
    ) -> web.Response:
        audience, why = form.audience_of(chosen.choice, chosen.area)
        text = why or words.count(
            len(await self.store.audience(audience or {})),
            wording.audience_name(audience or {}),
        )
        body = views.compose(session, chosen, text, self.desk.zone, problem)
        response = signed_page(session, "thong-bao", body, scripts=(views.SCRIPT,))
        response.set_status(status)
        return response

    async def count(self, request: web.Request) -> web.Response:
        """The recipients of the audience being chosen, for the form's script."""
        await self.require(request)
        audience, why = form.audience_of(
            request.query.get("gui-toi", ""), request.query.get("xa", "")
        )
        if audience is None:
            return json_response({"count": None, "text": why})
        number = len(await self.store.audience(audience))
        text = words.count(number, wording.audience_name(audience))
        return json_response({"count": number, "text": text})

    async def create(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        try:
            submitted = await form.read_form(request)
        except BadForm:
            return await self._invalid(session, words.BAD_FORM, 400)
        except web.HTTPRequestEntityTooLarge:
            return await self._invalid(session, words.TOO_BIG, 413)
        fields = submitted.fields
        refused = await refuse_forgery(self.store, request, session, fields)
        if refused is not None:
            return refused
        later = fields.get("khi") == "later"
        chosen = views.Choices(
            text=form.clean_text(fields.get("text", "")),
            choice=fields.get("gui-toi", "all"),
            area=fields.get("xa", "")[: form.MAX_AREA],
            later=later,
            at=fields.get("luc", "")[:40],
        )
        photo, problem, status = await self._photo(session, submitted)
        audience, why = form.audience_of(chosen.choice, chosen.area)
        at, late = form.time_of(later, chosen.at, self.desk.zone)
        problem = problem or form.text_problem(chosen.text, photo is not None) or why or late
        if problem:
            return await self._invalid(session, problem, status or 400, chosen)
        if submitted.photo is not None and photo is not None:  # kept once all is well
            await self.store.keep_photo(photo, submitted.photo, image_type(submitted.photo) or "")
        token = secrets.token_urlsafe(18)
        draft = {
            "actor": session.actor,
            "text": chosen.text,
            "audience": audience,
            "at": at.isoformat() if at else None,
            "photo": photo,
            "state": "draft",
        }
        await self.store.kv_set(DRAFT + token, json.dumps(draft, ensure_ascii=False))
        details = {"audience": audience, "at": draft["at"], "photo": photo is not None}
        await self.store.audit(session.actor, "console_broadcast_draft", details)
        raise web.HTTPSeeOther(f"{HOME}/nhap/{token}")

    async def _photo(
        self, session: Session, submitted: form.Submitted
    ) -> tuple[str | None, str | None, int]:
        """The photo's key (its bytes are kept once the rest is checked), or why it is
        refused and the status to answer with. A draft being edited may keep its photo."""
        if submitted.too_big:
            return None, words.TOO_BIG, 413
        data = submitted.photo
        if data is None:
            token = submitted.fields.get("nhap", "")
            if token and submitted.fields.get("giu-anh") and valid_token(token):
                found = await self._find(session, token)
                return (found[1].get("photo") if found else None), None, 0
            return None, None, 0
        if image_type(data) is None:
            return None, words.NOT_IMAGE, 415
        return upload_key(data), None, 0

    async def _invalid(
        self, session: Session, problem: str, status: int, chosen: views.Choices | None = None
    ) -> web.Response:
        await self.store.audit(session.actor, "console_broadcast_invalid", {"why": problem})
        return await self._form(session, chosen or views.Choices(), problem, status)

    # ---- the preview and the confirmation ---------------------------------------------------
    async def preview(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        token = request.match_info["token"]
        _, draft = await self._draft(session, token)
        if draft["state"] != "draft":
            _confirmed(draft)
        count = len(await self.store.audience(draft["audience"]))
        kept = await self.store.photo(draft["photo"]) if draft.get("photo") else None
        zalo = kept is not None and (
            kept.content_type not in OA_IMAGE_TYPES or kept.size > OA_MAX_IMAGE_BYTES
        )
        at = _at(draft)
        body = views.preview(session, token, draft, count, at, self.desk.zone, zalo)
        return signed_page(session, "thong-bao", body, scripts=(views.SCRIPT,))

    async def photo(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        _, draft = await self._draft(session, request.match_info["token"])
        kept = await self.store.photo(draft.get("photo") or "", with_data=True)
        if kept is None:
            raise web.HTTPNotFound()
        return image_response(kept.data, kept.content_type)

    async def confirm(self, request: web.Request) -> web.Response:
        session = await self.require(request)
        token = request.match_info["token"]
        refused = await refuse_forgery(self.store, request, session, await posted(request))
        if refused is not None:
            return refused
        raw, draft = await self._draft(session, token)
        if draft["state"] != "draft":
            _confirmed(draft)  # a second click: on to what the first one made
        at = _at(draft)
        edit = f"{HOME}/soan?nhap={token}"
        if at is not None and at <= datetime.now(self.desk.zone):
            return refusal(session, words.PAST_TIME, 400, edit)
        if draft.get("photo") and await self.store.photo(draft["photo"]) is None:
            return refusal(session, words.PHOTO_GONE, 409, HOME + "/soan")
        claimed = json.dumps({**draft, "state": "confirming"}, ensure_ascii=False)
        if not await self.store.kv_compare_and_set(DRAFT + token, raw, claimed):
            _confirmed((await self._draft(session, token))[1])
        try:
            broadcast, _ = await self.desk.publish(
                session.actor,
                session.unit,
                draft["text"],
                draft["audience"],
                photo=draft.get("photo"),
                at=at,
                action="console_broadcast_confirm",
            )
        except Exception:  # not created: the draft may be confirmed again
            await self.store.kv_set(DRAFT + token, raw)
            raise
        done = {**draft, "state": "confirmed", "broadcast": broadcast.id}
        await self.store.kv_set(DRAFT + token, json.dumps(done, ensure_ascii=False))
        raise web.HTTPSeeOther(f"{HOME}/{broadcast.id}")

    # ---- drafts -----------------------------------------------------------------------
    async def _find(self, session: Session, token: str) -> tuple[str, dict] | None:
        raw = await self.store.kv_get(DRAFT + token)
        if not raw:
            return None
        draft = json.loads(raw)
        return (raw, draft) if draft.get("actor") == session.actor else None

    async def _draft(self, session: Session, token: str) -> tuple[str, dict]:
        """This officer's draft (its stored text, for compare-and-set), or a 404 page."""
        found = await self._find(session, token) if valid_token(token) else None
        if found is None:
            await self.store.audit(session.actor, "console_broadcast_refused", {"draft": True})
            raise web.HTTPNotFound(
                text=refusal(session, words.NO_DRAFT, 404, HOME + "/soan").text,
                content_type="text/html",
                headers={"Cache-Control": "no-store"},
            )
        return found


def valid_token(token: str) -> bool:
    return 16 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def _confirmed(draft: dict) -> None:
    """A draft confirmed already: to its broadcast (or the list, while it is created)."""
    target = draft.get("broadcast")
    raise web.HTTPSeeOther(f"{HOME}/{target}" if target else HOME)


def _at(draft: dict) -> datetime | None:
    return datetime.fromisoformat(draft["at"]) if draft.get("at") else None


def _choices_of(token: str, draft: dict, zone: ZoneInfo) -> views.Choices:
    audience = draft.get("audience") or {}
    choice, area = "all", ""
    if audience.get("areas"):
        choice, area = "area", (audience.get("area_names") or audience["areas"])[0]
    elif audience.get("topics") and audience["topics"][0] in TOPICS:
        choice = str(TOPICS.index(audience["topics"][0]))
    at = _at(draft)
    return views.Choices(
        text=draft.get("text", ""),
        choice=choice,
        area=area,
        later=at is not None,
        at=at.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if at else "",
        draft=token,
        photo=bool(draft.get("photo")),
    )


def image_response(data: bytes, content_type: str) -> web.Response:
    """A kept photo for the officer's own eyes: not cached by anyone else, and inert."""
    headers = {
        "Cache-Control": "private, max-age=300",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return web.Response(body=data, content_type=content_type, headers=headers)


def json_response(data: dict) -> web.Response:
    return web.json_response(data, headers={"Cache-Control": "no-store"})
