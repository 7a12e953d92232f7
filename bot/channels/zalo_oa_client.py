"""Zalo OA Open API client: consultation messages, image uploads, user profiles, and the
OAuth tokens.

Tokens: the access token lasts about 25 h and the refresh token is single-use (each
refresh hands back a new one). Both live in the database (``secrets_kv``), written with
compare-and-set, so a restart or a second bot process never reuses a spent refresh token.
The token is refreshed shortly before it expires and whenever Zalo answers -216. Tokens
never appear in logs or exception messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass

import aiohttp

from bot.channels import zalo_protocol as zp
from bot.channels.text import surely_unsent
from bot.store.repository import Store

logger = logging.getLogger(__name__)

TOKENS_KEY = "zalo_oa.tokens"
SEED_KEY = "zalo_oa.seed"  # which settings tokens were last taken over
REFRESH_MARGIN = 300.0  # seconds before expiry that a refresh is due
UNKNOWN_LIFETIME = 3600.0  # tokens given in settings: assume an hour, refresh on -216 anyway
ATTEMPTS = 3  # network errors and 5xx: tried this many times, then recorded as failed
NO_ATTACHMENT = -2  # ZaloOAError.code: an upload answered success without an attachment id
Upload = tuple[str, bytes, str]  # file name, bytes, content type


class ZaloOAError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo OA error {code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: float  # epoch seconds

    def dumps(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def loads(cls, text: str) -> Tokens:
        return cls(**json.loads(text))


class ZaloOAClient:
    def __init__(
        self,
        store: Store,
        *,
        app_id: str,
        app_secret: str | None,
        access_token: str | None,
        refresh_token: str | None,
        api_base_url: str,
        oauth_base_url: str,
    ) -> None:
        self.store = store
        self.app_id = app_id
        self._app_secret = app_secret
        self._seed = Tokens(access_token or "", refresh_token or "", time.time() + UNKNOWN_LIFETIME)
        self.api_base_url = api_base_url.rstrip("/")
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self._tokens: Tokens | None = None
        self._stored = ""  # the exact stored text, for compare-and-set
        self._refreshing = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        # The database wins over settings: settings hold the first tokens only, and a
        # refresh token from settings is spent after the first refresh. Unless the
        # settings changed since (new tokens pasted after re-authorising the app).
        seed_id = hashlib.sha256(
            f"{self._seed.access_token}|{self._seed.refresh_token}".encode()
        ).hexdigest()
        if await self.store.kv_get(SEED_KEY) != seed_id and (
            self._seed.access_token or self._seed.refresh_token
        ):
            await self.store.kv_set(TOKENS_KEY, self._seed.dumps())
            await self.store.kv_set(SEED_KEY, seed_id)
        await self._load()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _load(self) -> None:
        stored = await self.store.kv_get(TOKENS_KEY)
        if stored:
            self._stored, self._tokens = stored, Tokens.loads(stored)

    # ---- API ----------------------------------------------------------------------------
    async def send_text(self, user_id: str, text: str) -> str:
        """Send one consultation message; its Zalo message id."""
        return await self._send_cs(user_id, {"text": text})

    async def send_image(self, user_id: str, text: str, attachment_id: str) -> str:
        """A consultation message showing an uploaded image, with ``text`` under it."""
        element = {"media_type": zp.OA_MEDIA_IMAGE, "attachment_id": attachment_id}
        message: dict = {
            "attachment": {
                "type": zp.OA_ATTACHMENT_TYPE,
                "payload": {"template_type": zp.OA_TEMPLATE_MEDIA, "elements": [element]},
            }
        }
        if text:
            message["text"] = text
        return await self._send_cs(user_id, message)

    async def send_promotion(
        self, user_id: str, header: str, texts: list[str], attachment_id: str | None = None
    ) -> str:
        """A promotion message (banner image, header, text paragraphs); its message id."""
        elements: list[dict] = []
        if attachment_id:
            elements.append({"type": "banner", "attachment_id": attachment_id})
        elements.append({"type": "header", "align": "left", "content": header})
        elements += [{"type": "text", "align": "left", "content": text} for text in texts]
        payload = {
            "template_type": zp.OA_TEMPLATE_PROMOTION,
            "language": "VI",
            "elements": elements,
        }
        body = {
            "recipient": {"user_id": user_id},
            "message": {"attachment": {"type": zp.OA_ATTACHMENT_TYPE, "payload": payload}},
        }
        data = await self._call("POST", zp.OA_PROMOTION_PATH, json_body=body, message=True)
        return str((data or {}).get("message_id", ""))

    async def upload_image(self, data: bytes, content_type: str, filename: str) -> str:
        """Upload an image once; the attachment id messages show it by."""
        answer = await self._call(
            "POST", zp.OA_UPLOAD_IMAGE_PATH, upload=(filename, data, content_type)
        )
        attachment_id = str((answer or {}).get("attachment_id") or "")
        if not attachment_id:
            raise ZaloOAError(NO_ATTACHMENT, "Zalo không trả về attachment_id của ảnh")
        return attachment_id

    async def _send_cs(self, user_id: str, message: dict) -> str:
        body = {"recipient": {"user_id": user_id}, "message": message}
        data = await self._call("POST", zp.OA_CS_PATH, json_body=body, message=True)
        return str((data or {}).get("message_id", ""))

    async def user_name(self, user_id: str) -> str:
        """The follower's display name, or "" when Zalo does not say."""
        params = {"data": json.dumps({"user_id": user_id})}
        try:
            data = await self._call("GET", zp.OA_USER_DETAIL_PATH, params=params)
        except (ZaloOAError, aiohttp.ClientError, TimeoutError) as exc:
            logger.info("Zalo OA profile of a user not available: %s", exc)
            return ""
        return str((data or {}).get("display_name", ""))

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: dict | None = None,
        params: dict | None = None,
        upload: Upload | None = None,
        message: bool = False,
    ) -> dict | None:
        """One Open API call; -216 refreshes the token and tries once more. ``message``: the
        call sends a message, so it is not tried again once it may have reached Zalo."""
        for retry_token in (True, False):
            token = await self.access_token()
            envelope = await self._http(method, path, token, json_body, params, upload, message)
            code = int(envelope.get("error", 0) or 0)
            if code == 0:
                return envelope.get("data")
            if code == zp.OA_ERROR_TOKEN and retry_token:
                await self.refresh(spent=token)
                continue
            raise ZaloOAError(code, str(envelope.get("message", "")))
        raise AssertionError("unreachable")

    async def _http(
        self,
        method: str,
        path: str,
        token: str,
        json_body: dict | None,
        params: dict | None,
        upload: Upload | None = None,
        message: bool = False,
    ) -> dict:
        assert self._session is not None, "start() first"
        headers = {zp.OA_ACCESS_TOKEN_HEADER: token}
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self._session.request(
                    method,
                    self.api_base_url + path,
                    json=json_body,
                    data=_form(upload) if upload else None,
                    params=params,
                    headers=headers,
                ) as response:
                    if response.status >= 500:
                        raise aiohttp.ClientResponseError(
                            response.request_info, (), status=response.status
                        )
                    return await response.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                doubtful = message and not isinstance(exc, aiohttp.ClientResponseError)
                if attempt == ATTEMPTS or (doubtful and not surely_unsent(exc)):
                    raise ZaloOAError(
                        -1, f"Zalo OA không phản hồi ({type(exc).__name__})"
                    ) from None
                await asyncio.sleep(0.3 * attempt)
        raise AssertionError("unreachable")

    # ---- tokens ---------------------------------------------------------------------------
    async def access_token(self) -> str:
        if self._tokens is None:
            await self._load()
        assert self._tokens is not None
        if self._tokens.refresh_token and self._tokens.expires_at - time.time() < REFRESH_MARGIN:
            await self.refresh(spent=self._tokens.access_token)
        return self._tokens.access_token

    async def refresh(self, spent: str) -> None:
        """Get new tokens unless someone (this process or another) already replaced ``spent``."""
        async with self._refreshing:
            await self._load()
            assert self._tokens is not None
            if self._tokens.access_token != spent:
                return  # refreshed meanwhile
            if not (self._tokens.refresh_token and self._app_secret):
                raise ZaloOAError(zp.OA_ERROR_TOKEN, "access token hết hạn, không có refresh token")
            fresh = await self._exchange(self._tokens.refresh_token)
            if await self.store.kv_compare_and_set(TOKENS_KEY, self._stored, fresh.dumps()):
                logger.info("Zalo OA access token refreshed")
            await self._load()  # ours, or the one another process stored first

    async def _exchange(self, refresh_token: str) -> Tokens:
        assert self._session is not None and self._app_secret is not None
        form = {
            "refresh_token": refresh_token,
            "app_id": self.app_id,
            "grant_type": "refresh_token",
        }
        headers = {zp.OA_OAUTH_SECRET_HEADER: self._app_secret}
        try:
            async with self._session.post(
                self.oauth_base_url + zp.OA_TOKEN_PATH, data=form, headers=headers
            ) as response:
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ZaloOAError(-1, f"không làm mới được token ({type(exc).__name__})") from None
        if not isinstance(body, dict) or not body.get("access_token"):
            code = int((body or {}).get("error", -1)) if isinstance(body, dict) else -1
            name = (body or {}).get("error_name", "") if isinstance(body, dict) else ""
            raise ZaloOAError(code, f"làm mới token bị từ chối: {name}")
        lifetime = float(body.get("expires_in") or UNKNOWN_LIFETIME)
        return Tokens(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or refresh_token),
            expires_at=time.time() + lifetime,
        )


def _form(upload: Upload) -> aiohttp.FormData:
    """A new multipart body for each attempt (aiohttp sends a FormData only once)."""
    filename, data, content_type = upload
    form = aiohttp.FormData()
    form.add_field(zp.OA_UPLOAD_FIELD, data, filename=filename, content_type=content_type)
    return form
