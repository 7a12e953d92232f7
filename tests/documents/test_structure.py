"""parse_structure on the real plan (57-KH/TU) and on small synthetic documents."""

from __future__ import annotations

import itertools

import pytest

from bot.documents.model import Document, Section
from bot.documents.structure import (
    PREAMBLE,
    SIGNATURE,
    DocumentStructure,
    parse_structure,
    roman_to_int,
    split_paragraphs,
)

# Every heading of the plan, in document order (checked by hand against knowledge/57-KH-TU.txt).
PLAN_SECTION_IDS = [
    "preamble",
    "I", "I.1", "I.2",
    "II", "II.1", "II.2", "II.2.1", "II.2.2", "II.2.3",
    *(f"II.2.3.{n}" for n in range(1, 10)),
    "III", *(f"III.{n}" for n in range(1, 11)),
    "IV", "IV.1", *(f"IV.1.{n}" for n in range(1, 11)),
    "IV.2", "IV.2.1", "IV.2.2", "IV.2.3",
    "IV.3",
    "signature",
]  # fmt: skip


def span(doc: Document, section: Section) -> str:
    return doc.text[section.start : section.end]


def own_text(doc: Document, section: Section) -> str:
    return doc.text[section.start : section.own_end]


# --------------------------------------------------------------------------- the real plan


def test_plan_section_ids_in_document_order(plan_structure: DocumentStructure) -> None:
    assert list(plan_structure.sections) == PLAN_SECTION_IDS


def test_plan_sections_are_in_text_order(plan_structure: DocumentStructure) -> None:
    starts = [s.start for s in plan_structure.sections.values()]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("section_id", "parent", "children"),
    [
        ("I", None, ["I.1", "I.2"]),
        ("II.2", "II", ["II.2.1", "II.2.2", "II.2.3"]),
        ("II.2.3", "II.2", [f"II.2.3.{n}" for n in range(1, 10)]),
        ("III", None, [f"III.{n}" for n in range(1, 11)]),
        ("IV", None, ["IV.1", "IV.2", "IV.3"]),
        ("IV.1", "IV", [f"IV.1.{n}" for n in range(1, 11)]),
        ("IV.1.5", "IV.1", []),
        ("IV.2", "IV", ["IV.2.1", "IV.2.2", "IV.2.3"]),
        ("preamble", None, []),
        ("signature", None, []),
    ],
)
def test_plan_parents_and_children(
    plan_structure: DocumentStructure, section_id: str, parent: str | None, children: list[str]
) -> None:
    section = plan_structure.sections[section_id]
    assert section.parent == parent
    assert section.children == children


@pytest.mark.parametrize(
    ("section_id", "label", "title"),
    [
        ("II", "II.", "NỘI DUNG THÔNG TIN, TUYÊN TRUYỀN, VẬN ĐỘNG"),
        ("II.2.3.9", "2.3.9.", "Về nâng cao năng lực lãnh đạo, cầm quyền của Đảng bộ"),
        ("III.10", "10.", "Chủ động nắm bắt dư luận xã hội"),  # title starts with this
        ("IV.1.5", "1.5", "Đảng ủy UBND Thành phố"),  # no trailing dot in the plan
        ("IV.1.10", "1.10.", "Đảng ủy các xã, phường"),
    ],
)
def test_plan_labels_and_titles(
    plan_structure: DocumentStructure, section_id: str, label: str, title: str
) -> None:
    section = plan_structure.sections[section_id]
    assert section.label == label
    assert section.title.startswith(title)


def test_plan_path(plan_structure: DocumentStructure) -> None:
    assert [s.id for s in plan_structure.path("IV.1.5")] == ["IV", "IV.1", "IV.1.5"]


