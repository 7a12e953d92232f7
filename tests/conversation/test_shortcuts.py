from __future__ import annotations

import pytest

from bot.conversation.shortcuts import action_for, text_hint
from bot.core.messages import Button


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("gặp cán bộ", "handoff"),
        ("Gap can bo!", "handoff"),
        ("  GẶP CÁN BỘ  ", "handoff"),
        ("đăng ký", "sub"),
        ("dang ki", "sub"),
        ("Hủy đăng ký", "unsub"),
        ("huy dang ky", "unsub"),
        ("xem nguyên văn", "full"),
        ("👍", "fb:up"),
        ("👎", "fb:dn"),
        ("đăng ký dự thi như thế nào", None),
        ("mục tiêu năm 2045", None),
        ("", None),
    ],
)
def test_typed_commands(text: str, action: str | None) -> None:
    assert action_for(text) == action


def test_slash_commands() -> None:
    assert action_for("/dangky", "dangky") == "sub"
    assert action_for("/huydangky", "huydangky") == "unsub"
    assert action_for("/canbo", "canbo") == "handoff"
    assert action_for("/xyz", "xyz") is None


def test_hint_lists_what_to_type_once() -> None:
    hint = text_hint(
        (
            Button("👍", "fb:up:1"),
            Button("👎", "fb:dn:1"),
            Button("Xem nguyên văn", "full:1:0"),
            Button("Gặp cán bộ", "handoff"),
            Button("Nhận tin", "sub"),
        )
    )
    assert hint.count("👍") == 1
    for words in ("“xem nguyên văn”", "“gặp cán bộ”", "“đăng ký”", "“hủy đăng ký”"):
        assert words in hint
    assert text_hint(()) == ""
