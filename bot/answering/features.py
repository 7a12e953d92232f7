"""What the decision model reads about one question and the answer composed for it.

Each field is a signal that the quotes answer the question, or that the question is
about something the documents do not say. ``scripts/fit_decision.py`` keeps a signal
only when it helps on questions from writers the fit did not see.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields

from bot.vietnamese.text import fold, has_diacritics, tokens

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"(19|20|21)\d\d")
# Cues over the question folded without tone marks. They say what kind of thing is asked;
# the fitted model learns how much each one matters.
CUES = {
    "asks_current": re.compile(
        r"\b(hien nay|hien tai|bay gio|nam nay|hom nay|thang nay|dang la|hien giu|now|currently|current|today|this year|at the moment|right now|nowadays)\b"
    ),
    "asks_price": re.compile(
        r"\b(gia|bao nhieu tien|phi|le phi|hoc phi|muc phat|phat bao nhieu|tien phat|luong|chi phi|price|prices|cost|costs|fee|fees|fine|fines|salary|tuition|how much does)\b"
    ),
    "asks_procedure": re.compile(
        r"\b(thu tuc|ho so|lam sao de|lam the nao de|lam cach nao de|cach nao de|o dau de|nop o dau|dang ky o dau|xin giay|cap giay|how do i|how can i|how to apply|where do i|where can i|apply for|procedure|paperwork|register)\b"
    ),
    "asks_where": re.compile(r"\b(o dau|cho nao|noi nao|dia chi|where)\b"),
    "asks_who": re.compile(
        r"\b(ai|co quan nao|don vi nao|ban nao|to chuc nao|who|whom|which body|which agency|which organi[sz]ation)\b"
    ),
}
_BODY = re.compile(
    r"\b(Ban|Đảng ủy|Đảng bộ|Ủy ban|UBND|HĐND|Sở|Cơ quan|Hội|Đoàn|Mặt trận|Công an|Bộ|Thành ủy|Trường|Văn phòng|cấp ủy|Nhân dân|[A-ZĐ][a-zà-ỹđ]+ [A-ZĐ][a-zà-ỹđ]+ [A-ZĐ][a-zà-ỹđ]+)"
)


# A document named by kind and number ("Nghị quyết 57", "NQ 02", "22-KH/TU", "Resolution
# 15"), over folded text; the kinds map to one code so that "nghi quyet" and "NQ" agree.
_KINDS = {
    "nq": ("nghi quyet", "nq", "resolution"),
    "kh": ("ke hoach", "kh", "plan"),
    "ct": ("chi thi", "ct", "directive"),
    "qd": ("quyet dinh", "qd", "decision"),
    "kl": ("ket luan", "kl", "conclusion"),
    "nd": ("nghi dinh", "nd", "decree"),
    "tt": ("thong tu", "tt", "circular"),
    "luat": ("luat", "law"),
    "ctr": ("chuong trinh", "program", "programme"),
    "cv": ("cong van", "cv"),
}
_KIND_OF = {word: code for code, words in _KINDS.items() for word in words}
_KIND_WORDS = "|".join(sorted(_KIND_OF, key=len, reverse=True))
_NAMED_FIRST = re.compile(rf"\b({_KIND_WORDS})\s*(?:so|no\.?|number)?\s*(\d{{1,4}})\b")
_NUMBER_FIRST = re.compile(rf"\b(\d{{1,4}})\s*-\s*({_KIND_WORDS})\b")
# A document given with its date, as Vietnamese texts cite one: "Nghị quyết số 02 - NQ/TW
# ngày 17/3/2026", "Kết luận số 22-KL/TW ngày 07/11/2017".
_DATED = re.compile(
    rf"\b({_KIND_WORDS})\s*(?:so\s*)?(\d{{1,4}})\b[^.;:()]{{0,30}}?"
    r"\bngay\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
)
_FOLDED_DATE = re.compile(r"\b(19|20)\d\d\b|\d{1,2}/\d{4}|thang\s+\d")


@dataclass(frozen=True)
class Features:
    coverage: float  # share of the question's weighted terms found around the best sentence
    answer_coverage: float  # the same over every quoted sentence
    dense: float  # cosine of the best sentence
    dense_top: float  # best cosine anywhere
    fused: float  # fused retrieval score of the best sentence
    lexical: float  # raw BM25 of the best sentence
    number_missing: float  # the question wants a number and no quote has one
    english: float
    terms: int
    unknown: float  # content terms found nowhere in the documents
    unknown_weight: float  # their summed weight (IDF), a sign the question is about something else
    accented: float  # share of the question's words typed with tone marks
    final: float = 0.0  # the best sentence's final score (fused + coverage + heading)
    margin: float = 0.0  # how far the best section leads the best section that does not overlap it
    dense_gap: float = 0.0  # best cosine anywhere minus the chosen sentence's
    lexical_share: float = 0.0  # the chosen sentence's BM25 over the best BM25 anywhere
    dense_agrees: float = 0.0  # the best sentence by cosine alone is in the chosen section
    lexical_agrees: float = 0.0  # … and the best by BM25 alone
    heading: float = 0.0  # share of the question found in the chosen sentence's heading
    unknown_share: float = 0.0  # unknown content terms over all content terms
    figures_absent: float = 0.0  # numbers in the question ("2024", "4") that no quote contains
    names_absent: float = 0.0  # capitalised names in the question that the documents never use
    wants_type: float = 0.0  # the question asks for a number, date, amount or share
    wants_list: float = 0.0
    wants_reason: float = 0.0
    list_shape: float = 0.0  # the answer enumerates the items under a heading
    sections_near: float = 0.0  # distinct sections scoring within 0.1 of the best
    dense_z: float = 0.0  # the best cosine in standard deviations above the mean sentence
    missing_weight: float = 0.0  # the rarest question term the quotes do not contain (IDF)
    asks_current: float = 0.0  # "hiện nay", "năm nay", "now": today's facts, not a plan's
    asks_price: float = 0.0  # prices, fees, fines, salaries
    asks_procedure: float = 0.0  # "thủ tục", "làm sao để", "how do I": a citizen's errand
    asks_where: float = 0.0  # "ở đâu", "where"
    asks_who: float = 0.0  # "ai", "cơ quan nào", "who"
    who_missing: float = 0.0  # a "who" question whose quotes name no body or person
    other_documents: float = 0.0  # documents the question names that are not indexed ("NQ 57")
    topic: float = (
        0.0  # probe on the question's vector: does it read like a question about the documents
    )
    match: float = 0.0  # probe on question × quote vectors: do they speak of the same thing
    sampled: float = (
        0.0  # the chosen section's document has sample questions (else the three below are 0)
    )
    example_in: float = 0.0  # cosine of the nearest in-scope sample question
    example_out: float = 0.0  # … and of the nearest out-of-scope one
    example_agrees: float = 0.0  # the nearest in-scope sample was asked about the chosen section

    def vector(self, names: list[str]) -> list[float]:
        data = asdict(self)
        return [float(data[n]) for n in names]

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def cues(folded_question: str) -> dict[str, float]:
    return {name: float(bool(p.search(folded_question))) for name, p in CUES.items()}


def names_a_body(text: str) -> bool:
    """Whether a quote names an organisation or a person ("Ban Tuyên giáo", "Nguyễn Trọng Đông")."""
    return bool(_BODY.search(text))


def figures(text: str) -> set[str]:
    """The numbers a text states, without separators ("1.000" and "1000" are one)."""
    return {re.sub(r"[.,]", "", m) for m in _FIGURE.findall(text)}


def asked_figures(question: str, known: frozenset[str] = frozenset()) -> set[str]:
    """The numbers a question names, less ``known`` (numbers that only say which document
    is meant, "57" of "Kế hoạch 57") and "1", which chat writes for "một" ("bao lâu 1 lần",
    "1 năm", "1 cty"): an article, not a figure to find."""
    return figures(question) - known - {"1"}


def absent_figures(asked: set[str], quoted: str, best_sentence: str) -> int:
    """Numbers the question names that the quotes do not hold where they answer it. A
    year counts only in the quoted sentence that holds most of the question (its best
    sentence): "thu nhập năm 2035" is not answered by a sentence on incomes in 2030 and
    2045 quoted beside one on the city's vision for 2035. Other numbers (a document's
    "22" of "Kế hoạch 22-KH/TU") may be anywhere in the quotes."""
    years = {f for f in asked & figures(quoted) if _YEAR.fullmatch(f)}
    return len(asked - figures(quoted)) + len(years - figures(best_sentence))


def capitalised_names(question: str) -> list[str]:
    """Folded capitalised words that are not the first word of a sentence ("Vành", "Đai")."""
    names = []
    for sentence in re.split(r"[.!?\n]+", question):
        words = re.findall(r"[^\W\d_]+", sentence)
        for word in words[1:]:
            if word[0].isupper() and not word.isupper():
                names.append(fold(word.lower()))
    return names


def document_references(text: str) -> set[tuple[str, int]]:
    """The documents a text names by kind and number: {("nq", 2), ("kh", 57)}."""
    folded = fold(text.lower())
    found = {(_KIND_OF[k], int(n)) for k, n in _NAMED_FIRST.findall(folded)}
    found |= {(_KIND_OF[k], int(n)) for n, k in _NUMBER_FIRST.findall(folded)}
    return found


def dated_documents(text: str) -> tuple[set[tuple[str, int]], bool]:
    """The documents a text gives with their date, and whether it holds any other date
    ("đến năm 2030", "Hà Nội, ngày 13 tháng 4 năm 2026")."""
    folded = fold(text.lower())
    owners = {(_KIND_OF[m.group(1)], int(m.group(2))) for m in _DATED.finditer(folded)}
    return owners, bool(_FOLDED_DATE.search(_DATED.sub(" ", folded)))


def document_kinds(text: str) -> set[str]:
    """The kinds of document a text names, with or without a number ("kế hoạch" → "kh")."""
    return {_KIND_OF[k] for k in re.findall(rf"\b({_KIND_WORDS})\b", fold(text.lower()))}


def accented_share(text: str) -> float:
    """The share of a text's words typed with tone marks."""
    words = [w for w in tokens(text) if not w.isdigit()]
    return sum(1 for w in words if has_diacritics(w)) / len(words) if words else 0.0
