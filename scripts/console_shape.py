"""What scripts/console_data.py loads: a year of a district's bot, as rows (tuples, in
the column order of ``COLUMNS``), generated deterministically from a seed."""

from __future__ import annotations

import json
import random
from bisect import bisect_right
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from bot.vietnamese.text import folded_tokens

ROOT = Path(__file__).resolve().parents[1]
OFFSET = timedelta(hours=7)  # Hà Nội
WARDS = (
    "Ba Đình", "Ngọc Hà", "Giảng Võ", "Hoàn Kiếm", "Cửa Nam", "Phú Thượng", "Hồng Hà",
    "Tây Hồ", "Bồ Đề", "Việt Hưng", "Phúc Lợi", "Long Biên", "Cầu Giấy", "Nghĩa Đô",
    "Yên Hòa", "Ô Chợ Dừa", "Láng", "Văn Miếu", "Kim Liên", "Đống Đa", "Hai Bà Trưng",
    "Vĩnh Tuy", "Bạch Mai", "Hoàng Mai", "Định Công", "Tương Mai", "Thanh Xuân",
    "Khương Đình", "Phương Liệt", "Hà Đông",
)  # fmt: skip
PLATFORMS = (("zalo_oa", 40), ("telegram", 25), ("zalo_bot", 10), ("web", 25))
REPLIES = (  # the bot's reply to a question, and how often
    ("answer", 52), ("suggest", 14), ("not_found", 14), ("greeting", 6), ("thanks", 6),
    ("help", 5), ("invalid", 3),
)  # fmt: skip
HOURS = (0, 0, 0, 0, 0, 1, 2, 4, 8, 9, 8, 6, 4, 5, 6, 6, 5, 4, 4, 6, 7, 6, 3, 1)  # local
QUESTIONS = (
    "mục tiêu thu nhập bình quân đầu người năm 2030 là bao nhiêu",
    "muc tieu thu nhap 2045",
    "quy hoạch Thủ đô tầm nhìn dài hạn thế nào",
    "phường mình tuyên truyền nghị quyết 02 bằng hình thức nào",
    "có đối thoại trực tiếp với lãnh đạo phường không",
    "vai trò của Đảng ủy các xã, phường là gì",
    "bao nhiêu tin bài mỗi tháng",
    "xin hỏi về phát triển văn hoá, con người Hà Nội",
    "liên kết vùng Thủ đô gồm những gì",
    "cho tôi gặp cán bộ phường",
    "nghị quyết nói gì về an ninh trật tự",
    "xin chào",
    "cảm ơn",
)
NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Đức Dũng", "Thu Hà", "Quang Huy", "Thị Lan")
COLUMNS = {
    "people": ("id", "platform", "user_id", "chat_id", "display_name", "language", "subscribed",
               "subscribed_at", "blocked", "blocked_at", "topics", "area", "created_at",
               "updated_at"),
    "officers": ("id", "platform", "user_id", "unit", "active", "added_by", "added_at"),
    "tickets": ("id", "person_id", "state", "reason", "opened_at", "assigned_at",
                "assigned_by", "answered_at", "answered_by", "closed_at", "closed_by",
                "updated_at"),
    "messages": ("id", "person_id", "direction", "text", "kind", "ticket_id", "citations",
                 "confidence", "grounded", "handoff", "delivery", "broadcast_id",
                 "suggestions", "created_at"),
    "feedback": ("id", "message_id", "person_id", "value", "created_at", "updated_at"),
    "broadcasts": ("id", "officer", "unit", "text", "audience", "state", "created_at",
                   "started_at", "finished_at"),
    "deliveries": ("id", "broadcast_id", "person_id", "platform", "chat_id", "state",
                   "attempts", "next_attempt_at", "sent_at"),
}  # fmt: skip


def unit_of(ward: str) -> str:
    return f"UBND phường {ward}"


def area_of(ward: str) -> str:
    return " ".join(folded_tokens(ward))  # as the bot keeps it (Preferences.set_area)


def sections() -> list[tuple[str, str, str]]:
    """(doc, section, title) of the shipped index, the letterhead and signature left out."""
    passages = json.loads((ROOT / "index" / "passages.json").read_text(encoding="utf-8"))
    seen: dict[str, tuple[str, str, str]] = {}
    for p in passages:
        if p["section"] not in ("preamble", "signature"):
            seen.setdefault(p["section"], (p["doc"], p["section"], p["heading_path"][-1]))
    return list(seen.values())


