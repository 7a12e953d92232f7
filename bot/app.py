"""The one wiring place: settings → engine, store, conversation service, channels, HTTP server.

`python -m bot run` starts every channel whose settings are present, on one aiohttp
server (webhooks now, the web chat later), and stops them in order on SIGINT/SIGTERM:
channels stop taking updates and finish what is in flight, then the server and the
store close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from bot.answering.engine import AnswerEngine
from bot.config import Settings
from bot.conversation.flood import FloodLimiter
from bot.conversation.office_hours import OfficeHours
from bot.conversation.service import ConversationService, OperatorDesk

logger = logging.getLogger(__name__)


@dataclass
class Running:
    service: ConversationService
    web_app: web.Application
    channels: list = field(default_factory=list)
    base_url: str = ""


def build_service(settings: Settings, store, engine: AnswerEngine) -> ConversationService:
    desk = (
        OperatorDesk("telegram", settings.telegram_operator_chat_id)
        if settings.telegram_bot_token and settings.telegram_operator_chat_id
        else None
    )
    return ConversationService(
        store=store,
        engine=engine,
        desk=desk,
        flood=FloodLimiter(settings.flood_limit, settings.flood_window_seconds),
        office_hours=OfficeHours.parse(
            settings.office_hours, settings.office_days, settings.timezone
        ),
    )


@asynccontextmanager
async def running(settings: Settings, engine: AnswerEngine) -> AsyncIterator[Running]:
    """Everything started, as one async context: leaving it stops everything in order."""
    from bot.store.repository import open_store

    async with AsyncExitStack() as stack:
        store = await stack.enter_async_context(open_store(settings.database_url))
        service = build_service(settings, store, engine)
        web_app = web.Application(client_max_size=1 << 20)
        web_app.router.add_get("/healthz", _health)
        state = Running(service, web_app)

        if settings.telegram_bot_token:
            from bot.channels.telegram import TelegramChannel

            telegram = TelegramChannel(
                service,
                token=settings.telegram_bot_token.get_secret_value(),
                base_url=settings.telegram_api_base_url,
                operator_chat_id=settings.telegram_operator_chat_id,
                webhook_url=settings.telegram_webhook_url,
                webhook_secret=(
                    settings.telegram_webhook_secret.get_secret_value()
                    if settings.telegram_webhook_secret
                    else None
                ),
            )
            web_app.add_routes(telegram.routes())
            state.channels.append(telegram)

        runner = web.AppRunner(web_app, handle_signals=False)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, settings.http_host, settings.http_port)
        await site.start()
        port = runner.addresses[0][1] if runner.addresses else settings.http_port
        state.base_url = f"http://{settings.http_host}:{port}"
        logger.info("HTTP server on %s", state.base_url)
        for channel in state.channels:
            await channel.start()
            stack.push_async_callback(channel.stop)  # stops before the server: LIFO
        yield state


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def serve(settings: Settings, engine: AnswerEngine) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with running(settings, engine) as state:
        names = [type(c).__name__.replace("Channel", "") for c in state.channels] or [
            "(chưa cấu hình kênh nào)"
        ]
        print(
            f"Bot đang chạy: {', '.join(names)}; máy chủ HTTP {state.base_url}. Ctrl-C để dừng.",
            flush=True,
        )
        await stop.wait()
        print("Đang dừng: hoàn tất các tin nhắn đang xử lý…", flush=True)
    engine.close()
