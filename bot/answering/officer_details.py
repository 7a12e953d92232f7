"""Which detail a question asks for (a fee, an hour, a place, a phone number…) and whether
an officer answer gives one of that kind.

A near miss shares the topic, the ward and most words with an officer answer but asks for
something it does not hold: "bồi thường bao nhiêu một mét vuông" of an answer that says
who is relocated, "mấy giờ" of one that gives only the day. Questions are read folded and
padded (`` mo cua may gio ``), answers folded with their punctuation (``8h00-17h00``).
"""

from __future__ import annotations

import re

_MONEY_WORDS = r"(dong|d|vnd|trieu|nghin|ngan|k|usd|ty)"
_MONEY = re.compile(
    rf"\d[\d.,]*\s*{_MONEY_WORDS}\b|mien phi|khong (thu|mat|ton) (phi|tien|ve)|free"
)
# What each kind of question expects to find in the answer, by kind.
_SHOWN = {
    "money": _MONEY,
    "fee": re.compile(
        rf"{_MONEY.pattern}|\b(phi|le phi|hoc phi|thu tien|mat tien|khong thu|tra tien)\b"
    ),
    "hour": re.compile(
        r"\d{1,2}\s*(h|gio)\s*\d{0,2}\b|\d{1,2}:\d\d|\b(sang|chieu|toi) (thu|chu nhat|hang)"
    ),
    "date": re.compile(
        r"\d{1,2}/\d{1,2}|\b(19|20)\d\d\b|\bthang \d|\b(thu (hai|ba|tu|nam|sau|bay)|chu nhat)\b"
        r"|\b(hang (ngay|tuan|thang|nam)|ngay \d|quy [1-4iv]|am lich)\b"
    ),
    "duration": re.compile(
        r"\d+([.,]\d+)?\s*(phut|gio|tieng|ngay|tuan|thang|nam|buoi)\b|\b(trong ngay|ngay lam viec|ngay khi)\b"
        r"|\bden (het )?(ngay )?\d"
    ),
    "place": re.compile(
        r"\b(tai|o|tren|qua|so \d+|hoi truong|nha van hoa|tru so|duong|pho|ngo|san|quay|diem|khu|toa|tang)\b"
    ),
    "phone": re.compile(r"\d{3,4}[ .]?\d{3,4}[ .]?\d{2,4}|\b(1022|113|114|115|hotline)\b"),
    "online": re.compile(
        r"https?:|www\.|\.vn\b|\b(fanpage|zalo|facebook|youtube|website|trang (web|thong tin)|cong "
        r"(dich vu|thong tin)|ung dung|app|truc tuyen|online|qr|email|link|livestream|vneid|ihanoi)\b"
    ),
    "count": re.compile(r"\d"),
    "area": re.compile(r"\d[\d.,]*\s*(ha|hecta|m2|m²|km2|met vuong|sao)\b"),
}
_ASKED = (
    (
        "area",
        r"bao nhieu (ha|hecta|m2|met vuong|km2)|dien tich|how (big|large)|hectares?|square met",
    ),
    (
        "phone",
        r"so dien thoai|sdt|hotline|duong day nong|goi (vao )?so nao"
        r"|phone number|number to call|contact number",
    ),
    (
        "online",
        r"link|website|trang web|web nao|trang nao|fanpage nao|app nao|ung dung nao|xem lai"
        r"|which (site|website|page|app)",
    ),
    (
        "money",
        r"bao nhieu tien|may tien|bn tien|gia bao nhieu|muc (phi|thu|ho tro|phat)"
        r"|boi thuong bao nhieu|den bu bao nhieu|(duoc|ho tro|thuong) bao nhieu|how much|price"
        r"|(bao nhieu|bn|may) (dong|trieu|nghin|k|usd)\b",
    ),
    (
        "fee",
        r"(mat|ton|thu) (phi|tien|le phi)|co (phai )?(dong|nop|tra) (phi|tien)|mien phi"
        r"|phi (bao nhieu|gi|khong)|fees?|free of charge|cost|have to pay",
    ),
    (
        "duration",
        r"bao lau|may tieng|may phut|keo dai|mat may ngay|how long|how many (days|hours|minutes)",
    ),
    (
        "hour",
        r"may gio|may h|gio nao|luc may|gio (mo cua|lam viec)|mo cua (tu )?(may|luc)|what time"
        r"|opening hours|which hours",
    ),
    (
        "date",
        r"ngay nao|hom nao|bua nao|khi nao|bao gio|luc nao|thoi gian nao|thang nao|nam nao"
        r"|thu may|when|what date|which day|what day",
    ),
    (
        "place",
        r"o dau|tai dau|cho nao|dia diem|noi nao|o cho nao|(di|den|toi|lay|nop|nhan) dau"
        r"|where|which place|what address|dia chi",
    ),
    (
        "count",
        r"bao nhieu (nguoi|ho|suat|cho|ve|lop|doan|chi|lan|cuon|ban|to)|may (nguoi|ho|suat|cho|lop|lan)"
        r"|how many",
    ),
)
_ASKED_PATTERNS = tuple((kind, re.compile(rf" ({pattern})\b")) for kind, pattern in _ASKED)


def asked_details(question: str) -> tuple[str, ...]:
    """The kinds of detail ``question`` (folded, padded with spaces) asks for."""
    return tuple(kind for kind, pattern in _ASKED_PATTERNS if pattern.search(question))


# "Chưa có kế hoạch / quyết định": the answer is that there is no such detail yet.
_NOT_YET = re.compile(
    r"\bchua (co|nhan duoc) (\w+ )?(ngay|ke hoach|quyet dinh|lich|thong bao)|\bchua (xac dinh|quyet dinh|an dinh)\b"
)


def gives(kind: str, answer: str) -> bool:
    """Whether ``answer`` (folded, punctuation kept) holds a detail of ``kind``."""
    return bool(_SHOWN[kind].search(answer) or _NOT_YET.search(answer))


def missing_details(question: str, answer: str) -> float:
    """The share of the details asked that the answer does not give (0 when none is asked)."""
    asked = asked_details(question)
    return sum(not gives(k, answer) for k in asked) / len(asked) if asked else 0.0