class Shape:
    def __init__(self, messages: int, tickets: int, *, days: int, seed: int, now: datetime) -> None:
        self.budget, self.ticket_count, self.days, self.now = messages, tickets, days, now
        self.start = now - timedelta(days=days)
        self.random = random.Random(seed)
        self.rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
        self.said: list[list[Any]] = []  # [created_at, person, direction, kind, extra]
        self.links: list[tuple[int, int]] = []  # (ticket, its handoff message)
        self.activity: list[float] = []
        self.sections = sections()
        self.random.shuffle(self.sections)  # which sections are popular: by seed
        self.section_weights = list(
            accumulate(1 / (rank + 1) for rank in range(len(self.sections)))
        )
        day_weights = [0.4 + day / days for day in range(days)]  # use grows over the year
        self.day_weights = list(accumulate(day_weights))
        self.hour_weights = list(accumulate(HOURS))

    # ---- sampling ---------------------------------------------------------------------
    def pick(self, cumulative: list[float]) -> int:
        return bisect_right(cumulative, self.random.random() * cumulative[-1])

    def choice(self, weighted: tuple[tuple[str, int], ...]) -> str:
        return self.random.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]

    def moment(self) -> datetime:
        day = self.start + timedelta(days=min(self.pick(self.day_weights), self.days - 1))
        local = (day + OFFSET).replace(hour=0, minute=0, second=0, microsecond=0)
        seconds = self.pick(self.hour_weights) * 3600 + self.random.randrange(3600)
        return min(local - OFFSET + timedelta(seconds=seconds), self.now - timedelta(seconds=60))

    def person(self) -> int:
        """Some people write a lot, most a few times (a Pareto weight each)."""
        return self.pick(self.activity) + 1

    # ---- the year ---------------------------------------------------------------------
    def build(self) -> dict[str, list[tuple[Any, ...]]]:
        """Rows per table (in ``COLUMNS`` order); ``self.links`` pairs tickets with messages."""
        self.people(max(200, self.budget // 25))
        self.officers()
        self.tickets()
        self.broadcasts()
        while len(self.said) < self.budget - 1:
            self.conversation(self.moment(), self.person())
        self.messages()
        return self.rows

    def people(self, count: int) -> None:
        self.activity = list(accumulate(self.random.paretovariate(1.3) for _ in range(count)))
        for pid in range(1, count + 1):
            platform = self.choice(PLATFORMS)
            ward = WARDS[min(int(self.random.expovariate(1 / 8)), len(WARDS) - 1)]
            area = area_of(ward) if self.random.random() < 0.55 else None
            odds = 0.05 if platform == "web" else 0.2
            subscribed = area is not None and self.random.random() < odds
            name = (
                ""
                if platform == "web"
                else f"{self.random.choice(NAMES)} {self.random.choice(GIVEN)}"
            )
            blocked = self.random.random() < 0.02
            first = self.start
            self.rows["people"].append(
                (pid, platform, f"{platform[:2]}{100000 + pid}", f"{platform[:2]}{100000 + pid}",
                 name, "vi", subscribed, first if subscribed else None, blocked,
                 first if blocked else None, None, area, first, first)
            )  # fmt: skip

    def officers(self) -> None:
        for n, ward in enumerate(WARDS, 1):
            self.rows["officers"].append(
                (n, "telegram", str(700000 + n), unit_of(ward), True, "telegram:1", self.start)
            )

    def conversation(self, at: datetime, person: int, kind: str | None = None) -> None:
        self.said.append([at, person, "in", "question", None])
        reply = kind or self.choice(REPLIES)
        self.said.append(
            [at + timedelta(seconds=self.random.randint(2, 20)), person, "out", reply, None]
        )

    def tickets(self) -> None:
        people = len(self.rows["people"])
        recent = self.now - timedelta(days=1)
        waiting: set[int] = set()
        for tid in range(1, self.ticket_count + 1):
            opened, person = self.moment(), self.person()
            if opened > recent:
                while person in waiting:  # one active ticket per person
                    person = person % people + 1
                waiting.add(person)
            self.said.append([opened - timedelta(seconds=15), person, "in", "question", None])
            self.said.append([opened, person, "out", "handoff", tid])
            answered = closed = None
            state = "closed"
            if opened > recent:
                state = self.random.choice(("open", "assigned", "answered"))
                if state == "answered":
                    answered = opened + timedelta(minutes=self.random.randint(5, 300))
                    answered = min(answered, self.now)
            elif self.random.random() < 0.85:
                answered = self.office_reply(opened)
                closed = answered + timedelta(hours=self.random.uniform(0.5, 30))
            else:
                closed = opened + timedelta(hours=24)  # expired, nobody answered
            if answered is not None:
                self.said.append([answered, person, "out", "operator", tid])
            by = "telegram:700001" if answered or state == "assigned" else None
            taken = answered or (opened + timedelta(minutes=5) if state == "assigned" else None)
            self.rows["tickets"].append(
                (tid, person, state, "Người dân cần gặp cán bộ", opened, taken, by, answered,
                 by if answered else None, closed, by or ("expired" if closed else None),
                 closed or answered or opened)
            )  # fmt: skip

    def office_reply(self, opened: datetime) -> datetime:
        """Within office hours mostly: a delay of minutes to hours, after the next opening
        when the ticket came in the evening or at the weekend."""
        local = opened + OFFSET
        start = local
        if local.weekday() >= 5 or not 7 <= local.hour < 17:
            start = local + timedelta(days=1)
            while start.weekday() >= 5:
                start += timedelta(days=1)
            start = start.replace(hour=7, minute=30, second=0)
        delay = timedelta(minutes=min(self.random.lognormvariate(3.8, 1.0), 2000))
        return min(start + delay - OFFSET, self.now)

    def broadcasts(self) -> None:
        subscribers: dict[str, list[tuple[Any, ...]]] = {}
        for row in self.rows["people"]:
            if row[6] and not row[8]:
                subscribers.setdefault(row[11], []).append(row)
        month = self.start.replace(day=1)
        while month < self.now:
            for n, ward in enumerate(WARDS, 1):
                zeal = 0.5 if n % 4 == 0 else 1.1  # some units post less than the plan asks
                for _ in range(max(0, round(self.random.gauss(10 * zeal, 2)))):
                    at = month + timedelta(seconds=self.random.randrange(28 * 86400))
                    if self.start <= at < self.now - timedelta(hours=1):
                        self.broadcast(at, n, ward, subscribers.get(area_of(ward), []))
            month = (month + timedelta(days=32)).replace(day=1)

    def broadcast(self, at: datetime, n: int, ward: str, recipients: list[tuple[Any, ...]]) -> None:
        bid = len(self.rows["broadcasts"]) + 1
        words = f"UBND phường {ward} thông tin: tuyên truyền Nghị quyết 02-NQ/TW, số {bid}"
        audience = {"areas": [area_of(ward)], "area_names": [ward]}
        self.rows["broadcasts"].append(
            (bid, f"telegram:{700000 + n}", unit_of(ward), words, audience, "done", at, at,
             at + timedelta(minutes=2))
        )  # fmt: skip
        for rank, person in enumerate(recipients):
            roll = self.random.random()
            state = "sent" if roll < 0.95 else "failed" if roll < 0.97 else "blocked"
            sent = at + timedelta(seconds=rank / 25)
            self.rows["deliveries"].append(
                (len(self.rows["deliveries"]) + 1, bid, person[0], person[1], person[3], state,
                 1, at, sent if state == "sent" else None)
            )  # fmt: skip
            if state != "sent":
                continue
            if person[1] == "web":
                self.said.append([sent, person[0], "out", "broadcast", bid])
            if self.random.random() < 0.04:  # a reply within the day
                later = sent + timedelta(seconds=self.random.randrange(60, 86000))
                if later < self.now:
                    self.conversation(later, person[0])

    def messages(self) -> None:
        self.said.sort(key=lambda said: said[0])
        votes = self.rows["feedback"]
        for mid, (at, person, direction, kind, extra) in enumerate(self.said, 1):
            citations = suggestions = confidence = grounded = None
            text = "—"
            if direction == "in":
                text = self.random.choice(QUESTIONS)
            elif kind == "answer":
                doc, section, title = self.sections[self.pick(self.section_weights)]
                label = f"Kế hoạch {doc}, mục {section}"
                quote = f"{title}: trích nguyên văn đoạn liên quan của văn bản."
                citations = [{"doc": doc, "section": section, "title": title, "quote": quote,
                              "label": label, "start": 0, "end": len(quote)}]  # fmt: skip
                confidence, grounded, text = 0.8, True, f"{quote}\n({label})"
                if self.random.random() < 0.09:
                    up = self.random.random() < (0.55 if section.startswith("IV") else 0.85)
                    voted = at + timedelta(minutes=self.random.randint(1, 30))
                    votes.append((len(votes) + 1, mid, person, 1 if up else -1, voted, voted))
            elif kind == "suggest":
                options = [dict(zip(("doc", "section", "title"), s, strict=True))
                           for s in self.random.sample(self.sections, 3)]  # fmt: skip
                suggestions = {"question": "…", "options": options}
                confidence, grounded = 0.4, False
            elif kind == "not_found":
                confidence, grounded, text = 0.1, False, "Không tìm thấy trong văn bản."
            ticket = extra if kind in ("handoff", "operator") else None
            broadcast = extra if kind == "broadcast" else None
            self.rows["messages"].append(
                (mid, person, direction, text, kind, ticket, citations, confidence, grounded,
                 kind == "handoff", "sent" if direction == "out" else None, broadcast,
                 suggestions, at)
            )  # fmt: skip
            if kind == "handoff":
                self.links.append((extra, mid))  # the ticket's last answer (linked after)
