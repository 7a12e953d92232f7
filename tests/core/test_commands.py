"""The one reader of commands and button actions."""

from __future__ import annotations

from bot.core.commands import action_of, as_number, command_in


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
