"""Cases for the platforms' webhooks: Telegram (secret header), Zalo OA (signed events),
Zalo Bot (secret header). Most carry the right secret or signature, so the hostile body
reaches the code behind the check."""

from __future__ import annotations

import json
import random
import time
from typing import Any

from scripts.fuzzing.values import (
    DELETE,
    QUESTIONS,
    Case,
    hex_id,
    json_post,
    text,
)
from scripts.fuzzing.web import Context, action_value
from tests.fakes.zalo_bot_api import text_update as zalo_bot_text
from tests.fakes.zalo_oa_api import (
    follow_event,
    image_event,
    sign,
    sticker_event,
    text_event,
    unfollow_event,
)

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ZALO_BOT_SECRET_HEADER = "X-Bot-Api-Secret-Token"
ZALO_SIGNATURE_HEADER = "X-ZEvent-Signature"


def _words(rng: random.Random) -> str:
    return rng.choice(QUESTIONS) if rng.random() < 0.85 else text(rng, rng.randint(1, 500))


def _secret_headers(rng: random.Random, header: str, secret: str) -> tuple[dict[str, str], str]:
    if rng.random() < 0.92:
        return {header: secret}, ""
    wrong = rng.choice(["", "wrong-secret", secret.upper(), secret + " ", secret[:-1], None])
    return ({} if wrong is None else {header: wrong}), f"secret={wrong!r}"


# ---- Telegram -------------------------------------------------------------------------------
def _tg_user(user_id: Any, *, bot: bool = False) -> dict[str, Any]:
    return {"id": user_id, "is_bot": bot, "first_name": "An", "language_code": "vi"}


