"""Short typed commands that stand in for buttons, with or without tone marks.

Zalo consultation messages carry no buttons, so every button has a few words a citizen can
type instead ("gặp cán bộ" / "gap can bo"). They are recognised on every platform, but only
when the whole message is the command: "đăng ký dự thi thế nào?" stays a question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.messages import Button
from bot.strings import conversation as texts
from bot.vietnamese.text import folded_tokens

# folded words -> the action a button with the same meaning carries
_PHRASES: dict[str, str] = {
    "gap can bo": "handoff",
    "gap canbo": "handoff",
    "gap nguoi": "handoff",
    "noi chuyen voi can bo": "handoff",
    "dang ky": "sub",
    "dang ki": "sub",
    "dang ky nhan tin": "sub",
    "dang ki nhan tin": "sub",
    "nhan tin moi": "sub",
    "huy dang ky": "unsub",
    "huy dang ki": "unsub",
    "huy nhan tin": "unsub",
    "ngung nhan tin": "unsub",
    "hoi tiep": "leave",
    "hoi tiep bot": "leave",
    "hoi bot": "leave",
    "quay lai bot": "leave",
    "ket thuc": "leave",
    "xem nguyen van": "full",
    "nguyen van": "full",
}
_EMOJI: dict[str, str] = {"👍": "fb:up", "👎": "fb:dn"}
_COMMANDS: dict[str, str] = {
    "canbo": "handoff",
    "gapcanbo": "handoff",
    "dangky": "sub",
    "huydangky": "unsub",
}

TOPIC_KEYS = ("quy hoach", "kinh te", "van hoa", "cuoc thi")  # folded, as in texts.TOPICS

_AREA = re.compile(r"^dang k[yi] (?:phuong|xa|thi tran) (.+)$")
_TOPIC = re.compile(r"^dang k[yi] chu de (.+)$")


def action_for(text: str, command: str | None = None) -> str | None:
    """The button action a typed message or /command stands for, if it is one."""
    if command is not None:
        if command in ("phuong", "xa") and text.split(maxsplit=1)[1:]:
            return "area:" + text.split(maxsplit=1)[1]
        return _COMMANDS.get(command)
    folded = " ".join(folded_tokens(text))
    area = _AREA.match(folded)
    if area:  # keep the name as typed (with its tone marks) for the reply
        words = text.split()
        return "area:" + " ".join(words[len(words) - len(area.group(1).split()) :])
    topic = _TOPIC.match(folded)
    if topic:
        for n, name in enumerate(TOPIC_KEYS):
            if topic.group(1).startswith(name):
                return f"topic:{n}"
    stripped = text.strip()
    if stripped in _EMOJI:
        return _EMOJI[stripped]
    if len(stripped) > 40:
        return None
    return _PHRASES.get(" ".join(folded_tokens(stripped)))


def text_hint(buttons: Sequence[Button]) -> str:
    """One line telling a citizen without buttons what to type instead."""
    seen: list[str] = []
    for button in buttons:
        key = button.action.split(":", 1)[0]
        if key in texts.TYPED and texts.TYPED[key] not in seen:
            seen.append(texts.TYPED[key])
        if key == "sub" and texts.TYPED["unsub"] not in seen:
            seen.append(texts.TYPED["unsub"])
    return (texts.TYPE_INSTEAD + " · ".join(seen)) if seen else ""
