"""An officer's broadcast photo reaches every platform: Telegram by its file id, Zalo OA as an
uploaded image, Zalo Bot by a public URL, the web chat as an image in the conversation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from multidict import CIMultiDict

from bot.app import Running
from bot.broadcast.media import image_type
from bot.channels.zalo_bot import pieces
from bot.channels.zalo_protocol import BOT_MAX_CAPTION
from bot.web.visitors import SECRET_KEY, VisitorTokens
from tests.broadcast.test_delivery import OPERATORS, settings_for, subscribe, wait_done
from tests.broadcast.test_officer_flow import OFFICER, UNIT, OfficerChat
from tests.fakes.telegram_api import FakeTelegram, fake_jpeg
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.ports import running_on_free_port

PHOTO = fake_jpeg(30_000, seed="hội nghị")
TEXT = "Mời bà con dự hội nghị lúc 8h sáng Chủ nhật tại nhà văn hóa."
VISITOR = "ab" * 16
ZALO_BOT_USER = "b0b0b0b0b0b0b0b0b0b0"
ZALO_OA_USERS = ("z-1", "z-2")
BOT_SECRET = "zalo-bot-s3cret"


class Fakes:
    def __init__(self, tg: FakeTelegram, oa: FakeZaloOA, zb: FakeZaloBot) -> None:
        self.tg, self.oa, self.zb = tg, oa, zb


@asynccontextmanager
async def everything(store_url: str, answerer, **overrides) -> AsyncIterator[tuple[Running, Fakes]]:
    """The bot with Telegram, Zalo OA, Zalo Bot and the web chat, each with subscribers."""
    async with FakeTelegram() as tg, FakeZaloOA() as oa, FakeZaloBot() as zb:
        tg.add_chat(OPERATORS, "supergroup", title="Cán bộ trực")

        def settings(port: int):
            return settings_for(
                tg,
                store_url,
                **{
                    **oa.bot_settings(),
                    "zalo_bot_token": zb.token,
                    "zalo_bot_api_base_url": zb.base_url,
                    "zalo_bot_webhook_url": "https://bot.example.vn/zalo/bot/webhook",
                    "zalo_bot_webhook_secret": BOT_SECRET,
                    "web_enabled": True,
                    "http_port": port,
                    "public_base_url": f"http://127.0.0.1:{port}",
                    "officers": f"telegram:{OFFICER}={UNIT}",
                    "broadcast_zalo_rate": 50,
                    **overrides,
                },
            )

        async with running_on_free_port(settings, answerer) as state:
            store = state.store
            await subscribe(store, 2)
            for platform, user in (
                *(("zalo_oa", user) for user in ZALO_OA_USERS),
                ("zalo_bot", ZALO_BOT_USER),
                ("web", VISITOR),
            ):
                person = await store.upsert_person(platform, user, user)
                await store.set_subscribed(person.id, True)
            yield state, Fakes(tg, oa, zb)


async def compose_with_photo(state: Running, tg: FakeTelegram, caption: str) -> dict:
    """/thongbao, a captioned photo, everyone, now, confirm; the reply to the photo."""
    officer = OfficerChat(state, tg)
    await officer.say("/thongbao")
    await officer._post(tg.photo_update(OFFICER, OFFICER, caption, data=PHOTO))
    after_photo = tg.sent_messages(OFFICER)[-1]
    await officer.press("o:aud:all")
    await officer.press("o:now")
    status = await officer.press("o:ok")
    assert "#1" in status["text"]
    return after_photo


async def get(state: Running, path: str, **headers: str) -> tuple[int, CIMultiDict, bytes]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(state.base_url + path, headers=headers) as response,
    ):
        return response.status, response.headers.copy(), await response.read()


async def web_history(state: Running) -> list[dict]:
    # The visitor's page holds the token the server signed for it (bot.web.visitors).
    secret = await state.store.kv_get(SECRET_KEY)
    assert secret is not None
    token = VisitorTokens(secret).token(VISITOR)
    status, _, body = await get(state, f"/api/conversations/{VISITOR}", **{"X-Visitor": token})
    assert status == 200
    return json.loads(body)["messages"]


async def test_a_photo_reaches_telegram_zalo_and_the_web(store_url, answerer) -> None:
    async with everything(store_url, answerer) as (state, fakes):
        tg, oa, zb = fakes.tg, fakes.oa, fakes.zb
        store = state.store
        after_photo = await compose_with_photo(state, tg, TEXT)
        assert "Gửi tới ai?" in after_photo["text"]  # no warning: the photo was kept
        progress = await wait_done(store, 1)
        assert progress["sent"] == 6, progress

        # Fetched once from Telegram, when the officer sent it.
        assert len(tg.calls_to("getFile", ok_only=True)) == 1
        assert [c.status for c in tg.calls_to("file")] == [200]
        file_id = (await store.get_broadcast(1)).photo
        assert tg.file_bytes(file_id) == PHOTO

        # Telegram: the same file id, the text as its caption.
        for chat in (610_000, 610_001):
            [sent] = [c.params for c in tg.calls_to("sendPhoto", ok_only=True) if c.chat_id == chat]
            assert sent["photo"] == file_id and sent["caption"] == TEXT

        # Zalo OA: one upload for all followers, then a media message each.
        [upload] = oa.calls_to("upload_image", ok_only=True)
        assert upload.params["file"]["content_type"] == "image/jpeg"
        [(attachment_id, uploaded)] = oa.uploads.items()
        assert uploaded == PHOTO
        for user in ZALO_OA_USERS:
            [message] = oa.media_messages(user)
            assert message.attachment_id == attachment_id and message.text == TEXT
            assert message.headers["access_token"]

        # Zalo Bot: the public URL, which the platform fetched (the route serves it).
        url = f"{state.base_url}/media/broadcast/1"
        [photo] = zb.sent_photos(ZALO_BOT_USER)
        assert photo.params == {"chat_id": ZALO_BOT_USER, "photo": url, "caption": TEXT}
        assert zb.photos[url] == PHOTO and zb.sent_texts(ZALO_BOT_USER) == []

        # The web: the message has the photo's URL, which serves the same bytes.
        [message] = [m for m in await web_history(state) if m["kind"] == "broadcast"]
        assert message["photo"] == "/media/broadcast/1" and message["text"] == TEXT
        status, headers, body = await get(state, message["photo"])
        assert status == 200 and body == PHOTO
        assert headers["Content-Type"] == "image/jpeg"
        assert "max-age" in headers["Cache-Control"] and headers["ETag"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        status, _, body = await get(state, message["photo"], **{"If-None-Match": headers["ETag"]})
        assert status == 304 and body == b""
        assert (await get(state, "/media/broadcast/99"))[0] == 404


async def test_long_text_goes_after_the_photo_and_each_broadcast_is_uploaded_once(
    store_url, answerer
) -> None:
    """Longer than a Zalo Bot caption and than one Zalo message: the photo first (alone, or
    with the first piece on Zalo OA), then the rest as text."""
    long_text = ("Nội dung chi tiết của kế hoạch tổ chức hội nghị. " * 60).strip()
    assert BOT_MAX_CAPTION < len(long_text) > 2000
    async with everything(store_url, answerer) as (state, fakes):
        tg, oa, zb = fakes.tg, fakes.oa, fakes.zb
        store = state.store
        await compose_with_photo(state, tg, TEXT)
        await wait_done(store, 1)
        file_id = (await store.get_broadcast(1)).photo
        again = await store.create_broadcast(f"telegram:{OFFICER}", long_text, {}, photo=file_id)
        await store.enqueue_broadcast(again.id)
        state.delivery.wake.set()
        await wait_done(store, again.id)

        assert len(tg.calls_to("getFile")) == 1  # kept: not fetched again
        assert len(oa.calls_to("upload_image", ok_only=True)) == 2  # once per broadcast
        for user in ZALO_OA_USERS:
            texts = oa.sent_texts(user)[1:]  # the second broadcast
            assert len(texts) == 2 and " ".join(texts) == long_text
            assert len(oa.media_messages(user)) == 2  # the photo came with the first piece

        photos = zb.sent_photos(ZALO_BOT_USER)
        assert photos[-1].params == {
            "chat_id": ZALO_BOT_USER,
            "photo": f"{state.base_url}/media/broadcast/{again.id}",
        }
        assert " ".join(zb.sent_texts(ZALO_BOT_USER)) == long_text


async def test_a_photo_that_cannot_be_fetched_leaves_the_text_going_everywhere(
    store_url, answerer
) -> None:
    async with everything(store_url, answerer) as (state, fakes):
        tg, oa, zb = fakes.tg, fakes.oa, fakes.zb
        store = state.store
        tg.fail_next(
            "getFile", 400, "Bad Request: wrong file_id or the file is temporarily unavailable"
        )
        warning = await compose_with_photo(state, tg, TEXT)
        warnings = [
            m["text"] for m in tg.sent_messages(OFFICER) if "Chưa lưu được ảnh" in m["text"]
        ]
        assert len(warnings) == 1 and "Zalo và trang web chỉ nhận phần chữ" in warnings[0]
        assert "Gửi tới ai?" in warning["text"]  # the dialogue goes on
        progress = await wait_done(store, 1)
        assert progress["sent"] == 6, progress

        file_id = (await store.get_broadcast(1)).photo
        telegram = [
            c.params for c in tg.calls_to("sendPhoto", ok_only=True) if c.chat_id == 610_000
        ]
        assert telegram[-1]["photo"] == file_id  # Telegram still has its file
        assert oa.calls_to("upload_image") == [] and oa.media_messages() == []
        assert [oa.sent_texts(user) for user in ZALO_OA_USERS] == [[TEXT], [TEXT]]
        assert zb.sent_photos() == [] and zb.sent_texts(ZALO_BOT_USER) == [TEXT]
        [message] = [m for m in await web_history(state) if m["kind"] == "broadcast"]
        assert message["photo"] is None and message["text"] == TEXT
        assert (await get(state, "/media/broadcast/1"))[0] == 404


async def test_without_a_public_address_zalo_bot_gets_text_and_the_photo_route_needs_no_web(
    store_url, answerer, caplog
) -> None:
    async with everything(store_url, answerer, public_base_url="", web_enabled=False) as (
        state,
        fakes,
    ):
        store = state.store
        await compose_with_photo(state, fakes.tg, TEXT)
        progress = await wait_done(store, 1)
        assert progress["sent"] == 5 and progress["skipped"] == 1  # the web is off
        assert fakes.zb.sent_photos() == [] and fakes.zb.sent_texts(ZALO_BOT_USER) == [TEXT]
        assert [r for r in caplog.records if "PUBLIC_BASE_URL" in r.getMessage()]
        assert len(fakes.oa.media_messages()) == 2
        # Served with the web chat off (Zalo Bot may be given a URL by a proxy in front).
        status, headers, body = await get(state, "/media/broadcast/1")
        assert status == 200 and body == PHOTO and headers["Content-Type"] == "image/jpeg"


async def test_a_draft_photo_is_not_public_until_the_broadcast_goes_out(
    store_url, answerer
) -> None:
    async with everything(store_url, answerer) as (state, fakes):
        store = state.store
        officer = OfficerChat(state, fakes.tg)
        await officer.say("/thongbao")
        await officer._post(fakes.tg.photo_update(OFFICER, OFFICER, TEXT, data=PHOTO))
        await officer.press("o:aud:all")
        await officer.press("o:later")
        [file_id] = [c.params["file_id"] for c in fakes.tg.calls_to("getFile", ok_only=True)]
        scheduled = await store.create_broadcast("telegram:1", TEXT, {}, photo=file_id)
        assert (await store.photo(file_id)) is not None
        assert (await get(state, f"/media/broadcast/{scheduled.id}"))[0] == 404
        await store.enqueue_broadcast(scheduled.id)
        assert (await get(state, f"/media/broadcast/{scheduled.id}"))[0] == 200


def test_zalo_bot_pieces_and_image_types() -> None:
    url = "https://hoidap.example.gov.vn/media/broadcast/1"
    assert pieces("Ngắn", url) == [("Ngắn", url)]
    assert pieces("", url) == [("", url)]
    long = "Câu dài. " * 200
    split = pieces(long, url)
    assert split[0] == ("", url) and all(photo is None for _, photo in split[1:])
    assert pieces("Chỉ chữ") == [("Chỉ chữ", None)]
    assert image_type(PHOTO) == "image/jpeg"
    assert image_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"<svg onload=alert(1)>") is None