def _tg_message(rng: random.Random, chat: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    return {
        "message_id": rng.randrange(1, 10**6),
        "from": user,
        "chat": chat,
        "date": int(time.time()),
    }


TELEGRAM_FOCUS = [
    ("message.date", "10^30", lambda r: 10**30),
    ("message.date", "-10^30", lambda r: -(10**30)),
    ("message.date", "'now'", lambda r: "now"),
    ("update_id", "-5", lambda r: -5),
    ("update_id", "2^70", lambda r: 2**70),
    ("update_id", "'x'", lambda r: "x"),
    ("message.chat", "<deleted>", DELETE),
    ("message.chat", "null", lambda r: None),
    ("message.chat.id", "10^30", lambda r: 10**30),
    ("message.chat.id", "'abc'", lambda r: "abc"),
    ("message.from", "<deleted>", DELETE),
    ("message.from.id", "'abc'", lambda r: "abc"),
    ("message.from.id", "10^30", lambda r: 10**30),
    ("message.text", "str 100KB", lambda r: text(r, 100_000)),
    ("message.text", "123", lambda r: 123),
    ("message.text", "[]", lambda r: []),
    ("message.text", "lone-surrogate", lambda r: "kế hoạch \ud800"),
    ("message.chat.type", "5", lambda r: 5),
    ("message.message_id", "'x'", lambda r: "x"),
    (
        "message.entities",
        "garbage",
        lambda r: [{"type": "bot_command", "offset": 99, "length": -1}],
    ),
    ("message.reply_to_message", "{}", lambda r: {}),
    ("callback_query.data", "str 100KB", lambda r: text(r, 100_000)),
    ("callback_query.data", "123", lambda r: 123),
    ("callback_query.data", "full:²:1", lambda r: "full:²:1"),
    ("callback_query.data", "fb:up:10^30", lambda r: "fb:up:" + "9" * 30),
    ("callback_query.message", "null", lambda r: None),
    ("callback_query.from", "<deleted>", DELETE),
    ("message", "'str'", lambda r: "str"),
    ("message", "[]", lambda r: []),
]
CALLBACK_DATA = (
    "o:ok", "o:no", "o:now", "o:later", "o:aud:1", "o:aud:²", "o:cancel:1", "o:pause:999999999999",
    "o:resume:x", "topic:abc", "area:", "follow", "unfollow", "fb:dn:99999999999999999999",
    "sg:1:99999999999999999999", "full::", "ex:-1", ":", "", "o:", "o:cancel:" + "9" * 5000,
)  # fmt: skip


def telegram(rng: random.Random, ctx: Context) -> Case:
    headers, secret_label = _secret_headers(rng, TELEGRAM_SECRET_HEADER, ctx.telegram_secret)
    chat_id = rng.choice([600_000 + rng.randrange(60), rng.randrange(1, 2**40), ctx.officer])
    user = _tg_user(ctx.officer if chat_id == ctx.officer or rng.random() < 0.03 else chat_id)
    private = {"id": chat_id, "type": "private", "first_name": "An"}
    kind = rng.choices(
        ["text", "callback", "photo", "sticker", "operator", "group", "other"],
        [58, 18, 4, 3, 6, 3, 8],
    )[0]
    update: dict[str, Any] = {"update_id": rng.randrange(1, 2**31)}
    if kind == "callback":
        data = action_value(rng) if rng.random() < 0.6 else rng.choice(CALLBACK_DATA)
        bot_message = _tg_message(rng, private, _tg_user(ctx.bot_user_id, bot=True))
        bot_message["text"] = "…"
        update["callback_query"] = {
            "id": str(rng.getrandbits(60)),
            "from": user,
            "chat_instance": str(rng.getrandbits(40)),
            "data": data,
            "message": bot_message,
        }
        kind = f"callback({data[:20]!r})"
    elif kind == "operator":
        chat = {"id": ctx.operator_chat, "type": "supergroup", "title": "Cán bộ"}
        message = _tg_message(rng, chat, _tg_user(ctx.officer))
        replied = _tg_message(rng, chat, _tg_user(ctx.bot_user_id, bot=True))
        replied["text"] = "Người dân hỏi: …"
        message.update(text=_words(rng), reply_to_message=replied)
        update["message"] = message
    elif kind == "other":
        kind = rng.choice(
            ["edited_message", "channel_post", "my_chat_member", "inline_query", "zz"]
        )
        update[kind] = {**_tg_message(rng, private, user), "text": "x"}
    else:
        chat = private if kind != "group" else {"id": -100_555, "type": "group", "title": "G"}
        message = _tg_message(rng, chat, user)
        if kind == "photo":
            size = {"file_id": hex_id(rng, 20), "file_unique_id": "u1", "width": 90, "height": 90}
            message.update(photo=[size], caption=_words(rng))
        elif kind == "sticker":
            message["sticker"] = {"file_id": "s", "file_unique_id": "s", "type": "regular",
                                  "width": 1, "height": 1, "is_animated": False, "is_video": False}  # fmt: skip
        else:
            message["text"] = _words(rng)
            if message["text"].startswith("/"):
                length = len(message["text"].split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        update["message"] = message
    case = json_post(
        rng, "POST /telegram/webhook", "/telegram/webhook", update, headers, focus=TELEGRAM_FOCUS
    )
    case.label = " ".join(x for x in (kind, case.label, secret_label) if x)
    return case


# ---- Zalo OA ----------------------------------------------------------------------------------
ZALO_OA_FOCUS = [
    ("sender", "'str'", lambda r: "str"),
    ("sender", "[]", lambda r: []),
    ("sender", "5", lambda r: 5),
    ("sender", "null", lambda r: None),
    ("sender.id", "{}", lambda r: {}),
    ("sender.id", "10^30", lambda r: 10**30),
    ("sender.id", "''", lambda r: ""),
    ("message", "'str'", lambda r: "str"),
    ("message", "[]", lambda r: [1]),
    ("message", "5", lambda r: 5),
    ("message", "null", lambda r: None),
    ("message.msg_id", "<deleted>", DELETE),
    ("message.msg_id", "[]", lambda r: []),
    ("message.msg_id", "{}", lambda r: {"a": 1}),
    ("message.msg_id", "str 10KB", lambda r: text(r, 10_000)),
    ("message.text", "{}", lambda r: {}),
    ("message.text", "str 100KB", lambda r: text(r, 100_000)),
    ("message.text", "lone-surrogate", lambda r: "xin \ud800"),
    ("message.attachments", "'str'", lambda r: "str"),
    ("recipient", "'x'", lambda r: "x"),
    ("recipient", "[]", lambda r: []),
    ("event_name", "'user_send_'", lambda r: "user_send_"),
    ("event_name", "'unknown'", lambda r: "unknown_event"),
    ("event_name", "5", lambda r: 5),
    ("event_name", "[]", lambda r: []),
    ("follower", "'x'", lambda r: "x"),
    ("follower", "[]", lambda r: [1]),
    ("follower.id", "null", lambda r: None),
    ("timestamp", "'abc'", lambda r: "abc"),
    ("timestamp", "10^30", lambda r: 10**30),
    ("timestamp", "now as float", lambda r: time.time() * 1000),
    ("timestamp", "now as int", lambda r: int(time.time() * 1000)),
    ("timestamp", "'-1'", lambda r: "-1"),
]


def zalo_oa_signature(ctx: Context, raw: bytes) -> dict[str, str]:
    """The signature the bot will accept for ``raw``: app_id and timestamp read as it reads
    them (an unparseable body is refused before its signature is looked at)."""
    try:
        event = json.loads(raw)
    except (ValueError, RecursionError):
        event = {}
    if not isinstance(event, dict):
        event = {}
    app_id, timestamp = str(event.get("app_id", "")), str(event.get("timestamp", ""))
    try:
        return {ZALO_SIGNATURE_HEADER: sign(app_id, raw, timestamp, ctx.zalo_oa_key)}
    except UnicodeEncodeError:  # a lone surrogate in app_id or timestamp: no valid signature
        return {ZALO_SIGNATURE_HEADER: "mac=" + "0" * 64}


def zalo_oa(rng: random.Random, ctx: Context) -> Case:
    user = rng.choice(ctx.zalo_users) if rng.random() < 0.85 else str(rng.randrange(10**18))
    ids = {"app_id": ctx.zalo_app_id, "oa_id": ctx.zalo_oa_id}
    msg_id = hex_id(rng)
    kind = rng.choices(
        ["text", "image", "sticker", "follow", "unfollow", "ignored", "unknown"],
        [66, 6, 5, 7, 4, 6, 6],
    )[0]
    if kind == "text":
        event = text_event(user, _words(rng), msg_id, **ids)
    elif kind == "image":
        event = image_event(user, caption=_words(rng), msg_id=msg_id, **ids)
    elif kind == "sticker":
        event = sticker_event(user, msg_id=msg_id, **ids)
    elif kind in {"follow", "unfollow"}:
        event = (follow_event if kind == "follow" else unfollow_event)(user, **ids)
    else:
        event = text_event(user, "x", msg_id, **ids)
        event["event_name"] = rng.choice(
            ["user_received_message", "user_seen_message", "oa_send_text"]
            if kind == "ignored"
            else ["user_send_location", "user_send_file", "user_submit_info", "", "FOLLOW"]
        )
        kind = f"event={event['event_name']}"

    good = rng.random() < 0.92
    wrong = rng.choice(["mac=" + "0" * 64, "", "mac=", "sha256=abc", "mac=" + "g" * 64, None])

    def signed(raw: bytes) -> dict[str, str]:
        if good:
            return zalo_oa_signature(ctx, raw)
        return {} if wrong is None else {ZALO_SIGNATURE_HEADER: wrong}

    case = json_post(
        rng,
        "POST /zalo/oa/webhook",
        "/zalo/oa/webhook",
        event,
        {},
        focus=ZALO_OA_FOCUS,
        sign=signed,
    )
    case.label = f"{kind} {case.label}" + ("" if good else f" signature={wrong!r}")
    return case


# ---- Zalo Bot ---------------------------------------------------------------------------------
ZALO_BOT_FOCUS = [
    ("result.message.from", "'x'", lambda r: "x"),
    ("result.message.from", "[]", lambda r: []),
    ("result.message.chat", "[]", lambda r: []),
    ("result.message.chat", "null", lambda r: None),
    ("result.message.from.id", "<deleted>", DELETE),
    ("result.message.from.id", "{}", lambda r: {}),
    ("result.message.chat.id", "<deleted>", DELETE),
    ("result.message.chat.chat_type", "5", lambda r: 5),
    ("result.message.chat.chat_type", "[]", lambda r: []),
    ("result.message.text", "5", lambda r: 5),
    ("result.message.text", "str 100KB", lambda r: text(r, 100_000)),
    ("result.message.text", "lone-surrogate", lambda r: "hỏi \ud800"),
    ("result.message.date", "10^30", lambda r: 10**30),
    ("result.message.message_id", "{}", lambda r: {}),
    ("result.message.message_id", "<deleted>", DELETE),
    ("result.message.from.is_bot", "'true'", lambda r: "true"),
    ("result.event_name", "5", lambda r: 5),
    ("result.event_name", "'message.'", lambda r: "message."),
    ("result", "[]", lambda r: []),
    ("result", "'str'", lambda r: "str"),
    ("result.message", "'str'", lambda r: "str"),
]


def zalo_bot(rng: random.Random, ctx: Context) -> Case:
    headers, secret_label = _secret_headers(rng, ZALO_BOT_SECRET_HEADER, ctx.zalo_bot_secret)
    chat = rng.choice([f"zb{rng.randrange(60):04x}", hex_id(rng, 20)])
    update = zalo_bot_text(chat, chat, _words(rng), message_id=hex_id(rng, 24))
    if rng.random() < 0.08:
        update["event_name"] = rng.choice(
            ["message.image.received", "message.sticker.received", "message.unsupported.received",
             "user.follow", "", "message.text.received.extra"]
        )  # fmt: skip
    wrapped = rng.random() < 0.8
    body = {"ok": True, "result": update} if wrapped else update
    focus = ZALO_BOT_FOCUS
    if not wrapped:
        focus = [(p.removeprefix("result."), v, f) for p, v, f in ZALO_BOT_FOCUS if p != "result"]
    case = json_post(rng, "POST /zalo/bot/webhook", "/zalo/bot/webhook", body, headers, focus=focus)
    how = "" if wrapped else "unwrapped"
    case.label = " ".join(x for x in (how, case.label, secret_label) if x)
    return case
