"""A fake Telegram Bot API server for tests, spoken to by the real python-telegram-bot client.

The server is an aiohttp app on 127.0.0.1 (a free port chosen by the OS). Point PTB at it with
``base_url``; PTB then posts to ``{base_url}{token}/{method}``::

    async with FakeTelegram() as tg:
        app = Application.builder().token(tg.token).base_url(tg.base_url).build()
        ...
        tg.push_update(tg.text_update(chat_id=42, user_id=42, text="xin chào"))
        call = await tg.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == 42)

What it answers like Telegram does (status code = ``error_code``, body
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}``):

* a wrong token -> 401 "Unauthorized"; an unknown method -> 404 "Not Found: method not found";
* text/caption checks: empty text, more than 4096 (caption 1024) UTF-16 units after entity
  parsing, malformed HTML / MarkdownV2 / Markdown for ``parse_mode`` ("can't parse entities");
* inline keyboards: buttons without an action, ``callback_data`` over 64 bytes, bad URLs;
* edits: unknown message, a user's message, "message is not modified";
* deleting an unknown message, answering an unknown callback query;
* ``getUpdates`` while a webhook is set, and a second long poll ending the first (409);
* ``getFile`` for the photos it knows (users' photos and the bot's sent ones): an unknown
  file id is 400 "invalid file_id", a file over 20 MB 400 "file is too big"; the bytes are
  served at ``/file/bot<token>/<file_path>``. Downloads are recorded as calls of method
  ``"file"`` (``params["file_path"]``), so ``fail_next("file", 404)`` fails one.

Messages the fake does not know are only tolerated where Telegram would not notice: replies to
an unknown message get a minimal ``reply_to_message``, and sends to unknown chats invent the chat
(``strict_chats=True`` answers 400 "chat not found" instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import hashlib
import inspect
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientSession, ClientTimeout, web

from tests.fakes.base import LoopbackFake, window_wait

DEFAULT_TOKEN = "7000000001:AAFakeTokenForTests-0123456789abcde"

MAX_TEXT_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_POLL_TIMEOUT = 50.0
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
DOWNLOAD = "file"  # the method name downloads are recorded under

# Form values arrive as strings: PTB sends str values raw and json.dumps everything else. These
# parameters are strings in the Bot API and are never JSON-decoded (a text "123" stays "123").
STRING_FIELDS = frozenset(
    {
        "text", "caption", "callback_query_id", "inline_message_id", "url", "photo", "sticker",
        "document", "video", "audio", "voice", "animation", "video_note", "thumbnail",
        "parse_mode", "action", "secret_token", "ip_address", "emoji", "title", "description",
        "short_description", "name", "language_code", "message_effect_id",
        "business_connection_id", "inline_query_id", "next_offset", "question", "explanation",
        "address", "first_name", "last_name", "phone_number", "vcard", "custom_title",
        "sticker_set_name", "invite_link", "payload", "provider_token", "currency",
        "start_parameter", "game_short_name", "shipping_query_id", "pre_checkout_query_id",
        "error_message", "file_id", "file_name", "foursquare_id", "foursquare_type",
        "google_place_id", "google_place_type",
    }
)  # fmt: skip
# Parameters that are JSON objects/arrays; decoded even if a JSON body double-encodes them.
JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope",
        "reply_parameters", "link_preview_options", "media", "menu_button", "results", "options",
        "message_ids",
    }
)  # fmt: skip

SEND_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendSticker", "forwardMessage",
        "copyMessage",
    }
)  # fmt: skip
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
# getUpdates without allowed_updates: everything but these (Bot API default).
NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

_dumps = functools.partial(json.dumps, ensure_ascii=False)


class ApiError(Exception):
    """An error answer of the fake API (raised inside method handlers)."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


class EntityParseError(ValueError):
    """Text that Telegram would refuse for its parse_mode; the message is Telegram's."""


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part (PTB uploads InputFile contents this way)."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(eq=False)
class Call:
    """One request the fake received. Unpacks as ``method, params, time`` (``time.time()``).

    ``status`` (HTTP status, 200 on success) and ``response`` (the JSON body sent back) are
    filled in once the fake has answered; both are ``None`` while a long poll is still waiting.
    """

    method: str
    params: dict[str, Any]
    time: float
    status: int | None = None
    response: dict[str, Any] | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.method, self.params, self.time))

    def __getitem__(self, index: int) -> Any:
        return (self.method, self.params, self.time)[index]

    def __len__(self) -> int:
        return 3

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return None if self.response is None else self.response.get("result")

    @property
    def error_code(self) -> int | None:
        return None if self.response is None else self.response.get("error_code")

    @property
    def chat_id(self) -> int | str | None:
        return _chat_key(self.params.get("chat_id"))


@dataclass
class _Failure:
    method: str
    code: int
    description: str
    parameters: dict[str, Any] | None
    chat_id: int | str | None
    remaining: int


class _Described:
    """A successful result that also carries a ``description`` (as setWebhook's does)."""

    def __init__(self, result: Any, description: str):
        self.result = result
        self.description = description


