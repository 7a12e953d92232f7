"""Cases for the officers' console: every route, signed in (a real session's cookie and
CSRF token, from a one-time link of `python -m bot login-link`) or not, with hostile ids,
queries and form bodies (url-encoded, broken multipart, raw bytes)."""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import aiohttp

from scripts.benchmarks.common import login_link
from scripts.fuzzing.values import PERCENT_GARBAGE, Case, hostile, query, text


@dataclass(frozen=True)
class ConsoleSession:
    cookie: str  # "hd_console=…"
    csrf: str
    origin: str  # this site, as a browser names it in Origin


async def console_session(
    http: aiohttp.ClientSession, target: str, env: dict[str, str], actor: str
) -> ConsoleSession:
    """Sign in as ``actor`` the way an admin's first sign-in goes (the command line's link)."""
    link = await asyncio.to_thread(login_link, env, actor)
    token = urlsplit(link).query.removeprefix("t=")
    async with http.get(f"{target}/console/dang-nhap?t={token}") as signed:
        cookie = signed.headers["Set-Cookie"].split(";")[0]
    async with http.get(f"{target}/console/", headers={"Cookie": cookie}) as home:
        page = await home.text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    if csrf is None:
        raise RuntimeError("the console's home has no CSRF token: not signed in?")
    return ConsoleSession(cookie, csrf.group(1), target)


GETS = (
    "/console/", "/console", "/console/hop-thu", "/console/yeu-cau/{id}",
    "/console/yeu-cau/{id}/hoi-thoai", "/console/api/yeu-cau", "/console/api/yeu-cau/{id}",
    "/console/thong-bao", "/console/thong-bao/soan", "/console/thong-bao/so-nguoi",
    "/console/thong-bao/{id}", "/console/thong-bao/{id}/tien-do", "/console/thong-bao/{id}/anh",
    "/console/so-lieu", "/console/so-lieu/nam", "/console/so-lieu/kenh.csv",
    "/console/so-lieu/muc.svg", "/console/so-lieu/yeu-cau-chi-tiet.csv",
    "/console/so-lieu/cau-hoi-chua-tra-loi", "/console/can-bo", "/console/dang-nhap",
    "/console/{junk}",
)  # fmt: skip
POSTS = (
    "/console/yeu-cau/{id}/nhan", "/console/yeu-cau/{id}/tra-loi", "/console/yeu-cau/{id}/dong",
    "/console/thong-bao/soan", "/console/thong-bao/{id}/tam-dung",
    "/console/thong-bao/{id}/tiep-tuc", "/console/thong-bao/{id}/huy", "/console/can-bo/them",
    "/console/can-bo/xoa", "/console/dang-xuat", "/console/thong-bao/nhap/{junk}/xac-nhan",
)  # fmt: skip
KEYS = ("q", "dong", "ky", "ngay", "don-vi", "truoc", "gui-toi", "xa", "format", "ca-nhan", "t")
FIELDS = ("text", "who", "unit", "gui-toi", "xa", "khi", "luc", "nhap", "giu-anh")
IDS = ("1", "2", "0", "999999999", "-1", "1e9", "abc", "%00", "1%2F..", "9" * 40)


def console(rng: random.Random, ctx) -> Case:
    session: ConsoleSession | None = ctx.console
    post = rng.random() < 0.45
    template = rng.choice(POSTS if post else GETS)
    path = template.format(
        id=rng.choice(IDS), junk=rng.choice([*PERCENT_GARBAGE, "x" * 300, "..%2F..", "nhap"])
    )
    headers: dict[str, str] = {}
    who = "anonymous"
    if session is not None and rng.random() < 0.8:
        headers["Cookie"] = session.cookie
        who = "signed-in"
    elif rng.random() < 0.5:
        headers["Cookie"] = "hd_console=" + rng.choice(["x", "0" * 64, "%00", "é" * 10])
        who = "forged-cookie"
    items = [(rng.choice(KEYS), _value(rng)) for _ in range(rng.randrange(3))]
    qs, how = query(rng, items)
    if not post:
        return Case(f"GET {template}", f"{who} {how}".strip(), "GET", path + qs, headers)
    if session is not None and rng.random() < 0.8:
        headers["Origin"] = session.origin
    body, form = _body(rng, session, template)
    headers.update(form)
    return Case(f"POST {template}", f"{who} {how}".strip(), "POST", path + qs, headers, body)


def _value(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(["thang", "tuan", "ngay", "2026-11-01", "9999-99-99", "1", "csv", ""])
    return str(hostile(rng)[1])[:3000]


def _body(
    rng: random.Random, session: ConsoleSession | None, template: str
) -> tuple[bytes, dict[str, str]]:
    """A form: url-encoded fields (with the real CSRF token mostly; never for signing out,
    which would end the session the other cases use), a broken multipart, or raw bytes."""
    kind = rng.choices(["form", "multipart", "raw"], [70, 15, 15])[0]
    if kind == "raw":
        raw = rng.choice([b"", b"\xff\xfe\x00", b"csrf=%ZZ&text=%E0", text(rng, 5000).encode()])
        return raw, {"Content-Type": rng.choice(["application/json", "text/plain", "x/y"])}
    if kind == "multipart":
        raw = b'--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nabc'  # no end
        return raw, {"Content-Type": rng.choice(["multipart/form-data; boundary=x",
                                                 "multipart/form-data; boundary=y",
                                                 "multipart/form-data"])}  # fmt: skip
    real = session is not None and template != "/console/dang-xuat" and rng.random() < 0.8
    fields = [("csrf", session.csrf if real and session else "forged")]
    fields += [(rng.choice(FIELDS), _value(rng)) for _ in range(rng.randrange(1, 4))]
    encoded = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
    return encoded, {"Content-Type": "application/x-www-form-urlencoded"}
