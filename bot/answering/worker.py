"""The answer engine in a process of its own, for the long-running bot.

In one process the model's Python work and the event loop take turns on the GIL, and
under load (50 people asking at once) each slows the other. Here the event loop keeps
its process: questions go to a child process through a pipe, and every question waiting
there is answered as one batch (see AnswerEngine.answer_batch). The parent keeps only
the index, for document names and "Xem nguyên văn" passages; the model lives in the child,
which also embeds texts for the console (``embed``), a chunk per turn, after the questions
that arrived with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import itertools
import logging
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from bot.answering.engine import EMBED_CHUNK, AnswerEngine
from bot.answering.finder import Section
from bot.answering.loading import officer_vector_cache
from bot.answering.officer_index import OfficerIndex
from bot.answering.officer_vectors import embedded
from bot.answering.render import section_passage
from bot.config import Settings
from bot.core.answer import Answer
from bot.core.officer_answers import ServedOfficerAnswer
from bot.errors import BotError
from bot.retrieval.index import SearchIndex

logger = logging.getLogger(__name__)

MAX_BATCH = 32
START_TIMEOUT = 300.0  # first start converts the model: minutes on a slow disk
TRIM_EVERY = 50  # batches between malloc_trim calls (a few milliseconds each)
EMBED = "embed"  # in a request's third place (a question's scope): texts to embed
OFFICERS = "officers"  # … the approved officer answers to serve, with their vectors


class EngineUnavailable(BotError):
    """The engine process stopped; questions cannot be answered until it is back."""


class EngineProcess:
    """Same async surface as AnswerEngine: ask, embed, passage, index."""

    def __init__(self, settings: Settings, index: SearchIndex) -> None:
        self.settings = settings
        self.index = index
        self._context = multiprocessing.get_context("spawn")  # no forked event loop or threads
        self._process: Any = None
        self._connection: Connection | None = None
        self._send_lock = threading.Lock()
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._reader: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._restarting = asyncio.Lock()
        # What the child serves, kept here: a restarted child gets it again, unembedded.
        self._officers: tuple[list[ServedOfficerAnswer], dict] = ([], {})
        self._vector_cache = officer_vector_cache(settings, index)

    @classmethod
    async def start(cls, settings: Settings) -> EngineProcess:
        engine = cls(settings, SearchIndex.load(settings.index_dir))
        await engine._spawn()
        return engine

    async def _spawn(self) -> None:
        self._loop = asyncio.get_running_loop()
        parent, child = self._context.Pipe()
        settings = self.settings.model_copy(
            update={"torch_threads": self.settings.engine_process_threads}
        )
        self._process = self._context.Process(
            target=_child_main, args=(child, settings), name="answer-engine", daemon=True
        )
        self._process.start()
        child.close()
        ready = await self._loop.run_in_executor(None, _wait_ready, parent, START_TIMEOUT)
        if ready is not True:
            self._process.kill()
            raise EngineUnavailable(f"Bộ trả lời không khởi động được: {ready}")
        self._connection = parent
        self._reader = threading.Thread(target=self._read, name="answer-reader", daemon=True)
        self._reader.start()

    async def ask(self, text: str, scope: Section | None = None) -> Answer:
        return await asyncio.shield(await self._send(text, scope))

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit query vectors of ``texts``, a chunk per request: questions sent meanwhile
        are answered first, so a citizen waits for one chunk at most."""
        parts = []
        for start in range(0, len(texts), EMBED_CHUNK):
            future = await self._send(list(texts[start : start + EMBED_CHUNK]), EMBED)
            parts.append(await future)
        return np.concatenate(parts) if parts else np.empty((0, 0), dtype=np.float32)

    async def serve_officer_answers(self, served: Sequence[ServedOfficerAnswer]) -> None:
        """The OfficerAnswerServing port: new answers are embedded here a chunk at a time
        (citizens' questions go between chunks), then the child swaps its side index."""
        known = self._officers[1]
        new = [s for s in served if s.key not in known]
        groups = [OfficerIndex.texts(s) for s in new]
        vectors = await embedded(groups, self._vector_cache, self.embed)
        kept = {s.key for s in served}
        known = {k: v for k, v in known.items() if k in kept} | {
            s.key: v for s, v in zip(new, vectors, strict=True)
        }
        self._officers = (list(served), known)
        await (await self._send(self._officers, OFFICERS))
        await self._vector_cache.prune_unused(OfficerIndex.texts(s) for s in served)

    async def _send(self, payload: object, scope: object) -> asyncio.Future[Any]:
        """The request sent to the child; its future resolves when the child replies."""
        if self._connection is None or self._loop is None:
            raise EngineUnavailable("Bộ trả lời chưa chạy")
        if not self._process.is_alive():
            await self._restart()
        request_id = next(self._ids)
        future: asyncio.Future[Any] = self._loop.create_future()
        self._pending[request_id] = future
        try:
            with self._send_lock:
                self._connection.send((request_id, payload, scope))
        except (OSError, ValueError) as exc:
            self._pending.pop(request_id, None)
            raise EngineUnavailable(f"Bộ trả lời đã dừng: {exc}") from exc
        return future

    async def _restart(self) -> None:
        """The child died (killed, out of memory): start a new one, once at a time."""
        async with self._restarting:
            if self._process.is_alive():
                return
            logger.error("answer engine process exited (%s); restarting", self._process.exitcode)
            if self._reader is not None:
                await asyncio.get_running_loop().run_in_executor(None, self._reader.join, 5)
            if self._connection is not None:
                self._connection.close()
            await self._spawn()
            if self._officers[0]:  # the new child serves what the old one did
                await self._send(self._officers, OFFICERS)

    def problem(self) -> str | None:
        """Why the engine cannot answer now (for /healthz), or None."""
        if self._connection is None or self._process is None:
            return "not started"
        if not self._process.is_alive():
            return f"its process exited ({self._process.exitcode}); restarting at the next question"
        return None

    def document_names(self) -> list[str]:
        """How the documents are cited ("Kế hoạch 57-KH/TU"), for greetings and help."""
        return [d.document.meta.citation_name for d in self.index.documents.values()]

    def passage(self, doc_id: str, section_id: str) -> str:
        return section_passage(self.index, doc_id, section_id)

    def _read(self) -> None:
        """Reader thread: hand each answer back to the event loop."""
        assert self._connection is not None and self._loop is not None
        while True:
            try:
                batch = self._connection.recv()
            except (EOFError, OSError):
                break
            for request_id, answer in batch:
                self._loop.call_soon_threadsafe(self._resolve, request_id, answer)
        self._loop.call_soon_threadsafe(self._fail_all)

    def _resolve(self, request_id: int, result: Any) -> None:
        future = self._pending.pop(request_id, None)
        if future is None or future.done():
            return
        if isinstance(result, Exception):
            future.set_exception(result)
        else:
            future.set_result(result)

    def _fail_all(self) -> None:
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(EngineUnavailable("Bộ trả lời đã dừng"))

    def close(self) -> None:
        if self._connection is not None:
            try:
                with self._send_lock:
                    self._connection.send(None)  # finish the questions already sent, then stop
            except (OSError, ValueError):
                pass
        if self._process is not None:
            self._process.join(timeout=30)
            if self._process.is_alive():
                self._process.kill()
        if self._reader is not None:
            self._reader.join(timeout=5)
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _wait_ready(connection: Connection, timeout: float) -> object:
    if not connection.poll(timeout):
        return "quá thời gian chờ"
    try:
        return connection.recv()
    except EOFError:
        return "tiến trình con đã thoát"


