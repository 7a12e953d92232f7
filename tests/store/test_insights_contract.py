"""The console's insights: every aggregate query on the in-memory store, SQLite and
PostgreSQL, against a small dataset whose numbers are known by hand.

November 2026 in Hà Nội (UTC+7) runs from 2026-10-31 17:00 to 2026-11-30 17:00 UTC. Four
citizens ask ten questions in it (and one each just before and just after it); the bot
answers citing II.2.2 twice, III.10 three times and IV.1.10 once; five votes; four tickets
(one answered within office hours' target, one not, one expired, one waiting); two
broadcasts in November (and one in October, and a draft).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import literal, select, update

from bot.core.answer import Answer, Citation
from bot.core.insights import (
    DAY,
    HOUR,
    SectionCount,
    SectionVotes,
    TicketTimes,
    Window,
    Workweek,
    bucket,
    epoch,
    office_seconds,
)
from bot.store.columns import UTCDateTime
from bot.store.insights_sql import office_seconds as office_sql
from bot.store.memory import MemoryStore
from bot.store.models import Broadcast, Delivery, Feedback, Message, Ticket

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
NOVEMBER = Window(datetime(2026, 11, 1, tzinfo=HANOI), datetime(2026, 12, 1, tzinfo=HANOI))
BA_DINH = replace(NOVEMBER, areas=("ba dinh",))
WEEK = Workweek(7 * 3600 + 1800, 17 * 3600, frozenset(range(5)), 7 * 3600)  # 07:30–17:00
TARGET = 2 * 3600
UNIT_BA_DINH, UNIT_KIM_LIEN = "UBND phường Ba Đình", "UBND phường Kim Liên"
TITLES = {"II.2.2": "Mục tiêu, chỉ tiêu", "III.10": "Nắm bắt dư luận", "IV.1.10": "Các xã, phường"}
YEAR_BOUNDS = [datetime(2026, m, 1, tzinfo=HANOI) for m in range(1, 13)] + [
    datetime(2027, 1, 1, tzinfo=HANOI)
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def answer(section: str) -> Answer:
    quote = f"Trích {section}."
    cited = Citation("57-KH/TU", section, TITLES[section], quote, f"mục {section}", 0, 9)
    return Answer(quote, grounded=True, handoff=False, confidence=0.9, citations=(cited,))


@dataclass
class Known:
    people: dict[str, int]
    tickets: dict[str, int]
    broadcasts: dict[str, int]


async def set_row(store: Any, table: str, key: Any, **values: Any) -> None:
    """Back-dates (or changes) one row, in memory or in the database."""
    if isinstance(store, MemoryStore):
        rows = {
            "messages": store.messages,
            "tickets": store.tickets,
            "feedback": store.feedback,
            "broadcasts": store.broadcasts,
        }
        if table == "deliveries":
            store.deliveries[key] = values["state"]
            return
        rows[table][key] = replace(rows[table][key], **values)
        return
    model = {"messages": Message, "tickets": Ticket, "feedback": Feedback, "broadcasts": Broadcast}
    if table == "deliveries":
        where = (Delivery.broadcast_id == key[0], Delivery.person_id == key[1])
        statement = update(Delivery).where(*where).values(**values)
    elif table == "feedback":
        where = (Feedback.message_id == key[0], Feedback.person_id == key[1])
        statement = update(Feedback).where(*where).values(**values)
    else:
        statement = update(model[table]).where(model[table].id == key).values(**values)
    async with store.engine.begin() as connection:
        await connection.execute(statement)


async def build_known(store: Any) -> Known:
    people = {}
    for name, platform, area in (
        ("p1", "telegram", "ba dinh"),
        ("p2", "zalo_oa", "ba dinh"),
        ("p3", "web", "kim lien"),
        ("p4", "zalo_bot", None),
        ("p5", "telegram", "kim lien"),
    ):
        person = await store.upsert_person(platform, f"u-{name}", f"c-{name}", f"Dân {name}")
        people[name] = person.id
        if name != "p4":
            await store.set_subscribed(person.id, True)
            await store.set_preferences(person.id, None, area)
    await store.set_blocked(people["p5"], True)
    said: dict[str, int] = {}
    for key, who, direction, kind, at, section in (
        ("m1", "p1", "in", "question", "2026-11-02 01:00:00", None),
        ("m2", "p1", "out", "answer", "2026-11-02 01:00:05", "II.2.2"),
        ("m3", "p1", "in", "question", "2026-11-02 02:00:00", None),
        ("m4", "p1", "out", "answer", "2026-11-02 02:00:05", "II.2.2"),
        ("m5", "p1", "in", "question", "2026-11-05 05:00:00", None),  # a reply to b1
        ("m6", "p1", "out", "thanks", "2026-11-05 05:00:05", None),
        ("m7", "p2", "in", "question", "2026-11-03 03:00:00", None),
        ("m8", "p2", "out", "answer", "2026-11-03 03:00:05", "III.10"),
        ("m9", "p2", "in", "question", "2026-11-03 03:10:00", None),
        ("m10", "p2", "out", "suggest", "2026-11-03 03:10:05", None),
        ("m25", "p2", "in", "question", "2026-11-04 04:00:00", None),
        ("m26", "p2", "out", "answer", "2026-11-04 04:00:05", "IV.1.10"),
        ("m13", "p3", "in", "question", "2026-11-10 10:00:00", None),
        ("m14", "p3", "out", "not_found", "2026-11-10 10:00:05", None),
        ("m15", "p3", "in", "question", "2026-11-10 16:29:50", None),
        ("m16", "p3", "out", "handoff", "2026-11-10 16:30:00", None),
        ("m17", "p4", "in", "question", "2026-10-31 16:59:59", None),  # still October there
        ("m18", "p4", "out", "greeting", "2026-10-31 16:59:59.500000", None),
        ("m19", "p4", "in", "question", "2026-10-31 17:00:00", None),  # 1 November, 00:00
        ("m20", "p4", "out", "answer", "2026-10-31 17:00:05", "III.10"),
        ("m21", "p4", "in", "question", "2026-11-05 03:00:00", None),
        ("m22", "p4", "out", "answer", "2026-11-05 03:00:05", "III.10"),
        ("m23", "p4", "in", "question", "2026-11-30 17:00:00", None),  # 1 December
        ("m24", "p4", "out", "answer", "2026-11-30 17:00:05", "IV.1.10"),
    ):
        engine_answer = answer(section) if section else None
        message = await store.add_message(
            people[who], direction, f"{key} lời", kind, answer=engine_answer
        )
        said[key] = message.id
        await set_row(store, "messages", message.id, created_at=utc(at))
    for who, on, value, at in (
        ("p1", "m2", 1, "2026-11-02 01:10:00"),
        ("p1", "m4", 1, "2026-11-02 02:10:00"),
        ("p2", "m8", -1, "2026-11-05 02:00:00"),  # within 24 h of b1, which reached p2
        ("p4", "m20", 1, "2026-10-31 17:10:00"),
        ("p4", "m22", -1, "2026-11-05 03:10:00"),
    ):
        await store.add_feedback(said[on], people[who], value)
        key = (said[on], people[who])
        await set_row(store, "feedback", key, created_at=utc(at), updated_at=utc(at))
    tickets = {}
    for name, who, opened, answered, closed in (
        ("t1", "p3", "2026-11-10 16:30:00", "2026-11-11 01:30:00", None),  # 1 h of office
        ("t2", "p2", "2026-11-03 03:20:00", "2026-11-03 07:20:00", "2026-11-03 08:00:00"),
        ("t3", "p1", "2026-11-20 02:00:00", None, "2026-11-21 02:00:00"),  # expired
        ("t5", "p1", "2026-10-20 02:00:00", "2026-10-20 03:00:00", "2026-10-20 04:00:00"),
        ("t4", "p4", "2026-11-25 03:00:00", None, None),  # still waiting
    ):
        ticket = await store.open_ticket(people[who], f"Cần gặp cán bộ ({name})")
        tickets[name] = ticket.id
        times: dict[str, Any] = {"opened_at": utc(opened)}
        if answered:
            await store.mark_answered(ticket.id, "telegram:7001")
            times["answered_at"] = utc(answered)
        if closed:
            await store.close_ticket(ticket.id, "telegram:7001")
            times["closed_at"] = utc(closed)
        await set_row(store, "tickets", ticket.id, **times)
    await store.add_officer("telegram", "7001", UNIT_BA_DINH, "telegram:1")
    broadcasts = {}
    for name, unit, area, started, states in (
        ("b1", UNIT_BA_DINH, "ba dinh", "2026-11-05 01:00:00", {"p1": "sent", "p2": "sent"}),
        ("b2", UNIT_KIM_LIEN, "kim lien", "2026-11-12 03:00:00", {"p3": "sent"}),
        ("b3", UNIT_BA_DINH, "ba dinh", "2026-10-15 03:00:00", {"p1": "sent", "p2": "failed"}),
    ):
        made = await store.create_broadcast(
            "telegram:7001", f"Tin {name}", {"areas": [area]}, unit=unit
        )
        broadcasts[name] = made.id
        await store.enqueue_broadcast(made.id)
        await store.set_broadcast_state(made.id, "done")
        await set_row(store, "broadcasts", made.id, started_at=utc(started))
        for who, state in states.items():
            await set_row(store, "deliveries", (made.id, people[who]), state=state)
    draft = await store.create_broadcast(
        "telegram:7001", "Nháp", {"areas": ["ba dinh"]}, unit=UNIT_BA_DINH
    )
    broadcasts["draft"] = draft.id
    return Known(people, tickets, broadcasts)


@pytest.fixture
async def known(any_store: Any) -> Known:
    return await build_known(any_store)


async def test_areas_and_units(any_store, known: Known) -> None:
    assert await any_store.insight_areas() == ["ba dinh", "kim lien"]
    assert await any_store.insight_units() == [UNIT_BA_DINH, UNIT_KIM_LIEN]


def _days(*pairs: tuple[str, str, int]) -> set[tuple[str, int, int]]:
    return {
        (platform, bucket(datetime.fromisoformat(day).replace(tzinfo=HANOI), DAY, 7 * 3600), n)
        for platform, day, n in pairs
    }


async def test_questions_by_channel_per_local_day_and_hour(any_store, known: Known) -> None:
    found = await any_store.questions_by_channel(NOVEMBER, DAY, 7 * 3600)
    assert set(found) == _days(
        ("telegram", "2026-11-02", 2),
        ("telegram", "2026-11-05", 1),
        ("zalo_oa", "2026-11-03", 2),
        ("zalo_oa", "2026-11-04", 1),
        ("web", "2026-11-10", 2),  # 17:00 and 23:29 in Hà Nội: both on the 10th
        ("zalo_bot", "2026-11-01", 1),  # 00:00 on the 1st counts; 23:59:59 the day before not
        ("zalo_bot", "2026-11-05", 1),
    )
    assert set(await any_store.questions_by_channel(BA_DINH, DAY, 7 * 3600)) == _days(
        ("telegram", "2026-11-02", 2),
        ("telegram", "2026-11-05", 1),
        ("zalo_oa", "2026-11-03", 2),
        ("zalo_oa", "2026-11-04", 1),
    )
    hours = await any_store.questions_by_channel(NOVEMBER, HOUR, 7 * 3600)
    first = bucket(datetime(2026, 11, 10, 17, tzinfo=HANOI), HOUR, 7 * 3600)
    assert ("web", first, 1) in hours and ("web", first + 6, 1) in hours  # 17h and 23h
    assert sum(n for _, _, n in hours) == 10
    nobody = replace(NOVEMBER, areas=())
    assert await any_store.questions_by_channel(nobody, DAY, 7 * 3600) == []


async def test_outcomes(any_store, known: Known) -> None:
    counts = await any_store.outcomes(NOVEMBER)
    assert {k: counts.get(k, 0) for k in ("question", "answer", "suggest", "not_found")} == {
        "question": 10,
        "answer": 6,
        "suggest": 1,
        "not_found": 1,
    }
    assert counts["tickets"] == 4 and counts["handoff"] == 1 and counts["thanks"] == 1
    assert "greeting" not in counts  # the greeting was still October in Hà Nội
    mine = await any_store.outcomes(BA_DINH)
    assert (mine["question"], mine["answer"], mine["suggest"], mine["tickets"]) == (6, 4, 1, 2)
    assert "not_found" not in mine


async def test_top_sections(any_store, known: Known) -> None:
    assert await any_store.top_sections(NOVEMBER, 10) == [
        SectionCount("57-KH/TU", "III.10", TITLES["III.10"], 3),
        SectionCount("57-KH/TU", "II.2.2", TITLES["II.2.2"], 2),
        SectionCount("57-KH/TU", "IV.1.10", TITLES["IV.1.10"], 1),
    ]
    assert await any_store.top_sections(NOVEMBER, 1) == [
        SectionCount("57-KH/TU", "III.10", TITLES["III.10"], 3)
    ]
    mine = await any_store.top_sections(BA_DINH, 10)
    assert mine[0] == SectionCount("57-KH/TU", "II.2.2", TITLES["II.2.2"], 2)
    assert {(s.section, s.count) for s in mine[1:]} == {("III.10", 1), ("IV.1.10", 1)}


async def test_votes_by_section(any_store, known: Known) -> None:
    assert await any_store.section_votes(NOVEMBER, 10) == [
        SectionVotes("57-KH/TU", "III.10", TITLES["III.10"], 1, 2),
        SectionVotes("57-KH/TU", "II.2.2", TITLES["II.2.2"], 2, 0),
    ]
    assert await any_store.section_votes(BA_DINH, 10) == [
        SectionVotes("57-KH/TU", "II.2.2", TITLES["II.2.2"], 2, 0),
        SectionVotes("57-KH/TU", "III.10", TITLES["III.10"], 0, 1),
    ]


async def test_ticket_times(any_store, known: Known) -> None:
    # Waits 4 h (t2, all in office hours) and 9 h (t1: 23:30 to 08:30, 1 h of office).
    assert await any_store.ticket_times(NOVEMBER, WEEK, TARGET) == TicketTimes(
        opened=4,
        answered=2,
        median=4 * 3600,
        p90=9 * 3600,
        within_target=1,
        waiting=1,
        closed_unanswered=1,
    )
    assert await any_store.ticket_times(BA_DINH, WEEK, TARGET) == TicketTimes(
        2, 1, 14400, 14400, 0, 0, 1
    )
    empty = Window(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC))
    assert await any_store.ticket_times(empty, WEEK, TARGET) == TicketTimes(
        0, 0, None, None, 0, 0, 0
    )


async def test_ticket_lines_keep_people_out_unless_asked(any_store, known: Known) -> None:
    lines = await any_store.ticket_lines(NOVEMBER, WEEK, False, 100)
    assert [line.id for line in lines] == [known.tickets[t] for t in ("t2", "t1", "t3", "t4")]
    assert [line.office_seconds for line in lines] == [14400, 3600, None, None]
    assert [line.platform for line in lines] == ["zalo_oa", "web", "telegram", "zalo_bot"]
    assert all(line.name is None and line.user_id is None and line.reason is None for line in lines)
    named = await any_store.ticket_lines(BA_DINH, WEEK, True, 100)
    assert [(line.name, line.user_id) for line in named] == [("Dân p2", "u-p2"), ("Dân p1", "u-p1")]
    assert named[0].reason == "Cần gặp cán bộ (t2)"


async def test_unit_broadcasts_match_the_monthly_report(any_store, known: Known) -> None:
    rows = await any_store.unit_broadcasts(NOVEMBER.start, NOVEMBER.end, None)
    assert rows == await any_store.month_report(NOVEMBER.start, NOVEMBER.end)
    b1, b2 = rows
    assert (b1["broadcast"], b1["delivered"], b1["replies"], b1["questions"]) == (
        known.broadcasts["b1"],
        2,
        1,
        1,
    )
    assert (b1["thumbs_up"], b1["thumbs_down"], b1["unit"]) == (0, 1, UNIT_BA_DINH)
    assert (b2["delivered"], b2["replies"], b2["unit"]) == (1, 0, UNIT_KIM_LIEN)
    assert await any_store.unit_broadcasts(NOVEMBER.start, NOVEMBER.end, UNIT_BA_DINH) == [b1]
    october = datetime(2026, 10, 1, tzinfo=HANOI)
    assert [
        r["delivered"] for r in await any_store.unit_broadcasts(october, NOVEMBER.start, None)
    ] == [1]


async def test_a_reply_a_day_later_is_not_a_reply(any_store, known: Known) -> None:
    late = await any_store.add_message(known.people["p2"], "in", "muộn", "question")
    await set_row(any_store, "messages", late.id, created_at=utc("2026-11-06 01:00:00"))
    early = await any_store.add_message(known.people["p2"], "in", "kịp", "question")
    await set_row(any_store, "messages", early.id, created_at=utc("2026-11-06 00:59:59"))
    rows = await any_store.unit_broadcasts(NOVEMBER.start, NOVEMBER.end, UNIT_BA_DINH)
    assert rows[0]["replies"] == 2  # p1's, and p2's a second before the day was over
    assert rows == (await any_store.month_report(NOVEMBER.start, NOVEMBER.end))[:1]


async def test_year_figures(any_store, known: Known) -> None:
    year = await any_store.year_figures(YEAR_BOUNDS, None)
    october, november, december = year.months[9], year.months[10], year.months[11]
    assert (october.questions, october.tickets, october.replies) == (1, 1, 0)
    assert (november.questions, november.replies, november.up, november.down) == (10, 1, 3, 2)
    assert november.tickets == 4 and december.questions == 1
    assert sum(m.questions for m in year.months[:9]) == 0
    assert (year.reached, year.subscribers) == (4, 3)
    mine = await any_store.year_figures(YEAR_BOUNDS, ("ba dinh",))
    assert (mine.months[9].questions, mine.months[9].tickets) == (0, 1)
    november = mine.months[10]
    assert (november.questions, november.replies, november.up, november.down) == (6, 1, 2, 1)
    assert (november.tickets, mine.reached, mine.subscribers) == (2, 2, 2)
    later = [datetime(2027, m, 1, tzinfo=HANOI) for m in (1, 2)]
    assert (await any_store.year_figures(later, None)).reached == 0


def test_buckets_count_local_days_from_1970() -> None:
    midnight = datetime(2026, 11, 10, tzinfo=HANOI)
    days = (date(2026, 11, 10) - date(1970, 1, 1)).days
    assert bucket(midnight, DAY, 7 * 3600) == days
    assert bucket(midnight - timedelta(seconds=1), DAY, 7 * 3600) == days - 1
    assert bucket(midnight + timedelta(hours=23), HOUR, 7 * 3600) == days * 24 + 23


async def test_office_time_in_sql_is_the_python_count(any_store) -> None:
    """The office-hours arithmetic the SQL runs (weekends, evenings, week boundaries)."""
    if isinstance(any_store, MemoryStore):
        pytest.skip("the in-memory store counts with the Python function itself")
    dialect = any_store.engine.dialect.name
    shuffle = random.Random(12)
    instants = [
        datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=shuffle.randrange(40_000_000))
        for _ in range(150)
    ]
    weeks = (WEEK, Workweek(8 * 3600, 11 * 3600 + 1800, frozenset({0, 2, 6}), 7 * 3600))
    async with any_store.engine.connect() as connection:
        for week in weeks:
            columns = [office_sql(dialect, literal(t, UTCDateTime()), week) for t in instants]
            found = (await connection.execute(select(*columns))).one()
            assert list(found) == [office_seconds(epoch(t), week) for t in instants]


async def test_an_officer_answer_is_not_a_section_asked(any_store, known: Known) -> None:
    """An answer led by an officer's explanation (doc and section empty) is left out of the
    sections asked about, not counted as a section named ""."""
    officer = Citation("", "", "Hỏi?", "Giải đáp.", "Giải đáp của Phường Ba Đình", 0, 0,
                       kind="officer_answer", entry=1, version=1)  # fmt: skip
    explained = Answer("💬 …", grounded=False, handoff=False, confidence=0.9, citations=(officer,))
    message = await any_store.add_message(
        known.people["p1"], "out", "…", "answer", answer=explained
    )
    await set_row(any_store, "messages", message.id, created_at=utc("2026-11-10 03:00:00"))
    sections = {s.section for s in await any_store.top_sections(NOVEMBER, 10)}
    assert sections == {"III.10", "II.2.2", "IV.1.10"}