def _chat_key(value: Any) -> int | str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def fake_jpeg(size: int, seed: str = "") -> bytes:
    """``size`` bytes that look like a JPEG (start and end markers) and differ by ``seed``."""
    head, tail = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"\xff\xd9"
    filler = hashlib.sha256(seed.encode()).digest()
    body_size = max(0, size - len(head) - len(tail))
    return head + (filler * (body_size // len(filler) + 1))[:body_size] + tail


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _decode_form_value(key: str, value: str) -> Any:
    if key in STRING_FIELDS:
        return value
    try:
        return json.loads(value, parse_constant=_reject_constant)
    except ValueError:
        return value


def _decode_json_value(key: str, value: Any) -> Any:
    if key in JSON_FIELDS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


# ---------------------------------------------------------------------------------------------
# parse_mode: what Telegram accepts, and the plain text it keeps (error texts follow tdlib)
# ---------------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "tg-emoji", "code", "pre", "blockquote", "tg-time",
    }
)  # fmt: skip
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strike": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_url": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _html_unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return _HTML_NAMED[match.group(1)]
        number = int(match.group(2)) if match.group(2) else int(match.group(3), 16)
        try:
            return chr(number)
        except (ValueError, OverflowError):
            return match.group(0)

    return _HTML_ENTITY.sub(replace, text)


def _html_attributes(text: str, j: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes from ``text[j]`` up to the closing ``>``; returns them and its index."""
    n = len(text)
    attrs: dict[str, str] = {}
    while True:
        while j < n and text[j].isspace():
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[j] == ">":
            return attrs, j
        k = j
        while k < n and not text[k].isspace() and text[k] not in "=>":
            k += 1
        name = text[j:k].lower()
        while k < n and text[k].isspace():
            k += 1
        if k >= n or text[k] != "=":
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(text, begin)}"
            )
        k += 1
        while k < n and text[k].isspace():
            k += 1
        if k >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[k] in "'\"":
            end = text.find(text[k], k + 1)
            if end < 0:
                raise EntityParseError(
                    f"Unclosed end of an attribute value at byte offset {_byte_offset(text, k)}"
                )
            attrs[name] = _html_unescape(text[k + 1 : end])
            j = end + 1
        else:
            match = re.compile(r"[A-Za-z0-9.\-]*").match(text, k)
            assert match is not None
            attrs[name] = match.group(0)
            j = match.end()


def html_to_plain(text: str) -> str:
    """The text Telegram keeps from ``parse_mode="HTML"``, or EntityParseError."""
    out: list[str] = []
    stack: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            match = _HTML_ENTITY.match(text, i)
            if match:
                out.append(_html_unescape(match.group(0)))
                i = match.end()
                continue
        if c != "<":
            out.append(c)
            i += 1
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                )
            j = i + 2
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            name = text[i + 2 : j].lower()
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(text, begin)}"
                )
            opened = stack.pop()
            if name and name != opened:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{opened}>", found "</{name}>"'
                )
            i = j + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
            )
        attrs, j = _html_attributes(text, j, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        stack.append(name)
        i = j + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _mdv2_closes(kind: str | None, text: str, i: int) -> bool:
    c = text[i]
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return {
        "bold": c == "*",
        "italic": c == "_" and nxt != "_",
        "underline": text.startswith("__", i),
        "strike": c == "~",
        "spoiler": text.startswith("||", i),
        "code": c == "`",
        "pre": text.startswith("```", i),
        "text_url": c == "]",
        "custom_emoji": c == "]",
    }.get(kind or "", False)


def markdown_v2_to_plain(text: str) -> str:
    """The text Telegram keeps from ``parse_mode="MarkdownV2"``, or EntityParseError."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []  # (entity kind, byte offset of its start)
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            i += 2
            continue
        kind = stack[-1][0] if stack else None
        in_code = kind in ("code", "pre")
        if c not in ("`" if in_code else _MDV2_RESERVED):
            out.append(c)
            i += 1
            continue
        if c == ">" and not in_code and (i == 0 or text[i - 1] == "\n"):
            i += 1  # a blockquote line
            continue
        if _mdv2_closes(kind, text, i):
            assert kind is not None
            stack.pop()
            if kind in ("underline", "spoiler"):
                i += 2
            elif kind == "pre":
                i += 3
            else:
                i += 1
            if kind in ("text_url", "custom_emoji") and i < n and text[i] == "(":
                url_begin = i + 1
                k = url_begin
                while k < n and text[k] != ")":
                    k += 2 if text[k] == "\\" and k + 1 < n and 0 < ord(text[k + 1]) <= 126 else 1
                if k >= n:
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, url_begin)}"
                    )
                i = k + 1
            continue
        begin = i
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "_":
            kind, i = ("underline", i + 2) if nxt == "_" else ("italic", i + 1)
        elif c == "*":
            kind, i = "bold", i + 1
        elif c == "~":
            kind, i = "strike", i + 1
        elif c == "|" and nxt == "|":
            kind, i = "spoiler", i + 2
        elif c == "[":
            kind, i = "text_url", i + 1
        elif c == "!" and nxt == "[":
            kind, i = "custom_emoji", i + 2
        elif c == "`" and text.startswith("```", i):
            kind, i = "pre", i + 3
            k = i
            while k < n and not text[k].isspace() and text[k] != "`":
                k += 1
            if k != i and k < n and text[k] != "`":
                i = k  # a language name
            if i < n and text[i] in "\r\n":
                i += 1
        elif c == "`":
            kind, i = "code", i + 1
        else:
            raise EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        stack.append((kind, _byte_offset(text, begin)))
    if stack:
        kind, offset = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {offset}"
        )
    return "".join(out)


def markdown_to_plain(text: str) -> str:
    """The text Telegram keeps from the legacy ``parse_mode="Markdown"``, or EntityParseError."""
    out: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            i += 1
            continue
        begin = i
        marker = "```" if text.startswith("```", i) else ("]" if c == "[" else c)
        i += 3 if marker == "```" else 1
        end = text.find(marker, i)
        if end < 0:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        out.append(text[i:end])
        i = end + len(marker)
        if c == "[" and i < n and text[i] == "(":
            close = text.find(")", i)
            if close < 0:
                raise EntityParseError(
                    "Can't find end of the entity starting at byte offset "
                    f"{_byte_offset(text, begin)}"
                )
            i = close + 1
    return "".join(out)


