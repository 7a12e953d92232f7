"""The one reader of commands and button actions."""

from __future__ import annotations

import pytest

from bot.core.commands import action_of, as_number, command_in, erase_request, typed_yes_no


def test_action_numbers_are_ascii_ids_that_fit_a_database() -> None:
    assert action_of("sg:12:3").number(0) == 12
    assert as_number("²") is None and as_number("١٢") is None  # digits int() refuses
    assert as_number("9" * 30) is None and as_number("") is None
    assert as_number("2147483647") == 2**31 - 1 and as_number("2147483648") is None  # INTEGER


def test_commands_with_the_bots_name_and_an_argument() -> None:
    command = command_in(" /thongbao@hanoi_bot  Họp tổ dân phố ")
    assert command is not None and (command.name, command.argument) == (
        "thongbao",
        "Họp tổ dân phố",
    )
    assert command_in("ke hoach 57") is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("xóa dữ liệu", "vi"),
        ("xoa du lieu", "vi"),
        ("Xoá dữ liệu của tôi", "vi"),
        ("XÓA DỮ LIỆU!", "vi"),
        ("tôi muốn xóa dữ liệu cá nhân", "vi"),
        ("/xoadulieu", "vi"),
        ("/xoadulieu@hanoi_bot", "vi"),
        ("delete my data", "en"),
        ("Please delete my personal data.", "en"),
        ("Kế hoạch có nói gì về việc xóa dữ liệu cá nhân không?", None),
        ("xóa dữ liệu thì có ảnh hưởng gì không", None),
        ("how do I delete my data from the portal of the city", None),
        ("dữ liệu", None),
        ("/start", None),
        ("", None),
        (None, None),
    ],
)
def test_a_request_to_delete_ones_data_is_the_whole_message(
    text: str | None, language: str | None
) -> None:
    assert erase_request(text) == language


def test_typed_yes_and_no() -> None:
    assert [typed_yes_no(t) for t in ("có", "Co", "đồng ý", "yes", "xóa")] == [True] * 5
    assert [typed_yes_no(t) for t in ("không", "khong", "ko", "No!", "thôi")] == [False] * 5
    assert typed_yes_no("có nên xóa không") is None and typed_yes_no(None) is None
