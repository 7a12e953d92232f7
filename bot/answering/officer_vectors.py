"""Officer answers' vectors kept on disk, so a process that starts serves the approved
answers at once instead of embedding them all again (about 30 ms per text here: a
minute for 2,000 answers).

Content-addressed: a file is named by a hash of the model's fingerprint and the texts
embedded, so it can never serve the vectors of other words (another database, an edited
version, another model). Written whole then renamed: a crash leaves no half file. The
vectors of answers no longer served (withdrawn, edited) are pruned after a grace period:
another process may still be installing them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


PRUNE_GRACE = 3600.0  # seconds an unused file is kept (another process may serve it)


class VectorCache:
    def __init__(self, folder: Path | None, fingerprint: str) -> None:
        self.folder = folder  # None: keep nothing (tests, one-shot commands)
        self.fingerprint = fingerprint
        self._next_prune = 0.0  # monotonic time from which prune_unused prunes again

    def _path(self, texts: Sequence[str]) -> Path:
        assert self.folder is not None
        digest = hashlib.sha256("\x1f".join((self.fingerprint, *texts)).encode()).hexdigest()
        return self.folder / f"{digest[:40]}.npy"

    def get(self, texts: Sequence[str]) -> np.ndarray | None:
        if self.folder is None:
            return None
        try:
            vectors = np.load(self._path(texts), allow_pickle=False)
        except (OSError, ValueError):
            return None
        return vectors if vectors.ndim == 2 and len(vectors) == len(texts) else None

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                np.save(out, np.asarray(vectors, np.float32), allow_pickle=False)
            os.replace(temporary, self._path(texts))
        except OSError as exc:  # a full or read-only disk: embedding again next start
            logger.warning("officer answer vectors not kept: %s", exc)

    def prune(self, served: Iterable[Sequence[str]], grace: float = PRUNE_GRACE) -> int:
        """Delete the vectors of texts not in ``served`` untouched for ``grace`` seconds;
        how many files went."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        keep = {self._path(texts).name for texts in served}
        oldest = time.time() - grace
        gone = 0
        for path in self.folder.glob("*.npy"):
            try:
                if path.name not in keep and path.stat().st_mtime < oldest:
                    path.unlink()
                    gone += 1
            except OSError:  # gone already (another process pruned it), or read-only
                continue
        return gone

    async def prune_unused(self, served: Iterable[Sequence[str]]) -> None:
        """``prune`` in a thread, at most once per grace period (it lists the folder);
        ``served`` is read only then, so a generator costs nothing when it is not due."""
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_GRACE
        await asyncio.to_thread(self.prune, served)


async def embedded(
    groups: Sequence[list[str]],
    cache: VectorCache,
    embed: Callable[[list[str]], object],
) -> list[np.ndarray]:
    """The vectors of each group of texts: from the cache, else embedded (all the missing
    ones in one call, which the engine splits into chunks) and kept."""
    found: list[np.ndarray | None] = [cache.get(g) for g in groups]
    missing = [i for i, v in enumerate(found) if v is None]
    texts = [t for i in missing for t in groups[i]]
    if texts:
        fresh = await embed(texts)  # type: ignore[misc]
        start = 0
        for i in missing:
            found[i] = fresh[start : start + len(groups[i])]  # type: ignore[index]
            start += len(groups[i])
            cache.put(groups[i], found[i])  # type: ignore[arg-type]
    return [v for v in found if v is not None]
