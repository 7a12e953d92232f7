"""The widget on another site's page, in headless Chromium: a panel on a desktop, the whole
screen on a phone; × inside the panel and Esc close it and give the focus back to the
launcher; an officer's reply that arrives while it is closed raises an unread badge."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

from tests.web.audit import audit, console_errors, failures
from tests.web.conftest import LaunchBot
from tests.web.support import LocalSite, Page

pytestmark = pytest.mark.slow

PORTAL = (
    '<html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
    '<link rel="icon" href="data:,"><title>Cổng</title></head>'
    "<body><h1>Cổng thông tin phường</h1>"
    '<script src="{base_url}/widget.js" data-title="Hỏi đáp NQ 02" data-color="#0b5394">'
    "</script></body></html>"
)


async def frame_box(chat: Page) -> dict:
    return await chat.script(
        "const f = document.getElementById('hoidap-frame'), r = f.getBoundingClientRect();"
        "return {hidden: f.hidden, width: r.width, height: r.height, left: r.left, top: r.top};"
    )


async def panel_closed(chat: Page, how: str) -> None:
    await chat.wait_until(
        lambda: chat.driver.execute_script("return document.getElementById('hoidap-frame').hidden"),
        how,
    )


async def active_id(chat: Page) -> str:
    return await chat.script("return document.activeElement && document.activeElement.id")


async def test_the_panel_closes_by_x_and_escape_and_badges_an_officer_reply(
    chat: Page, launch_bot: LaunchBot, site: LocalSite, screen, output_dir
) -> None:
    name, width, height = screen
    async with launch_bot(web_allowed_origins=[site.origin]) as bot:
        site.pages["/"] = PORTAL.format(base_url=bot.base_url)
        await chat.open(site.origin + "/")
        launcher = await chat.wait_for("#hoidap-launcher", "Hỏi đáp NQ 02")
        await chat.click(launcher)
        frame = await chat.wait_for("#hoidap-frame")
        box = await frame_box(chat)
        if width < 600:  # a phone: the whole screen
            assert (box["width"], box["height"], box["left"], box["top"]) == (width, height, 0, 0)
        else:  # a desktop: a panel in the corner
            assert box["width"] <= 400 and box["height"] < height, box

        await chat.switch_to_frame(frame)
        try:
            await chat.wait_for(".msg-bot", "Xin chào")
            found = await chat.run(audit, chat.driver)
            assert not failures(found), "\n".join(failures(found))
            await chat.type("#question", "cho toi gap can bo", enter=True)
            await chat.wait_for(".msg-handoff", "Đã chuyển yêu cầu #", timeout=30)
            await chat.click("#close")  # × in the panel
        finally:
            await chat.switch_to_page()
        await panel_closed(chat, "the panel closed")
        assert await active_id(chat) == "hoidap-launcher", "focus back on the launcher"

        post_id, _ = await bot.ticket_post()
        await bot.operator_reply(post_id, "Phường đã nhận yêu cầu của bạn.")
        badge = await chat.wait_for("#hoidap-badge", "1")
        assert "1 tin mới" in await chat.run(launcher.get_attribute, "aria-label")
        await chat.screenshot(output_dir / f"widget-{name}-badge.png")

        await chat.click(launcher)  # opened again: the reply is there, the badge gone
        await chat.wait_until(lambda: not badge.is_displayed(), "the badge cleared")
        await chat.switch_to_frame(frame)
        try:
            await chat.wait_for(".msg-officer", "Phường đã nhận")
            await chat.screenshot(output_dir / f"widget-{name}-open.png")
            body = await chat.wait_for("#question")
            await chat.run(body.send_keys, Keys.ESCAPE)  # Esc inside the chat closes too
        finally:
            await chat.switch_to_page()
        await panel_closed(chat, "closed by Esc")
        assert await active_id(chat) == "hoidap-launcher"
        assert not await chat.run(console_errors, chat.driver)


async def test_without_a_title_the_chat_names_its_documents_and_strangers_cannot_close_it(
    chat: Page, launch_bot: LaunchBot, site: LocalSite
) -> None:
    async with launch_bot(web_allowed_origins=[site.origin]) as bot:
        site.pages["/"] = (
            '<html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="icon" href="data:,"></head><body>'
            f'<script src="{bot.base_url}/widget.js" data-color="#ffff00"></script></body></html>'
        )
        await chat.open(site.origin + "/")
        launcher = await chat.wait_for("#hoidap-launcher")
        text = await chat.run(launcher.value_of_css_property, "color")
        assert text.replace(" ", "") in ("rgb(17,17,17)", "rgba(17,17,17,1)")  # dark on yellow
        await chat.click(launcher)
        frame = await chat.wait_for("#hoidap-frame")
        await chat.switch_to_frame(frame)
        try:
            assert (await chat.wait_for("h1")).text == "Hỏi đáp Kế hoạch 57-KH/TU"
        finally:
            await chat.switch_to_page()
        # The portal's own page (not the chat's frame) posting "close" or "unread": ignored.
        # Messages from one window arrive in order: the last one says the others were seen.
        await chat.script(
            "return new Promise((done) => {"
            " addEventListener('message', (e) => e.data.type === 'seen' && done(true));"
            " for (const type of ['hoidap:close', 'hoidap:unread', 'seen'])"
            "  window.postMessage({type}, '*'); })"
        )
        assert not (await frame_box(chat))["hidden"]
        assert not await chat.script("return !document.getElementById('hoidap-badge').hidden")
