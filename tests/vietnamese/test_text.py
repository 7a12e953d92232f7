"""Vietnamese text normalisation: fold, canonical tone placement, clean, tokens."""

from __future__ import annotations

import unicodedata

import pytest

from bot.vietnamese.text import (
    accented_tokens,
    bigrams,
    canonical_tone,
    clean,
    fold,
    folded_tokens,
    has_diacritics,
    tokens,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def is_nfc(text: str) -> bool:
    return text == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đảng ủy", "dang uy"),
        ("Mục tiêu thu nhập", "muc tieu thu nhap"),
        ("ĐẢNG ỦY HÀ NỘI", "dang uy ha noi"),
        ("Người Việt Nam ở nước ngoài", "nguoi viet nam o nuoc ngoai"),
        ("dân / dần / dẫn", "dan / dan / dan"),
        ("12.000 USD", "12.000 usd"),
        ("muc tieu", "muc tieu"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_accepts_decomposed_input() -> None:
    assert fold(nfd("Đảng ủy Hà Nội")) == "dang uy ha noi"


@pytest.mark.parametrize(
    ("token", "canonical"),
    [
        ("hoá", "hóa"),
        ("thuỷ", "thủy"),
        ("uỷ", "ủy"),
        ("tuỳ", "tùy"),
        ("khoẻ", "khỏe"),
        ("hoà", "hòa"),
        ("quý", "quý"),  # the u belongs to "qu": nothing to move
        ("quỹ", "quỹ"),
        ("hóa", "hóa"),  # already canonical
        ("hoán", "hoán"),  # closed syllable: the mark stays on the second vowel
        ("hoạch", "hoạch"),
        ("thuyền", "thuyền"),
        ("văn", "văn"),
        ("2030", "2030"),
    ],
)
def test_canonical_tone(token: str, canonical: str) -> None:
    assert canonical_tone(token) == canonical
    assert is_nfc(canonical_tone(token))


@pytest.mark.parametrize("token", ["hoá", "hóa", "thuỷ", "thủy", "quý", "khoẻ", "hoạch"])
def test_canonical_tone_is_idempotent(token: str) -> None:
    once = canonical_tone(token)
    assert canonical_tone(once) == once


def test_canonical_tone_accepts_decomposed_input() -> None:
    assert canonical_tone(nfd("hoá")) == "hóa"


def test_canonical_tone_keeps_capitalised_quy() -> None:
    assert canonical_tone("Quý") == "Quý"


def test_old_and_new_tone_placement_meet() -> None:
    assert accented_tokens("văn hoá, thuỷ lợi") == accented_tokens("văn hóa, thủy lợi")
    assert accented_tokens("văn hoá") == ["văn", "hóa"]


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  Hà   Nội \t\n thủ đô  ", "Hà Nội thủ đô"),
        ("Kế\u200bhoạch", "Kếhoạch"),  # zero-width space dropped, not turned into a space
        ("\ufeffNghị quyết", "Nghị quyết"),  # byte-order mark
        ("a\x00b\x07c\x1fd\x7fe", "abcde"),  # C0/C1 control characters
        ("mục\u200e tiêu\u202a", "mục tiêu"),  # bidi marks
        ("", ""),
    ],
)
def test_clean(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_clean_normalises_decomposed_input_to_nfc() -> None:
    decomposed = nfd("Thành ủy Hà Nội")
    assert decomposed != "Thành ủy Hà Nội"
    assert clean(decomposed) == "Thành ủy Hà Nội"


def test_clean_output_is_nfc_even_around_zero_width_characters() -> None:
    assert clean("Ha\u200b\u0300 Nội") == "Hà Nội"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đạt 12.000 USD", ["đạt", "12.000", "usd"]),
        # Dates split at "/" (text.py: so that "2012" finds "06/01/2012").
        ("ngày 17/3/2026", ["ngày", "17", "3", "2026"]),
        ("tăng 11%/năm", ["tăng", "11%", "năm"]),
        ("95.000 USD; 42,5 tỷ", ["95.000", "usd", "42,5", "tỷ"]),
        ("Nghị quyết số 02-NQ/TW", ["nghị", "quyết", "số", "02", "nq", "tw"]),
        ("Thủ đô “Văn hiến - Văn minh”!", ["thủ", "đô", "văn", "hiến", "văn", "minh"]),
        ("năm 2030.", ["năm", "2030"]),
        ("", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_a_year_finds_a_full_date() -> None:
    assert "2012" in tokens("Nghị quyết số 11-NQ/TW ngày 06/01/2012")


def test_tokens_are_nfc_and_lower_case() -> None:
    result = tokens(nfd("ĐẢNG ỦY"))
    assert result == ["đảng", "ủy"]
    assert all(is_nfc(t) for t in result)


def test_folded_tokens_and_bigrams() -> None:
    folded = folded_tokens("Thu nhập bình quân")
    assert folded == ["thu", "nhap", "binh", "quan"]
    assert bigrams(folded) == ["thu_nhap", "nhap_binh", "binh_quan"]
    assert bigrams(["một"]) == []


@pytest.mark.parametrize(
    ("token", "expected"), [("dân", True), ("đ", True), ("dan", False), ("2030", False)]
)
def test_has_diacritics(token: str, expected: bool) -> None:
    assert has_diacritics(token) is expected


def test_fold_keeps_no_long_strings_in_its_cache() -> None:
    from bot.vietnamese import text as text_module

    before = text_module._fold_word.cache_info().currsize
    assert fold("Đảng" * 10_000) == "dang" * 10_000
    assert text_module._fold_word.cache_info().currsize == before
