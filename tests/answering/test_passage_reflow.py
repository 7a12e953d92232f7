""" "Xem nguyên văn" reads like the printed document: one paragraph per line, the source's
hard line breaks and page-break splits mended, and every quote still found in it."""

from __future__ import annotations

from pathlib import Path

from bot.answering.render import reflow, section_passage
from bot.retrieval.index import SearchIndex
from bot.vietnamese.text import collapse_spaces

INDEX = Path(__file__).resolve().parents[2] / "index"


def test_hard_breaks_inside_a_paragraph_become_spaces() -> None:
    body = "1. Mục đích\n\n- Tuyên truyền sâu rộng,\ntạo sự thống nhất.\n\n- Một ý khác."
    assert reflow(body) == [
        "1. Mục đích",
        "- Tuyên truyền sâu rộng, tạo sự thống nhất.",
        "- Một ý khác.",
    ]


def test_a_paragraph_cut_by_a_page_break_is_joined() -> None:
    body = "- Nội dung cần bám sát thực tiễn, phù hợp với\n\ntuyên truyền, vận động hiệu quả."
    assert reflow(body) == [
        "- Nội dung cần bám sát thực tiễn, phù hợp với tuyên truyền, vận động hiệu quả."
    ]


def test_lettered_items_stay_apart() -> None:
    body = "1. Mục tiêu:\n\na) Phấn đấu một;\n\nb) Phấn đấu hai."
    assert reflow(body) == ["1. Mục tiêu:", "a) Phấn đấu một;", "b) Phấn đấu hai."]


def test_list_lines_and_capitalised_paragraphs_stay_apart() -> None:
    body = "Nơi nhận:\n- Ban Bí thư,\n- Các sở, ngành,\n\nTHÀNH ỦY HÀ NỘI\n\nĐẢNG CỘNG SẢN"
    assert reflow(body) == [
        "Nơi nhận:",
        "- Ban Bí thư,",
        "- Các sở, ngành,",
        "THÀNH ỦY HÀ NỘI",
        "ĐẢNG CỘNG SẢN",
    ]


def test_every_quotable_sentence_is_inside_its_sections_passage() -> None:
    index = SearchIndex.load(INDEX)
    passages: dict[tuple[str, str], list[str]] = {}
    for i, unit in enumerate(index.units):
        key = (unit.doc, unit.section)
        if key not in passages:
            passages[key] = section_passage(index, *key).split("\n")
        sentence = collapse_spaces(index.unit_text(i))
        # The page marks it in the paragraphs joined by spaces (a quote may span a list).
        assert sentence in " ".join(passages[key]), (key, sentence[:80])
