"""The one wiring place: settings → engine, store, dispatcher and dialogues, channels, the
console, HTTP. `python -m bot run` starts every channel whose settings are present on one
aiohttp server and stops them in order on SIGINT/SIGTERM: channels stop taking updates and
finish what is in flight, then the server and the store close.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.broadcast.clock import BroadcastClock
from bot.broadcast.delivery import DeliveryLoop
from bot.broadcast.desk import BroadcastDesk
from bot.broadcast.roster import Roster
from bot.channels import Channel
from bot.channels.wiring import configured_channels
from bot.config import Settings
from bot.console.cluster_job import ClusterJob
from bot.console.routes import Console, console_for
from bot.conversation.flood import FloodLimiter
from bot.conversation.handoff import Contact, Handoff, OfficersChat
from bot.conversation.office_hours import office_hours_of
from bot.conversation.service import CitizenConversation
from bot.core import background
from bot.core.dispatcher import Dispatcher
from bot.core.ports import Answerer
from bot.health import health_routes
from bot.housekeeping import housekeeping
from bot.officer_answers.setup import officer_answers_for
from bot.store.repository import Store, open_store
from bot.strings import errors
from bot.web.files import StaticFiles
from bot.web.media import MediaRoutes
from bot.web.security import web_guard

logger = logging.getLogger(__name__)


@dataclass
class Running:
    dispatcher: Dispatcher
    store: Store
    answerer: Answerer
    web_app: web.Application
    channels: list[Channel]
    base_url: str = ""
    delivery: DeliveryLoop | None = None
    started: bool = False  # every channel started: /healthz may say 200
    console: Console | None = None


def build_dispatcher(
    settings: Settings, store: Store, answerer: Answerer, officers: BroadcastDesk | None = None
) -> Dispatcher:
    """The dispatcher with the citizens' conversation and the officers' broadcast desk."""
    chat = (
        OfficersChat("telegram", settings.telegram_operator_chat_id)
        if settings.telegram_bot_token and settings.telegram_operator_chat_id
        else None
    )
    office_hours = office_hours_of(settings)
    citizens = CitizenConversation(
        store=store,
        answerer=answerer,
        handoff=Handoff(
            store,
            chat,
            office_hours,
            expire_after=timedelta(hours=settings.ticket_expire_hours),
            contact=Contact(settings.help_phone, settings.help_address),
            unit_of=officers.unit_of if officers is not None else None,
            keep=officers.keep_answer if officers is not None else None,  # /luu
            console=bool(settings.admins.strip() or settings.officers.strip()),  # who signs in
        ),
        flood=FloodLimiter(settings.flood_limit, settings.flood_window_seconds),
        answer_cache_size=settings.answer_cache_size,
    )
    return Dispatcher(store, citizens, officers, apology=errors.APOLOGY)


@asynccontextmanager
async def running(settings: Settings, engine: Answerer) -> AsyncIterator[Running]:
    """Everything started, as one async context: leaving it stops everything in order."""
    async with AsyncExitStack() as stack:
        store = await stack.enter_async_context(open_store(settings.database_url))
        state_box: list[Running] = []

        async def wake_sender() -> None:
            if state_box and state_box[0].delivery is not None:
                state_box[0].delivery.wake.set()

        desk = BroadcastDesk(
            store,
            Roster.parse(settings.officers, settings.admins),
            settings.timezone,
            wake=wake_sender,
        )
        dispatcher = build_dispatcher(settings, store, engine, desk)
        await stack.enter_async_context(store.process_lease(dispatcher.owner, settings.data_dir))
        middlewares = web_guard(settings) if settings.web_enabled else []
        web_app = web.Application(client_max_size=1 << 20, middlewares=middlewares)
        started = lambda: bool(state_box) and state_box[-1].started  # noqa: E731
        web_app.add_routes(health_routes(store, engine, settings.data_dir, started))
        # Broadcast photos (web chat, Zalo Bot) and styles (console): even with the chat off.
        web_app.add_routes([*MediaRoutes(store).routes(), *StaticFiles().routes()])
        clusters = (  # the unanswered questions grouped by the engine's model
            ClusterJob(store, engine, settings.clusters_every_minutes)  # type: ignore[arg-type]
            if settings.clusters_every_minutes and hasattr(engine, "embed")
            else None
        )
        officer_answers, answer_sync = officer_answers_for(
            store,
            engine,
            dispatcher.citizens.answers.clear,  # type: ignore[attr-defined]
        )
        desk.officer_answers = officer_answers  # /luu in the officers' group
        console = console_for(
            store,
            desk,
            dispatcher,
            settings.public_base_url,
            settings.console_idle_minutes,
            (office_hours_of(settings), settings.ticket_target_minutes),
            clusters,
            officer_answers,
        )
        web_app.add_routes(console.routes())
        channels = configured_channels(settings, dispatcher, store, engine)
        state = Running(dispatcher, store, engine, web_app, channels, console=console)
        state_box.append(state)
        for channel in channels:
            dispatcher.register(channel)
            web_app.add_routes(channel.routes())
            # Officers' draft photos are fetched through the platform they were sent on.
            desk.photos = getattr(channel, "draft_photos", None) or desk.photos

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
        state.started = True
        # What a previous run received but did not answer (or send), in the background:
        # the platforms' own retries meet it through the same update rows.
        recovery = asyncio.create_task(_recover(dispatcher), name="recovery")
        stack.push_async_callback(background.stop, recovery)
        rates = {
            "telegram": settings.broadcast_telegram_rate,
            "zalo_oa": settings.broadcast_zalo_rate,
            "zalo_bot": settings.broadcast_zalo_rate,
            "web": WEB_BROADCAST_RATE,
        }
        delivery = DeliveryLoop(
            store,
            [c for c in state.channels if hasattr(c, "deliver_broadcast")],  # type: ignore[misc]
            rates,
            window=settings.broadcast_window,
        )
        await delivery.start()
        stack.push_async_callback(delivery.stop)  # before the channels: its batch finishes
        state.delivery = delivery
        tidying = asyncio.create_task(
            housekeeping(store, settings.retention_days), name="housekeeping"
        )
        stack.push_async_callback(background.stop, tidying)
        if answer_sync is not None:  # its first pass embeds what was approved before this start
            polling = asyncio.create_task(answer_sync.loop(), name="officer-answers")
            stack.push_async_callback(background.stop, polling)
        if clusters is not None:
            grouping = asyncio.create_task(clusters.loop(), name="clusters")
            stack.push_async_callback(background.stop, grouping)
        clock = asyncio.create_task(
            BroadcastClock(store, desk, dispatcher, rates).run(), name="broadcast-clock"
        )
        stack.push_async_callback(background.stop, clock)
        yield state


WEB_BROADCAST_RATE = 500.0  # a web update is a database row: no platform limit to respect


RECOVER_EVERY = 15.0  # seconds between looks for updates a dead process left unfinished


async def _recover(dispatcher: Dispatcher) -> None:
    """At start, then now and then: a process that died later (or whose death the database
    noticed late) leaves updates that no platform may retry."""
    while True:
        try:
            await dispatcher.recover()
        except Exception:  # the database is unreachable: try again at the next pass
            if background.cancelling():
                raise
            logger.exception("could not finish the updates a dead process left")
        await asyncio.sleep(RECOVER_EVERY)


async def serve(settings: Settings, engine: Answerer | None = None) -> None:
    """Run until SIGINT/SIGTERM. Without ``engine``, the engine runs in its own process."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if engine is None:
        from bot.answering.worker import EngineProcess

        print("Đang nạp bộ trả lời…", flush=True)
        engine = await EngineProcess.start(settings)
    gc.freeze()  # what was loaded at start lives forever: keep the collector off it
    try:
        async with running(settings, engine) as state:
            names = [c.platform for c in state.channels] or ["(chưa cấu hình kênh nào)"]
            print(
                f"Bot đang chạy: {', '.join(names)}; máy chủ HTTP {state.base_url}. "
                "Ctrl-C để dừng.",
                flush=True,
            )
            await stop.wait()
            print("Đang dừng: hoàn tất các tin nhắn đang xử lý…", flush=True)
    finally:
        close = getattr(engine, "close", None)
        if close is not None:
            close()
