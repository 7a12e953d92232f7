"""Every process serves exactly the approved officer answers: the poll tells the engine
what changed (and only then), drops cached answers, and two bots on one database (SQLite
and PostgreSQL) both serve an answer approved in one of them, and both stop when it is
withdrawn, within seconds."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.app import running
from bot.core.officer_answers import OfficerAnswerText, ServedOfficerAnswer
from bot.officer_answers.sync import OfficerAnswerSync
from bot.officer_answers.workflow import Actor
from bot.store.memory import MemoryStore
from tests.answering.support import repo_settings
from tests.fakes.answerer import FakeAnswerer

ADMIN = Actor("telegram:1", admin=True, unit="")
OFFICER = Actor("telegram:7", admin=False, unit="Phường Hoàn Kiếm")
HOURS = OfficerAnswerText(
    ("Bộ phận một cửa phường mở cửa lúc mấy giờ?",),
    "Bộ phận một cửa phường Hoàn Kiếm làm việc từ 7 giờ 30 đến 17 giờ.",
)
WAIT = 30.0  # seconds: generous, a busy machine polls late


class ServingAnswerer(FakeAnswerer):
    """The fake engine, with the side index's port: it records what it is told to serve."""

    def __init__(self) -> None:
        super().__init__()
        self.served: list[tuple[int, int]] = []
        self.told = asyncio.Event()
        self.calls = 0

    async def serve_officer_answers(self, served: Sequence[ServedOfficerAnswer]) -> None:
        self.served = sorted(s.key for s in served)
        self.calls += 1
        self.told.set()

    async def serving(self, keys: list[tuple[int, int]]) -> None:
        while self.served != keys:
            self.told.clear()
            await self.told.wait()


async def test_the_poll_tells_the_engine_only_what_changed() -> None:
    store, engine = MemoryStore(), ServingAnswerer()
    forgotten: list[bool] = []
    sync = OfficerAnswerSync(store, engine, lambda: forgotten.append(True))
    assert not await sync.once() and engine.calls == 0  # nothing approved: nothing to tell
    draft = await store.draft_officer_answer(OFFICER.unit, HOURS, OFFICER.who)
    assert not await sync.once()  # a draft is not served
    await store.approve_officer_answer(draft.id, 1, ADMIN.who)
    assert await sync.once()
    assert engine.served == [(draft.id, 1)] and forgotten == [True]
    assert not await sync.once() and engine.calls == 1  # unchanged: the engine is not bothered
    edited = await store.revise_officer_answer(draft.id, HOURS, ADMIN.who)
    await store.approve_officer_answer(draft.id, edited.latest.version, ADMIN.who)
    assert await sync.once() and engine.served == [(draft.id, 2)]
    await store.withdraw_officer_answer(draft.id, ADMIN.who)
    assert await sync.once() and engine.served == [] and len(forgotten) == 3


async def test_a_failing_store_does_not_end_the_poll() -> None:
    store, engine = MemoryStore(), ServingAnswerer()
    sync = OfficerAnswerSync(store, engine, every=0.01)
    broken = asyncio.Event()

    async def fails() -> set[tuple[int, int]]:
        broken.set()
        raise RuntimeError("database gone")

    real = store.served_officer_answer_keys
    store.served_officer_answer_keys = fails  # type: ignore[method-assign]
    task = asyncio.create_task(sync.loop())
    try:
        await asyncio.wait_for(broken.wait(), WAIT)
        store.served_officer_answer_keys = real  # type: ignore[method-assign]
        draft = await store.draft_officer_answer(OFFICER.unit, HOURS, OFFICER.who)
        await store.approve_officer_answer(draft.id, 1, ADMIN.who)
        await asyncio.wait_for(engine.serving([(draft.id, 1)]), WAIT)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize("same_process_first", [True, False])
async def test_two_bots_on_one_database_serve_the_same_answers(
    store_url: str, same_process_first: bool
) -> None:
    settings = repo_settings(database_url=store_url, http_port=0, web_enabled=False)
    first, second = ServingAnswerer(), ServingAnswerer()
    async with running(settings, first) as one, running(settings, second) as two:
        acting = one if same_process_first else two
        workflow = acting.console.officer_answers  # type: ignore[union-attr]
        draft = await workflow.draft(OFFICER, workflow.text(HOURS.questions, HOURS.answer))
        await workflow.approve(ADMIN, draft.id, 1)
        keys = [(draft.id, 1)]
        await asyncio.wait_for(asyncio.gather(first.serving(keys), second.serving(keys)), WAIT)
        await workflow.withdraw(ADMIN, draft.id, "giờ đã đổi")
        await asyncio.wait_for(asyncio.gather(first.serving([]), second.serving([])), WAIT)
