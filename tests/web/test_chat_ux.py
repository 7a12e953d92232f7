"""The web chat as a chat app, in headless Chromium on a phone (390×844) and a desktop
(1366×900): one rendering of an answer (each quote once, a card per section), a long reply
read from its first line, the furniture people expect (greeting, time stamps, typing, a
compact header, prominent handoff and officers' replies, suggestions as buttons), the
accessibility rules a Lighthouse run checks, and a page that stays small.

The bot is the real one (``bot.app.running``: SQLite, aiohttp, the fake Telegram desk) with
a fake answerer that says what each test needs; the passage test uses the real engine.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from bot.app import running
from tests.fakes.answerer import DOC, HANDOFF, NAME, FakeAnswerer, suggesting
from tests.web.audit import audit, console_errors, failures
from tests.web.conftest import GOAL, WebBot, web_settings
from tests.web.support import Page

pytestmark = pytest.mark.slow

UNIT = "UBND phường Ba Đình"
LONG_QUESTION = "đảng ủy xã phường phải làm gì"
SUGGEST_QUESTION = "hỏi chung chung về kế hoạch"
HANDOFF_QUESTION = "cho toi gap can bo"
PAGE_BUDGET = 40 * 1024  # bytes on first load, icons included
LONG_QUOTES = [
    ("IV.1.10", f"Câu trích số {n} của mục về đảng ủy xã, phường: " + "nội dung " * 38 + "hết.")
    for n in range(1, 8)
] + [("IV.1.9", "Một câu trích của mục bên cạnh, về các cơ quan báo chí.")]

ANNOUNCED = "return document.getElementById('announce').textContent"


def long_answer():
    """A cited answer of about 2,800 characters: seven quotes of one section, one of another."""
    from bot.core.answer import Answer, Citation

    citations = tuple(
        Citation(DOC, section, f"Mục {section}", quote, f"{NAME}, mục {section}", 0, len(quote))
        for section, quote in LONG_QUOTES
    )
    lines = [f"Theo {NAME}, mục IV.1.10 (Đảng ủy các xã, phường):"]
    lines += [f"• “{c.quote}”" for c in citations]
    text = "\n".join(lines)
    assert len(text) >= 2800, len(text)
    return Answer(text, True, False, 0.9, citations, index_version="fake")


@pytest.fixture
def answers() -> FakeAnswerer:
    from tests.web.conftest import GOAL_ANSWER

    return FakeAnswerer(
        {
            GOAL: GOAL_ANSWER,
            LONG_QUESTION: long_answer(),
            SUGGEST_QUESTION: suggesting("II.2.2", "IV.1.10"),
            HANDOFF_QUESTION: HANDOFF,
        }
    )


@pytest.fixture
async def fake_bot(browser, chat: Page, fake, answers, tmp_path) -> AsyncIterator[WebBot]:
    """The real bot with the fake answerer; an officer of a known unit in the Telegram group."""
    settings = web_settings(
        fake, f"sqlite+aiosqlite:///{tmp_path / 'ux.db'}", officers=f"telegram:777001={UNIT}"
    )
    async with running(settings, answers) as state:
        try:
            yield WebBot(state, fake)
        finally:
            await chat.reset()


async def opened(chat: Page, base_url: str) -> None:
    await chat.open(base_url + "/")
    await chat.wait_for(".msg-bot", "Xin chào")  # the greeting: the session has loaded


async def assert_accessible(chat: Page) -> None:
    found = await chat.run(audit, chat.driver)
    assert not failures(found), "\n".join(failures(found))
    assert not await chat.run(console_errors, chat.driver)


async def visible_in_list(chat: Page, element) -> bool:
    """The element's top line lies inside the visible part of the message list."""
    return await chat.script(
        "const r = arguments[0].getBoundingClientRect(),"
        " box = document.getElementById('messages').getBoundingClientRect();"
        "return r.top >= box.top - 1 && r.top + 20 <= box.bottom;",
        element,
    )


async def test_first_visit_greets_names_the_documents_and_is_small(
    chat: Page, fake_bot: WebBot, screen, output_dir
) -> None:
    name, _, height = screen
    await opened(chat, fake_bot.base_url)
    page_height = await chat.script("return document.scrollingElement.scrollHeight")
    assert page_height <= height, "the page itself does not scroll: only the messages do"
    assert (await chat.wait_for("h1")).text == f"Hỏi đáp {NAME}"  # from what is loaded
    assert NAME in (await chat.wait_for(".bar .sub")).text
    greeting = (await chat.wait_for(".msg-bot", "Xin chào")).text
    assert "không trả lời những điều văn bản không nói" in greeting and "gặp cán bộ" in greeting
    header = await chat.script("return document.querySelector('.bar').offsetHeight")
    assert header <= 64, f"the header takes {header} px"
    link = await chat.wait_for(".privacy a")
    assert (await chat.run(link.get_attribute, "href")).endswith("/rieng-tu")
    # Not a region that re-announces: only #announce is live, and it is empty on arrival.
    assert await chat.count("[aria-live]") == 1
    assert await chat.script("return document.getElementById('announce').textContent") == ""
    loaded = await chat.script(
        "const all = performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource'));"
        "return all.filter((e) => !new URL(e.name).pathname.startsWith('/api/'))"
        ".map((e) => [new URL(e.name).pathname, e.decodedBodySize]);"
    )
    assert "/static/icon.svg" in {path for path, _ in loaded}, loaded  # the favicon, no 404
    assert sum(size for _, size in loaded) <= PAGE_BUDGET, loaded
    await chat.screenshot(output_dir / f"web-{name}-greeting.png")
    await assert_accessible(chat)