# (section, phrase): each phrase occurs once in the plan and lies in that section's own text.
PLACED_PHRASES = [
    (PREAMBLE, "ngày 13 tháng 4 năm 2026"),
    (PREAMBLE, "Ban Thường vụ Thành ủy ban hành Kế hoạch thông tin"),
    ("I.1", "biến khát vọng thành hành động"),
    ("I.2", "kết hợp chặt chẽ giữa tuyên truyền trực quan, trực tuyến"),
    ("II.1", "Tổng Bí thư Tô Lâm"),
    ("II.2.1", "Văn hiến - Văn minh - Hiện đại - Hạnh phúc"),
    ("II.2.2", "12.000 USD"),
    ("II.2.2", "Châu Á - Thái Bình Dương"),  # after a page break
    ("II.2.3.3", "(sandbox)"),
    ("II.2.3.7", "trái phiếu đô thị"),  # after a page break
    ("II.2.3.9", "Đức - Sức - Tài"),
    ("III.2", "(Facebook, Zalo, Youtube...)"),
    ("III.10", "Chủ động nắm bắt dư luận xã hội"),
    ("IV.1.2", "Dự kiến phát động tháng trong 6/2026"),
    ("IV.1.5", "Lãnh đạo UBND Thành phố xây dựng, ban hành Kế hoạch chỉ đạo"),
    ("IV.1.10", "tổ dân phố, khu dân cư"),
    ("IV.2.1", "Dân vận khéo"),
    ("IV.3", "Đề nghị các cấp ủy, tổ chức đảng, chính quyền"),
    (SIGNATURE, "Nguyễn Trọng Đông"),
]


@pytest.mark.parametrize(("section_id", "phrase"), PLACED_PHRASES)
def test_plan_phrase_belongs_to_section(
    plan: Document, plan_structure: DocumentStructure, section_id: str, phrase: str
) -> None:
    assert plan.text.count(phrase) == 1, "test phrase must be unique in the plan"
    offset = plan.text.index(phrase)
    section = plan_structure.sections[section_id]
    assert phrase in own_text(plan, section)
    assert plan_structure.section_at(offset) == section_id


def test_iv_1_5_span(plan: Document, plan_structure: DocumentStructure) -> None:
    text = span(plan, plan_structure.sections["IV.1.5"])
    assert text.startswith("1.5 Đảng ủy UBND Thành phố")
    assert "Lãnh đạo UBND Thành phố xây dựng, ban hành Kế hoạch chỉ đạo" in text
    assert text.endswith("trung bình tối thiểu 10 tin, bài/tháng.")
    assert "1.6." not in text


def test_iii_10_ends_before_part_iv(plan: Document, plan_structure: DocumentStructure) -> None:
    section = plan_structure.sections["III.10"]
    assert "Chủ động nắm bắt dư luận xã hội" in span(plan, section)
    assert section.end <= plan.text.index("IV. TỔ CHỨC")
    assert span(plan, section).endswith("sự đồng thuận xã hội.")


def test_preamble_and_signature(plan: Document, plan_structure: DocumentStructure) -> None:
    preamble = span(plan, plan_structure.sections[PREAMBLE])
    assert preamble.startswith("THÀNH ỦY HÀ NỘI")
    assert "ngày 13 tháng 4 năm 2026" in preamble
    assert preamble.endswith("cụ thể như sau:")
    signature = span(plan, plan_structure.sections[SIGNATURE])
    assert signature.startswith("Nơi nhận")
    assert signature.endswith("Nguyễn Trọng Đông")


def test_closing_paragraph_belongs_to_iv_3(
    plan: Document, plan_structure: DocumentStructure
) -> None:
    iv_3 = span(plan, plan_structure.sections["IV.3"])
    assert iv_3.endswith("để Ban Thường vụ Thành ủy xem xét, chỉ đạo./.")
    assert "Nơi nhận" not in iv_3


def _siblings(structure: DocumentStructure) -> list[list[Section]]:
    top = [s for s in structure.sections.values() if s.parent is None]
    groups = [top]
    for section in structure.sections.values():
        if section.children:
            groups.append([structure.sections[c] for c in section.children])
    return groups


def test_sibling_spans_do_not_overlap(plan_structure: DocumentStructure) -> None:
    for group in _siblings(plan_structure):
        ordered = sorted(group, key=lambda s: s.start)
        for left, right in itertools.pairwise(ordered):
            assert left.end <= right.start, f"{left.id} overlaps {right.id}"


