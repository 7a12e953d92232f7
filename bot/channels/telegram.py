"""Telegram adapter: python-telegram-bot to parse updates (sending: telegram_send.py).

Updates arrive through the project's aiohttp server (webhook, secret header checked) or a
polling loop of our own that advances the offset only after an update was processed, so a
crash never drops an update fetched (PTB's own queue is discarded on stop). Each update is
processed before it is acknowledged; the dispatcher answers each update_id once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from telegram import Bot, Update
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.broadcast.desk import BroadcastDesk
from bot.channels.telegram_http import AiohttpRequest
from bot.channels.telegram_menu import CommandMenus, telegram_users
from bot.channels.telegram_photos import DraftPhotos
from bot.channels.telegram_send import TelegramSender, seconds
from bot.channels.telegram_shape import for_the_bot, update_problem
from bot.core.messages import Inbound, Outbound, SendResult
from bot.core.records import BroadcastRecord
from bot.inputs import Malformed, parse_json, read_body
from bot.store.errors import StoreError
from bot.strings import errors as strings

if TYPE_CHECKING:
    from bot.core.dispatcher import Dispatcher
    from bot.store.repository import Store

logger = logging.getLogger(__name__)

PLATFORM = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20  # Telegram updates are small; anything bigger is not from Telegram
POLL_TIMEOUT = 10  # seconds a getUpdates long poll may wait


class TelegramChannel:
    platform = PLATFORM

    def __init__(
        self,
        dispatcher: Dispatcher,
        store: Store,
        token: str,
        base_url: str,
        operator_chat_id: str | None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.store = store
        self.operator_chat_id = operator_chat_id
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.application = (
            Application.builder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_url.replace("/bot", "/file/bot"))
            .updater(None)
            .request(AiohttpRequest(pool_size=64))
            .get_updates_request(AiohttpRequest(pool_size=1, read_timeout=POLL_TIMEOUT + 10))
            .build()
        )
        self.application.add_handler(CallbackQueryHandler(self._on_callback))
        if operator_chat_id:
            self.application.add_handler(
                MessageHandler(
                    filters.Chat(int(operator_chat_id)) & filters.REPLY, self._on_operator
                )
            )
        self.application.add_handler(MessageHandler(filters.ChatType.PRIVATE, self._on_citizen))
        self.application.add_error_handler(self._on_error)
        self.sender = TelegramSender(self.application.bot, store)
        self.draft_photos = DraftPhotos(self.application.bot, store)  # the desk fetches with it
        self._poller: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()

    @property
    def bot(self) -> Bot:
        return self.application.bot

    # ---- lifecycle ------------------------------------------------------------------
    async def start(self) -> None:
        await self.application.initialize()
        await self.application.start()
        if self.webhook_url:
            await self.bot.set_webhook(
                self.webhook_url,
                secret_token=self.webhook_secret,
                allowed_updates=["message", "callback_query"],
            )
            logger.info("Telegram webhook set to %s", self.webhook_url)
        else:
            await self.bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="telegram-poller")
            logger.info("Telegram long polling started")
        if self.dispatcher.officers is not None:
            # In the background: dozens of officers' menus must not hold up the start.
            menus = asyncio.create_task(self._publish_menus(), name="telegram-menus")
            self._in_flight.add(menus)
            menus.add_done_callback(self._in_flight.discard)

    async def _publish_menus(self) -> None:
        desk = self.dispatcher.officers
        assert isinstance(desk, BroadcastDesk)
        menus = CommandMenus(self.bot)
        try:
            await menus.publish(await desk.officers(), desk.roster.admins)
        except StoreError:  # menus are a convenience; the next start tries again
            logger.exception("could not read the officers for the command menus")

        async def changed(actor: str, officer: bool) -> None:
            for user in telegram_users([actor]):
                if officer:
                    await menus.show_officer(user, admin=actor in desk.roster.admins)
                else:
                    await menus.hide_officer(user)

        desk.roster_listeners.append(changed)

    async def stop(self) -> None:
        """Stop taking updates, finish what is in flight, then close the client."""
        self._stopping.set()
        if self._poller is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self.application.stop()
        await self.application.shutdown()

    async def _poll(self) -> None:
        offset: int | None = None
        while not self._stopping.is_set():
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT,
                    allowed_updates=["message", "callback_query"],
                )
            except (TimedOut, NetworkError) as exc:
                logger.warning("Telegram polling: %s", exc)
                await self._pause(2.0)
                continue
            except RetryAfter as exc:
                await self._pause(seconds(exc.retry_after))
                continue
            for update in updates:
                # Processed before the offset moves past it: a crash re-delivers, dedup skips.
                await self._process(update)
                offset = update.update_id + 1

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _process(self, update: Update) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            await self.application.process_update(update)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    # ---- webhook --------------------------------------------------------------------
    def routes(self, path: str = "/telegram/webhook") -> list[web.RouteDef]:
        return [web.post(path, self.webhook)]

    async def webhook(self, request: web.Request) -> web.Response:
        if self._stopping.is_set() or not self.application.running:
            return web.Response(status=503, text="not running")  # Telegram tries again
        given = request.headers.get(SECRET_HEADER, "")
        if not self.webhook_secret or not hmac.compare_digest(
            given.encode(), self.webhook_secret.encode()
        ):
            logger.warning(
                "Telegram webhook call with a wrong or missing secret from %s", request.remote
            )
            return web.Response(status=403, text="forbidden")
        try:
            data = parse_json(await read_body(request, MAX_BODY_BYTES))
        except Malformed as exc:
            logger.warning("unreadable Telegram webhook body refused: %s", exc)
            return web.Response(status=400, text="malformed body")
        update = self._update(data)
        if update is not None:
            await self._process(update)
        # Skipped or handled, it is acknowledged: Telegram would resend a refused one forever.
        return web.Response(text="ok")

    def _update(self, data: object) -> Update | None:
        """The update PTB makes of ``data``, or None (logged once, no text) when it is not
        one the bot can handle."""
        problem = update_problem(data)
        if problem is None:
            try:
                update = Update.de_json(data, self.bot)  # type: ignore[arg-type]
            except Exception as exc:  # PTB trusts its input; we cannot
                problem = f"not parsed ({type(exc).__name__})"
            else:
                if update is not None:
                    return update
                problem = "empty"
        logger.warning("malformed Telegram update skipped: %s", problem)
        return None

    # ---- from Telegram ----------------------------------------------------------------
    async def _on_citizen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        text = message.text
        photo = message.photo[-1].file_id if message.photo else None  # the largest size
        await self._handle(
            update,
            str(message.chat_id),
            message_id=str(message.message_id),
            text=text if text is not None else message.caption,
            content="text" if text is not None else "unsupported",
            attachment=photo,
        )

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # always, or the client keeps spinning
        except TelegramError as exc:
            logger.info("answer_callback_query failed: %s", exc)
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        await self._handle(update, str(chat), action=query.data or "")

    async def _handle(self, update: Update, chat_id: str, **fields: str | None) -> None:
        """Everything a citizen (or an officer in private) does becomes one Inbound."""
        user = update.effective_user
        assert user is not None
        inbound = Inbound(
            platform=PLATFORM,
            user_id=str(user.id),
            chat_id=chat_id,
            update_key=str(update.update_id),
            display_name=user.full_name,
            language=user.language_code,
            **fields,  # type: ignore[arg-type]
        )
        await self.dispatcher.dispatch(inbound)

    async def _on_operator(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or message.reply_to_message is None:
            return
        if not for_the_bot(message.reply_to_message, self.bot.id, message.text):
            return  # a conversation among officers, not a reply to a ticket
        await self.dispatcher.dispatch(
            Inbound(
                platform=PLATFORM,
                user_id=str(user.id),
                chat_id=str(message.chat_id),
                update_key=str(update.update_id),
                message_id=str(message.message_id),
                text=message.text or message.caption or "",
                display_name=user.full_name,
                reply_to=str(message.reply_to_message.message_id),
            )
        )

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("error while handling a Telegram update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(TelegramError):
                await self.bot.send_message(update.effective_chat.id, strings.APOLOGY)

    # ---- to Telegram (telegram_send.py) -----------------------------------------------
    async def send(self, outbound: Outbound) -> SendResult:
        return await self.sender.send(outbound)

    async def edit_text(
        self, chat_id: str, message_id: str, text: str, buttons: tuple = ()
    ) -> float | None:
        return await self.sender.edit_text(chat_id, message_id, text, buttons)

    async def deliver_broadcast(self, chat_id: str, broadcast: BroadcastRecord) -> SendResult:
        return await self.sender.deliver_broadcast(chat_id, broadcast)
