"""The fake Telegram Bot API, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
import warnings

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_api import (
    Call,
    FakeTelegram,
    html_to_plain,
    markdown_v2_to_plain,
    render_text,
)

USER = 5_550_001
OPERATORS = -1_001_234_567_890


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after is an int (with a deprecation warning) or, under
    PTB_TIMEDELTA=true, a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta time periods; without it every RetryAfter PTB builds warns."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram):
    async with Bot(tg.token, base_url=tg.base_url) as client:
        yield client


async def test_get_me_and_urls(tg: FakeTelegram, bot: Bot) -> None:
    assert tg.base_url.startswith("http://127.0.0.1:")
    assert tg.base_url.endswith("/bot")
    me = await bot.get_me()
    assert me.id == tg.bot_id
    assert me.is_bot
    assert me.username == "hoidap_test_bot"
    # Bot.initialize() itself calls getMe.
    assert [c.method for c in tg.calls] == ["getMe", "getMe"]
    method, params, stamp = tg.calls[-1]
    assert (method, params) == ("getMe", {})
    assert abs(stamp - time.time()) < 5


async def test_send_message_with_inline_keyboard(tg: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Xem nguyên văn", callback_data="passage:3.1")],
            [InlineKeyboardButton("Nguồn", url="https://example.org/nq02")],
        ]
    )
    first = await bot.send_message(
        USER, "Câu trả lời <b>ngắn</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    second = await bot.send_message(USER, "tiếp theo")
    assert second.message_id > first.message_id
    assert first.chat.id == USER and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.id == tg.bot_id
    assert first.text == "Câu trả lời ngắn"  # tags parsed away, as Telegram does
    assert first.reply_markup == keyboard

    sent = tg.sent_messages(USER)
    assert [p["text"] for p in sent] == ["Câu trả lời <b>ngắn</b>", "tiếp theo"]
    assert sent[0]["chat_id"] == USER
    assert sent[0]["parse_mode"] == "HTML"
    # reply_markup arrived as a JSON string in a form field; the record holds it decoded.
    rows = sent[0]["reply_markup"]["inline_keyboard"]
    assert rows[0][0] == {"text": "Xem nguyên văn", "callback_data": "passage:3.1"}
    assert rows[1][0]["url"] == "https://example.org/nq02"
    assert tg.sent_messages(999) == []


async def test_numeric_looking_text_stays_a_string(tg: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(USER, "57")
    await bot.send_message(USER, "true")
    assert [p["text"] for p in tg.sent_messages()] == ["57", "true"]


async def test_callback_answer_and_edit(tg: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Thêm", callback_data="more")]])
    sent = await bot.send_message(USER, "Trang 1", reply_markup=keyboard)
    update = tg.callback_update(USER, USER, "more", sent.message_id)
    query = update["callback_query"]
    assert query["message"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "more"
    assert await bot.answer_callback_query(query["id"], text="Đang tải…")

    edited = await bot.edit_message_text(
        "Trang 2", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard
    )
    assert edited.text == "Trang 2"
    assert edited.edit_date is not None
    assert tg.message(USER, sent.message_id)["text"] == "Trang 2"

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Trang 2", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard
        )
    removed = await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)
    assert removed.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("no-such-query")
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=9_999)

    assert await bot.delete_message(USER, sent.message_id)
    assert tg.message(USER, sent.message_id) is None
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, sent.message_id)


async def test_other_methods(tg: FakeTelegram, bot: Bot) -> None:
    assert await bot.send_chat_action(USER, "typing")
    photo = await bot.send_photo(USER, "https://example.org/a.jpg", caption="Ảnh")
    assert photo.caption == "Ảnh" and len(photo.photo) == 2
    again = await bot.send_photo(USER, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    uploaded = await bot.send_photo(USER, b"\x89PNG fake bytes")
    assert uploaded.photo[-1].file_size == len(b"\x89PNG fake bytes")
    assert await bot.set_my_commands([("start", "Bắt đầu"), ("help", "Hướng dẫn")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert tg.calls_to("setMyCommands")[0].params["commands"][1] == {
        "command": "help",
        "description": "Hướng dẫn",
    }
    assert await bot.set_webhook("http://127.0.0.1:1/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:1/hook"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.close()
    assert await bot.log_out()
    # An unknown method: HTTP 404 with Telegram's body. PTB maps any 404 to InvalidToken, and
    # do_api_request on an initialized Bot turns that into EndPointNotFound.
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTeleportation", api_kwargs={"chat_id": USER})
    unknown = tg.calls_to("sendTeleportation")[0]
    assert unknown.status == 404
    assert unknown.response == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }


async def test_raw_http_shapes(tg: FakeTelegram) -> None:
    async with httpx.AsyncClient() as client:
        ok = await client.post(
            f"{tg.base_url}{tg.token}/sendMessage", json={"chat_id": USER, "text": "json body"}
        )
        wrong_token = await client.post(f"{tg.base_url}1:nope/getMe")
        unknown = await client.get(f"{tg.base_url}{tg.token}/noSuchMethod")
        query = await client.get(
            f"{tg.base_url}{tg.token}/sendMessage", params={"chat_id": USER, "text": "query string"}
        )
    assert ok.status_code == 200
    assert ok.json()["ok"] is True and ok.json()["result"]["text"] == "json body"
    assert wrong_token.status_code == 401
    assert wrong_token.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert unknown.json()["description"] == "Not Found: method not found"
    assert query.json()["result"]["chat"]["id"] == USER
    assert [p["text"] for p in tg.sent_messages()] == ["json body", "query string"]


async def test_injected_429_and_403(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "a")
    assert retry_seconds(caught.value) == 7
    failed = tg.calls_to("sendMessage")[-1]
    assert failed.response["parameters"] == {"retry_after": 7}
    assert failed.response["description"] == "Too Many Requests: retry after 7"
    await bot.send_message(USER, "a")  # only the next one failed

    tg.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=42, times=2)
    await bot.send_message(43, "other chat is fine")
    for _ in range(2):
        with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
            await bot.send_message(42, "x")
    await bot.send_message(42, "x")
    assert [p["text"] for p in tg.sent_messages()] == ["a", "other chat is fine", "x"]
    assert len(tg.sent_messages(include_failed=True)) == 6


async def test_blocked_chat(tg: FakeTelegram, bot: Bot) -> None:
    tg.block_chat(USER)
    tg.block_chat(OPERATORS)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "x")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_chat_action(USER, "typing")
    with pytest.raises(Forbidden, match=r"(?i)kicked from the supergroup chat"):
        await bot.send_message(OPERATORS, "x")
    tg.unblock_chat(USER)
    await bot.send_message(USER, "x")


async def test_validation_like_telegram(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "a" * 4097)
    await bot.send_message(USER, "ắ" * 4096)  # counted in UTF-16 units, not bytes
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: Unsupported start tag"):
        await bot.send_message(USER, "1 < 2 và <b>đậm</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)Character '.' is reserved"):
        await bot.send_message(USER, "Mục 3.1", parse_mode="MarkdownV2")
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        bare = {"inline_keyboard": [[{"text": "bare"}]]}
        await bot.send_message(USER, "x", api_kwargs={"reply_markup": bare})
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.edit_message_text("<i>x", chat_id=USER, message_id=1, parse_mode="HTML")


async def test_strict_chats() -> None:
    async with (
        FakeTelegram(strict_chats=True) as tg,
        Bot(tg.token, base_url=tg.base_url) as bot,
    ):
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(USER, "x")
        tg.add_chat(USER)
        tg.text_update(OPERATORS, USER, "introduces the group too")
        await bot.send_message(USER, "x")
        await bot.send_message(OPERATORS, "x")


def test_entity_parsers() -> None:
    assert html_to_plain("a &lt; b &amp;&amp; <a href='https://x.org'>c</a> &copy;") == (
        "a < b && c &copy;"
    )
    assert (
        html_to_plain(
            '<span class="tg-spoiler">x</span><pre><code class="language-py">y</code></pre>'
        )
        == "xy"
    )
    for bad, message in [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("ầ <br>", 'Unsupported start tag "br" at byte offset 4'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
    ]:
        with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
            html_to_plain(bad)
    assert markdown_v2_to_plain(
        r"*Mục 3\.1* _nghiêng_ __gạch__ [link](https://x.org/a\)b) `a.b`"
    ) == ("Mục 3.1 nghiêng gạch link a.b")
    assert markdown_v2_to_plain("```python\nprint(1)\n```") == "print(1)\n"
    assert markdown_v2_to_plain(">trích dẫn\n>dòng hai") == "trích dẫn\ndòng hai"
    with pytest.raises(ValueError, match="Can't find end of Bold entity at byte offset 0"):
        markdown_v2_to_plain("*đậm")
    with pytest.raises(ValueError, match="Character '!' is reserved"):
        markdown_v2_to_plain("Xin chào!")
    assert render_text("*a* _b_", "Markdown") == "a b"
    assert render_text("<b>", None) == "<b>"


async def test_rate_limits_real_time() -> None:
    async with FakeTelegram(enforce_limits=True) as tg, Bot(tg.token, base_url=tg.base_url) as bot:
        outcomes: list[object] = []
        started = time.monotonic()
        for i in range(40):
            try:
                outcomes.append(await bot.send_message(10_000 + i, f"tin {i}"))
            except RetryAfter as exc:
                outcomes.append(exc)
        elapsed = time.monotonic() - started
    assert not any(isinstance(o, RetryAfter) for o in outcomes[:30])
    refused = [o for o in outcomes[30:] if isinstance(o, RetryAfter)]
    assert all(retry_seconds(r) >= 1 for r in refused)
    assert len(tg.sent_messages()) == 40 - len(refused)
    if elapsed < 1.0:
        # All 40 fell in one second: exactly the 10 over the limit were refused. On a
        # loaded machine the window may have moved on; the frozen-clock test below checks
        # the window exactly whatever the speed.
        assert len(refused) == 10


async def test_rate_limits_with_frozen_clock() -> None:
    now = [1_000.0]
    async with (
        FakeTelegram(enforce_limits=True, clock=lambda: now[0]) as tg,
        Bot(tg.token, base_url=tg.base_url) as bot,
    ):
        await bot.send_message(USER, "1")
        with pytest.raises(RetryAfter) as caught:  # 1 message/s per chat
            await bot.send_message(USER, "2")
        assert retry_seconds(caught.value) == 1
        now[0] += 1.0
        await bot.send_message(USER, "2")

        for i in range(20):  # a group: 20 per minute
            await bot.send_message(OPERATORS, f"g{i}")
            now[0] += 1.0
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(OPERATORS, "one too many")
        assert retry_seconds(caught.value) == 40
        assert len(tg.sent_messages(OPERATORS)) == 20

        now[0] += 60.0  # 30 messages a second across chats, whatever the machine's speed
        outcomes: list[object] = []
        for i in range(40):
            try:
                outcomes.append(await bot.send_message(20_000 + i, f"tin {i}"))
            except RetryAfter as exc:
                outcomes.append(exc)
        assert not any(isinstance(o, RetryAfter) for o in outcomes[:30])
        assert all(isinstance(o, RetryAfter) and retry_seconds(o) >= 1 for o in outcomes[30:])


async def test_application_polling_replies(tg: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.effective_chat is not None
        # do_quote: PTB v22 only quotes by default outside private chats.
        await update.message.reply_text(f"Bạn hỏi: {update.message.text}", do_quote=True)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "Chào bạn")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("ok")
        await update.callback_query.edit_message_text(f"chọn {update.callback_query.data}")

    app = Application.builder().token(tg.token).base_url(tg.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.05, timeout=1)
        try:
            pushed = tg.push_update(tg.text_update(USER, USER, "Nghị quyết 02 là gì?"))
            reply = await tg.wait_for_message(USER, timeout=5)
            assert reply["text"] == "Bạn hỏi: Nghị quyết 02 là gì?"
            assert reply["reply_parameters"]["message_id"] == pushed["message"]["message_id"]

            tg.push_update(tg.text_update(USER, USER, "/start"))
            call = await tg.wait_for(
                lambda c: c.method == "sendMessage" and c.ok and c.params["text"] == "Chào bạn"
            )
            assert isinstance(call, Call)

            sent = tg.bot_messages(USER)[0]
            tg.push_update(tg.callback_update(USER, USER, "p2", sent["message_id"]))
            await tg.wait_for(lambda c: c.method == "editMessageText" and c.ok)
            assert tg.message(USER, sent["message_id"])["text"] == "chọn p2"
            assert tg.calls_to("answerCallbackQuery", ok_only=True)
        finally:
            await app.updater.stop()
            await app.stop()
    polls = tg.calls_to("getUpdates")
    assert polls and polls[-1].params["timeout"] == 0  # PTB's final acknowledging call
    assert tg.pending_updates == []  # all acknowledged via offset


async def test_get_updates_offset_and_long_poll(tg: FakeTelegram, bot: Bot) -> None:
    first = tg.push_update(tg.text_update(USER, USER, "một"))
    second = tg.push_update(tg.text_update(OPERATORS, USER, "hai", chat_title="Tổ vận hành"))
    assert second["update_id"] == first["update_id"] + 1
    assert second["message"]["chat"] == {
        "id": OPERATORS,
        "type": "supergroup",
        "title": "Tổ vận hành",
    }
    got = await bot.get_updates(timeout=0)
    assert [u.update_id for u in got] == [first["update_id"], second["update_id"]]
    got = await bot.get_updates(offset=second["update_id"], timeout=0)
    assert [u.update_id for u in got] == [second["update_id"]]
    assert len(tg.pending_updates) == 1

    started = time.monotonic()
    assert await bot.get_updates(offset=second["update_id"] + 1, timeout=0.3) == ()
    assert 0.25 < time.monotonic() - started < 2

    async def push_later() -> None:
        await asyncio.sleep(0.2)
        tg.push_update(tg.sticker_update(USER, USER))

    pusher = asyncio.create_task(push_later())
    started = time.monotonic()
    got = await bot.get_updates(offset=second["update_id"] + 1, timeout=5)
    await pusher
    assert time.monotonic() - started < 2
    assert got[0].message is not None and got[0].message.sticker is not None


async def test_builders_parse_in_ptb(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Câu trả lời")
    reply = Update.de_json(
        tg.text_update(
            USER, USER, "/help@hoidap_test_bot thêm", reply_to_message_id=sent.message_id
        ),
        bot,
    )
    assert reply.message is not None
    assert reply.message.reply_to_message is not None
    assert reply.message.reply_to_message.from_user.id == tg.bot_id
    assert reply.message.reply_to_message.text == "Câu trả lời"
    assert reply.message.entities[0].type == "bot_command"
    assert reply.message.entities[0].length == len("/help@hoidap_test_bot")

    photo = Update.de_json(tg.photo_update(USER, USER, caption="ảnh"), bot)
    assert photo.message.photo[-1].width == 1280 and photo.message.caption == "ảnh"
    sticker = Update.de_json(tg.sticker_update(OPERATORS, USER, emoji="😀"), bot)
    assert sticker.message.sticker.emoji == "😀"
    assert sticker.message.chat.type == "supergroup"
    query = Update.de_json(tg.callback_update(OPERATORS, USER, "take:7", 77), bot)
    assert query.callback_query.data == "take:7"
    assert query.callback_query.message.message_id == 77
    member = Update.de_json(tg.my_chat_member_update(USER, USER), bot)
    assert member.my_chat_member.new_chat_member.status == "kicked"
    assert tg.text_update(USER, USER, "x")["message"]["message_id"] > 77


async def test_webhook_delivery(tg: FakeTelegram, bot: Bot) -> None:
    from aiohttp import web

    received: list[tuple[dict, str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        update = tg.text_update(USER, USER, "qua webhook")
        assert await tg.deliver_webhook(update) == 200
        assert received == [(update, "s3cret")]
    finally:
        await runner.cleanup()


async def test_photos_can_be_fetched_with_get_file(tg: FakeTelegram) -> None:
    """getFile and the download serve a user's photo and the bot's uploads, as PTB reads them."""
    async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as bot:
        await _fetch_photos(tg, bot)


async def _fetch_photos(tg: FakeTelegram, bot: Bot) -> None:
    from telegram.error import InvalidToken

    mine = b"\xff\xd8\xff\xe0 a user's photo \xff\xd9"
    update = Update.de_json(tg.photo_update(USER, USER, data=mine), bot)
    largest = update.message.photo[-1]
    file = await bot.get_file(largest.file_id)
    assert file.file_size == len(mine) and file.file_path
    assert bytes(await file.download_as_bytearray()) == mine == tg.file_bytes(largest.file_id)
    assert [c.status for c in tg.calls_to("file")] == [200]  # downloads are recorded

    uploaded = await bot.send_photo(USER, b"\x89PNG uploaded")
    sent = await bot.get_file(uploaded.photo[-1].file_id)
    assert bytes(await sent.download_as_bytearray()) == b"\x89PNG uploaded"
    again = await bot.send_photo(USER, largest.file_id)  # re-sent by id: the same bytes
    assert tg.file_bytes(again.photo[-1].file_id) == mine

    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("no-such-file")
    tg.fail_next("file", 404)
    with pytest.raises(InvalidToken):  # PTB's reading of a 404 download
        await file.download_as_bytearray()
