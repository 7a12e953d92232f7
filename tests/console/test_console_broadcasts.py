"""The console's broadcasts over HTTP: the real bot (aiohttp, SQLite, its delivery loop)
with the fake Telegram. An officer composes (text, or a photo uploaded from the laptop),
sees the recipients counted and an exact preview, confirms (a double click sends once),
follows the progress, pauses, resumes and cancels with the Telegram desk's rules, and
reads the history with delivered / blocked / skipped / replies. Another unit's officer
gets 404; a POST without the session's token is refused; bad input gets a polite 4xx."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.app import running
from bot.broadcast.media import upload_key
from bot.strings import broadcast as wording
from bot.strings import console_broadcasts as words
from tests.broadcast.test_delivery import subscribe, wait_done
from tests.console.conftest import signed_in
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.telegram_api import FakeTelegram, UploadedFile, fake_jpeg
from tests.web.conftest import web_settings

ADMIN = "telegram:9001"
OFFICER_A, UNIT_A = "telegram:7001", "UBND phường Ba Đình"
OFFICER_B, UNIT_B = "telegram:7002", "UBND phường Kim Liên"
HOME = "/console/thong-bao"
TEXT = "Mời bà con dự hội nghị lấy ý kiến về quy hoạch lúc 8h sáng Chủ nhật, nhà văn hóa."
PHOTO = fake_jpeg(40_000, seed="hội nghị")
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def settings(fake: FakeTelegram, tmp_path, **overrides):
    return web_settings(
        fake,
        f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        admins=ADMIN,
        officers=f"{OFFICER_A}={UNIT_A};{OFFICER_B}={UNIT_B}",
        **overrides,
    )


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path):
    async with running(settings(fake, tmp_path), FakeAnswerer()) as state:
        yield state


class Officer:
    """A signed-in browser, without the browser: its cookie, Origin and CSRF token."""

    def __init__(self, state, http: aiohttp.ClientSession, headers: dict, csrf: str) -> None:
        self.state, self.http, self.headers, self.csrf = state, http, headers, csrf

    @classmethod
    async def sign_in(cls, state, http: aiohttp.ClientSession, actor: str) -> Officer:
        headers, session = await signed_in(state, actor, http)
        return cls(state, http, headers, session.csrf)

    async def get(self, path: str) -> tuple[int, str, Any]:
        async with self.http.get(self.state.base_url + path, headers=self.headers) as r:
            return r.status, (await r.read()).decode(errors="replace"), r.headers

    async def post(self, path: str, data, *, headers: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location) of a POST, redirects not followed."""
        url = self.state.base_url + path
        sent = {**self.headers, **(headers or {})}
        async with self.http.post(url, data=data, headers=sent, allow_redirects=False) as r:
            return r.status, await r.text(), r.headers.get("Location", "")

    async def compose(self, text: str = TEXT, photo: bytes | None = None, **fields: str):
        """The compose form as the page sends it (multipart, the CSRF token included)."""
        form = aiohttp.FormData()
        values = {"csrf": self.csrf, "text": text, "gui-toi": "all", "khi": "now", **fields}
        for name, value in values.items():
            form.add_field(name, value)
        form.add_field(
            "photo", photo or b"", filename="anh.jpg" if photo else "", content_type="image/jpeg"
        )
        return await self.post(HOME + "/soan", form)

    async def draft(self, text: str = TEXT, photo: bytes | None = None, **fields: str) -> str:
        status, body, location = await self.compose(text, photo, **fields)
        assert status == 303, body
        assert location.startswith(HOME + "/nhap/")
        return location

    async def confirm(self, draft: str) -> tuple[int, str, str]:
        return await self.post(draft + "/xac-nhan", {"csrf": self.csrf})

    async def control(self, broadcast_id: int, verb: str) -> tuple[int, str, str]:
        return await self.post(f"{HOME}/{broadcast_id}/{verb}", {"csrf": self.csrf})