async def test_a_long_answer_is_read_from_its_first_line_each_quote_once(
    chat: Page, fake_bot: WebBot, screen, output_dir
) -> None:
    name = screen[0]
    await opened(chat, fake_bot.base_url)
    await chat.type("#question", LONG_QUESTION, enter=True)
    answer = await chat.wait_for(".msg-bot[data-id]", "Câu trích số 1")
    lead = await chat.wait_for(".lead", within=answer)
    assert await visible_in_list(chat, lead), "the reply's first line is on screen"
    sides = await chat.script(
        "const list = document.getElementById('messages').getBoundingClientRect();"
        "const mine = document.querySelector('.msg-user'), bot = arguments[0];"
        "const accent = getComputedStyle(document.documentElement).getPropertyValue('--accent');"
        "const probe = document.createElement('i'); probe.style.color = accent;"
        "document.body.appendChild(probe); const colour = getComputedStyle(probe).color;"
        "probe.remove();"
        "return {mineRight: list.right - mine.getBoundingClientRect().right,"
        " mineLeft: mine.getBoundingClientRect().left - list.left,"
        " botLeft: bot.getBoundingClientRect().left - list.left,"
        " mineFill: getComputedStyle(mine).backgroundColor, accent: colour};",
        answer,
    )
    # The citizen's bubble on the right in the accent colour, the bot's on the left.
    assert sides["mineRight"] < 40 < sides["mineLeft"] and sides["botLeft"] < 40, sides
    assert sides["mineFill"] == sides["accent"], sides
    shown = await chat.script("return arguments[0].textContent", answer)
    for _, quote in LONG_QUOTES:
        assert shown.count(quote.strip()[:60]) == 1, "every quote once"
    labels = [e.text for e in await chat.find_all(".card-label", within=answer)]
    assert len(labels) == 2 and labels[0].startswith(f"{NAME}, mục IV.1.10 — "), labels
    assert await chat.count(".quote-text", within=answer) == len(LONG_QUOTES)
    more = await chat.wait_for("button.more", within=answer)  # folded after a few lines
    assert await chat.count(".body.folded", within=answer) == 1
    await chat.screenshot(output_dir / f"web-{name}-long-answer.png")
    await chat.click(more)
    await chat.wait_until(
        lambda: not answer.find_elements("css selector", ".body.folded"), "the reply unfolded"
    )
    # The time stamp is the stored message's time, in Hà Nội.
    token = await chat.script("return localStorage.getItem('hoidap-visitor')")
    store = fake_bot.state.store
    person = await store.find_person("web", token.split(".")[0])
    answer_id = int(await chat.run(answer.get_attribute, "data-id"))
    stored = next(m for m in await store.recent_messages(person.id, 10) if m.id == answer_id)
    created = (
        stored.created_at if stored.created_at.tzinfo else stored.created_at.replace(tzinfo=UTC)
    )
    expected = created.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M")
    stamp = await chat.wait_for(".meta time", within=answer)
    assert stamp.text.endswith(expected), (stamp.text, expected)
    await assert_accessible(chat)


async def test_typing_indicator_while_the_answer_is_made(
    chat: Page, fake_bot: WebBot, answers: FakeAnswerer, screen
) -> None:
    await opened(chat, fake_bot.base_url)
    answers.gate = asyncio.Event()
    await chat.type("#question", GOAL, enter=True)
    typing = await chat.wait_for(".msg-typing", "đang soạn")
    assert await chat.run(typing.get_attribute, "aria-hidden") == "true"
    answers.gate.set()
    await chat.wait_for(".msg-bot[data-id]", "42.000 USD")
    await chat.wait_until(
        lambda: not chat.driver.find_elements("css selector", ".msg-typing"), "typing gone"
    )
    said = await chat.wait_until(
        lambda: "42.000 USD" in (announced := chat.driver.execute_script(ANNOUNCED)) and announced,
        "the reply announced",
    )
    assert GOAL not in said, said  # the reply, not one's own words


