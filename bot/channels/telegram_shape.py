"""Whether a webhook body is a Telegram update the bot can handle, checked before
python-telegram-bot parses it (PTB trusts Telegram and crashes on a field of the wrong
type). Only what the handlers read is checked; anything else PTB may ignore. And whether
a reply in the officers' group is for the bot."""

from __future__ import annotations

from typing import Any

from bot.core.commands import ticket_command

MAX_ID = 2**53  # Telegram's ids fit in 52 bits
MAX_DATE = 2**32
MESSAGES = ("message", "edited_message", "channel_post", "edited_channel_post")


def update_problem(data: Any) -> str | None:
    """Why ``data`` is not an update the bot can handle; None when it is."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if not _int(data.get("update_id"), 0, MAX_ID):
        return "no update_id"
    for key in MESSAGES:
        if key in data and (why := _message(data[key])):
            return f"{key}: {why}"
    if "callback_query" in data and (why := _callback(data["callback_query"])):
        return f"callback_query: {why}"
    return None


def _message(message: Any, depth: int = 0) -> str | None:
    if not isinstance(message, dict):
        return "not an object"
    if not _int(message.get("message_id"), 0, MAX_ID):
        return "no message_id"
    if not _int(message.get("date"), 0, MAX_DATE):
        return "no date"
    chat = message.get("chat")
    if not isinstance(chat, dict) or not _int(chat.get("id"), -MAX_ID, MAX_ID):
        return "no chat"
    if not isinstance(chat.get("type"), str):
        return "no chat type"
    if "from" in message and (why := _user(message["from"])):
        return f"from: {why}"
    for field in ("text", "caption"):
        value = message.get(field)
        if value is not None and not isinstance(value, str):  # any length: the body is bounded
            return f"{field} is not a text"
    photo = message.get("photo")
    if photo is not None and not (
        isinstance(photo, list)
        and all(isinstance(p, dict) and isinstance(p.get("file_id"), str) for p in photo)
    ):
        return "photo is not a list of sizes"
    replied = message.get("reply_to_message")
    if replied is not None:
        if depth >= 1:
            return "replies nested"
        if why := _message(replied, depth + 1):
            return f"reply_to_message: {why}"
    return None


def _callback(query: Any) -> str | None:
    if not isinstance(query, dict):
        return "not an object"
    if not isinstance(query.get("id"), str):
        return "no id"
    if why := _user(query.get("from")):
        return f"from: {why}"
    data = query.get("data")
    if data is not None and not (isinstance(data, str) and len(data.encode()) <= 64):
        return "data is not 1-64 bytes"
    message = query.get("message")
    if message is not None and (why := _message(message)):
        return f"message: {why}"
    return None


def _user(user: Any) -> str | None:
    if not isinstance(user, dict):
        return "not an object"
    if not _int(user.get("id"), -MAX_ID, MAX_ID):
        return "no id"
    if not isinstance(user.get("first_name"), str) or not isinstance(user.get("is_bot"), bool):
        return "no first_name or is_bot"
    for field in ("last_name", "username", "language_code"):
        if user.get(field) is not None and not isinstance(user[field], str):
            return f"{field} is not a text"
    return None


def _int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value < high


def for_the_bot(replied: Any, bot_id: int, text: str | None) -> bool:
    """An officer's reply in the group is for the bot when it answers one of the bot's
    posts, or gives a ticket command (/luu, /dong) in reply to a colleague's relayed
    reply; any other reply is officers talking among themselves."""
    sender = getattr(replied, "from_user", None)
    return (sender is not None and sender.id == bot_id) or ticket_command(text)