def history_cell(page: str, broadcast_id: int, column: str) -> str:
    row = re.search(rf'<tr><td[^>]*><a href="{HOME}/{broadcast_id}">.*?</tr>', page)
    assert row, f"broadcast {broadcast_id} is not listed"
    cell = re.search(rf'<td data-label="{re.escape(column)}"[^>]*>(.*?)</td>', row.group(0))
    assert cell, column
    return cell.group(1)


async def actions(state) -> list[str]:
    return [action for _, action, _, _ in await state.store.audit_entries(500)]


async def test_compose_preview_confirm_twice_and_each_subscriber_gets_it_once(
    bot, fake: FakeTelegram
) -> None:
    chats = await subscribe(bot.store, 3, topics=["kinh tế"])
    chats += await subscribe(bot.store, 2, topics=["cuộc thi"], first=620_000)
    async with aiohttp.ClientSession() as http:
        officer = await Officer.sign_in(bot, http, OFFICER_A)
        status, page, _ = await officer.get(HOME)
        assert status == 200 and words.NEW in page and words.EMPTY in page
        status, body, _ = await officer.get(HOME + "/so-nguoi?gui-toi=1")  # "kinh tế"
        assert status == 200 and json.loads(body)["count"] == 3
        status, form, _ = await officer.get(HOME + "/soan")
        assert status == 200 and "Sẽ gửi tới 5 người" in form  # everyone, counted server-side
        draft = await officer.draft(**{"gui-toi": "1"})
        status, preview, _ = await officer.get(draft)
        assert status == 200 and TEXT in preview and "Sẽ gửi tới 3 người" in preview
        assert wording.confirm_question(3, None, HANOI) in preview
        assert '<img class="msg-photo"' not in preview

        since = len(fake.calls)
        # A double click: both requests end on the same broadcast, created once.
        first, second = await asyncio.gather(officer.confirm(draft), officer.confirm(draft))
        assert {first[0], second[0]} == {303}
        assert f"{HOME}/1" in (first[2], second[2])
        assert {first[2], second[2]} <= {f"{HOME}/1", HOME}
        assert (await officer.confirm(draft))[2] == f"{HOME}/1"  # and any later one
        assert await bot.store.get_broadcast(2) is None
        assert (await wait_done(bot.store, 1))["sent"] == 3
        for chat in chats:
            got = [m for m in fake.sent_messages(chat) if m["text"] == TEXT]
            assert len(got) == (1 if chat < 620_000 else 0), chat
        assert len([c for c in fake.calls[since:] if c.method == "sendMessage"]) == 3

        status, page, _ = await officer.get(f"{HOME}/1")
        assert status == 200 and TEXT in page and 'data-state="done"' in page
        assert 'data-count="sent">3<' in page and "người quan tâm chủ đề kinh tế" in page
        status, body, _ = await officer.get(f"{HOME}/1/tien-do")
        assert status == 200 and '"final": true' in body and '"sent": 3' in body

        # A recipient writes back: a reply within 24 h, counted in the history.
        since = len(fake.calls)
        update = fake.text_update(chats[0], chats[0], "cảm ơn phường")
        assert await fake.deliver_webhook(update, url=bot.base_url + "/telegram/webhook") == 200
        await fake.wait_for_message(chats[0], since=since)  # the bot answered it
        status, page, _ = await officer.get(HOME)
        assert history_cell(page, 1, "Đã nhận") == "3"
        assert history_cell(page, 1, "Phản hồi trong 24 giờ") == "1"
        assert history_cell(page, 1, "Chặn bot") == "0"
    audited = await actions(bot)
    assert audited.count("console_broadcast_draft") == 1
    assert audited.count("console_broadcast_confirm") == 1


