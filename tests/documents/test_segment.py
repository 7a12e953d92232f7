"""segment(): quotable sentence units (and clauses) as spans of the document body."""

from __future__ import annotations

import itertools
import re

import pytest

from bot.documents.model import Document
from bot.documents.segment import LONG_SENTENCE, Unit, segment
from bot.documents.structure import DocumentStructure, parse_structure


@pytest.fixture(scope="module")
def plan_units(plan: Document, plan_structure: DocumentStructure) -> list[Unit]:
    return segment(plan.meta.id, plan.text, plan_structure)


def sentences(text: str) -> list[str]:
    units = segment("doc", text, parse_structure(text))
    return [text[u.start : u.end] for u in units]


# --------------------------------------------------------------------------- on the real plan


def test_plan_units_are_trimmed_non_empty_spans(plan: Document, plan_units: list[Unit]) -> None:
    assert len(plan_units) > 100
    for unit in plan_units:
        quote = plan.text[unit.start : unit.end]
        assert quote, unit
        assert quote == quote.strip(), unit
        assert unit.doc == "57-KH/TU"


def test_plan_units_are_in_order_and_disjoint(plan_units: list[Unit]) -> None:
    for before, after in itertools.pairwise(plan_units):
        assert before.end <= after.start


def test_plan_units_stay_inside_their_paragraph_and_section(
    plan_structure: DocumentStructure, plan_units: list[Unit]
) -> None:
    for unit in plan_units:
        para = plan_structure.paragraphs[unit.paragraph]
        assert para.start <= unit.start and unit.end <= para.end
        assert unit.section == para.section
        assert unit.bullet == para.bullet and unit.heading == para.heading


def test_plan_units_carry_no_labels_or_bullet_dashes(
    plan: Document, plan_units: list[Unit]
) -> None:
    label = re.compile(r"(?:[IVX]+\.|\d{1,2}(?:\.\d{1,2})*\.?|[a-zđ]\))\s")
    for unit in plan_units:
        quote = plan.text[unit.start : unit.end]
        if unit.heading and unit.order == 0:
            assert not label.match(quote), quote
        assert not quote.startswith(("- ", "– ")), quote


@pytest.mark.parametrize(
    ("section_id", "first_unit"),
    [
        ("II.2.3.1", "Về quy hoạch phát triển Thủ đô với tầm nhìn dài hạn, ổn định"),
        ("IV.1.5", "Đảng ủy UBND Thành phố"),
        (
            "III.10",
            "Chủ động nắm bắt dư luận xã hội, kịp thời phản hồi các vấn đề được quan tâm, "
            "góp phần nâng cao tính minh bạch và hiệu quả truyền thông chính sách.",
        ),
    ],
)
def test_plan_heading_unit_starts_after_label(
    plan: Document, plan_units: list[Unit], section_id: str, first_unit: str
) -> None:
    unit = next(u for u in plan_units if u.section == section_id)
    assert unit.heading
    assert plan.text[unit.start : unit.end] == first_unit


def test_plan_clauses(plan: Document, plan_units: list[Unit]) -> None:
    long_with_semicolons = 0
    for unit in plan_units:
        quote = plan.text[unit.start : unit.end]
        clauses = unit.clauses
        # Clauses tile the sentence: they start at it, end at it, and only whitespace between.
        assert clauses[0][0] == unit.start and clauses[-1][1] == unit.end
        for (_, end), (start, _) in itertools.pairwise(clauses):
            assert plan.text[end:start].strip() == ""
        for start, end in clauses:
            clause = plan.text[start:end]
            assert clause and clause == clause.strip()
        if len(quote) <= LONG_SENTENCE:
            assert clauses == ((unit.start, unit.end),)
        elif "; " in quote:
            long_with_semicolons += 1
            assert len(clauses) == quote.count("; ") + 1
            assert all(plan.text[end - 1] == ";" for _, end in clauses[:-1])
    assert long_with_semicolons >= 10