async def test_suggestions_are_buttons_that_answer(chat: Page, fake_bot: WebBot, screen) -> None:
    await opened(chat, fake_bot.base_url)
    await chat.type("#question", SUGGEST_QUESTION, enter=True)
    reply = await chat.wait_for(".msg-bot[data-id]", "Có phải bạn muốn hỏi về")
    choices = await chat.find_all(".choices button.choice", within=reply)
    assert [c.text for c in choices] and len(choices) == 2
    await chat.click(choices[0])
    await chat.wait_for(".msg-bot .quote-text", "Nội dung mục II.2.2")
    await assert_accessible(chat)


async def test_handoff_and_the_officers_reply_stand_out(
    chat: Page, fake_bot: WebBot, screen, output_dir
) -> None:
    name, _, _ = screen
    await opened(chat, fake_bot.base_url)
    calls = len(fake_bot.fake.calls)
    await chat.type("#question", HANDOFF_QUESTION, enter=True)
    handoff = await chat.wait_for(".msg-handoff", "Đã chuyển yêu cầu #")
    weight = await chat.run(handoff.value_of_css_property, "font-weight")
    border = await chat.run(handoff.value_of_css_property, "border-top-width")
    assert int(weight) >= 600 and float(border.removesuffix("px")) >= 2, (weight, border)
    post_id, _ = await fake_bot.ticket_post(since=calls)
    await fake_bot.operator_reply(post_id, "Chào bạn, phường sẽ gọi lại trong hôm nay.")
    reply = await chat.wait_for(".msg-officer", "phường sẽ gọi lại")
    assert (await chat.wait_for(".who", within=reply)).text == f"Cán bộ {UNIT}"
    # The page fills the live region a moment after the message appears (screen readers
    # then notice the change): wait for it rather than read it at once.
    said = await chat.wait_until(
        lambda: (
            "phường sẽ gọi lại" in (announced := chat.driver.execute_script(ANNOUNCED))
            and announced
        ),
        "the officer's reply announced",
    )
    assert "phường sẽ gọi lại" in said
    await chat.screenshot(output_dir / f"web-{name}-handoff.png")
    await assert_accessible(chat)
    await chat.refresh()  # history is not announced again
    await chat.wait_for(".msg-officer", "phường sẽ gọi lại")
    assert await chat.script("return document.getElementById('announce').textContent") == ""


async def test_the_whole_section_opens_reflowed_with_the_quote_marked(
    chat: Page, bot: WebBot, screen, output_dir
) -> None:
    name, _, height = screen
    await opened(chat, bot.base_url)
    await chat.type("#question", GOAL, enter=True)
    answer = await chat.wait_for(".msg-bot[data-id]", "42.000 USD", timeout=30)
    card = await chat.wait_for(".card", "II.2.2", within=answer)
    await chat.click("button.open-passage", within=card)
    mark = await chat.wait_for(".passage mark", "42.000 USD", within=card)
    paragraphs = await chat.find_all(".passage p", within=card)
    assert len(paragraphs) >= 3
    texts = [await chat.script("return arguments[0].textContent", p) for p in paragraphs]
    assert all("\n" not in t for t in texts)
    # Paragraphs end a sentence or a heading, not the line of a printed page.
    assert sum(1 for t in texts if re.search(r"[.:;]$|^[0-9.]+\s", t)) >= len(texts) - 1, texts
    top = await chat.script("return arguments[0].getBoundingClientRect().top", mark)
    assert 0 <= top <= height - 40, "the quoted sentence is scrolled into view"
    await chat.screenshot(output_dir / f"web-{name}-passage.png")
    await assert_accessible(chat)


async def test_privacy_page_and_deleting_the_conversation(
    chat: Page, fake_bot: WebBot, screen, output_dir
) -> None:
    name = screen[0]
    await chat.open(fake_bot.base_url + "/rieng-tu")
    assert (await chat.wait_for("h1")).text == "Quyền riêng tư"
    page = (await chat.wait_for("main")).text
    assert "365 ngày" in page and "xóa dữ liệu" in page
    await assert_accessible(chat)
    await chat.screenshot(output_dir / f"web-{name}-privacy.png")

    await opened(chat, fake_bot.base_url)
    await chat.type("#question", GOAL, enter=True)
    await chat.wait_for(".msg-bot[data-id]", "42.000 USD")
    await chat.type("#question", "xóa dữ liệu", enter=True)
    ask = await chat.wait_for(".msg-bot[data-id]", "Xóa")
    buttons = {b.text: b for b in await chat.find_all(".actions button", within=ask)}
    assert set(buttons) == {"Xóa", "Không"}, list(buttons)
    await chat.click(buttons["Xóa"])
    await chat.wait_for(".msg-notice[data-id]", "Đã xóa dữ liệu của bạn")
    for visit in ("at once", "reloaded"):  # the page forgets too; the server kept only this
        assert await chat.count(".msg-user") == 0, visit
        assert await chat.count(".msg") == 1, visit
        if visit == "at once":
            await chat.refresh()
            await chat.wait_for(".msg-notice[data-id]", "Đã xóa dữ liệu của bạn")
    await assert_accessible(chat)
