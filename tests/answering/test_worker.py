"""The engine in its own process: same answers as in-process, survives the child dying."""

from __future__ import annotations

import asyncio

import pytest

from bot.answering.worker import EngineProcess
from tests.answering.support import repo_settings

pytestmark = pytest.mark.slow


async def test_answers_like_the_engine_in_process_and_recovers(engine) -> None:
    questions = [
        "muc tieu thu nhap binh quan dau nguoi nam 2045",
        "Cuộc thi trực tuyến về Nghị quyết có chủ đề gì?",
        "giá vàng hôm nay bao nhiêu",
        "",
    ]
    worker = await EngineProcess.start(repo_settings())
    try:
        together = await asyncio.gather(*(worker.ask(q) for q in questions))
        assert [a.answer for a in together] == [engine.answer(q).answer for q in questions]
        cited = together[0].citations[0]
        assert worker.passage(cited.doc, cited.section) == engine.passage(cited.doc, cited.section)

        worker._process.kill()  # an out-of-memory kill, say
        worker._process.join()
        again = await worker.ask(questions[0])
        assert again.answer == together[0].answer
    finally:
        worker.close()
    assert not worker._process.is_alive()
