"""Hostile values, and the ways a JSON body, its transport or a query string is mangled.

Every choice comes from the ``random.Random`` passed in, so the same seed and case number
give the same case (up to the clock: platform events carry the current time).
"""

from __future__ import annotations

import copy
import gzip
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

QUESTIONS = (
    "Kế hoạch 57 ban hành ngày nào?",
    "mục tiêu thu nhập bình quân đầu người năm 2045",
    "ke hoach 57 do ai ky",
    "ai chịu trách nhiệm tuyên truyền trên báo chí",
    "mỗi tháng phải đăng bao nhiêu tin bài",
    "giá vàng hôm nay bao nhiêu",
    "xin chào",
    "gặp cán bộ",
    "có",
    "1",
    "2",
    "👍",
    "👎",
    "xem nguyên văn",
    "đăng ký",
    "hủy đăng ký",
    "/start",
    "/huongdan",
    "/canbo",
    "/dangky",
    "/huydangky",
    "/thongbao",
    "/lichgui",
    "/baocao",
    "/huy",
    "/themcanbo telegram:1",
    "/xoacanbo ²",
)
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạếệữ 0123456789?.,!\n"


def text(rng: random.Random, size: int) -> str:
    """``size`` characters of Vietnamese-looking text (a random chunk, repeated: cheap)."""
    chunk = "".join(rng.choice(_ALPHABET) for _ in range(min(size, 97)))
    return (chunk * (size // max(1, len(chunk)) + 1))[:size]


def hex_id(rng: random.Random, digits: int = 32) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


# (label, value made from the case's random generator)
HOSTILE: list[tuple[str, Callable[[random.Random], Any]]] = [
    ("null", lambda r: None),
    ("true", lambda r: True),
    ("false", lambda r: False),
    ("0", lambda r: 0),
    ("-1", lambda r: -1),
    ("2^31", lambda r: 2**31),
    ("2^63", lambda r: 2**63),
    ("10^30", lambda r: 10**30),
    ("-10^30", lambda r: -(10**30)),
    ("1.5", lambda r: 1.5),
    ("NaN", lambda r: float("nan")),
    ("Infinity", lambda r: float("inf")),
    ("''", lambda r: ""),
    ("'   '", lambda r: "   "),
    ("'0'", lambda r: "0"),
    ("'-1'", lambda r: "-1"),
    ("'²'", lambda r: "²"),
    ("'1e5'", lambda r: "1e5"),
    ("'9'*5000", lambda r: "9" * 5000),
    ("[]", lambda r: []),
    ("[mixed]", lambda r: [1, "a", None, {}]),
    ("{}", lambda r: {}),
    ("{nested}", lambda r: {"id": {"id": [1]}, "text": ["x"]}),
    ("NUL", lambda r: "a\x00b"),
    ("lone-surrogate", lambda r: "\ud800"),
    ("surrogates", lambda r: "x\udfff\ud800y"),
    ("rtl+zero-width", lambda r: "\u202e\u200b\ufeffabc\u2028"),
    ("emoji", lambda r: "👍🏽" * 50),
    ("combining*2000", lambda r: "e" + "\u0301" * 2000),
    ("markup", lambda r: "<b>*_[x](javascript:alert(1))`</b>&amp;</i>"),
    ("sql", lambda r: "'; DROP TABLE messages; --"),
    ("format", lambda r: "%s%n{0}{x}$1\\"),
    ("str 1KB", lambda r: text(r, 1_000)),
    ("str 10KB", lambda r: text(r, 10_000)),
    ("str 60KB", lambda r: text(r, 60_000)),
    ("str 100KB", lambda r: text(r, 100_000)),
]
DELETE = object()  # a focus value: the key is removed


def hostile(rng: random.Random) -> tuple[str, Any]:
    label, make = rng.choice(HOSTILE)
    return label, make(rng)


# ---- structured mutation ------------------------------------------------------------------
Path = tuple[Any, ...]
Focus = Sequence[tuple[str, str, Any]]  # (dotted path, label, value factory or DELETE)


def paths(obj: Any, prefix: Path = ()) -> list[Path]:
    """Every key path inside nested dicts and lists."""
    if isinstance(obj, dict):
        items: Any = obj.items()
    elif isinstance(obj, list):
        items = enumerate(obj)
    else:
        return []
    found: list[Path] = []
    for key, value in items:
        found.append((*prefix, key))
        found.extend(paths(value, (*prefix, key)))
    return found


def dotted(path: Path) -> str:
    return ".".join(str(p) for p in path) or "<body>"


def _parent(obj: Any, path: Path) -> Any:
    for key in path[:-1]:
        if (isinstance(obj, dict) and key in obj) or (
            isinstance(obj, list) and isinstance(key, int) and key < len(obj)
        ):
            obj = obj[key]
        else:
            return None
    return obj if isinstance(obj, dict | list) else None


def _set(obj: Any, path: Path, value: Any) -> bool:
    parent = _parent(obj, path)
    last = path[-1]
    if parent is None or (
        isinstance(parent, list) and not (isinstance(last, int) and last < len(parent))
    ):
        return False
    if value is DELETE:
        if isinstance(parent, dict):
            return parent.pop(path[-1], DELETE) is not DELETE
        del parent[path[-1]]
        return True
    parent[path[-1]] = value
    return True


def mutate(rng: random.Random, baseline: Any, focus: Focus = ()) -> tuple[Any, str]:
    """A copy of ``baseline`` with a field changed, removed or added; and how."""
    obj = copy.deepcopy(baseline)
    if focus and rng.random() < 0.45:
        where, label, make = rng.choice(focus)
        path = tuple(where.split("."))
        value = make if make is DELETE else make(rng)
        if _set(obj, path, value):
            return obj, f"-{where}" if make is DELETE else f"{where}={label}"
    op = rng.choices(["replace", "delete", "add", "body", "twice"], [55, 15, 10, 8, 12])[0]
    every = paths(obj)
    if op == "body" or not every:
        label, value = hostile(rng)
        return value, f"body={label}"
    if op == "twice":
        once, first = mutate(rng, obj)
        twice, second = mutate(rng, once)
        return twice, f"{first} & {second}"
    path = rng.choice(every)
    if op == "delete":
        _set(obj, path, DELETE)
        return obj, f"-{dotted(path)}"
    label, value = hostile(rng)
    if op == "add":
        dicts = [p for p in [(), *every] if isinstance(_get(obj, p), dict)]
        if dicts:
            path = (*rng.choice(dicts), "zz_unknown")
            _get(obj, path[:-1])["zz_unknown"] = value
            return obj, f"+{dotted(path)}={label}"
    _set(obj, path, value)
    return obj, f"{dotted(path)}={label}"


def _get(obj: Any, path: Path) -> Any:
    for key in path:
        obj = obj[key]
    return obj


# ---- bytes on the wire ----------------------------------------------------------------------
def dumps(obj: Any) -> bytes:
    """As a client would send it: ASCII JSON (lone surrogates become \\ud800 escapes; NaN
    and Infinity are written, as Python does)."""
    return json.dumps(obj, ensure_ascii=True).encode()


_SPLICE = "\x00fuzz-splice\x00"
# Raw JSON fragments spliced in place of a value (what json.dumps cannot produce).
FRAGMENTS: list[tuple[str, Callable[[random.Random], bytes]]] = [
    ("deep[]", lambda r: (lambda n: b"[" * n + b"]" * n)(r.randint(500, 3000))),
    ("deep{}", lambda r: (lambda n: b'{"a":' * n + b"1" + b"}" * n)(r.randint(500, 3000))),
    ("invalid-utf8", lambda r: b'"\xff\xfe\xc3("'),
    ("cesu-surrogate", lambda r: b'"\xed\xa0\x80x"'),
    ("raw-NUL", lambda r: b'"a\x00b"'),
    ("NaN", lambda r: b"NaN"),
    ("-Infinity", lambda r: b"-Infinity"),
    ("1e999999", lambda r: b"1e999999"),
    ("int-5000-digits", lambda r: b"1" * 5000),
    ("1e-400", lambda r: b"1.0e-400"),
]
# Whole bodies that are not the JSON object the endpoint expects.
RAW_BODIES: list[tuple[str, Callable[[random.Random, bytes], bytes]]] = [
    ("empty", lambda r, j: b""),
    ("not-json", lambda r, j: b"not json at all"),
    ("truncated", lambda r, j: j[: r.randint(1, max(1, len(j) - 1))]),
    ("null", lambda r, j: b"null"),
    ("array", lambda r, j: b"[" + j + b"]"),
    ("string", lambda r, j: b'"' + j.replace(b'"', b"'")[:200] + b'"'),
    ("number", lambda r, j: b"12345678901234567890"),
    ("true", lambda r, j: b"true"),
    ("binary", lambda r, j: bytes(r.getrandbits(8) for _ in range(r.randint(1, 300)))),
    ("NULs", lambda r, j: b"\x00" * 64),
    ("utf-16", lambda r, j: j.decode().encode("utf-16")),
    ("BOM+json", lambda r, j: b"\xef\xbb\xbf" + j),
    ("dup-keys", lambda r, j: b'{"text":"a","action":"sub",' + j[1:] if j[:1] == b"{" else j),
    ("two-docs", lambda r, j: j + b" " + j),
    ("xml", lambda r, j: b"<?xml version='1.0'?><update><text>x</text></update>"),
    ("form", lambda r, j: b"text=xin+ch%C3%A0o&action=sub&client_id=1"),
    ("deep[] body", lambda r, j: (lambda n: b"[" * n + b"]" * n)(r.randint(500, 5000))),
    ("deep{} body", lambda r, j: (lambda n: b'{"a":' * n + b"1" + b"}" * n)(r.randint(500, 5000))),
]


def splice(rng: random.Random, obj: Any) -> tuple[bytes, str]:
    """``obj`` as JSON with one value (or a new key) replaced by a raw fragment."""
    obj = copy.deepcopy(obj)
    label, make = rng.choice(FRAGMENTS)
    every = paths(obj)
    if every and rng.random() < 0.8:
        path = rng.choice(every)
        _set(obj, path, _SPLICE)
        where = dotted(path)
    elif isinstance(obj, dict):
        obj["zz_spliced"], where = _SPLICE, "+zz_spliced"
    else:
        obj, where = _SPLICE, "<body>"
    raw = dumps(obj).replace(dumps(_SPLICE), make(rng), 1)
    return raw, f"{where}=<{label}>"


def raw_body(rng: random.Random, valid: bytes) -> tuple[bytes, str]:
    label, make = rng.choice(RAW_BODIES)
    return make(rng, valid), f"raw:{label}"


CONTENT_TYPES = (
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/json; charset=utf-16",
    "application/json; charset=latin-1",
    "application/json; charset=bogus-charset",
    "application/json; charset=utf-7",
    "application/xml",
    "*/*",
    "",
)


def broken_gzip(rng: random.Random, raw: bytes) -> bytes:
    packed = gzip.compress(raw)
    return rng.choice([packed[: len(packed) // 2], b"\x1f\x8b\x08\x00garbage", raw])


# ---- a request ------------------------------------------------------------------------------
@dataclass
class Case:
    endpoint: str  # the route it aims at, as the summary groups them ("POST /api/ask")
    label: str  # what was varied, enough to tell cases apart
    method: str
    path: str  # path and query, percent-encoded as sent
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    chunked: bool = False  # sent with Transfer-Encoding: chunked (no Content-Length)
    stream: bool = False  # SSE: read a little, then hang up

    def describe(self, shown: int = 160) -> str:
        body = "" if self.body is None else f" body[{len(self.body)}]={self.body[:shown]!r}"
        extra = " chunked" if self.chunked else ""
        return f"{self.method} {self.path[:200]} headers={self.headers}{extra}{body}"


Sign = Callable[[bytes], dict[str, str]]
ODD_METHODS = ("GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def json_post(
    rng: random.Random,
    endpoint: str,
    path: str,
    baseline: Any,
    headers: dict[str, str],
    *,
    focus: Focus = (),
    sign: Sign | None = None,
    valid_share: float = 30,
) -> Case:
    """A POST of ``baseline`` as is, mutated, spliced, replaced by a raw body, sent with
    an odd transport (content type, gzip, chunked) or with another method. ``sign``
    gives the headers that authenticate the body bytes (the Zalo OA signature)."""
    kinds = ["valid", "mutate", "splice", "raw", "transport", "method"]
    kind = rng.choices(kinds, [valid_share, 38, 10, 8, 10, 4])[0]
    obj, label = baseline, "valid"
    if kind == "mutate":
        obj, label = mutate(rng, baseline, focus)
    raw = dumps(obj)
    if kind == "splice":
        raw, label = splice(rng, baseline)
    elif kind == "raw":
        raw, label = raw_body(rng, raw)
    headers = {"Content-Type": "application/json", **headers, **(sign(raw) if sign else {})}
    case = Case(endpoint, label, "POST", path, headers, raw)
    if kind == "transport":
        _transport(rng, case, baseline)
        if sign and case.chunked:  # a new body: signed again, so it gets past the check
            case.headers.update(sign(case.body or b""))
    elif kind == "method":
        case.method = rng.choice(ODD_METHODS)
        case.label = f"method={case.method}"
        case.body = None if case.method in {"GET", "HEAD"} else raw
    return case


def _transport(rng: random.Random, case: Case, baseline: Any) -> None:
    assert case.body is not None
    how = rng.choice(["content-type", "gzip-broken", "gzip-ok", "deflate-junk", "chunked"])
    if how == "content-type":
        kind = rng.choice(CONTENT_TYPES)
        case.headers["Content-Type"] = kind
        case.label = f"content-type={kind or '<empty>'}"
    elif how == "gzip-ok":
        case.headers["Content-Encoding"] = "gzip"
        case.body, case.label = gzip.compress(case.body), "gzip valid"
    elif how == "gzip-broken":
        case.headers["Content-Encoding"] = "gzip"
        case.body, case.label = broken_gzip(rng, case.body), "gzip broken"
    elif how == "deflate-junk":
        case.headers["Content-Encoding"] = rng.choice(["deflate", "br", "x-unknown, gzip"])
        case.body = bytes(rng.getrandbits(8) for _ in range(64))
        case.label = f"content-encoding={case.headers['Content-Encoding']} junk"
    else:
        case.chunked = True
        if rng.random() < 0.7 and isinstance(baseline, dict):
            size = rng.choice([70_000, 300_000, 1_100_000])
            key = next((k for k, v in baseline.items() if isinstance(v, str)), "zz_padding")
            big = {**baseline, key: text(rng, size)}
            case.body, case.label = dumps(big), f"chunked {key}={size // 1000}KB"
        else:
            case.label = "chunked small"


# ---- query strings --------------------------------------------------------------------------
PERCENT_GARBAGE = ("%", "%zz", "%ff%fe", "%00", "%ED%A0%80", "%C0%AE%C0%AE", "%E2%80%AE", "+%2B")


def _quote(value: str) -> str:
    return quote(value, safe="", errors="surrogatepass")


def query(rng: random.Random, params: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """``params`` as a query string, now and then mangled; and how (empty: as is)."""
    items = [(_quote(k), _quote(v)) for k, v in params]
    kinds = ["plain", "repeat", "long", "garbage", "bare", "empty"]
    how = rng.choices(kinds, [60, 8, 6, 14, 6, 6])[0]
    label = "" if how == "plain" else f"query:{how}"
    if how == "repeat" and items:
        items += [(k, rng.choice(["", "x", "1", quote("²")])) for k, _ in items]
    elif how == "long":
        key = items[0][0] if items and rng.random() < 0.7 else "zz"
        items.append((key, "a" * rng.choice([2_000, 6_000, 7_900])))
    elif how == "garbage":
        junk = rng.choice(PERCENT_GARBAGE)
        if items:
            k, v = rng.choice(items)
            items[items.index((k, v))] = (k, v + junk)
        else:
            items.append(("v", junk))
        label += f" {junk}"
    elif how == "bare":
        items = [(k, "") for k, _ in items] + [("v", "")]
    elif how == "empty":
        return "?&&=&;", label
    joined = "&".join(k if how == "bare" and not v else f"{k}={v}" for k, v in items)
    return (f"?{joined}" if joined else ""), label
