"""The console's officers' answers ("Giải đáp") in headless Chromium: an admin signs in
with a link, opens Giải đáp from the menu, finds an officer's draft under "Chờ duyệt",
approves the version shown and sees it under "Đang dùng", then opens the new form. No
page scrolls sideways and every control is at least 44 px. The screenshot goes to tests/output/console-giai-dap.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import running
from bot.officer_answers.workflow import Actor
from bot.strings import console_officer_answers as words
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.telegram_api import FakeTelegram
from tests.web.audit import audit, console_errors, failures
from tests.web.conftest import web_settings
from tests.web.support import Page

pytestmark = pytest.mark.slow

ADMIN = "telegram:9001"
OFFICER = Actor("telegram:7001", False, "UBND phường Hàng Bạc")
ANSWER = "Bác nộp hồ sơ đăng ký hộ kinh doanh tại bộ phận một cửa của phường, mang theo CCCD."


async def no_sideways_scroll_and_big_targets(chat: Page, where: str) -> None:
    result = await chat.run(audit, chat.driver)
    problems = [line for line in failures(result) if not line.startswith("contrast")]
    assert not problems, f"{where}: " + "; ".join(problems)


async def test_an_admin_approves_a_draft(
    chat: Page, fake: FakeTelegram, tmp_path: Path, output_dir: Path
) -> None:
    settings = web_settings(
        fake,
        f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
        admins=ADMIN,
        officers=f"{OFFICER.who}={OFFICER.unit}",
    )
    async with running(settings, FakeAnswerer()) as state:
        try:
            flow = state.console.officer_answers
            text = flow.text(["Đăng ký hộ kinh doanh ở đâu?"], ANSWER, [("57-KH/TU", "III.3")])
            entry = await flow.draft(OFFICER, text, source="ticket:1")
            token = await state.console.sign_in.new_link_token(ADMIN)
            await chat.open(f"{state.base_url}/console/dang-nhap?t={token}")
            await chat.wait_for(".who", ADMIN)
            await chat.click("nav.console-nav a[href='/console/giai-dap']")
            await chat.wait_for("table.officer-answers", "Đăng ký hộ kinh doanh")
            await no_sideways_scroll_and_big_targets(chat, "list")
            await chat.click(f"a[href='/console/giai-dap/{entry.id}']")
            await chat.wait_for(".officer-answer", ANSWER)
            await no_sideways_scroll_and_big_targets(chat, "answer")
            await chat.click("form[action$='/duyet'] button")
            await chat.wait_for("h2", words.STATES["approved"])
            await chat.script("window.scrollTo(0, 0);")
            await chat.screenshot(output_dir / "console-giai-dap.png")
            await chat.click("main > p > a")  # back to the list
            await chat.click("a[href='/console/giai-dap?muc=dang-dung']")
            await chat.wait_for("table.officer-answers", "Đăng ký hộ kinh doanh")
            await chat.click(".bc-head a.button")  # the new form, for the next one
            await chat.wait_for("form.bc-compose #oa-unit")
            await no_sideways_scroll_and_big_targets(chat, "new form")
            assert not console_errors(chat.driver)
            assert (await state.store.get_officer_answer(entry.id)).approved_version == 1
        finally:
            await chat.reset()
