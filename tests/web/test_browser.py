"""The web chat in headless Chromium against the real bot (engine, SQLite, fake Telegram desk).

What a citizen does on a phone-sized screen: ask, read the quote and open the passage, give
feedback, ask for an officer and get the officer's reply pushed, come back to the history; the
widget on a portal; questions shown as text, never as HTML. Every Selenium call goes through
``Page`` (a worker thread), so the bot keeps serving on the test's event loop.
"""

from __future__ import annotations

import asyncio

import pytest
from selenium.webdriver.common.keys import Keys

from tests.web.browser_timing import measure_answer_times
from tests.web.conftest import LaunchBot, WebBot
from tests.web.support import LocalSite, Page

pytestmark = pytest.mark.slow

QUESTION = "muc tieu thu nhap binh quan dau nguoi nam 2045"
OFFICER_WORDS = "Chào bạn, cán bộ phường sẽ gọi lại trong hôm nay."
ANSWER_TIMEOUT = 20.0  # the first answer of a session warms the engine up
PORTAL = (
    "<html><body><h1>Cổng thông tin</h1>"
    '<script src="{base_url}/widget.js" data-title="Hỏi đáp NQ 02" data-color="#0b5394">'
    "</script></body></html>"
)
INJECTION = '<img src=x onerror="window.__xss=1">'


async def open_chat(chat: Page, base_url: str) -> None:
    await chat.open(base_url + "/")
    await chat.wait_for("#ask-form")
    await chat.wait_for("#announce[aria-live='polite']", visible=False)
    await chat.wait_for("#send")


async def test_answer_quote_feedback_handoff_and_pushed_officer_reply(
    chat: Page, bot: WebBot, output_dir
) -> None:
    await open_chat(chat, bot.base_url)
    await chat.wait_for(".starter")  # a new visitor is offered starter questions

    field = await chat.type("#question", "dòng một")
    await chat.run(field.send_keys, Keys.SHIFT, Keys.ENTER, Keys.SHIFT, "dòng hai")
    assert await chat.run(field.get_attribute, "value") == "dòng một\ndòng hai"
    assert await chat.count(".msg-user") == 0, "Shift+Enter is a new line, not a question"
    await chat.run(field.clear)

    await chat.type("#question", QUESTION, enter=True)
    await chat.wait_for(".msg-user .msg-text", QUESTION, exact=True)
    answer = await chat.wait_for(".msg-bot", "42.000 USD", timeout=ANSWER_TIMEOUT)
    assert await chat.run(answer.get_attribute, "data-id"), "a bot answer carries its id"
    assert "II.2.2" in (await chat.wait_for(".lead", within=answer)).text

    quote = await chat.wait_for(".card", "II.2.2", within=answer)
    assert "II.2.2" in (await chat.wait_for(".card-label", within=quote)).text
    assert "42.000 USD" in (await chat.wait_for(".quote-text", within=quote)).text
    await chat.click("button.open-passage", within=quote)
    passage = await chat.wait_for(".passage", "42.000 USD", within=quote)
    assert len(passage.text) > len("42.000 USD")
    await chat.screenshot(output_dir / "web-chat.png")

    notices = await chat.count(".msg-notice")
    await chat.click("button.fb-down", within=answer)
    await chat.wait_for(".msg-notice", after=notices)

    calls = len(bot.fake.calls)
    await chat.click("button.handoff", within=answer)
    await chat.wait_for(".msg-handoff", "Đã chuyển yêu cầu #")
    post_id, post = await bot.ticket_post(since=calls)
    assert "Yêu cầu #" in post and QUESTION in post, post

    await bot.operator_reply(post_id, OFFICER_WORDS)
    await chat.wait_for(".msg-officer .msg-text", "cán bộ phường sẽ gọi lại")

    await chat.refresh()  # the conversation comes back from the server (visitor cookie)
    await chat.wait_for(".msg-officer .msg-text", "cán bộ phường sẽ gọi lại")
    await chat.wait_for(".msg-bot", "42.000 USD")
    await chat.wait_for(".msg-handoff", "Đã chuyển yêu cầu #")
    questions = [e for e in await chat.find_all(".msg-user .msg-text") if e.text == QUESTION]
    assert len(questions) == 1, "the question is shown once after a reload"
    assert await chat.count(".msg-officer") == 1