def _child_main(connection: Connection, settings: Settings) -> None:
    """The child: load the engine, then answer whatever has queued up, batch after batch."""
    from bot.answering.loading import load_engine

    try:
        engine = load_engine(settings)
    except BotError as exc:
        connection.send(str(exc))
        return
    # A parent killed meanwhile leaves nobody to answer (it retries when it restarts):
    # leave quietly instead of a traceback in the log.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        connection.send(True)
        _serve(connection, engine)
    engine.close()


def _serve(connection: Connection, engine: AnswerEngine) -> None:
    """Answer whatever has queued up, batch after batch, until told to stop."""
    stopping = False
    trim = _memory_trimmer()
    batches = 0
    while not stopping:
        try:
            requests = [connection.recv()]
            while len(requests) < MAX_BATCH and connection.poll(0):
                requests.append(connection.recv())
        except EOFError:
            break
        if None in requests:
            stopping = True
            requests = [r for r in requests if r is not None]
        questions = [r for r in requests if r[2] not in (EMBED, OFFICERS)]
        if questions:
            answers = engine.answer_batch(
                [text for _, text, _ in questions], [scope for _, _, scope in questions]
            )
            connection.send([(rid, a) for (rid, _, _), a in zip(questions, answers, strict=True)])
        for request_id, texts, _ in (r for r in requests if r[2] == EMBED):
            try:
                vectors: object = engine.embed_batch(texts)
            except Exception as exc:  # the caller gets the error; the child lives on
                vectors = RuntimeError(f"embedding failed: {exc}")
            connection.send([(request_id, vectors)])
        for request_id, (served, vectors), _ in (r for r in requests if r[2] == OFFICERS):
            try:
                engine.officers.install(served, vectors)
                installed: object = True
            except Exception as exc:
                installed = RuntimeError(f"officer answers failed: {exc}")
            connection.send([(request_id, installed)])
        if requests:
            batches += 1
            if batches % TRIM_EVERY == 0:
                trim()


def _memory_trimmer() -> Callable[[], object]:
    """glibc's malloc_trim: hands the heap the model's buffers of other sizes left free back
    to the system (without it the process keeps growing with questions of new lengths);
    nothing elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return lambda: libc.malloc_trim(0)
    except (OSError, AttributeError):
        return lambda: None
