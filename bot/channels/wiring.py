"""One adapter per platform whose settings are present (the wiring of ``bot/app.py``)."""

from __future__ import annotations

from pydantic import SecretStr

from bot.channels import Channel
from bot.config import Settings
from bot.core.dispatcher import Dispatcher
from bot.core.ports import Answerer
from bot.store.repository import Store


def configured_channels(
    settings: Settings, dispatcher: Dispatcher, store: Store, answerer: Answerer
) -> list[Channel]:
    """One adapter per platform whose settings are present."""
    channels: list[Channel] = []
    if settings.telegram_bot_token:
        from bot.channels.telegram import TelegramChannel

        channels.append(
            TelegramChannel(
                dispatcher,
                store,
                token=settings.telegram_bot_token.get_secret_value(),
                base_url=settings.telegram_api_base_url,
                operator_chat_id=settings.telegram_operator_chat_id,
                webhook_url=settings.telegram_webhook_url,
                webhook_secret=_secret(settings.telegram_webhook_secret),
            )
        )
    if settings.zalo_bot_token:
        from bot.channels.zalo_bot import ZaloBotChannel

        channels.append(
            ZaloBotChannel(
                dispatcher,
                store,
                token=settings.zalo_bot_token.get_secret_value(),
                base_url=settings.zalo_bot_api_base_url,
                webhook_url=settings.zalo_bot_webhook_url,
                webhook_secret=_secret(settings.zalo_bot_webhook_secret),
                public_base_url=settings.public_base_url,
            )
        )
    if settings.web_enabled:
        from bot.web.channel import WebChannel

        channels.append(WebChannel(dispatcher, store, answerer, settings))
    if settings.zalo_oa_app_id and settings.zalo_oa_secret_key:
        channels.append(zalo_oa_channel(settings, dispatcher, store))
    return channels


def zalo_oa_channel(settings: Settings, dispatcher: Dispatcher, store: Store) -> Channel:
    from bot.channels.zalo_oa import ZaloOAChannel
    from bot.channels.zalo_oa_client import ZaloOAClient

    assert settings.zalo_oa_app_id and settings.zalo_oa_secret_key
    client = ZaloOAClient(
        store,
        app_id=settings.zalo_oa_app_id,
        app_secret=_secret(settings.zalo_oa_app_secret),
        access_token=_secret(settings.zalo_oa_access_token),
        refresh_token=_secret(settings.zalo_oa_refresh_token),
        api_base_url=settings.zalo_oa_api_base_url,
        oauth_base_url=settings.zalo_oauth_base_url,
    )
    return ZaloOAChannel(
        dispatcher,
        store,
        client,
        app_id=settings.zalo_oa_app_id,
        oa_secret_key=settings.zalo_oa_secret_key.get_secret_value(),
        max_event_age=settings.zalo_oa_max_event_age_seconds,
        promotion=settings.zalo_oa_promotion,
    )


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None