async def test_widget_on_a_portal_opens_the_chat_in_a_frame(
    chat: Page, launch_bot: LaunchBot, site: LocalSite
) -> None:
    async with launch_bot(web_allowed_origins=[site.origin]) as bot:
        site.pages["/"] = PORTAL.format(base_url=bot.base_url)
        await chat.open(site.origin + "/")
        await chat.wait_for("h1", "Cổng thông tin")
        launcher = await chat.wait_for("#hoidap-launcher", "Hỏi đáp NQ 02")
        colour = await chat.run(launcher.value_of_css_property, "background-color")
        assert colour.replace(" ", "") in ("rgb(11,83,148)", "rgba(11,83,148,1)")  # #0b5394, colour
        await chat.click(launcher)
        frame = await chat.wait_for("#hoidap-frame")
        assert (await chat.run(frame.get_attribute, "src")).startswith(bot.base_url + "/")

        await chat.switch_to_frame(frame)
        try:
            await chat.wait_for(".starter")  # the chat loaded and reached its API in the frame
            await chat.type("#question", "mục tiêu xuyên suốt xây dựng thủ đô", enter=True)
            await chat.wait_for(".msg-bot", "Văn hiến", timeout=ANSWER_TIMEOUT)
        finally:
            await chat.switch_to_page()


async def test_html_in_a_question_is_shown_as_text(chat: Page, bot: WebBot) -> None:
    await open_chat(chat, bot.base_url)
    await chat.wait_for(".starter")
    await chat.type("#question", INJECTION, enter=True)
    for visit in ("asked", "reloaded"):
        await chat.wait_for(".msg-user .msg-text", INJECTION, exact=True)
        await chat.wait_for(".msg-bot, .msg-notice", timeout=ANSWER_TIMEOUT)  # the bot replied
        assert await chat.count("#messages img") == 0, visit
        assert await chat.script("return window.__xss === undefined"), visit
        if visit == "asked":
            await chat.refresh()


async def test_answer_times_can_be_measured(chat: Page, bot: WebBot) -> None:
    questions = ["Kế hoạch 57-KH/TU được ban hành ngày nào?", QUESTION]
    times = await asyncio.to_thread(measure_answer_times, chat.driver, bot.base_url, questions)
    assert len(times) == 2 and all(t > 0 for t in times), times


async def test_the_page_keeps_working_across_a_server_restart(
    chat: Page, engine, fake, tmp_path
) -> None:
    """A question typed while the server is down is sent when it is back, once."""
    from bot.app import running
    from tests.ports import running_on_free_port
    from tests.web.conftest import web_settings

    chosen = []  # the restart must come back on the same port

    def settings_on(port: int):
        chosen.append(
            web_settings(fake, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", http_port=port)
        )
        return chosen[-1]

    async with running_on_free_port(settings_on, engine) as state:
        await open_chat(chat, state.base_url)
        await chat.type("#question", QUESTION, enter=True)
        await chat.wait_for(".msg-bot", "42.000 USD", timeout=ANSWER_TIMEOUT)
    try:
        await chat.type("#question", "cuoc thi truc tuyen du kien phat dong thang may", enter=True)
        await chat.wait_for("#status", "thử lại")  # down: the page says it will retry
        async with running(chosen[-1], engine):
            await chat.wait_for(".msg-bot", "6/2026", timeout=40)
            assert await chat.count(".msg-user") == 2
            assert await chat.count(".msg-bot[data-id]") == 2  # nothing lost, nothing twice
    finally:
        await chat.reset()


def tiny_png(width: int = 8, height: int = 6) -> bytes:
    """A real (decodable) red PNG, made here: the browser must be able to draw it."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xcc\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_a_broadcast_photo_is_shown_above_its_text(chat: Page, bot: WebBot) -> None:
    await open_chat(chat, bot.base_url)
    await chat.wait_for(".starter")
    token = await chat.script("return localStorage.getItem('hoidap-visitor')")
    visitor = token.split(".")[0]  # the page keeps the id as the server signed it
    store = bot.state.store
    person = await store.upsert_person("web", visitor, visitor)
    await store.set_subscribed(person.id, True)
    await store.keep_photo("telegram-file-1", tiny_png(), "image/png")
    broadcast = await store.create_broadcast(
        "telegram:1", "Ảnh hội nghị tổ dân phố", {}, photo="telegram-file-1"
    )
    await store.enqueue_broadcast(broadcast.id)
    bot.state.delivery.wake.set()

    for visit in ("pushed", "reloaded"):
        item = await chat.wait_for(".msg-broadcast", "Ảnh hội nghị", timeout=60)
        image = await chat.wait_for("img.msg-photo", within=item)
        assert await chat.run(image.get_attribute, "alt") == "Ảnh kèm thông báo", visit
        assert await chat.run(image.get_attribute, "loading") == "lazy", visit
        # Drawn (the page's CSP allows it), above the text, and no wider than the bubble.
        await chat.wait_until(
            lambda image=image: image.get_property("naturalWidth") == 8, f"the photo ({visit})"
        )
        assert await chat.script(
            "const img = arguments[0];"
            "return img.nextElementSibling.className === 'msg-text'"
            " && getComputedStyle(img).maxWidth === '100%'",
            image,
        ), visit
        if visit == "pushed":
            await chat.refresh()
