"""The one reader of commands ("/thongbao", "/start@bot") and button actions ("fb:up:12").

A button's action is a name and its colon-separated arguments (at most 64 bytes, as
Telegram allows). Everything that reads a command or an action reads it here, and so
do the words that ask to delete one's data ("xóa dữ liệu") and answer its question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

_COMMAND = re.compile(r"^/(\w+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
# Ids in actions are database ids: ASCII digits, and no more than the database's integer
# columns hold (PostgreSQL's INTEGER is 32 bits).
_NUMBER = re.compile(r"[0-9]{1,10}")
MAX_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class Command:
    name: str  # lower case, without the slash or the bot's @name
    argument: str  # the rest of the message, stripped


def command_in(text: str | None) -> Command | None:
    """The command a message is, if it is one."""
    match = _COMMAND.match((text or "").strip())
    if match is None:
        return None
    return Command(match.group(1).lower(), (match.group(2) or "").strip())


# Commands an officer may give in the officers' group in reply to any post of a ticket (the
# bot's, or a colleague's relayed reply): close it, save its answer as an officer answer.
TICKET_COMMANDS = frozenset({"dong", "close", "luu"})


def ticket_command(text: str | None) -> bool:
    """Whether an officer's message in the group is one of the ticket commands."""
    command = command_in(text)
    return command is not None and command.name in TICKET_COMMANDS


@dataclass(frozen=True)
class Action:
    name: str  # "fb", "sg", "full", "topic", "o" (officers), …
    rest: str  # everything after the first colon, as pressed ("up:12")

    @property
    def args(self) -> tuple[str, ...]:
        return tuple(self.rest.split(":")) if self.rest else ()

    def number(self, position: int) -> int | None:
        """The argument at ``position`` as a number (None if missing, not ASCII digits, or
        longer than any id can be)."""
        args = self.args
        if position >= len(args):
            return None
        return as_number(args[position])


def as_number(text: str) -> int | None:
    if not _NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_NUMBER else None


def action_of(raw: str) -> Action:
    name, _, rest = raw.partition(":")
    return Action(name, rest)


# ---- deleting one's data ("xóa dữ liệu", "/xoadulieu", "delete my data") ------------------
ERASE = "del"  # the action's name: "del:yes", "del:no"; English buttons add ":en"
ERASE_COMMANDS = frozenset({"xoadulieu", "xoa_du_lieu", "deletemydata", "forgetme"})
# The whole message must be the request (folded: no tone marks, lower case, words only):
# a question that mentions deleting data inside a longer sentence stays a question.
_ERASE_VI = re.compile(
    r"^(?:(?:toi|minh|em) (?:muon|can) |(?:xin|vui long|hay|lam on) )?"
    r"xoa (?:het |toan bo |tat ca )?(?:du lieu|thong tin|lich su tro chuyen)"
    r"(?: ca nhan)?(?: cua (?:toi|minh|em|tui))?(?: (?:di|nhe|nha|a|giup toi))*$"
)
_ERASE_EN = re.compile(
    r"^(?:please )?(?:delete|erase|remove) (?:all )?(?:of )?my (?:personal )?"
    r"(?:data|information|history|chat history)(?: please)?$"
)
# Typed answers to "Xóa dữ liệu? (có / không)" where buttons do not exist (Zalo).
_YES = frozenset({"co", "co a", "vang", "dong y", "ok", "xoa", "xoa di", "xac nhan", "yes", "y"})
_NO = frozenset({"khong", "ko", "k", "thoi", "huy", "khong xoa", "giu lai", "no", "n", "cancel"})
_WORDS = re.compile(r"[^\W_]+")


def folded(text: str) -> str:
    """Words only, lower case, without tone marks or diacritics: "Xoá dữ liệu!" → "xoa du
    lieu" (the standard library's way: the core loads no other room)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORDS.findall(plain))


def erase_request(text: str | None) -> Literal["vi", "en"] | None:
    """The language of a request to delete one's data, if the message is one."""
    command = command_in(text)
    if command is not None:
        if command.name not in ERASE_COMMANDS:
            return None
        return "en" if command.name in {"deletemydata", "forgetme"} else "vi"
    words = folded(text or "")
    if len(words) > 60:
        return None
    if _ERASE_VI.match(words):
        return "vi"
    return "en" if _ERASE_EN.match(words) else None


def typed_yes_no(text: str | None) -> bool | None:
    """True for a typed "có"/"yes", False for "không"/"no", None for anything else."""
    words = folded(text or "")
    return True if words in _YES else False if words in _NO else None
