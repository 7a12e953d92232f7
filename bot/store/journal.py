"""The instant a reply is handed to its platform, noted where no lock can hold it up.

A reply counted as sent in the database only after a transaction commits; on SQLite that
transaction may wait its turn behind others for several milliseconds, and a crash in
that gap would send the reply again after the restart. So the count is first appended to
a small file next to the database, with one ``write()`` — the kernel keeps it even when
the process is killed the next instant — and the next start reads what dead processes
noted before finishing their updates. (PostgreSQL updates a row without queueing; its
processes may live on other machines, so it has no journal.)
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from pathlib import Path

logger = logging.getLogger(__name__)

ROTATE_AFTER = 50_000  # lines; the file before the current one is kept, older ones go
_SAFE = re.compile(r"[^0-9A-Za-z-]")


class SentJournal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None
        self._path: Path | None = None
        self._previous: Path | None = None
        self._lines = 0
        self._files = 0
        self._owner = ""

    def open(self, owner: str) -> dict[int, int]:
        """Start this process's journal; what earlier (dead) processes noted, by update."""
        self._owner = _SAFE.sub("_", owner)
        noted = self._read_others()
        self._start_file()
        return noted

    def note(self, update_id: int, sent: int) -> None:
        """``sent`` replies of ``update_id`` are with their platforms (one write call)."""
        if self._fd is None:
            return
        os.write(self._fd, f"{update_id} {sent}\n".encode())
        self._lines += 1
        if self._lines >= ROTATE_AFTER:
            self._start_file()

    def forget_others(self) -> None:
        """The dead processes' notes are in the database now: their files can go."""
        for path in self._others():
            with contextlib.suppress(OSError):
                path.unlink()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        for path in (self._path, self._previous):  # a clean stop: everything was recorded
            if path is not None:
                with contextlib.suppress(OSError):
                    path.unlink()

    # ---- files -----------------------------------------------------------------------
    def _start_file(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        if self._previous is not None:  # two files back: its marks have long committed
            with contextlib.suppress(OSError):
                self._previous.unlink()
        self._previous = self._path
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path = self.folder / f"sent-{self._owner}-{self._files}.journal"
        self._files += 1
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._lines = 0

    def _others(self) -> list[Path]:
        mine = {self._path, self._previous}
        return [p for p in self.folder.glob("sent-*.journal") if p not in mine]

    def _read_others(self) -> dict[int, int]:
        noted: dict[int, int] = {}
        for path in self._others():
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            for line in text.splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
                    update_id, sent = int(parts[0]), int(parts[1])
                    noted[update_id] = max(noted.get(update_id, 0), sent)
        if noted:
            logger.info("%d replies noted as sent by a previous run", len(noted))
        return noted
