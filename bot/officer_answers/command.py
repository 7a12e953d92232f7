"""`python -m bot giai-dap xuat [FILE]` and `python -m bot giai-dap nhap FILE --nguoi
telegram:1`: the officers' answers as JSONL, from a shell (a backup, a review in an
editor, answers moved between deployments).

Both open the store as the bot does, and the import goes through the workflow as an
admin of the settings (audited under that name). Related sections are checked against
the index's documents.json without loading the model; without an index they are not
checked (the running bot checks them when it serves).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.officer_answers import exchange
from bot.officer_answers.workflow import Actor, OfficerAnswers
from bot.store.repository import open_store
from bot.strings import officer_answers as words

EVERYONE = Actor("cli", True, "")  # an export reads every answer


async def export_file(settings: Settings, path: str | None, out: TextIO) -> int:
    async with open_store(settings.database_url) as store:
        text, count = await exchange.export(OfficerAnswers(store), EVERYONE)
    if path is None or path == "-":
        out.write(text)
        return 0
    Path(path).write_text(text, encoding="utf-8")
    print(words.exported(count, path), file=sys.stderr)
    return 0


async def import_file(
    settings: Settings, path: str, actor: str, admins: frozenset[str], out: TextIO
) -> int:
    """Each line's outcome printed as a JSON line; 2 when the file cannot be taken at all."""
    if actor not in admins:
        print(words.not_admin(actor), file=sys.stderr)
        return 2
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    async with open_store(settings.database_url) as store:
        workflow = OfficerAnswers(store, known_sections(settings.index_dir))
        try:
            results = await exchange.import_jsonl(workflow, Actor(actor, True, ""), data)
        except exchange.TooBig as exc:
            print(str(exc), file=sys.stderr)
            return 2
    for r in results:
        line = {"line": r.line, "outcome": r.outcome, "id": r.entry_id, "reason": r.reason}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    counts = {k: sum(r.outcome == k for r in results) for k in words.OUTCOMES}
    print(words.import_summary(counts), file=sys.stderr)
    return 0


def known_sections(index_dir: Path) -> Callable[[str, str], bool]:
    """Whether the built index has (doc, section); everything passes without an index."""
    try:
        documents = json.loads((index_dir / "documents.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return lambda doc, section: True
    known = {(d["meta"]["id"], s["id"]) for d in documents for s in d["sections"]}
    return lambda doc, section: (doc, section) in known