def render_text(text: str, parse_mode: str | None) -> str:
    """Plain text of a message as Telegram keeps it; ApiError 400 where Telegram refuses it."""
    mode = (parse_mode or "").lower()
    parsers: dict[str, Callable[[str], str]] = {
        "html": html_to_plain,
        "markdownv2": markdown_v2_to_plain,
        "markdown": markdown_to_plain,
    }
    if not mode:
        return text
    if mode not in parsers:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    try:
        return parsers[mode](text)
    except EntityParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate a reply_markup; returns the inline keyboard (the only kind echoed in a Message)."""
    if markup is None or markup == "":
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            markup = None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None  # ReplyKeyboardMarkup / ReplyKeyboardRemove / ForceReply: not echoed
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(
            400,
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array '
            "of Arrays",
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise ApiError(
                    400,
                    'Bad Request: can\'t parse inline keyboard button: Field "text" must be of '
                    "type String",
                )
            if not any(action in button for action in BUTTON_ACTIONS):
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed "
                    "in the inline keyboard",
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                ):
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if "url" in button and not re.match(r"(https?|tg)://\S", str(button["url"])):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    return copy.deepcopy(markup)


# ---------------------------------------------------------------------------------------------
# the fake
# ---------------------------------------------------------------------------------------------


class FakeTelegram(LoopbackFake[Call]):
    """A fake Telegram Bot API on 127.0.0.1, used as ``async with FakeTelegram() as tg``.

    Args:
        token: the bot token the fake accepts; its digits before ``:`` are the bot's user id.
        enforce_limits: answer 429 (with ``parameters.retry_after``) past Telegram's flood
            limits: ``global_per_second`` sends in any 1 s, ``chat_per_second`` sends to one
            chat in any 1 s, and ``group_per_minute`` sends to one group (negative id) in any
            60 s. A send is any of ``SEND_METHODS``; refused sends are not counted.
        strict_chats: sends to a chat that no builder, update or ``add_chat`` introduced answer
            400 "Bad Request: chat not found" (by default the chat is invented).
        clock: monotonic seconds for the flood limits (tests may pass a frozen clock).
    """

    name = "Telegram"
    client_max_size = 64 * 1024 * 1024  # sendPhoto/sendDocument uploads

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "hoidap_test_bot",
        bot_first_name: str = "Hỏi đáp NQ02",
        enforce_limits: bool = False,
        global_per_second: int = 30,
        chat_per_second: int = 1,
        group_per_minute: int | None = 20,
        strict_chats: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        bot_id, _, _ = token.partition(":")
        if not bot_id.isdigit():
            raise ValueError("a Telegram token looks like '<bot id digits>:<secret>'")
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.enforce_limits = enforce_limits
        self.global_per_second = global_per_second
        self.chat_per_second = chat_per_second
        self.group_per_minute = group_per_minute
        self.strict_chats = strict_chats
        self._clock = clock

        super().__init__()
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {}
        self._updates: list[dict[str, Any]] = []
        self._allowed_updates: list[str] | None = None
        self._update_ids = itertools.count(100_001)
        self._last_update_id = 100_000
        self._message_ids = itertools.count(1)
        self._last_message_id = 0
        self._file_ids = itertools.count(1)
        self._files: dict[str, dict[str, Any]] = {}  # file_id -> getFile's File + "data"
        self._query_ids = itertools.count(4_380_000_000_000_000_001)
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._sources: dict[tuple[int | str, int], tuple[str, str | None]] = {}
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._queries: dict[str, dict[str, Any]] = {}
        self._failures: list[_Failure] = []
        self._blocked: dict[int | str, str] = {}
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int | str, deque[float]] = {}
        self._group_windows: dict[int | str, deque[float]] = {}
        self._poll_generation = 0
        self._updates_changed = asyncio.Event()

        handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "sendDocument": self._send_document,
            "sendSticker": self._send_sticker,
            "forwardMessage": self._forward_message,
            "copyMessage": self._copy_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
        }
        # Telegram matches method names case-insensitively.
        self._handlers = {name.lower(): (name, fn) for name, fn in handlers.items()}

    # --- lifecycle (the rest in LoopbackFake) -----------------------------------------------

    def _routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._not_found)

    def _on_close(self) -> None:
        self._wake_pollers()

    @staticmethod
    def _describe(call: Call) -> str:
        return f"{call.method}:{call.status}"

    @property
    def base_url(self) -> str:
        """For ``Bot(token, base_url=...)`` / ``ApplicationBuilder.base_url(...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``Bot(token, base_file_url=...)``: where PTB downloads files from."""
        return f"{self.url}/file/bot"

    @property
    def bot_id(self) -> int:
        return self.bot_user["id"]

    # --- recorded calls --------------------------------------------------------------------------

    def calls_to(self, method: str, *, ok_only: bool = False) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def sent_messages(
        self, chat_id: int | str | None = None, *, include_failed: bool = False
    ) -> list[dict[str, Any]]:
        """Params of the sendMessage calls (answered with success unless include_failed)."""
        key = _chat_key(chat_id)
        return [
            c.params
            for c in self.calls
            if c.method == "sendMessage"
            and (include_failed or c.ok)
            and (key is None or c.chat_id == key)
        ]

    async def wait_for_message(
        self,
        chat_id: int | str | None = None,
        timeout: float = 60.0,
        *,
        since: int = 0,
        text_contains: str | None = None,
    ) -> dict[str, Any]:
        """Params of the first successful sendMessage (to ``chat_id``) from index ``since``."""
        key = _chat_key(chat_id)

        def matches(call: Call) -> bool:
            return (
                call.method == "sendMessage"
                and call.ok
                and (key is None or call.chat_id == key)
                and (text_contains is None or text_contains in str(call.params.get("text")))
            )

        return (await self.wait_for(matches, timeout, since=since)).params

    # --- failure injection -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"``: any method), optionally only
        those to ``chat_id``, answer ``error_code``. A 429 always carries
        ``parameters.retry_after`` (default 1), as Telegram's do."""
        parameters: dict[str, Any] | None = None
        if error_code == 429:
            retry_after = 1 if retry_after is None else retry_after
        if retry_after is not None:
            parameters = {"retry_after": retry_after}
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else DEFAULT_DESCRIPTIONS.get(error_code, "Error")
            )
        self._failures.append(
            _Failure(method, error_code, description, parameters, _chat_key(chat_id), times)
        )

    def block_chat(self, chat_id: int | str, description: str | None = None) -> None:
        """Every call addressed to ``chat_id`` answers 403 until ``unblock_chat``."""
        key = _chat_key(chat_id)
        assert key is not None
        if description is None:
            chat_type = self._chats.get(key, {}).get("type")
            if chat_type is None:
                chat_type = "private" if isinstance(key, int) and key > 0 else "supergroup"
            description = (
                "Forbidden: bot was blocked by the user"
                if chat_type == "private"
                else f"Forbidden: bot was kicked from the {chat_type} chat"
            )
        self._blocked[key] = description

    def unblock_chat(self, chat_id: int | str) -> None:
        self._blocked.pop(_chat_key(chat_id) or "", None)

    # --- state ---------------------------------------------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        chat_type: str | None = None,
        *,
        title: str | None = None,
        first_name: str = "An",
        username: str | None = None,
    ) -> dict[str, Any]:
        """Introduce a chat (negative ids default to a supergroup)."""
        chat_type = chat_type or ("private" if chat_id > 0 else "supergroup")
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = title or f"Nhóm {abs(chat_id)}"
        if username:
            chat["username"] = username
        self._chats[chat_id] = chat
        return copy.deepcopy(chat)

    def message(self, chat_id: int | str, message_id: int) -> dict[str, Any] | None:
        """The message as it stands now (after edits), or None if unknown or deleted."""
        found = self._messages.get((_chat_key(chat_id) or "", message_id))
        return copy.deepcopy(found) if found else None

    def bot_messages(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """The bot's messages still present (not deleted), oldest first."""
        key = _chat_key(chat_id)
        return [
            copy.deepcopy(m)
            for (cid, _), m in sorted(self._messages.items(), key=lambda kv: kv[0][1])
            if m.get("from", {}).get("id") == self.bot_id and (key is None or cid == key)
        ]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._updates)

    # --- updates ---------------------------------------------------------------------------------------

    def push_update(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (assigning ``update_id`` if missing); returns it."""
        update = copy.deepcopy(dict(update))
        if "update_id" not in update:
            update["update_id"] = self._next_update_id()
        else:
            self._claim_update_id(int(update["update_id"]))
        self.register_update(update)
        self._updates.append(update)
        self._wake_pollers()
        return copy.deepcopy(update)

    def register_update(self, update: Mapping[str, Any]) -> None:
        """Remember the chats, users and messages an update carries (done by push_update)."""
        for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if isinstance(update.get(kind), dict):
                self._remember_message(update[kind])
        query = update.get("callback_query")
        if isinstance(query, dict):
            if isinstance(query.get("message"), dict):
                self._remember_message(query["message"])
            self._queries.setdefault(str(query.get("id")), {"answered": False})

    def text_update(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        first_name: str = "An",
        chat_type: str | None = None,
        reply_to_message_id: int | None = None,
        message_id: int | None = None,
        *,
        chat_title: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
    ) -> dict[str, Any]:
        """An update with a user's text message. ``chat_type`` defaults to "private" for a
        positive ``chat_id`` and "supergroup" for a negative one; ``/commands`` in the text get
        ``bot_command`` entities (PTB's CommandHandler needs them)."""
        message = self._user_message(
            chat_id, user_id, first_name, chat_type, reply_to_message_id, message_id,
            chat_title=chat_title, username=username, language_code=language_code,
        )  # fmt: skip
        message["text"] = text
        entities = [
            {
                "type": "bot_command",
                "offset": _utf16_len(text[: m.start()]),
                "length": _utf16_len(m.group(0)),
            }
            for m in _COMMAND.finditer(text)
        ]
        if entities:
            message["entities"] = entities
        return self._wrap_message(message)

    def photo_update(
        self,
        chat_id: int,
        user_id: int,
        caption: str | None = None,
        first_name: str = "An",
        chat_type: str | None = None,
        reply_to_message_id: int | None = None,
        message_id: int | None = None,
        *,
        file_id: str | None = None,
        chat_title: str | None = None,
        data: bytes | None = None,
    ) -> dict[str, Any]:
        """An update with a user's photo (two sizes), optionally captioned. ``data``: the
        largest size's bytes, as getFile and the download serve them (default: a made-up
        JPEG of 48,213 bytes)."""
        message = self._user_message(
            chat_id, user_id, first_name, chat_type, reply_to_message_id, message_id,
            chat_title=chat_title,
        )  # fmt: skip
        message["photo"] = self._photo_sizes(file_id, len(data) if data else 48_213, data)
        if caption is not None:
            message["caption"] = caption
        return self._wrap_message(message)

    def sticker_update(
        self,
        chat_id: int,
        user_id: int,
        emoji: str = "👍",
        first_name: str = "An",
        chat_type: str | None = None,
        reply_to_message_id: int | None = None,
        message_id: int | None = None,
        *,
        file_id: str | None = None,
        set_name: str | None = "HotCherry",
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """An update with a user's (static, regular) sticker."""
        message = self._user_message(
            chat_id, user_id, first_name, chat_type, reply_to_message_id, message_id,
            chat_title=chat_title,
        )  # fmt: skip
        message["sticker"] = self._sticker(file_id, emoji, set_name)
        return self._wrap_message(message)

    def callback_update(
        self,
        chat_id: int,
        user_id: int,
        data: str,
        message_id: int,
        first_name: str = "An",
        chat_type: str | None = None,
        *,
        query_id: str | None = None,
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """A user pressing an inline button with ``data`` under message ``message_id``.

        The query carries the message as the fake knows it (a bot message it sent); an unknown
        id gets a stand-in bot message, remembered so it can then be edited or deleted."""
        user = self._register_user(user_id, first_name)
        chat = self._register_chat(chat_id, chat_type, user, chat_title)
        self._claim_message_id(message_id)
        key = (chat_id, message_id)
        if key not in self._messages:
            self._messages[key] = {
                "message_id": message_id,
                "from": dict(self.bot_user),
                "chat": chat,
                "date": int(time.time()),
                "text": "…",
            }
            self._sources[key] = ("…", None)
        qid = query_id or str(next(self._query_ids))
        self._queries[qid] = {"answered": False}
        return {
            "update_id": self._next_update_id(),
            "callback_query": {
                "id": qid,
                "from": user,
                "message": copy.deepcopy(self._messages[key]),
                "chat_instance": str(-(abs(chat_id) * 7_919 + 1_234_567) % 10**19),
                "data": data,
            },
        }

    def my_chat_member_update(
        self,
        chat_id: int,
        user_id: int,
        new_status: str = "kicked",
        old_status: str = "member",
        first_name: str = "An",
        chat_type: str | None = None,
    ) -> dict[str, Any]:
        """The bot's membership changing, e.g. a user blocking ("kicked") or restarting it."""
        user = self._register_user(user_id, first_name)
        chat = self._register_chat(chat_id, chat_type, user, None)

        def member(status: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"user": dict(self.bot_user), "status": status}
            if status == "kicked":
                entry["until_date"] = 0
            if status == "administrator":
                entry.update(
                    can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                    can_delete_messages=True, can_manage_video_chats=True,
                    can_restrict_members=True, can_promote_members=False, can_change_info=True,
                    can_invite_users=True, can_post_stories=False, can_edit_stories=False,
                    can_delete_stories=False,
                )  # fmt: skip
            return entry

        return {
            "update_id": self._next_update_id(),
            "my_chat_member": {
                "chat": chat,
                "from": user,
                "date": int(time.time()),
                "old_chat_member": member(old_status),
                "new_chat_member": member(new_status),
            },
        }

    async def deliver_webhook(
        self, update: Mapping[str, Any], *, url: str | None = None, timeout: float = 10.0
    ) -> int:
        """POST ``update`` to the webhook set by setWebhook (or ``url``) as Telegram would,
        with the X-Telegram-Bot-Api-Secret-Token header; returns the HTTP status. Loopback
        URLs only."""
        target = url or self.webhook.get("url")
        if not target:
            raise RuntimeError("no webhook is set")
        if urlsplit(target).hostname not in _LOOPBACK_HOSTS:
            raise ValueError(f"the fake only delivers to loopback addresses, not {target}")
        self.register_update(update)
        headers = {"Content-Type": "application/json"}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        async with (
            ClientSession(timeout=ClientTimeout(total=timeout)) as session,
            session.post(target, data=_dumps(dict(update)), headers=headers) as response,
        ):
            await response.read()
            return response.status

    # --- HTTP ---------------------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        body = {"ok": False, "error_code": 404, "description": "Not Found"}
        return web.json_response(body, status=404, dumps=_dumps)

    async def _handle(self, request: web.Request) -> web.Response:
        entry = self._handlers.get(request.match_info["method"].lower())
        method = entry[0] if entry else request.match_info["method"]
        bad_body: ApiError | None = None
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            params, bad_body = {}, exc
        call = Call(method, params, time.time())
        self.calls.append(call)
        self._notify_calls()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found: method not found")
            if bad_body is not None:
                raise bad_body
            self._injected_failure(method, params)
            self._check_blocked(params)
            counted = self._check_flood(method, params)
            result = entry[1](params)
            if inspect.isawaitable(result):
                result = await result
            if counted is not None:
                self._count_send(counted)
            body: dict[str, Any] = {"ok": True}
            if isinstance(result, _Described):
                body.update(result=result.result, description=result.description)
            else:
                body["result"] = result
            status = 200
        except ApiError as exc:
            body, status = exc.body(), exc.code
        call.status, call.response = status, body
        self._notify_calls()
        return web.json_response(body, status=status, dumps=_dumps)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {k: _decode_form_value(k, v) for k, v in request.query.items()}
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON request body must be an object")
            params.update({k: _decode_json_value(k, v) for k, v in body.items()})
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = UploadedFile(
                        key, value.filename, value.content_type, value.file.read()
                    )
                else:
                    params[key] = _decode_form_value(key, str(value))
        return params

    def _wake_pollers(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    # --- checks before a method runs ----------------------------------------------------------------

    def _injected_failure(self, method: str, params: dict[str, Any]) -> None:
        chat = _chat_key(params.get("chat_id"))
        for failure in self._failures:
            if failure.method not in ("*", method) and failure.method.lower() != method.lower():
                continue
            if failure.chat_id is not None and failure.chat_id != chat:
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            raise ApiError(failure.code, failure.description, failure.parameters)

    def _check_blocked(self, params: dict[str, Any]) -> None:
        chat = _chat_key(params.get("chat_id"))
        if chat is not None and chat in self._blocked:
            raise ApiError(403, self._blocked[chat])

    def _check_flood(self, method: str, params: dict[str, Any]) -> int | str | None:
        """None if this call is not a counted send; else its chat (after a limits check)."""
        chat = _chat_key(params.get("chat_id"))
        if method not in SEND_METHODS or chat is None:
            return None
        if not self.enforce_limits:
            return chat
        now = self._clock()
        waits = [
            window_wait(self._global_window, now, 1.0, self.global_per_second),
            window_wait(self._chat_windows.get(chat), now, 1.0, self.chat_per_second),
        ]
        if self.group_per_minute is not None and isinstance(chat, int) and chat < 0:
            waits.append(
                window_wait(self._group_windows.get(chat), now, 60.0, self.group_per_minute)
            )
        wait = max(waits)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        return chat

    def _count_send(self, chat: int | str) -> None:
        if not self.enforce_limits:
            return
        now = self._clock()
        self._global_window.append(now)
        self._chat_windows.setdefault(chat, deque()).append(now)
        if isinstance(chat, int) and chat < 0:
            self._group_windows.setdefault(chat, deque()).append(now)

    # --- ids, chats, users, messages -----------------------------------------------------------------

    def _next_update_id(self) -> int:
        self._last_update_id = next(self._update_ids)
        return self._last_update_id

    def _claim_update_id(self, update_id: int) -> None:
        if update_id > self._last_update_id:
            self._update_ids = itertools.count(update_id + 1)
            self._last_update_id = update_id

    def _new_message_id(self) -> int:
        self._last_message_id = next(self._message_ids)
        return self._last_message_id

    def _claim_message_id(self, message_id: int) -> None:
        if message_id > self._last_message_id:
            self._message_ids = itertools.count(message_id + 1)
            self._last_message_id = message_id

    def _new_file_id(self, prefix: str) -> tuple[str, str]:
        n = next(self._file_ids)
        return f"{prefix}AAxkBAAI{n:08d}FakeFileId", f"AQAD{n:08d}"

    def _register_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "vi",
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return copy.deepcopy(user)

    def _register_chat(
        self,
        chat_id: int,
        chat_type: str | None,
        user: dict[str, Any],
        title: str | None,
    ) -> dict[str, Any]:
        chat_type = chat_type or ("private" if chat_id > 0 else "supergroup")
        known = self._chats.get(chat_id)
        if (
            known is not None
            and known["type"] == chat_type
            and (chat_type != "private" or known.get("first_name") == user["first_name"])
            and (title is None or known.get("title") == title)
        ):
            return copy.deepcopy(known)
        if chat_type == "private":
            return self.add_chat(
                chat_id, "private", first_name=user["first_name"], username=user.get("username")
            )
        return self.add_chat(chat_id, chat_type, title=title)

    def _chat_for_send(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_key(params.get("chat_id"))
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if chat_id in self._chats:
            return copy.deepcopy(self._chats[chat_id])
        if isinstance(chat_id, str):
            for chat in self._chats.values():
                if chat_id.lstrip("@").lower() == str(chat.get("username", "")).lower():
                    return copy.deepcopy(chat)
            raise ApiError(400, "Bad Request: chat not found")
        if self.strict_chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id > 0:
            return self.add_chat(chat_id, "private", first_name=f"User {chat_id}")
        return self.add_chat(chat_id, "supergroup")

    def _remember_message(self, message: dict[str, Any]) -> None:
        chat = message.get("chat")
        if not isinstance(chat, dict) or "id" not in chat or "message_id" not in message:
            return
        self._chats.setdefault(chat["id"], copy.deepcopy(chat))
        sender = message.get("from")
        if isinstance(sender, dict) and not sender.get("is_bot"):
            self._users.setdefault(sender["id"], copy.deepcopy(sender))
        self._claim_message_id(int(message["message_id"]))
        key = (chat["id"], int(message["message_id"]))
        self._messages[key] = copy.deepcopy(message)
        self._sources.setdefault(key, (message.get("text", message.get("caption", "")), None))

    def _reply_to(self, chat: dict[str, Any], message_id: int) -> dict[str, Any]:
        known = self._messages.get((chat["id"], message_id))
        if known is not None:
            reply = copy.deepcopy(known)
            reply.pop("reply_to_message", None)
            return reply
        return {
            "message_id": message_id,
            "from": dict(self.bot_user),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
            "text": "",
        }

    def _user_message(
        self,
        chat_id: int,
        user_id: int,
        first_name: str,
        chat_type: str | None,
        reply_to_message_id: int | None,
        message_id: int | None,
        *,
        chat_title: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
    ) -> dict[str, Any]:
        user = self._register_user(user_id, first_name, username, language_code)
        chat = self._register_chat(chat_id, chat_type, user, chat_title)
        if message_id is None:
            message_id = self._new_message_id()
        else:
            self._claim_message_id(message_id)
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._reply_to(chat, reply_to_message_id)
        return message

    def _wrap_message(self, message: dict[str, Any]) -> dict[str, Any]:
        self._remember_message(message)
        return {"update_id": self._next_update_id(), "message": message}

    def _photo_sizes(
        self, file_id: str | None, size: int, data: bytes | None = None
    ) -> list[dict[str, Any]]:
        thumb_id, thumb_unique = self._new_file_id("AgACAgIAAxkBAAIs")
        big_id, big_unique = self._new_file_id("AgACAgIAAxkBAAIb")
        sizes = [
            {"file_id": thumb_id, "file_unique_id": thumb_unique, "file_size": 1_337,
             "width": 90, "height": 68},
            {"file_id": file_id or big_id, "file_unique_id": big_unique, "file_size": size,
             "width": 1_280, "height": 960},
        ]  # fmt: skip
        self._remember_file(sizes[0], None)
        self._remember_file(sizes[1], data)
        return sizes

    def _remember_file(self, file: dict[str, Any], data: bytes | None) -> None:
        """Make a photo size downloadable; a file id known already keeps its bytes."""
        if file["file_id"] in self._files:
            known = self._files[file["file_id"]]
            file.update(file_size=known["file_size"], file_unique_id=known["file_unique_id"])
            return
        if data is None:
            data = fake_jpeg(file["file_size"], seed=file["file_unique_id"])
        self._files[file["file_id"]] = {
            "file_id": file["file_id"],
            "file_unique_id": file["file_unique_id"],
            "file_size": len(data),
            "file_path": f"photos/file_{len(self._files)}.jpg",
            "data": data,
        }

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes getFile and the download serve for ``file_id`` (KeyError if unknown)."""
        return self._files[file_id]["data"]

    def _sticker(self, file_id: str | None, emoji: str | None, set_name: str | None) -> dict:
        new_id, unique = self._new_file_id("CAACAgIAAxkBAAIs")
        sticker: dict[str, Any] = {
            "file_id": file_id or new_id,
            "file_unique_id": unique,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "file_size": 23_456,
        }
        if emoji:
            sticker["emoji"] = emoji
        if set_name:
            sticker["set_name"] = set_name
        return sticker

    def _bot_message(
        self,
        chat: dict[str, Any],
        params: dict[str, Any],
        content: dict[str, Any],
        source: tuple[str, str | None],
    ) -> dict[str, Any]:
        """Store and return a new message from the bot in ``chat``."""
        markup = check_reply_markup(params.get("reply_markup"))
        message: dict[str, Any] = {
            "message_id": self._new_message_id(),
            "from": dict(self.bot_user),
            "chat": chat,
            "date": int(time.time()),
        }
        reply = params.get("reply_parameters")
        reply_id = reply.get("message_id") if isinstance(reply, dict) else None
        reply_id = reply_id if reply_id is not None else params.get("reply_to_message_id")
        if reply_id is not None:
            message["reply_to_message"] = self._reply_to(chat, int(reply_id))
        message.update(content)
        if markup is not None:
            message["reply_markup"] = markup
        key = (chat["id"], message["message_id"])
        self._messages[key] = message
        self._sources[key] = source
        return copy.deepcopy(message)

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        caption = params.get("caption")
        if caption is None or caption == "":
            return {}
        plain = render_text(str(caption), params.get("parse_mode"))
        if _utf16_len(plain) > MAX_CAPTION_UTF16:
            raise ApiError(400, "Bad Request: message caption is too long")
        return {"caption": plain}

    def _file_param(self, params: dict[str, Any], name: str) -> tuple[str | None, int]:
        """(the file_id to echo or None for a new one, size) of a file parameter, or 400."""
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            return None, len(value.data)
        if not isinstance(value, str) or not value.strip():
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        return (None if _is_url(value) else value), 54_321

    def _stored(self, params: dict[str, Any], missing: str) -> tuple[tuple[int | str, int], dict]:
        chat_id = _chat_key(params.get("chat_id"))
        message_id = params.get("message_id")
        if chat_id is None or message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        key = (chat_id, int(message_id))
        if key not in self._messages:
            raise ApiError(400, f"Bad Request: {missing}")
        return key, self._messages[key]

    # --- methods --------------------------------------------------------------------------------------

    def _true(self, params: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_POLL_TIMEOUT)
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = list(allowed) if allowed else None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        # A new long poll ends the one still waiting (as Telegram does).
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            ready = [u for u in self._updates if self._wanted(u)][:limit]
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._closing:
                return copy.deepcopy(ready)
            changed = self._updates_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _wanted(self, update: dict[str, Any]) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if self._allowed_updates is None:
            return kind not in NOT_DEFAULT_UPDATES
        return kind in self._allowed_updates

    def _set_webhook(self, params: dict[str, Any]) -> _Described:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params)
        if not re.match(r"https?://", url):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": int(params.get("max_connections") or 40),
            "allowed_updates": params.get("allowed_updates"),
        }
        return _Described(True, "Webhook was set")

    def _delete_webhook(self, params: dict[str, Any]) -> _Described:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        was_set = bool(self.webhook.get("url"))
        self.webhook = {}
        return _Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = list(self.webhook["allowed_updates"])
        return info

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        text = params.get("text")
        text = "" if text is None else str(text)
        plain = render_text(text, params.get("parse_mode")) if text else ""
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(plain) > MAX_TEXT_UTF16:
            raise ApiError(400, "Bad Request: message is too long")
        return self._bot_message(chat, params, {"text": plain}, (text, params.get("parse_mode")))

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        file_id, size = self._file_param(params, "photo")
        upload = params.get("photo")
        data = upload.data if isinstance(upload, UploadedFile) else None
        content = {"photo": self._photo_sizes(file_id, size, data), **self._caption(params)}
        return self._bot_message(chat, params, content, self._caption_source(params))

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file = self._files.get(str(params.get("file_id") or ""))
        if file is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if file["file_size"] > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {k: v for k, v in file.items() if k != "data"}

    async def _download(self, request: web.Request) -> web.Response:
        file_path = request.match_info["file_path"]
        call = Call(DOWNLOAD, {"file_path": file_path}, time.time())
        self.calls.append(call)
        self._notify_calls()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(404, "Not Found")
            self._injected_failure(DOWNLOAD, call.params)
            found = next((f for f in self._files.values() if f["file_path"] == file_path), None)
            if found is None:
                raise ApiError(404, "Not Found")
        except ApiError as exc:
            call.status, call.response = exc.code, exc.body()
            self._notify_calls()
            return web.json_response(exc.body(), status=exc.code, dumps=_dumps)
        call.status, call.response = 200, {"ok": True, "result": {"size": found["file_size"]}}
        self._notify_calls()
        return web.Response(body=found["data"], content_type="image/jpeg")

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        file_id, size = self._file_param(params, "document")
        new_id, unique = self._new_file_id("BQACAgIAAxkBAAIs")
        upload = params.get("document")
        name = upload.filename if isinstance(upload, UploadedFile) else None
        document: dict[str, Any] = {
            "file_id": file_id or new_id,
            "file_unique_id": unique,
            "file_size": size,
        }
        if name:
            document["file_name"] = name
        if isinstance(upload, UploadedFile) and upload.content_type:
            document["mime_type"] = upload.content_type
        content = {"document": document, **self._caption(params)}
        return self._bot_message(chat, params, content, self._caption_source(params))

    def _send_sticker(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        file_id, _ = self._file_param(params, "sticker")
        emoji = params.get("emoji")
        content = {"sticker": self._sticker(file_id, str(emoji) if emoji else None, None)}
        return self._bot_message(chat, params, content, ("", None))

    @staticmethod
    def _caption_source(params: dict[str, Any]) -> tuple[str, str | None]:
        return str(params.get("caption") or ""), params.get("parse_mode")

    def _copied_content(self, source: dict[str, Any]) -> dict[str, Any]:
        keys = ("text", "entities", "caption", "caption_entities", "photo", "sticker", "document")
        return {k: copy.deepcopy(source[k]) for k in keys if k in source}

    def _forward_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        source_key = (_chat_key(params.get("from_chat_id")) or "", int(params.get("message_id", 0)))
        source = self._messages.get(source_key)
        if source is None:
            raise ApiError(400, "Bad Request: message to forward not found")
        if "from" in source:
            origin = {"type": "user", "sender_user": copy.deepcopy(source["from"])}
        else:
            origin = {"type": "chat", "sender_chat": copy.deepcopy(source["chat"])}
        origin["date"] = source["date"]
        content = {"forward_origin": origin, **self._copied_content(source)}
        plain = {k: v for k, v in params.items() if k != "reply_markup"}
        return self._bot_message(chat, plain, content, self._sources.get(source_key, ("", None)))

    def _copy_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        source_key = (_chat_key(params.get("from_chat_id")) or "", int(params.get("message_id", 0)))
        source = self._messages.get(source_key)
        if source is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        content = self._copied_content(source)
        if "caption" in params and "text" not in content:
            content.pop("caption_entities", None)
            content.update(self._caption(params))
        message = self._bot_message(
            chat, params, content, self._sources.get(source_key, ("", None))
        )
        return {"message_id": message["message_id"]}

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        text = str(params.get("text") or "")
        plain = render_text(text, params.get("parse_mode")) if text else ""
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(plain) > MAX_TEXT_UTF16:
            raise ApiError(400, "Bad Request: message is too long")
        markup = check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key, message = self._stored(params, "message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        source = (text, params.get("parse_mode"))
        if (
            message["text"] == plain
            and self._sources.get(key) == source
            and message.get("reply_markup") == markup
        ):
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(key, message, {"text": plain}, markup, source)

    def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        caption = self._caption(params)
        markup = check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key, message = self._stored(params, "message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        if not any(k in message for k in ("photo", "document", "video", "audio", "animation")):
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        source = self._caption_source(params)
        if (
            message.get("caption") == caption.get("caption")
            and self._sources.get(key) == source
            and message.get("reply_markup") == markup
        ):
            raise ApiError(400, NOT_MODIFIED)
        message.pop("caption", None)
        return self._apply_edit(key, message, caption, markup, source)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        markup = check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key, message = self._stored(params, "message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        if message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(key, message, {}, markup, self._sources.get(key, ("", None)))

    def _apply_edit(
        self,
        key: tuple[int | str, int],
        message: dict[str, Any],
        content: dict[str, Any],
        markup: dict[str, Any] | None,
        source: tuple[str, str | None],
    ) -> dict[str, Any]:
        message.update(content)
        message.pop("entities", None)
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = max(int(time.time()), message["date"])
        self._sources[key] = source
        return copy.deepcopy(message)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        key, _ = self._stored(params, "message to delete not found")
        del self._messages[key]
        self._sources.pop(key, None)
        return True

    def _delete_messages(self, params: dict[str, Any]) -> bool:
        chat_id = _chat_key(params.get("chat_id")) or ""
        for message_id in params.get("message_ids") or []:
            self._messages.pop((chat_id, int(message_id)), None)
            self._sources.pop((chat_id, int(message_id)), None)
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query = self._queries.get(str(params.get("callback_query_id")))
        if query is None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query["answered"] = True
        query["answer"] = dict(params)
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat_for_send(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        for command in commands:
            if (
                not isinstance(command, dict)
                or not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", "")))
                or not 1 <= len(str(command.get("description", ""))) <= 256
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[self._commands_key(params)] = copy.deepcopy(commands)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True
