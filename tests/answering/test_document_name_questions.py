"""Questions made of a document's name and what is asked of it ("NQ 02 ai ký", "NQ 02 ngày
nào"): the name's words are the subject, so the quotes are judged on them, and a word
typed with tone marks is a name's word only as typed ("ký" is not the "kỷ" of "kỷ nguyên
mới" in the plan's title)."""

from __future__ import annotations

import pytest

from bot.retrieval.query import analyze

pytestmark = pytest.mark.slow


def _term(engine, question: str, folded: str):
    terms = analyze(question, engine.lexicon, engine.judge).terms
    return next(t for t in terms if t.folded == folded)


def test_a_word_of_the_title_counts_as_typed(engine):
    assert not engine.judge.is_identity(_term(engine, "NQ 02 ai ký", "ky"))
    assert engine.judge.is_identity(_term(engine, "Kế hoạch 57 ban hành khi nào", "ke hoach"))
    # Without tone marks "ky" may be the title's "kỷ": it stays a word of the name.
    assert engine.judge.is_identity(_term(engine, "ai ky nghi quyet 02", "ky"))


@pytest.mark.parametrize(
    ("question", "fact", "section"),
    [
        ("NQ 02 ai ký", "Tổng Bí thư Tô Lâm thay mặt Bộ Chính trị ký", "II.1"),
        ("NQ 02 ngày nào vậy", "ngày 17/3/2026", "preamble"),
        ("ai ky nghi quyet 02", "Tổng Bí thư Tô Lâm thay mặt Bộ Chính trị ký", "II.1"),
    ],
)
def test_the_name_is_the_subject_when_nothing_else_is_asked(engine, question, fact, section):
    answer = engine.answer(question)

    # Before, such a question had no content word: its quotes covered 0 % of it and the
    # decision, reading that as a question about something else, only suggested sections.
    assert engine.last_trace.features.coverage == 1.0
    assert answer.kind == "answer"
    assert fact in answer.answer
    assert section in {c.section for c in answer.citations}
