"""PTB on the aiohttp transport, against the fake Bot API: form posts, uploads, errors."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError

from bot.channels.telegram_http import AiohttpRequest
from tests.fakes.telegram_api import FakeTelegram

# A 1×1 PNG: enough for the fake to accept an upload.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_send_text_upload_and_errors() -> None:
    async with FakeTelegram() as fake:
        bot = Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest())
        async with bot:
            sent = await bot.send_message(42, "Xin chào <b>bạn</b>", parse_mode="HTML")
            assert sent.text == "Xin chào bạn"
            photo = await bot.send_photo(42, PNG, caption="Ảnh")
            assert photo.caption == "Ảnh" and fake.calls_to("sendPhoto", ok_only=True)
            fake.block_chat(43)
            with pytest.raises(Forbidden):
                await bot.send_message(43, "x")
        await fake.close()
        request = AiohttpRequest()
        bot = Bot(fake.token, base_url=fake.base_url, request=request)
        with pytest.raises(NetworkError):
            await bot.initialize()  # getMe on a closed server
        await request.shutdown()
