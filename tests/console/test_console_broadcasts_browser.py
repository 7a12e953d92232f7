"""The console's broadcasts in headless Chromium, on a laptop (1366×900) and a phone
(390×844): an officer signs in with a link, composes a broadcast with a photo chosen from
the disk, sees the recipients counted, previews it, double-clicks "confirm" and watches
the progress reach "done" without reloading; every subscriber gets it once. No page
scrolls sideways and every control is at least 44 px. Screenshots go to tests/output/."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from bot.app import running
from bot.strings import console_broadcasts as words
from tests.broadcast.test_delivery import subscribe
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.telegram_api import FakeTelegram, UploadedFile
from tests.web.audit import audit, console_errors, failures
from tests.web.conftest import screen, web_settings  # noqa: F401
from tests.web.support import Page

pytestmark = pytest.mark.slow

OFFICER, UNIT = "telegram:7001", "UBND phường Ba Đình"
TEXT = "Thông báo lịch tiếp công dân tháng 12.\nSáng thứ Năm, 8h–11h, tại trụ sở phường."
SUBSCRIBERS = 6


def png(width: int, height: int) -> bytes:
    """A real PNG (a red-to-yellow band), so the browser draws the preview's photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes((200, min(255, 40 + x * 215 // width), 40) * width)
        for x in (y * width // height for y in range(height))
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def shot(chat: Page, path: Path, at: str | None = None) -> None:
    """A screenshot of the viewport: from the top of the page, or with ``at`` on top."""
    await chat.script(
        "const e = arguments[0] && document.querySelector(arguments[0]);"
        "if (e) e.scrollIntoView({block: 'start'}); else window.scrollTo(0, 0);",
        at,
    )
    await chat.screenshot(path)


async def no_sideways_scroll_and_big_targets(chat: Page, where: str) -> None:
    result = await chat.run(audit, chat.driver)
    problems = [line for line in failures(result) if not line.startswith("contrast")]
    assert not problems, f"{where}: " + "; ".join(problems)


async def test_compose_confirm_and_watch_the_progress_reach_done(
    chat: Page,
    fake: FakeTelegram,
    tmp_path: Path,
    output_dir: Path,
    screen,  # noqa: F811 - the fixture: a phone or a laptop
) -> None:
    name, _, _ = screen
    photo = tmp_path / "hoi-nghi.png"
    photo.write_bytes(png(640, 360))
    settings = web_settings(
        fake, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", officers=f"{OFFICER}={UNIT}"
    )
    async with running(settings, FakeAnswerer()) as state:
        try:
            chats = await subscribe(state.store, SUBSCRIBERS)
            token = await state.console.sign_in.new_link_token(OFFICER)
            await chat.open(f"{state.base_url}/console/dang-nhap?t={token}")
            await chat.wait_for(".who", OFFICER)
            await chat.open(state.base_url + "/console/thong-bao")
            await chat.wait_for("main", words.EMPTY)
            await chat.click(".bc-head a.button")

            await chat.wait_for("form.bc-compose")
            await chat.type("#bc-text", TEXT)
            field = await chat.wait_for("#bc-photo", visible=True)
            await chat.run(field.send_keys, str(photo))
            await chat.click("input[name='gui-toi'][value='area']")
            await chat.type("#bc-area", "Ba Đình")
            await chat.wait_for("#bc-count", "Sẽ gửi tới 0 người")  # counted as it is typed
            await chat.click("input[name='gui-toi'][value='all']")
            await chat.wait_for("#bc-count", f"Sẽ gửi tới {SUBSCRIBERS} người")
            assert not await chat.script("return document.querySelector('.bc-area').offsetParent")
            await no_sideways_scroll_and_big_targets(chat, "compose")
            await shot(chat, output_dir / f"console-broadcasts-compose-{name}.png")
            await shot(chat, output_dir / f"console-broadcasts-audience-{name}.png", ".bc-audience")

            await chat.click("form.bc-compose button[type='submit']")
            await chat.wait_for(".bc-bubble .msg-text", "8h–11h")
            await chat.wait_until(
                lambda: chat.driver.execute_script(
                    "const i = document.querySelector('.bc-bubble img');"
                    "return i && i.complete && i.naturalWidth === 640"
                ),
                "the preview's photo",
            )
            shown = await chat.script(
                "return document.querySelector('.bc-bubble .msg-text').innerText"
            )
            assert shown.strip() == TEXT  # the same text, line break included
            await chat.wait_for(".bc-count", f"Sẽ gửi tới {SUBSCRIBERS} người")
            await no_sideways_scroll_and_big_targets(chat, "preview")
            await shot(chat, output_dir / f"console-broadcasts-preview-{name}.png")

            # A double click on "confirm": one broadcast, sent once to each subscriber.
            await chat.script(
                "const b = document.querySelector('form.bc-confirm button'); b.click(); b.click();"
            )
            await chat.wait_for(".bc-progress")
            await chat.script("window.notReloaded = true;")
            await chat.wait_for("[data-state-name]", "đã xong", timeout=90)
            await chat.wait_for("[data-count='sent']", str(SUBSCRIBERS), exact=True)
            assert await chat.script("return window.notReloaded === true")  # updated in place
            assert await chat.count(".bc-controls form:not([hidden])") == 0  # nothing to control
            await no_sideways_scroll_and_big_targets(chat, "progress")
            await shot(chat, output_dir / f"console-broadcasts-done-{name}.png")

            await chat.click("main > p > a")  # back to the list
            await chat.wait_for("table.bc-history", "8h–11h")
            await no_sideways_scroll_and_big_targets(chat, "history")
            await shot(chat, output_dir / f"console-broadcasts-history-{name}.png")
            assert not console_errors(chat.driver)
            assert await state.store.get_broadcast(2) is None
        finally:
            await chat.reset()
    photos = fake.calls_to("sendPhoto", ok_only=True)
    assert sorted(c.chat_id for c in photos) == sorted(chats)
    assert sum(isinstance(c.params["photo"], UploadedFile) for c in photos) == 1
    assert all(c.params["caption"] == TEXT for c in photos)
