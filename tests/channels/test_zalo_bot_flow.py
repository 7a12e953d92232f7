"""Whole conversations through the Zalo Bot adapter and the fake Zalo Bot Platform API.

The flows run on the fake answerer; the real engine's answer to a question typed without tone
marks is slow."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import Running
from bot.channels.zalo_bot import ZaloBotChannel
from bot.channels.zalo_bot_updates import parse_update, unwrap
from bot.config import Settings
from tests.answering.support import repo_settings
from tests.channels.conftest import started
from tests.fakes.answerer import cited
from tests.fakes.zalo_bot_api import FakeZaloBot

CITIZEN = "e4ea2c9b1d7f30a85c61"  # Zalo Bot ids are hex-like strings
SECRET = "zalo-bot-s3cret"
HOOK_URL = "https://bot.example.vn/zalo/bot/webhook"
WAIT = 10.0  # seconds an answer may take (the inbox answers in the background)


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloBot]:
    async with FakeZaloBot(max_poll_timeout=5.0) as server:
        yield server


@pytest.fixture
def database_url(store_url: str) -> str:
    """The flows run on SQLite and on PostgreSQL (see tests/conftest.py)."""
    return store_url


def zalo_settings(fake: FakeZaloBot, database_url: str, *, webhook: bool = True) -> Settings:
    return repo_settings(
        database_url=database_url,
        http_host="127.0.0.1",
        http_port=0,
        telegram_bot_token=None,
        zalo_oa_app_id=None,
        zalo_bot_token=fake.token,
        zalo_bot_api_base_url=fake.base_url,
        zalo_bot_webhook_url=HOOK_URL if webhook else None,
        zalo_bot_webhook_secret=SECRET if webhook else None,
        office_days="1-7",
        office_hours="00:00-23:59",
    )


async def deliver(state: Running, fake: FakeZaloBot, update: dict, **options) -> int:
    """Post ``update`` to the bot's webhook as Zalo does; the HTTP status."""
    options.setdefault("secret", SECRET)
    status, _ = await fake.deliver_webhook(f"{state.base_url}/zalo/bot/webhook", update, **options)
    return status


async def ask(state: Running, fake: FakeZaloBot, text: str) -> str:
    """The bot's first reply to ``text``, sent through the webhook."""
    since = len(fake.calls)
    assert await deliver(state, fake, fake.text_update(CITIZEN, CITIZEN, text)) == 200
    return (await fake.wait_for_message(CITIZEN, WAIT, since=since)).text or ""


async def settled(state: Running) -> None:
    """Wait until every accepted webhook event is handled."""
    channel = state.dispatcher.sender("zalo_bot")
    assert isinstance(channel, ZaloBotChannel)
    await channel.inbox.drain()


@pytest.mark.slow
async def test_question_without_tone_marks_gets_a_cited_answer_and_typed_commands(
    fake, database_url, composing
) -> None:
    async with started(zalo_settings(fake, database_url), composing) as state:
        assert fake.webhook == {
            "url": HOOK_URL,
            "secret_token": SECRET,
            "updated_at": fake.webhook["updated_at"],
        }
        answer = await ask(state, fake, "muc tieu thu nhap binh quan dau nguoi nam 2045")
        assert "42.000 USD" in answer and "II.2.2" in answer
        assert "gặp cán bộ" in answer.splitlines()[-1]  # no buttons on Zalo Bot: a typed hint
        assert "parse_mode" not in fake.calls_to("sendMessage")[-1].params


async def test_start_greeting_lists_the_typed_commands(fake, database_url, answerer) -> None:
    async with started(zalo_settings(fake, database_url), answerer) as state:
        greeting = await ask(state, fake, "/start")
        assert "Xin chào" in greeting
        for command in ("gặp cán bộ", "đăng ký", "hủy đăng ký"):
            assert command in greeting


async def test_forged_webhook_is_rejected_and_nothing_is_stored(
    fake, database_url, answerer
) -> None:
    async with started(zalo_settings(fake, database_url), answerer) as state:
        update = fake.text_update(CITIZEN, CITIZEN, "xin chào")
        assert await deliver(state, fake, update, secret="wrong-secret") == 403
        assert await deliver(state, fake, update, secret=None) == 403
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{state.base_url}/zalo/bot/webhook",
                data=b"{not json",
                headers={"X-Bot-Api-Secret-Token": SECRET},
            ) as response,
        ):
            assert response.status == 400
        await settled(state)
        store = state.store
        assert await store.find_person("zalo_bot", CITIZEN) is None
        assert await store.inbox_pending("zalo_bot") == []
        assert fake.calls_to("sendMessage") == []


async def test_the_same_event_twice_is_answered_once(fake, database_url, answerer) -> None:
    async with started(zalo_settings(fake, database_url), answerer) as state:
        update = fake.text_update(CITIZEN, CITIZEN, "Kế hoạch 57-KH/TU được ban hành ngày nào?")
        assert await deliver(state, fake, update) == 200
        assert await deliver(state, fake, update) == 200
        await fake.wait_for_message(CITIZEN, WAIT)
        await settled(state)
        assert len(fake.sent_texts(CITIZEN)) == 1


