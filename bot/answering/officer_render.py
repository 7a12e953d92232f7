"""An approved officer answer as the citizen reads it: labelled with its unit and date,
never as the documents' words, and with the documents' related sections quoted as usual."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.answering.officer_index import OfficerMatch
from bot.core.answer import OFFICER_ANSWER_DOC, Answer, Citation, Suggestion
from bot.strings import answers as replies

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SEE_ALSO_CHARS = 400  # after a document's answer the explanation is a footnote, not a second answer
MAX_CHARS = 2000  # one Zalo message
SUGGESTION_TITLE = 80


def officer_citation(match: OfficerMatch, english: bool = False) -> Citation:
    served = match.served
    day = served.approved_at.astimezone(ZONE).strftime("%d/%m/%Y")
    return Citation(
        doc="",
        section="",
        title=served.text.questions[0],
        quote=served.text.answer,
        label=replies.officer_label(served.unit, day, english),
        start=0,
        end=0,
        kind="officer_answer",
        entry=served.entry_id,
        version=served.version,
    )


def officer_answer(
    match: OfficerMatch, related: Answer | None, language: str, index_version: str
) -> Answer:
    """The officer's answer first; then what the related sections say, quoted and cited."""
    english = language == "en"
    citation = officer_citation(match, english)
    text = replies.officer_answer(citation.label, citation.quote, english)
    citations = [citation]
    if related is not None and related.citations:
        quoted = f"{text}\n\n{replies.related_quotes(english)}\n{related.answer}"
        if len(quoted) <= MAX_CHARS:
            text = quoted
            citations += related.citations
    return Answer(
        answer=text,
        grounded=False,  # the documents do not say this: an officer does
        handoff=False,
        confidence=match.probability,
        citations=tuple(citations),
        kind="answer",
        language=language,
        index_version=index_version,
    )


def with_see_also(answer: Answer, match: OfficerMatch) -> Answer:
    """A document's answer, and the officer's explanation as a labelled "see also"."""
    english = answer.language == "en"
    citation = officer_citation(match, english)
    said = citation.quote
    if len(said) > SEE_ALSO_CHARS:
        said = said[:SEE_ALSO_CHARS].rsplit(" ", 1)[0] + "…"
    text = f"{answer.answer}\n\n{replies.see_also_officer(citation.label, said, english)}"
    if len(text) > MAX_CHARS:
        return answer
    return replace(answer, answer=text, citations=(*answer.citations, citation))


def officer_suggestion(match: OfficerMatch, english: bool = False) -> Suggestion:
    served = match.served
    question = served.text.questions[0]
    title = question if len(question) <= SUGGESTION_TITLE else question[:SUGGESTION_TITLE] + "…"
    return Suggestion(
        doc=OFFICER_ANSWER_DOC,
        section=str(served.entry_id),
        title=title,
        label=replies.officer_suggestion_label(served.unit, english),
    )


def with_officer_suggestion(answer: Answer, match: OfficerMatch, index_version: str) -> Answer:
    """Offered, not stated: the officer answer as the first choice, before the sections
    the documents may speak of (three choices at most)."""
    english = answer.language == "en"
    offered = (officer_suggestion(match, english), *answer.suggestions[:2])
    labels = [f"{s.label} — {s.title}" for s in offered]
    return Answer(
        answer=replies.suggest_with_officer(labels, english),
        grounded=False,
        handoff=False,
        confidence=match.probability,
        kind="suggest",
        language=answer.language,
        index_version=index_version,
        suggestions=offered,
    )
