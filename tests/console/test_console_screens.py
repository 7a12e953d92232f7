"""The inbox, a ticket and the officers page in headless Chromium on a phone and a desktop:
no sideways scroll, every control named and at least 44 px, text contrast at least
4.5:1; an admin adds an officer through the form. Screenshots for the issue's note."""

from __future__ import annotations

import pytest

from bot.app import running
from tests.fakes.answerer import HANDOFF, FakeAnswerer
from tests.web.audit import audit, failures
from tests.web.conftest import OPERATORS, screen, web_settings  # noqa: F401
from tests.web.support import Page

pytestmark = pytest.mark.slow

ADMIN = "telegram:9001"
ASK = "cho toi gap can bo"


async def test_inbox_ticket_and_officers_pages_pass_the_audit(
    chat: Page,
    fake,
    tmp_path,
    output_dir,
    screen,  # noqa: F811
) -> None:
    name, _, _ = screen
    settings = web_settings(fake, f"sqlite+aiosqlite:///{tmp_path / 's.db'}", admins=ADMIN)
    async with running(settings, FakeAnswerer({ASK: HANDOFF})) as state:
        try:
            update = fake.text_update(5001, 5001, ASK, first_name="Bác Tư")
            assert (
                await fake.deliver_webhook(update, url=state.base_url + "/telegram/webhook") == 200
            )
            await fake.wait_for_message(OPERATORS, text_contains="Yêu cầu #")
            token = await state.console.sign_in.new_link_token(ADMIN)
            await chat.open(f"{state.base_url}/console/dang-nhap?t={token}")
            await chat.wait_for("#inbox tr", "Bác Tư")
            assert not failures(await chat.run(audit, chat.driver)), "inbox"
            await chat.screenshot(output_dir / f"console-inbox-{name}.png")
            await chat.click("#inbox a")
            await chat.wait_for("#conversation", ASK)
            assert not failures(await chat.run(audit, chat.driver)), "ticket"
            await chat.screenshot(output_dir / f"console-ticket-{name}.png")
            await chat.open(state.base_url + "/console/can-bo")
            await chat.type("#who", "telegram:7001")
            await chat.type("#unit", "UBND phường Ba Đình")
            await chat.click("form.officer-add button")
            await chat.wait_for("table.data", "telegram:7001")
            assert not failures(await chat.run(audit, chat.driver)), "officers"
            await chat.screenshot(output_dir / f"console-officers-{name}.png")
        finally:
            await chat.reset()
