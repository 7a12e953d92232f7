"""The instant a reply is handed to its platform, noted where nothing can hold it up.

A reply counts as sent in the database only once a transaction commits, and that may wait
(SQLite's one writer at a time, a busy PostgreSQL pool) for many milliseconds: a crash
in that gap would send the reply again after the restart. So the count is first
appended to a small file of this process in the data folder, with one ``write()`` — the
kernel keeps it even when the process is killed the next instant. Whoever takes over a
dead process's updates on this machine reads its notes first. (A process on another
machine cannot: there the database's count decides, and a reply in that gap may go twice.)

Each file starts with the line ``owner <name>``; then one ``<update id> <replies sent>``
per line.
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
_HEADER = "owner "


class SentJournal:
    def __init__(self, folder: Path, owner: str) -> None:
        self.folder = folder
        self.owner = owner
        self._fd: int | None = None
        self._path: Path | None = None
        self._previous: Path | None = None
        self._lines = 0
        self._files = 0
        self._read: dict[str, dict[int, int]] = {}  # other owners' notes, read once

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._start_file()

    def note(self, update_id: int, sent: int) -> None:
        """``sent`` replies of ``update_id`` are with their platforms (one write call)."""
        if self._fd is None:
            return
        os.write(self._fd, f"{update_id} {sent}\n".encode())
        self._lines += 1
        if self._lines >= ROTATE_AFTER:
            self._start_file()

    def owners(self) -> set[str]:
        """The other processes that left a journal here (alive or not)."""
        return {owner for owner, _ in self._other_files()}

    def noted_by(self, owner: str) -> dict[int, int]:
        """What ``owner`` noted as sent, by update (read once, then remembered)."""
        if owner not in self._read:
            noted: dict[int, int] = {}
            for found, path in self._other_files():
                if found == owner:
                    for update_id, sent in _lines(path):
                        noted[update_id] = max(noted.get(update_id, 0), sent)
            self._read[owner] = noted
        return self._read[owner]

    def forget(self, owner: str) -> None:
        """``owner`` is dead and its notes are in the database: its files can go."""
        for found, path in self._other_files():
            if found == owner:
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
        with contextlib.suppress(OSError):  # the last one out leaves no empty folder
            self.folder.rmdir()

    # ---- files -----------------------------------------------------------------------
    def _start_file(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        if self._previous is not None:  # two files back: its counts have long committed
            with contextlib.suppress(OSError):
                self._previous.unlink()
        self._previous = self._path
        self._path = self.folder / f"sent-{_SAFE.sub('_', self.owner)}-{self._files}.journal"
        self._files += 1
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.write(self._fd, f"{_HEADER}{self.owner}\n".encode())
        self._lines = 0

    def _other_files(self) -> list[tuple[str, Path]]:
        mine = {self._path, self._previous}
        found = []
        for path in sorted(self.folder.glob("sent-*.journal")):
            if path in mine:
                continue
            try:
                with path.open(encoding="utf-8", errors="replace") as file:
                    header = file.readline().strip()
            except OSError:
                continue
            if header.startswith(_HEADER):
                found.append((header[len(_HEADER) :], path))
        return found


def _lines(path: Path) -> list[tuple[int, int]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    pairs = []
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            pairs.append((int(parts[0]), int(parts[1])))
    return pairs