def test_own_text_and_children_lie_inside_full_span(plan_structure: DocumentStructure) -> None:
    for section in plan_structure.sections.values():
        assert section.start < section.own_end <= section.end, section.id
        for child_id in section.children:
            child = plan_structure.sections[child_id]
            assert section.own_end <= child.start, (section.id, child_id)
            assert section.start <= child.start and child.end <= section.end, (section.id, child_id)


def test_every_paragraph_lies_in_its_sections_own_text(
    plan_structure: DocumentStructure,
) -> None:
    for para in plan_structure.paragraphs:
        section = plan_structure.sections[para.section]
        assert section.start <= para.start and para.end <= section.own_end, para


def test_plan_bullets_and_headings(plan: Document, plan_structure: DocumentStructure) -> None:
    headings = [p for p in plan_structure.paragraphs if p.heading]
    # Every section except preamble and signature is opened by exactly one heading paragraph.
    assert [p.section for p in headings] == PLAN_SECTION_IDS[1:-1]
    bullets = [p for p in plan_structure.paragraphs if p.bullet]
    assert bullets and all(plan.text[p.start] == "-" for p in bullets)


# --------------------------------------------------------------------------- paragraphs


def _paragraph_texts(text: str) -> list[str]:
    return [text[p.start : p.end] for p in split_paragraphs(text)]


def test_page_break_is_glued_back_in_the_plan(plan: Document) -> None:
    glued = next(t for t in _paragraph_texts(plan.text) if "gắn\n\ntuyên truyền" in t)
    assert glued.startswith("- Nội dung thông tin, tuyên truyền, vận động cần bám sát thực tiễn")
    assert glued.endswith("nâng cao tính ứng dụng và hiệu quả thực hiện.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Câu bị cắt ở cuối trang, gắn\n\ntuyên truyền tiếp.",
            ["Câu bị cắt ở cuối trang, gắn\n\ntuyên truyền tiếp."],
        ),
        (
            "Câu đã kết thúc.\n\ntiếp theo viết thường.",
            ["Câu đã kết thúc.", "tiếp theo viết thường."],
        ),
        ("Tiêu đề\n\nNội dung mới.", ["Tiêu đề", "Nội dung mới."]),
        ("  Đoạn một.  \n \t\n\n  Đoạn hai.\n", ["Đoạn một.", "Đoạn hai."]),
        ("", []),
    ],
)
def test_split_paragraphs(text: str, expected: list[str]) -> None:
    assert _paragraph_texts(text) == expected


# --------------------------------------------------------------------------- synthetic documents


def _ids(text: str) -> list[str]:
    return list(parse_structure(text).sections)


def test_lettered_items_under_a_numbered_heading() -> None:
    text = (
        "I. NỘI DUNG\n\n"
        "1. Mục đích\n\n"
        "Gồm các nội dung sau:\n\n"
        "a) Tuyên truyền về mục tiêu;\n\n"
        "b) Phổ biến chính sách.\n\n"
        "2. Yêu cầu\n\n"
        "Cụ thể:\n\n"
        "a) Kịp thời."
    )
    structure = parse_structure(text)
    assert list(structure.sections) == ["I", "I.1", "I.1.a", "I.1.b", "I.2", "I.2.a"]
    item = structure.sections["I.1.b"]
    assert (item.label, item.parent, item.title) == ("b)", "I.1", "Phổ biến chính sách.")
    assert structure.sections["I.1"].children == ["I.1.a", "I.1.b"]


def test_lettered_item_right_after_a_heading() -> None:
    text = "I. NỘI DUNG\n\n1. Mục đích\n\na) Tuyên truyền về mục tiêu;\n\nb) Phổ biến chính sách."
    assert _ids(text) == ["I", "I.1", "I.1.a", "I.1.b"]


