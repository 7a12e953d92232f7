"""How well one sentence answers the question: its retrieval score, the share of the
question it covers (in itself and in its heading), and whether it holds what the
question asks for (a date, a reason, a signer) of the document the question names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from bot.answering.coverage import CoverageJudge
from bot.answering.features import dated_documents, document_kinds, document_references
from bot.documents.passages import unit_role
from bot.documents.structure import PREAMBLE, SIGNATURE
from bot.retrieval.index import SearchIndex
from bot.retrieval.query import Query
from bot.retrieval.query_intent import shows_answer_type
from bot.retrieval.query_terms import Term
from bot.retrieval.retriever import Ranked

COVERAGE_WEIGHT = 0.6  # how much the share of the question found lifts a sentence
HEADING_WEIGHT = 0.3  # … and the share found in its own heading
ANOTHER_DOCUMENT_PENALTY = 1.0  # a letterhead line, when the question is about another text
TYPE_PENALTY = 0.15  # a sentence without the number, date or amount the question asks for
REASON_BONUS = 0.1
SIGNER_BONUS = 0.5  # "ai ký": the signer's line, whatever else matches
ISSUER_BONUS = 0.5  # "ai ban hành": the sentence that names the issuing body
RECIPIENT_BONUS = 0.5  # "có gửi lên … không": the "Nơi nhận:" list
# How Vietnamese documents say who issues them: "… Ban Thường vụ Thành ủy ban hành Kế hoạch …".
_ISSUES = re.compile(
    r"\bban hành\s+(Kế hoạch|Nghị quyết|Quyết định|Chỉ thị|Chương trình|Kết luận|Thông báo|"
    r"Hướng dẫn|Đề án|Quy định|Quy chế|Công văn)",
    re.IGNORECASE,
)
_REASON = re.compile(r"\b(nhằm|để|vì|bởi|nhờ|do đó|qua đó)\b", re.IGNORECASE)

DocumentRef = tuple[str, int]  # ("nq", 2): a document by kind and number


class SentenceScorer:
    def __init__(
        self,
        index: SearchIndex,
        judge: CoverageJudge,
        own: dict[str, tuple[set[DocumentRef], set[str]]],
    ) -> None:
        """``own``: each indexed document's references and kinds ("57-KH/TU": kh 57, "kh")."""
        self.index = index
        self.judge = judge
        self.own = own

    def for_question(
        self, query: Query, ranked: Ranked, terms: list[Term], candidates: Iterable[int]
    ) -> Callable[[int], float]:
        """The final score of a sentence for this question (cached; ``candidates`` first)."""
        coverage = {i: self.judge.coverage(terms, [i]) for i in candidates}
        heading = {i: self.judge.heading_coverage(terms, i) for i in coverage}
        named, kinds = document_references(query.text), document_kinds(query.text)
        another = {  # the question names another document, not this one ("NQ 02 ký ngày nào")
            doc: bool(named) and not (named & refs or kinds & own_kinds)
            for doc, (refs, own_kinds) in self.own.items()
        }
        cache: dict[int, float] = {}

        def final(i: int) -> float:
            if i in cache:
                return cache[i]
            text = self.index.unit_text(i)
            score = (
                float(ranked.scores[i])
                + COVERAGE_WEIGHT * coverage.get(i, self.judge.coverage(terms, [i]))
                + HEADING_WEIGHT * heading.get(i, self.judge.heading_coverage(terms, i))
            )
            if not shows_answer_type(query.answer_type, text):
                score -= TYPE_PENALTY
            elif query.answer_type == "date" and _dates_of_others(text, named, kinds):
                score -= ANOTHER_DOCUMENT_PENALTY
            if query.wants_reason and _REASON.search(text):
                score += REASON_BONUS
            # The index names the signer's line by its role (documents/passages.py).
            unit = self.index.units[i]
            doc, section = unit.doc, unit.section
            role = unit_role(section, text)
            if query.asks_signer and section == SIGNATURE and role is not None:
                score += SIGNER_BONUS
            if query.asks_issuer and _names_issuer(text, section, another[doc], named):
                score += ISSUER_BONUS
            if query.asks_recipients and section == SIGNATURE and role is None:
                score += RECIPIENT_BONUS  # the signature block is the list of recipients
            # A letterhead's date and number are its own document's: "Nghị quyết 02 ban
            # hành ngày nào" is not answered by the plan's "Hà Nội, ngày 13 tháng 4…".
            if another[doc] and role is not None:
                score -= ANOTHER_DOCUMENT_PENALTY
            cache[i] = score
            return score

        return final


def _dates_of_others(text: str, named: set[DocumentRef], kinds: set[str]) -> bool:
    """Every date the sentence holds is another document's: "Thực hiện Nghị quyết số 02 -
    NQ/TW ngày 17/3/2026 …" states no date of Kế hoạch 57, whatever else it shares with
    "Kế hoạch 57 ban hành ngày nào"."""
    if not (named or kinds):
        return False
    owners, other_dates = dated_documents(text)
    if not owners or other_dates:
        return False
    if named:
        return not any(owner in named for owner in owners)
    return not any(kind in kinds for kind, _ in owners)


def _names_issuer(text: str, section: str, another: bool, named: set[DocumentRef]) -> bool:
    """Whether the sentence says who issued the document asked about: its own opening
    ("… Ban Thường vụ Thành ủy ban hành Kế hoạch …"), or, for a document cited in it, the
    citation with its date ("Nghị quyết số 02 - NQ/TW ngày 17/3/2026 của Bộ Chính trị")."""
    if not another:
        return section == PREAMBLE and bool(_ISSUES.search(text))
    return bool(named & dated_documents(text)[0])
