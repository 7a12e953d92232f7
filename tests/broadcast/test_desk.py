"""The officers' broadcast desk on the memory store: no model, no database, no platform."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from bot.broadcast.desk import BroadcastDesk
from bot.broadcast.roster import Roster
from bot.core.messages import Inbound, Outbound
from bot.store.memory import MemoryStore
from bot.strings import broadcast as wording

OFFICER, ADMIN, CITIZEN = "111", "999", "555"
_keys = itertools.count(1)


class Keeper:
    """A PhotoKeeper that fails on request."""

    def __init__(self, reason: str | None = None) -> None:
        self.reason = reason
        self.kept: list[str] = []

    async def keep(self, file_id: str) -> str | None:
        self.kept.append(file_id)
        return self.reason


def desk(store: MemoryStore | None = None) -> BroadcastDesk:
    roster = Roster.parse(f"telegram:{OFFICER}=Phường Ba Đình", f"telegram:{ADMIN}")
    return BroadcastDesk(store or MemoryStore(), roster)


def said(
    user: str, text: str | None = None, action: str | None = None, photo: str | None = None
) -> Inbound:
    return Inbound(
        "telegram",
        user,
        user,
        f"k{next(_keys)}",
        text=text,
        action=action,
        attachment=photo,
        display_name="Cán bộ",
    )


async def talk(d: BroadcastDesk, inbound: Inbound) -> list[Outbound]:
    assert await d.wants(inbound)
    return await d.handle(inbound)


async def subscribers(store: MemoryStore, count: int, topics: list[str] | None = None) -> None:
    for n in range(count):
        person = await store.upsert_person("telegram", f"c{n}", f"c{n}")
        await store.set_subscribed(person.id, True)
        if topics:
            await store.set_preferences(person.id, topics, None)


async def test_compose_choose_the_audience_preview_and_send_now() -> None:
    store = MemoryStore()
    await subscribers(store, 3)
    d = desk(store)
    [ask] = await talk(d, said(OFFICER, "/thongbao"))
    assert ask.text == wording.ASK_TEXT
    [audience] = await talk(d, said(OFFICER, "Lịch tiếp công dân tuần này"))
    assert audience.text == wording.ASK_AUDIENCE and "o:aud:all" in {
        b.action for b in audience.buttons
    }
    [when] = await talk(d, said(OFFICER, action="o:aud:all"))
    assert "3" in when.text  # the recipient count, before anything is sent
    header, preview, confirm = await talk(d, said(OFFICER, action="o:now"))
    assert header.text == wording.PREVIEW_HEADER
    assert preview.text == "Lịch tiếp công dân tuần này"  # exactly as citizens will see it
    assert {b.action for b in confirm.buttons} == {"o:ok", "o:no"}
    await talk(d, said(OFFICER, action="o:ok"))
    [broadcast] = store.broadcasts.values()
    assert (broadcast.state, broadcast.unit) == ("sending", "Phường Ba Đình")
    assert (await store.broadcast_progress(broadcast.id))["queued"] == 3
    actions = [action for _, action, _, _ in await store.audit_entries()]
    assert actions == ["broadcast", "compose"]  # newest first


async def test_a_topic_audience_counts_only_those_who_chose_it_or_everything() -> None:
    store = MemoryStore()
    await subscribers(store, 2, ["kinh tế"])
    await subscribers(store, 0)
    person = await store.upsert_person("telegram", "all-topics", "all-topics")
    await store.set_subscribed(person.id, True)
    d = desk(store)
    await talk(d, said(OFFICER, "/thongbao"))
    await talk(d, said(OFFICER, "Tin kinh tế"))
    [when] = await talk(d, said(OFFICER, action="o:aud:1"))  # "kinh tế"
    assert "3" in when.text  # the two who chose it, and the one who chose nothing


async def test_a_scheduled_broadcast_starts_when_due() -> None:
    store = MemoryStore()
    await subscribers(store, 1)
    d = desk(store)
    await talk(d, said(OFFICER, "/thongbao"))
    await talk(d, said(OFFICER, "Hẹn giờ"))
    await talk(d, said(OFFICER, action="o:aud:all"))
    [ask_time] = await talk(d, said(OFFICER, action="o:later"))
    assert ask_time.text == wording.ASK_TIME
    later = (datetime.now(UTC) + timedelta(days=1)).astimezone(d.zone)
    await talk(d, said(OFFICER, f"{later:%H:%M %d/%m/%Y}"))
    await talk(d, said(OFFICER, action="o:ok"))
    [broadcast] = store.broadcasts.values()
    assert broadcast.state == "scheduled"
    assert await d.start_due(datetime.now(UTC)) == []
    assert await d.start_due(later + timedelta(minutes=1)) == [broadcast.id]
    assert store.broadcasts[broadcast.id].state == "sending"


async def test_a_citizen_using_an_officer_command_is_refused_and_audited() -> None:
    store = MemoryStore()
    [refused] = await talk(desk(store), said(CITIZEN, "/thongbao"))
    assert refused.text == wording.NOT_AN_OFFICER
    assert [(a, act) for a, act, _, _ in await store.audit_entries()] == [
        (f"telegram:{CITIZEN}", "refused")
    ]


async def test_a_citizen_message_is_not_the_desks() -> None:
    assert not await desk().wants(said(CITIZEN, "muc tieu 2030"))


async def test_huy_abandons_the_draft() -> None:
    d = desk()
    await talk(d, said(OFFICER, "/thongbao"))
    [cancelled] = await talk(d, said(OFFICER, "/huy"))
    assert cancelled.text == wording.DIALOG_CANCELLED
    assert not await d.wants(said(OFFICER, "just chatting"))  # no dialogue left open


async def test_an_admin_adds_an_officer_who_can_then_compose() -> None:
    store = MemoryStore()
    d = desk(store)
    await talk(d, said(ADMIN, "/themcanbo telegram:222 Xã Sóc Sơn"))
    assert await store.officer_unit("telegram", "222") == "Xã Sóc Sơn"
    [ask] = await talk(d, said("222", "/thongbao"))
    assert ask.text == wording.ASK_TEXT
    await talk(d, said(ADMIN, "/xoacanbo telegram:222"))
    [refused] = await talk(d, said("222", "/thongbao"))
    assert refused.text == wording.NOT_AN_OFFICER


async def test_a_photo_that_cannot_be_kept_is_said_at_once() -> None:
    d = desk()
    d.photos = Keeper("ảnh lớn hơn 10 MB")
    await talk(d, said(OFFICER, "/thongbao"))
    note, audience = await talk(d, said(OFFICER, "Ảnh hội nghị", photo="file-1"))
    assert "ảnh lớn hơn 10 MB" in note.text and audience.text == wording.ASK_AUDIENCE
    assert d.photos.kept == ["file-1"]  # type: ignore[union-attr]


async def test_the_monthly_report_counts_this_months_broadcasts() -> None:
    store = MemoryStore()
    await subscribers(store, 2)
    d = desk(store)
    broadcast = await store.create_broadcast(
        f"telegram:{OFFICER}", "Tin", {}, unit="Phường Ba Đình"
    )
    await store.enqueue_broadcast(broadcast.id)
    [report] = await talk(d, said(OFFICER, "/baocao"))
    assert "Phường Ba Đình" in report.text
