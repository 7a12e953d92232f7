"""The engine in its own process: same answers as in-process, survives the child dying."""

from __future__ import annotations

import asyncio

import numpy as np
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


async def test_embeds_unit_vectors_in_which_paraphrases_are_closer(engine) -> None:
    """The console's Embeddings port: through the child's pipe, chunk by chunk, between
    questions; the same vectors as the engine in this process."""
    gold = ["giá vàng hôm nay bao nhiêu", "hôm nay vàng bán ra bao nhiêu một chỉ"]
    passport = ["làm hộ chiếu ở đâu", "thủ tục cấp hộ chiếu phổ thông ở đâu"]
    filler = [f"câu hỏi số {n} về thủ tục hành chính" for n in range(40)]  # more than a chunk
    texts = [*gold, *passport, *filler]
    worker = await EngineProcess.start(repo_settings())
    try:
        vectors, answer = await asyncio.gather(
            worker.embed(texts), worker.ask("muc tieu thu nhap binh quan dau nguoi nam 2045")
        )
    finally:
        worker.close()
    assert answer.grounded
    assert vectors.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    here = await engine.embed(texts)
    assert np.allclose(vectors, here, atol=0.02)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > max(similarity[0, 2], similarity[0, 3])
    assert similarity[2, 3] > max(similarity[2, 0], similarity[2, 1])


def test_a_child_whose_parent_was_killed_leaves_quietly(monkeypatch) -> None:
    # SIGKILL on the bot leaves the child with a question and nobody to send the answer
    # to: it used to die with a BrokenPipeError traceback in the log. The question is not
    # lost: the restarted bot answers it again (tests/channels/test_crash.py).
    import multiprocessing

    from bot.answering import loading, worker

    class Engine:
        closed = False

        def answer_batch(self, texts, scopes):
            return [f"answer to {t}" for t in texts]

        def close(self) -> None:
            self.closed = True

    engine = Engine()
    monkeypatch.setattr(loading, "load_engine", lambda settings: engine)
    parent, child = multiprocessing.Pipe()
    parent.send((1, "câu hỏi", None))
    parent.close()  # the bot is gone before the answer comes back

    worker._child_main(child, repo_settings())  # returns instead of raising

    assert engine.closed
