"""The officers' answers' workflow and, when the engine can serve them, its poll."""

from __future__ import annotations

from collections.abc import Callable

from bot.officer_answers.sync import OfficerAnswerSync
from bot.officer_answers.workflow import AuditedStore, OfficerAnswers


def officer_answers_for(
    store: AuditedStore, engine: object, forget_answers: Callable[[], None]
) -> tuple[OfficerAnswers, OfficerAnswerSync | None]:
    index = getattr(engine, "index", None)

    def section_exists(doc: str, section: str) -> bool:
        if index is None:  # an engine without documents (tests' fakes): nothing to check
            return True
        indexed = index.documents.get(doc)
        return indexed is not None and section in indexed.structure.sections

    workflow = OfficerAnswers(store, section_exists)
    if not hasattr(engine, "serve_officer_answers"):
        return workflow, None
    sync = OfficerAnswerSync(store, engine, forget_answers)  # type: ignore[arg-type]
    workflow.listeners.append(sync.changed)
    return workflow, sync