async def test_a_photo_uploaded_in_the_console_reaches_telegram_once_per_subscriber(
    bot, fake: FakeTelegram
) -> None:
    chats = await subscribe(bot.store, 4)
    async with aiohttp.ClientSession() as http:
        officer = await Officer.sign_in(bot, http, OFFICER_A)
        draft = await officer.draft(photo=PHOTO)
        status, preview, _ = await officer.get(draft)
        assert status == 200 and f'src="{draft}/anh"' in preview and TEXT in preview
        status, _, headers = await officer.get(draft + "/anh")
        assert status == 200 and headers["Content-Type"] == "image/jpeg"
        # "Sửa lại": the draft's choices filled in, its photo kept unless another is chosen.
        status, form, _ = await officer.get(HOME + "/soan?nhap=" + draft.rsplit("/", 1)[1])
        assert status == 200 and TEXT in form and 'name="giu-anh"' in form
        edited = await officer.draft(
            TEXT + " Xin mời!", nhap=draft.rsplit("/", 1)[1], **{"giu-anh": "1"}
        )
        assert (await officer.confirm(edited))[0] == 303
        assert (await wait_done(bot.store, 1))["sent"] == 4

    broadcast = await bot.store.get_broadcast(1)
    assert broadcast.photo.startswith("upload:") and broadcast.text == TEXT + " Xin mời!"
    photos = fake.calls_to("sendPhoto", ok_only=True)
    assert sorted(c.chat_id for c in photos) == sorted(chats)  # each subscriber once
    uploads = [c for c in photos if isinstance(c.params["photo"], UploadedFile)]
    assert len(uploads) == 1 and uploads[0].params["photo"].data == PHOTO  # the bytes, once
    file_id = uploads[0].result["photo"][-1]["file_id"]
    assert all(c.params["photo"] == file_id for c in photos if c not in uploads)
    assert all(c.params["caption"] == TEXT + " Xin mời!" for c in photos)
    # The web chat and Zalo Bot read the same bytes.
    async with aiohttp.ClientSession() as http, http.get(bot.base_url + "/media/broadcast/1") as r:
        assert r.status == 200 and await r.read() == PHOTO


async def test_an_upload_telegram_refuses_is_tried_again_by_the_next_recipient(
    bot, fake: FakeTelegram
) -> None:
    await subscribe(bot.store, 3)
    # The first message, the one carrying the bytes, fails for good (whoever it was for).
    fake.fail_next("sendPhoto", 400, "Bad Request: chat not found")
    async with aiohttp.ClientSession() as http:
        officer = await Officer.sign_in(bot, http, OFFICER_A)
        assert (await officer.confirm(await officer.draft(photo=PHOTO)))[0] == 303
        progress = await wait_done(bot.store, 1)
    assert (progress["sent"], progress["failed"]) == (2, 1)
    calls = fake.calls_to("sendPhoto")
    uploads = [c for c in calls if isinstance(c.params["photo"], UploadedFile)]
    assert [c.ok for c in uploads] == [False, True]  # the next recipient uploaded again
    assert len(calls) == 3 and len({c.chat_id for c in calls}) == 3