async def test_bare_payload_without_the_result_wrapper_is_answered(
    fake, database_url, answerer
) -> None:
    async with started(zalo_settings(fake, database_url), answerer) as state:
        update = fake.text_update(CITIZEN, CITIZEN, "muc tieu nam 2045")
        assert await deliver(state, fake, update, wrapped=False) == 200
        assert "2045" in (await fake.wait_for_message(CITIZEN, WAIT)).text


async def test_a_sticker_gets_a_polite_reply(fake, database_url, answerer) -> None:
    async with started(zalo_settings(fake, database_url), answerer) as state:
        assert await deliver(state, fake, fake.sticker_update(CITIZEN, CITIZEN)) == 200
        reply = await fake.wait_for_message(CITIZEN, WAIT)
        assert "chỉ hỗ trợ câu hỏi bằng chữ" in reply.text


async def test_a_long_reply_is_split_at_the_zalo_limit(fake, database_url, answerer) -> None:
    question = "Nghị quyết 02 nêu những quan điểm phát triển nào?"
    answerer.answers[question] = cited("I.1", "Phát triển Thủ đô nhanh và bền vững.")
    answerer.passages["I.1"] = " ".join(f"Quan điểm phát triển thứ {n}." for n in range(150))
    async with started(zalo_settings(fake, database_url), answerer) as state:
        await ask(state, fake, question)
        since = len(fake.calls)
        await ask(state, fake, "xem nguyen van")
        await settled(state)
        pieces = [c.text or "" for c in fake.calls[since:] if c.method == "sendMessage" and c.ok]
        assert len(pieces) >= 2 and all(len(p) <= 2000 for p in pieces)
        assert "nguyên văn" in pieces[0]


async def test_a_blocked_citizen_is_marked_and_a_server_error_is_retried(
    fake, database_url, answerer
) -> None:
    async with started(zalo_settings(fake, database_url), answerer) as state:
        fake.fail_next("sendMessage", 502, chat_id=CITIZEN)
        assert "2045" in await ask(state, fake, "muc tieu nam 2045")
        assert [c.status for c in fake.calls_to("sendMessage")] == [502, 200]

        fake.fail_next("sendMessage", 403, "Forbidden: the user has blocked the bot")
        await deliver(state, fake, fake.text_update(CITIZEN, CITIZEN, "xin chào"))
        await settled(state)
        person = await state.store.find_person("zalo_bot", CITIZEN)
        assert person is not None and person.blocked


async def test_polling_mode_answers_and_stops_promptly(fake, database_url, answerer) -> None:
    async with started(zalo_settings(fake, database_url, webhook=False), answerer):
        assert fake.calls_to("deleteWebhook") and not fake.webhook
        fake.push_update(fake.text_update(CITIZEN, CITIZEN, "muc tieu nam 2045"))
        assert "2045" in (await fake.wait_for_message(CITIZEN, WAIT)).text
        await fake.wait_for(lambda c: c.method == "getUpdates" and c.status is None)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 2.0, "a waiting long poll must not delay the stop"


async def test_polling_pauses_after_an_error_and_still_stops_promptly(
    fake, database_url, answerer
) -> None:
    fake.fail_next("getUpdates", 502, times=100)
    async with started(zalo_settings(fake, database_url, webhook=False), answerer):
        await fake.wait_for(lambda c: c.method == "getUpdates" and c.status == 502)
        await asyncio.sleep(0.5)  # a busy loop would poll many times meanwhile
        assert len(fake.calls_to("getUpdates")) == 1
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 1.0, "the pause after an error ends at stop()"


def test_webhook_parsing_accepts_the_bare_and_the_wrapped_payload() -> None:
    update = FakeZaloBot.text_update(CITIZEN, "u1", "xin chào", "Chị Mai", "m42")
    bare, wrapped = unwrap(update), unwrap({"ok": True, "result": update})
    assert bare == wrapped == update
    inbound = parse_update(bare)
    assert inbound is not None
    assert (inbound.platform, inbound.user_id, inbound.chat_id) == ("zalo_bot", "u1", CITIZEN)
    assert (inbound.update_key, inbound.message_id) == ("m42", "m42")
    assert (inbound.text, inbound.content, inbound.display_name) == ("xin chào", "text", "Chị Mai")


def test_other_content_is_unsupported_and_bots_and_groups_are_ignored() -> None:
    image = parse_update(FakeZaloBot.image_update(CITIZEN, CITIZEN, caption="ảnh"))
    assert image is not None and (image.content, image.text) == ("unsupported", None)
    from_bot = FakeZaloBot.text_update(CITIZEN, CITIZEN, "hi")
    from_bot["message"]["from"]["is_bot"] = True
    assert parse_update(from_bot) is None
    assert parse_update(FakeZaloBot.text_update("g1", CITIZEN, "hi", chat_type="GROUP")) is None
    no_id = FakeZaloBot.text_update(CITIZEN, CITIZEN, "hi", date_ms=1750000000000)
    del no_id["message"]["message_id"]
    assert parse_update(no_id).update_key == f"{CITIZEN}:1750000000000"
    with pytest.raises(ValueError):
        parse_update({"event_name": "message.text.received", "message": {"text": "hi"}})
