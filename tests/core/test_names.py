"""Names for platforms whose updates carry none: asked once per person, then stored."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.core.messages import Outbound, SendResult
from tests.core.support import core, said


@dataclass
class NamingSender:
    """A Zalo OA-like channel: sends, and tells names when asked (or fails to: "")."""

    platform: str = "zalo_oa"
    names: dict[str, str] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    async def send(self, outbound: Outbound) -> SendResult:
        return SendResult("sent", message_id="1")

    async def display_name(self, user_id: str) -> str:
        self.asked.append(user_id)
        return self.names.get(user_id, "")


def nameless(text: str, user: str, **kwargs: str) -> object:
    return replace(said(text, platform="zalo_oa", chat=user, **kwargs), display_name="")


async def test_the_name_is_asked_once_and_kept_for_the_officers() -> None:
    bot = core()
    zalo = NamingSender(names={"84901": "Bác Tư"})
    bot.dispatcher.register(zalo)
    for text in ("xin chao", "ke hoach 57 la gi", "cam on"):
        await bot.dispatcher.dispatch(nameless(text, "84901"))  # type: ignore[arg-type]
    assert zalo.asked == ["84901"]
    person = await bot.store.find_person("zalo_oa", "84901")
    assert person is not None and person.display_name == "Bác Tư"


async def test_a_stored_name_is_not_asked_again_after_a_restart() -> None:
    bot = core()
    bot.dispatcher.register(NamingSender(names={"84901": "Bác Tư"}))
    await bot.dispatcher.dispatch(nameless("xin chao", "84901"))  # type: ignore[arg-type]
    again = core(store=bot.store, owner="next:2:b")  # a new process on the same store
    zalo = NamingSender(names={"84901": "Tên khác"})
    again.dispatcher.register(zalo)
    await again.dispatcher.dispatch(nameless("cam on", "84901"))  # type: ignore[arg-type]
    assert zalo.asked == []
    person = await bot.store.find_person("zalo_oa", "84901")
    assert person is not None and person.display_name == "Bác Tư"


async def test_a_name_the_platform_cannot_give_is_not_asked_for_each_message() -> None:
    bot = core()
    zalo = NamingSender()
    bot.dispatcher.register(zalo)
    for text in ("xin chao", "cam on"):
        replies = await bot.dispatcher.dispatch(nameless(text, "84902"))  # type: ignore[arg-type]
        assert replies  # answered all the same
    assert zalo.asked == ["84902"]


async def test_channels_whose_updates_carry_names_are_not_asked() -> None:
    bot = core()
    await bot.dispatcher.dispatch(said("xin chao", chat="7"))
    person = await bot.store.find_person("telegram", "7")
    assert person is not None and person.display_name == "Lan"