async def test_pause_resume_and_cancel_follow_the_desks_rules(fake: FakeTelegram, tmp_path) -> None:
    slow = settings(fake, tmp_path, broadcast_telegram_rate=4, broadcast_window=2)
    async with running(slow, FakeAnswerer()) as bot, aiohttp.ClientSession() as http:
        chats = await subscribe(bot.store, 24)
        officer = await Officer.sign_in(bot, http, OFFICER_A)
        assert (await officer.confirm(await officer.draft()))[0] == 303
        status, _, location = await officer.control(1, "tam-dung")
        assert (status, location) == (303, f"{HOME}/1")
        assert (await bot.store.get_broadcast(1)).state == "paused"
        assert (await officer.control(1, "tam-dung"))[0] == 303  # a second click: nothing
        status, page, _ = await officer.get(f"{HOME}/1")
        assert 'data-state="paused"' in page and f'action="{HOME}/1/tiep-tuc"' in page
        while (await bot.store.broadcast_progress(1))["sending"]:  # the batch in flight lands
            await asyncio.sleep(0.05)
        held = await bot.store.broadcast_progress(1)
        assert held["queued"] > 0 and held["sent"] < 24
        assert (await officer.control(1, "tiep-tuc"))[0] == 303
        assert (await wait_done(bot.store, 1))["sent"] == 24
        for chat in chats:
            assert len([m for m in fake.sent_messages(chat) if m["text"] == TEXT]) == 1
        status, page, _ = await officer.control(1, "huy")  # done: nothing left to cancel
        assert status == 409 and wording.cannot("cancel", "done") in page

        later = (datetime.now(HANOI) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        draft = await officer.draft("Lịch tiếp dân tháng sau", khi="later", luc=later)
        status, preview, _ = await officer.get(draft)
        assert "lúc " + later[11:16] in preview
        assert (await officer.confirm(draft))[0] == 303
        scheduled = await bot.store.get_broadcast(2)
        assert scheduled.state == "scheduled" and scheduled.scheduled_at > datetime.now(HANOI)
        status, page, _ = await officer.get(f"{HOME}/2")
        assert "Hẹn gửi lúc" in page
        status, page, _ = await officer.control(2, "tam-dung")
        assert status == 409 and wording.cannot("pause", "scheduled") in page
        assert (await officer.control(2, "huy"))[0] == 303
        assert (await bot.store.get_broadcast(2)).state == "cancelled"
        assert (await officer.control(2, "huy"))[0] == 303  # cancelled already: the same
    audited = await actions(bot)
    for action in ("console_broadcast_pause", "console_broadcast_resume"):
        assert audited.count(action) == 1
    assert audited.count("console_broadcast_cancel") == 1
    assert "console_broadcast_cancel_refused" in audited


async def test_an_officer_of_another_unit_can_neither_see_nor_control_it(
    bot, fake: FakeTelegram
) -> None:
    await subscribe(bot.store, 2)
    later = (datetime.now(HANOI) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    async with aiohttp.ClientSession() as http:
        a = await Officer.sign_in(bot, http, OFFICER_A)
        draft = await a.draft(photo=PHOTO, khi="later", luc=later)
        async with aiohttp.ClientSession() as other_http:
            b = await Officer.sign_in(bot, other_http, OFFICER_B)
            for path in (draft, draft + "/anh"):
                assert (await b.get(path))[0] == 404
            assert (await b.confirm(draft))[0] == 404
            assert (await a.confirm(draft))[0] == 303
            for path in (f"{HOME}/1", f"{HOME}/1/tien-do", f"{HOME}/1/anh"):
                status, page, _ = await b.get(path)
                assert status == 404, path
            assert words.NOT_FOUND in (await b.get(f"{HOME}/1"))[1]
            for verb in ("tam-dung", "tiep-tuc", "huy"):
                assert (await b.control(1, verb))[0] == 404
            assert (await bot.store.get_broadcast(1)).state == "scheduled"
            assert f'href="{HOME}/1"' not in (await b.get(HOME))[1]
            assert f'href="{HOME}/1"' in (await a.get(HOME))[1]
            admin = await Officer.sign_in(bot, other_http, ADMIN)
            page = (await admin.get(HOME))[1]
            assert f'href="{HOME}/1"' in page and UNIT_A in page
            assert (await admin.control(1, "huy"))[0] == 303
    assert (await actions(bot)).count("console_broadcast_refused") >= 9


async def test_every_post_needs_the_sessions_token_and_this_site(bot, fake: FakeTelegram) -> None:
    await subscribe(bot.store, 2)
    async with aiohttp.ClientSession() as http:
        officer = await Officer.sign_in(bot, http, OFFICER_A)
        forged = Officer(bot, http, officer.headers, "wrong")
        assert (await forged.compose())[0] == 403
        draft = await officer.draft()
        assert (await forged.confirm(draft))[0] == 403
        foreign = {"Origin": "https://evil.example"}
        status, _, _ = await officer.post(
            draft + "/xac-nhan", {"csrf": officer.csrf}, headers=foreign
        )
        assert status == 403
        assert await bot.store.get_broadcast(1) is None  # nothing was sent
        assert (await officer.confirm(draft))[0] == 303
        assert (await forged.control(1, "huy"))[0] == 403
        assert (await bot.store.get_broadcast(1)).state != "cancelled"
        async with http.get(bot.base_url + HOME) as anonymous:
            assert anonymous.status == 401
    assert (await actions(bot)).count("console_forgery_refused") == 4


def too_old() -> str:
    return (datetime.now(HANOI) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    ("text", "photo", "fields", "status", "said"),
    [
        ("   ", None, {}, 400, words.EMPTY_TEXT),
        ("x" * 4097, None, {}, 400, "quá giới hạn 4096"),
        ("😀" * 2049, None, {}, 400, "quá giới hạn 4096"),  # 4098 UTF-16 units, as Telegram counts
        ("x" * 1025, PHOTO, {}, 400, "quá giới hạn 1024"),
        (TEXT, b"<svg onload=alert(1)>", {}, 415, words.NOT_IMAGE),
        (TEXT, b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), {}, 413, words.TOO_BIG),
        (TEXT, None, {"khi": "later", "luc": "ngày mai"}, 400, words.BAD_TIME),
        (TEXT, None, {"khi": "later", "luc": ""}, 400, words.BAD_TIME),
        (TEXT, None, {"khi": "later", "luc": "2025-02-30T10:00"}, 400, words.BAD_TIME),
        (TEXT, None, {"khi": "later", "luc": too_old()}, 400, words.PAST_TIME),
        (TEXT, None, {"gui-toi": "area", "xa": "  "}, 400, words.NO_AREA),
        (TEXT, None, {"gui-toi": "99"}, 400, words.BAD_AUDIENCE),
    ],
)
async def test_bad_input_gets_a_polite_page_and_nothing_is_drafted(
    bot, text, photo, fields, status, said
) -> None:
    async with aiohttp.ClientSession() as http:
        officer = await Officer.sign_in(bot, http, OFFICER_A)
        answered, page, location = await officer.compose(text, photo, **fields)
    assert answered == status and said in page and not location
    assert 'class="bc-error" role="alert"' in page and 'class="bc-compose"' in page
    if text.strip() and len(text) < 200:
        assert text in page  # the form keeps what was typed
    assert "console_broadcast_invalid" in await actions(bot)
    assert "console_broadcast_draft" not in await actions(bot)
    if photo:  # a refused draft keeps no photo
        assert await bot.store.photo(upload_key(photo)) is None


async def test_broken_bodies_unknown_ids_and_the_limits_that_fit(bot) -> None:
    async with aiohttp.ClientSession() as http:
        officer = await Officer.sign_in(bot, http, OFFICER_A)
        broken = {"Content-Type": "multipart/form-data; boundary=xyz"}
        status, page, _ = await officer.post(HOME + "/soan", b"--xyz\r\nnonsense", headers=broken)
        assert status == 400 and words.BAD_FORM in page
        huge = {"csrf": officer.csrf, "text": "x" * (2 << 20)}  # urlencoded, over 1 MB
        status, page, _ = await officer.post(HOME + "/soan", huge)
        assert status in (400, 413) and "bc-error" in page
        for path in (f"{HOME}/999", f"{HOME}/999/tien-do", HOME + "/nhap/" + "a" * 24):
            status, page, _ = await officer.get(path)
            assert status == 404 and "bc-error" in page, path
        assert (await officer.control(999, "huy"))[0] == 404
        assert (await officer.confirm(HOME + "/nhap/" + "b" * 24))[0] == 404
        status, page, _ = await officer.get(HOME + "/khong-co")
        assert status == 404 and words.NOT_FOUND in page
        # Right at the limits: accepted.
        assert (await officer.compose("x" * 4096))[0] == 303
        assert (await officer.compose("ư" * 1024, PHOTO))[0] == 303
        assert (await officer.compose("", PHOTO))[0] == 303  # a photo alone, as in the chat
        assert (await officer.compose(TEXT, **{"gui-toi": "area", "xa": "Ba Đình"}))[0] == 303
        status, body, _ = await officer.get(HOME + "/so-nguoi?gui-toi=area&xa=")
        assert status == 200 and json.loads(body) == {"count": None, "text": words.NO_AREA}