def test_paragraph_starting_with_upper_case_vietnamese_letter_is_not_glued() -> None:
    text = "I. NỘI DUNG\n\n1. Mục đích\n\nĐảng viên gương mẫu."
    assert _paragraph_texts(text) == ["I. NỘI DUNG", "1. Mục đích", "Đảng viên gương mẫu."]


def test_numbered_heading_without_trailing_dot() -> None:
    text = "IV. TỔ CHỨC THỰC HIỆN\n\n1. Phân công\n\n1.5 Đảng ủy UBND Thành phố\n\nNội dung."
    structure = parse_structure(text)
    assert list(structure.sections) == ["IV", "IV.1", "IV.1.5"]
    section = structure.sections["IV.1.5"]
    assert (section.label, section.title, section.parent) == (
        "1.5",
        "Đảng ủy UBND Thành phố",
        "IV.1",
    )
    assert text[section.start : section.end] == "1.5 Đảng ủy UBND Thành phố\n\nNội dung."


def test_document_without_roman_headings() -> None:
    text = "KẾ HOẠCH\n\n1. Mục đích\n\nNội dung một.\n\n2. Yêu cầu\n\n2.1. Chi tiết.\n\n2.2. Thêm."
    structure = parse_structure(text)
    assert list(structure.sections) == ["preamble", "1", "2", "2.1", "2.2"]
    assert structure.sections["2"].children == ["2.1", "2.2"]
    assert text[structure.sections[PREAMBLE].start : structure.sections[PREAMBLE].end] == "KẾ HOẠCH"


def test_document_without_headings_is_all_preamble() -> None:
    text = "Chỉ có văn bản.\n\nHai đoạn văn, không có đề mục."
    structure = parse_structure(text)
    assert list(structure.sections) == [PREAMBLE]
    preamble = structure.sections[PREAMBLE]
    assert (preamble.start, preamble.end) == (0, len(text))
    assert {p.section for p in structure.paragraphs} == {PREAMBLE}
    assert structure.section_at(len(text) - 1) == PREAMBLE


@pytest.mark.parametrize(
    "paragraph",
    [
        "10 tin, bài/tháng là chỉ tiêu.",
        "12.000 USD là mức thu nhập.",
        "2030 là mốc quan trọng.",
        "1.5 triệu người tham gia.",
        "2. trường hợp viết thường.",
    ],
)
def test_number_at_start_of_sentence_is_not_a_heading(paragraph: str) -> None:
    text = f"I. MỤC TIÊU\n\n1. Thu nhập\n\nChỉ tiêu:\n\n{paragraph}"
    structure = parse_structure(text)
    assert list(structure.sections) == ["I", "I.1"]
    assert structure.section_at(text.index(paragraph)) == "I.1"


def test_dash_bullets_are_marked() -> None:
    text = "I. MỤC ĐÍCH\n\n1. Mục đích\n\n- Gạch ngang.\n\n– Gạch dài.\n\nĐoạn thường."
    structure = parse_structure(text)
    marks = {text[p.start : p.end]: p.bullet for p in structure.paragraphs}
    assert marks == {
        "I. MỤC ĐÍCH": False,
        "1. Mục đích": False,
        "- Gạch ngang.": True,
        "– Gạch dài.": True,
        "Đoạn thường.": False,
    }


def test_signature_block_starts_at_noi_nhan() -> None:
    text = "I. NỘI DUNG\n\nThực hiện.\n\nNơi nhận:\n- Như trên,\n- Lưu VT.\n\nNguyễn Văn A"
    structure = parse_structure(text)
    assert list(structure.sections) == ["I", SIGNATURE]
    signature = structure.sections[SIGNATURE]
    assert text[signature.start : signature.end] == text[text.index("Nơi nhận") :]
    assert structure.sections["I"].end == text.index("Thực hiện.") + len("Thực hiện.")


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("I", 1), ("IV", 4), ("IX", 9), ("XIV", 14), ("IIII", None), ("VX", None), ("IL", None)],
)
def test_roman_to_int(numeral: str, value: int | None) -> None:
    assert roman_to_int(numeral) == value