def test_plan_numbers_and_references_do_not_split(plan: Document, plan_units: list[Unit]) -> None:
    quotes = [plan.text[u.start : u.end] for u in plan_units]
    income = next(q for q in quotes if "12.000 USD" in q)
    assert income.startswith("Tuyên truyền các chỉ tiêu kinh tế - xã hội cốt lõi")
    assert income.endswith("đạt tối thiểu 95.000 USD vào năm 2065.")
    assert not any(q.endswith(("12.", "02-NQ/", "17/3/")) for q in quotes)


# --------------------------------------------------------------------------- synthetic text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Câu một. Câu hai.", ["Câu một.", "Câu hai."]),
        (
            "Về thu nhập. Để thực hiện, cần quyết tâm.",
            ["Về thu nhập.", "Để thực hiện, cần quyết tâm."],
        ),
        ("Hoàn thành. Đảng bộ gương mẫu.", ["Hoàn thành.", "Đảng bộ gương mẫu."]),
        ("Vì sao? Ủy ban trả lời! Xong.", ["Vì sao?", "Ủy ban trả lời!", "Xong."]),
        ("Đạt 12.000 USD năm 2030. Tăng tiếp.", ["Đạt 12.000 USD năm 2030.", "Tăng tiếp."]),
        (
            "Theo Nghị quyết số 02-NQ/TW ngày 17/3/2026. Thực hiện.",
            ["Theo Nghị quyết số 02-NQ/TW ngày 17/3/2026.", "Thực hiện."],
        ),
        ("Đến năm 2030. 2045 là mốc.", ["Đến năm 2030.", "2045 là mốc."]),
        ("Gồm panô, áp phích,... và tờ gấp.", ["Gồm panô, áp phích,... và tờ gấp."]),
        ("Hướng tới “xanh”. Sau đó.", ["Hướng tới “xanh”.", "Sau đó."]),
        ("Chỉ một câu không dấu chấm", ["Chỉ một câu không dấu chấm"]),
    ],
)
def test_sentence_split(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_heading_label_and_bullet_dash_are_not_part_of_units() -> None:
    text = (
        "II. NỘI DUNG\n\n"
        "2.3.1. Về quy hoạch. Tầm nhìn 100 năm.\n\n"
        "- Nhấn mạnh việc xây dựng.\n\n"
        "– Gạch dài."
    )
    assert sentences(text) == [
        "NỘI DUNG",
        "Về quy hoạch.",
        "Tầm nhìn 100 năm.",
        "Nhấn mạnh việc xây dựng.",
        "Gạch dài.",
    ]
    units = segment("doc", text, parse_structure(text))
    assert [u.section for u in units] == ["II", "II.2.3.1", "II.2.3.1", "II.2.3.1", "II.2.3.1"]
    assert [u.order for u in units] == [0, 0, 1, 0, 0]
    assert [u.bullet for u in units] == [False, False, False, True, True]


def test_long_sentence_gets_clauses_at_semicolons() -> None:
    parts = [
        f"vế thứ {n} nói về nội dung tuyên truyền sâu rộng trong cán bộ, đảng viên"
        for n in range(6)
    ]
    sentence = "Tuyên truyền: " + "; ".join(parts) + "."
    assert len(sentence) > LONG_SENTENCE
    (unit,) = segment("doc", sentence, parse_structure(sentence))
    clauses = [sentence[s:e] for s, e in unit.clauses]
    assert len(clauses) == 6
    assert clauses[0] == "Tuyên truyền: " + parts[0] + ";"
    assert clauses[-1] == parts[-1] + "."


def test_short_sentence_has_one_clause_even_with_semicolons() -> None:
    sentence = "Một vế; hai vế; ba vế."
    (unit,) = segment("doc", sentence, parse_structure(sentence))
    assert unit.clauses == ((0, len(sentence)),)
