"""Cases for the web chat's routes: the JSON API, the SSE stream, the page and its files,
broadcast photos and /healthz."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote

from scripts.fuzzing.values import (
    ODD_METHODS,
    PERCENT_GARBAGE,
    QUESTIONS,
    Case,
    hex_id,
    hostile,
    json_post,
    query,
    text,
)


class Visitor(NamedTuple):
    """A visitor as GET /api/session introduced it: its id, the signed token the page
    sends as X-Visitor (the id itself for a server that signs nothing) and the stream
    token of /api/events?t= ("" when the server gives none)."""

    id: str
    token: str
    stream: str


@dataclass(frozen=True)
class Context:
    """What the cases may use: secrets and known ids (constants, drawn from the seed, or
    the visitors the server introduced before the run)."""

    telegram_secret: str
    zalo_bot_secret: str
    zalo_app_id: str
    zalo_oa_id: str
    zalo_oa_key: str
    visitors: tuple[Visitor, ...]
    zalo_users: tuple[str, ...]
    operator_chat: int
    officer: int
    bot_user_id: int
    static_names: tuple[str, ...]
    sections: tuple[str, ...]
    doc: str
    console: Any = None  # a signed-in console session (fuzzing.console.ConsoleSession)


# ---- who the visitor is -------------------------------------------------------------------
def _forged(rng: random.Random, ctx: Context, who: Visitor) -> str:
    """A visitor token the server did not sign (or not for this id)."""
    other = rng.choice(ctx.visitors)
    _, _, signature = who.token.partition(".")
    flipped = who.token[:-1] + ("0" if who.token[-1:] != "0" else "1")
    return rng.choice(
        [who.id, flipped, who.token.upper(), f"{other.id}.{signature}", who.token + ".",
         f".{signature}", f"{who.token},{who.token}", f"{'0' * 32}.{'0' * 32}", who.token[:31],
         hex_id(rng), "g" * 32, "", f" {who.token}", f"{who.token}\t", f"../{who.token}",
         "²" * 32, f"{who.id}.{who.id}.{who.id}", text(rng, 3000).replace("\n", " ")]
    )  # fmt: skip


def visitor(
    rng: random.Random, ctx: Context
) -> tuple[dict[str, str], list[tuple[str, str]], str, Visitor]:
    """Headers, query items and a label for the caller (or a forged or missing token),
    and the visitor it is (or was forged from)."""
    number = rng.randrange(len(ctx.visitors))
    who = ctx.visitors[number]
    how = rng.choices(["header", "cookie", "query", "none", "forged"], [58, 14, 4, 8, 16])[0]
    if how == "header":
        return {"X-Visitor": who.token}, [], f"visitor#{number}", who
    if how == "cookie":
        return {"Cookie": f"hd_visitor={who.token}"}, [], f"visitor#{number}(cookie)", who
    if how == "query":
        return {}, [("v", who.token)], f"visitor#{number}(?v=)", who
    if how == "none":
        return {}, [], "no-visitor", who
    bad = _forged(rng, ctx, who)
    where = rng.choice(["header", "header", "cookie"])
    label = f"forged-visitor({where}:{bad[:14]!r})"
    if where == "cookie":
        return {"Cookie": f"hd_visitor={quote(bad)}"}, [], label, who
    return {"X-Visitor": bad}, [], label, who


ORIGINS = ("http://evil.example", "null", "http://127.0.0.1", "https://portal.example.vn", "")
FORWARDED = (
    ("X-Forwarded-For", "203.0.113.7"),
    ("X-Forwarded-For", "garbage, 10.0.0.1,,::1"),
    ("X-Forwarded-For", ", ".join(f"10.0.{n // 250}.{n % 250}" for n in range(600))),
    ("Forwarded", 'for="[2001:db8::1]:4711";proto=https'),
    ("Forwarded", 'for=unknown, for=_hidden, for="[::1"'),
    ("Forwarded", "for=" + "9" * 3000),
)


def _client_headers(rng: random.Random) -> tuple[dict[str, str], str]:
    """Now and then an Origin, or a forwarded client address (read behind a trusted proxy)."""
    headers: dict[str, str] = {}
    if rng.random() < 0.08:
        headers["Origin"] = rng.choice(ORIGINS)
    if rng.random() < 0.08:
        name, value = rng.choice(FORWARDED)
        headers[name] = value
    label = " ".join(f"{k}={v[:16]!r}" for k, v in headers.items())
    return headers, label


def _get(endpoint: str, path: str, headers: dict[str, str], labels: list[str]) -> Case:
    return Case(endpoint, " ".join(x for x in labels if x) or "valid", "GET", path, headers)


def _odd_method(rng: random.Random, case: Case) -> Case:
    """Now and then another method on the same path (HEAD, OPTIONS, PUT…)."""
    if rng.random() < 0.06:
        case.method = rng.choice([m for m in ODD_METHODS if m != "GET"] + ["POST"])
        case.label = f"method={case.method} {case.label}"
        if case.method in {"POST", "PUT", "PATCH"}:
            case.body = b'{"text": "x"}'
    return case


# ---- the JSON API -------------------------------------------------------------------------
def session(rng: random.Random, ctx: Context) -> Case:
    headers, items, who, _ = visitor(rng, ctx)
    extra, client = _client_headers(rng)
    headers.update(extra)
    who = f"{who} {client}".strip()
    if rng.random() < 0.15:
        label, value = hostile(rng)
        items.append(("v", str(value)[:3000]))
        who += f" extra-v={label}"
    qs, how = query(rng, items)
    return _odd_method(rng, _get("GET /api/session", f"/api/session{qs}", headers, [who, how]))


def client_id(rng: random.Random) -> str:
    return rng.choice([hex_id(rng, 16), f"c-{rng.randrange(50)}", "retry-1", "x" * 64])


def ask(rng: random.Random, ctx: Context) -> Case:
    headers, items, who, _ = visitor(rng, ctx)
    extra, client = _client_headers(rng)
    headers.update(extra)
    who = f"{who} {client}".strip()
    question = rng.choice(QUESTIONS) if rng.random() < 0.8 else text(rng, rng.randint(1, 600))
    baseline = {"text": question, "client_id": client_id(rng)}
    focus = [
        ("text", "str 60KB", lambda r: text(r, 60_000)),
        ("text", "str 100KB", lambda r: text(r, 100_000)),
        ("text", "ascii 60KB", lambda r: "ke hoach 57 " * 5_000),
        ("text", "lone-surrogate", lambda r: "hỏi \ud800 gì"),
        ("text", "NUL", lambda r: "kế hoạch\x00 57"),
        ("client_id", "123", lambda r: 123),
        ("client_id", "'a'*65", lambda r: "a" * 65),
    ]
    qs, how = query(rng, items)
    case = json_post(rng, "POST /api/ask", f"/api/ask{qs}", baseline, headers, focus=focus)
    case.label = " ".join(x for x in (case.label, who, how) if x)
    return case


def action_value(rng: random.Random) -> str:
    number = rng.choice(
        ["1", "2", "7", "40", "0", "999999999", "999999999999", "2147483648", "٣", "１２", "²",
         "-1", "", str(rng.randrange(1, 400))]
    )  # fmt: skip
    page = rng.choice(["0", "1", "2", "99", "999", "-1", "²"])
    return rng.choice(
        [f"fb:up:{number}", f"fb:dn:{number}", f"full:{number}:{page}", f"sg:{number}:{page}",
         f"ex:{rng.choice(['0', '1', '9', '99', '²'])}", "handoff", "sub", "unsub", "fb:up",
         "full", "topic:x", "o:ok", f"fb:up:{number}\n", "FB:UP:1"]
    )  # fmt: skip


def action(rng: random.Random, ctx: Context) -> Case:
    headers, items, who, _ = visitor(rng, ctx)
    extra, client = _client_headers(rng)
    headers.update(extra)
    who = f"{who} {client}".strip()
    baseline = {"action": action_value(rng), "client_id": client_id(rng)}
    focus = [("action", "fb:up:999999999", lambda r: "fb:up:999999999")]
    qs, how = query(rng, items)
    case = json_post(rng, "POST /api/action", f"/api/action{qs}", baseline, headers, focus=focus)
    action_label = baseline["action"] if case.label == "valid" else ""
    case.label = " ".join(x for x in (case.label, repr(action_label)[1:-1], who, how) if x)
    return case


def conversation(rng: random.Random, ctx: Context) -> Case:
    headers, items, who, caller = visitor(rng, ctx)
    own = caller.id
    segment, label = own, who
    if rng.random() < 0.35:
        segment = rng.choice(
            [rng.choice(ctx.visitors).id, hex_id(rng), own.upper(), caller.token,
             "%2e%2e", "..%2F..%2Fsession", "a" * 5000, "%00", "%ff%fe", "%ED%A0%80",
             quote("²" * 32), own + "%0A", "%20" + own]
        )  # fmt: skip
        label = f"{who} segment={segment[:20]!r}"
    qs, how = query(rng, items)
    case = _get(
        "GET /api/conversations/{visitor}",
        f"/api/conversations/{segment}{qs}",
        headers,
        [label, how],
    )
    return _odd_method(rng, case)


NUMBERISH = ("0", "5", "120", "999999999999", "9" * 5000, "²", "-1", "1.5", "", "٣", "１２", " 7")


def events(rng: random.Random, ctx: Context) -> Case:
    headers, items, who, _ = visitor(rng, ctx)
    extra, client = _client_headers(rng)
    headers.update(extra)
    labels = [who, client]
    if rng.random() < 0.4:
        after = rng.choice(NUMBERISH)
        items.append(("after", after))
        labels.append(f"after={after[:12]!r}")
    if rng.random() < 0.25:  # the page's stream token (its only credential, often)
        who = rng.choice(ctx.visitors)
        expired = f"{who.id}.{1_000_000_000}.{who.stream.rpartition('.')[2]}"
        token = rng.choice(
            [who.stream, who.stream, who.stream, who.token, expired, hex_id(rng), "", "x" * 3000,
             "²", f"{who.id}.{'9' * 13}.{'0' * 32}", f"{who.id}.²³.{'0' * 32}", who.stream + "."]
        )  # fmt: skip
        items.append(("t", token))
        labels.append("t=stream-token" if token == who.stream else f"t={token[:14]!r}")
    if rng.random() < 0.3:
        last = rng.choice(NUMBERISH)
        headers["Last-Event-ID"] = last
        labels.append(f"last-event-id={last[:12]!r}")
    qs, how = query(rng, items)
    case = _get("GET /api/events", f"/api/events{qs}", headers, [*labels, how])
    case.stream = True
    return _odd_method(rng, case)


def passage(rng: random.Random, ctx: Context) -> Case:
    doc = ctx.doc if rng.random() < 0.7 else rng.choice(["", "57-kh/tu", "../index", "x" * 3000])
    section = rng.choice(ctx.sections) if rng.random() < 0.7 else str(hostile(rng)[1])[:3000]
    items = [("doc", doc), ("section", section)]
    if rng.random() < 0.15:
        items = rng.choice([[("doc", doc)], [("section", section)], []])
    qs, how = query(rng, items)
    label = f"doc={doc[:12]!r} section={section[:12]!r} {how}"
    return _odd_method(rng, _get("GET /api/passage", f"/api/passage{qs}", {}, [label]))


# ---- the page and its files -------------------------------------------------------------------
def index(rng: random.Random, ctx: Context) -> Case:
    items = []
    if rng.random() < 0.6:
        items.append(
            (
                "title",
                rng.choice(
                    ["Hỏi đáp", "<script>alert(1)</script>", text(rng, 5000), "a\u202eb", "  "]
                ),
            )
        )
    if rng.random() < 0.6:
        items.append(
            ("color", rng.choice(["#a50e0e", "#FFF", "red", "#GGGGGG", "a50e0e", "#a50e0e;x", ""]))
        )
    if rng.random() < 0.4:
        items.append(("embed", rng.choice(["1", "0", "true", "²"])))
    qs, how = query(rng, items)
    label = " ".join(f"{k}={v[:10]!r}" for k, v in items) + f" {how}"
    return _odd_method(rng, _get("GET /", f"/{qs}", {}, [label.strip()]))


def theme(rng: random.Random, ctx: Context) -> Case:
    colour = rng.choice(["#a50e0e", "#abc", "red", "#GGGGGG", "}body{x:1", "", "%23a50e0e"])
    qs, how = query(rng, [("color", colour)])
    return _odd_method(
        rng, _get("GET /theme.css", f"/theme.css{qs}", {}, [f"color={colour!r}", how])
    )


def widget(rng: random.Random, ctx: Context) -> Case:
    qs, how = query(rng, [("v", hex_id(rng, 6))] if rng.random() < 0.3 else [])
    headers = {"Range": "bytes=5-1"} if rng.random() < 0.1 else {}
    label = "range" if headers else ""
    return _odd_method(rng, _get("GET /widget.js", f"/widget.js{qs}", headers, [label, how]))


def static(rng: random.Random, ctx: Context) -> Case:
    name = rng.choice(ctx.static_names) if rng.random() < 0.4 else rng.choice(
        ["..%2Fchannel.py", "%2e%2e%2f%2e%2e%2fconfig.py", "..", ".", ".hidden", "%00",
         "a%00b", "x" * 300, "x" * 5000, "chat.css%00.png", "%C0%AE%C0%AE", "~", "CHAT.CSS",
         "chat.css%2F", "..%5C..%5Cconfig.py", "%2Fetc%2Fpasswd", "con", quote("ứ.js"),
         "%ED%A0%80", "%ff", "chat.js%3F", "%252e%252e", "chat.css;x", "index.html%23"]
    )  # fmt: skip
    headers = {}
    if rng.random() < 0.15:
        headers = rng.choice(
            [
                {"Range": "bytes=0-0"},
                {"Range": "bytes=99999999-"},
                {"If-Modified-Since": "garbage"},
                {"If-None-Match": '"x"'},
            ]
        )
    return _odd_method(
        rng,
        _get(
            "GET /static/{name}",
            f"/static/{name}",
            headers,
            [f"name={name[:24]!r}", " ".join(headers)],
        ),
    )


def media(rng: random.Random, ctx: Context) -> Case:
    number = rng.choice(
        [
            "1",
            "0",
            "2",
            "999999999999",
            "000000000001",
            "١",
            "１",
            "1" * 13,
            "-1",
            "abc",
            "%31",
            "2147483648",
        ]
    )
    headers = (
        {"If-None-Match": rng.choice(['"x"', "*", "garbage", 'W/"a", "b"'])}
        if rng.random() < 0.2
        else {}
    )
    case = _get(
        "GET /media/broadcast/{id}",
        f"/media/broadcast/{number}",
        headers,
        [f"id={number[:14]}", " ".join(headers)],
    )
    return _odd_method(rng, case)


def healthz(rng: random.Random, ctx: Context) -> Case:
    """/healthz and /readyz."""
    path = rng.choice(["/healthz", "/readyz"])
    qs = rng.choice(["", "?x=1", "?" + rng.choice(PERCENT_GARBAGE)])
    return _odd_method(rng, _get(f"GET {path}", f"{path}{qs}", {}, [qs]))
