"""Which language a question is in: Vietnamese (with or without tone marks), English, or other."""

from __future__ import annotations

import unicodedata
from typing import Literal

from bot.vietnamese.lexicon import Lexicon
from bot.vietnamese.text import fold, tokens

Language = Literal["vi", "en", "other", "none"]

# Letters only Vietnamese uses among Latin scripts (after NFC): ă â đ ê ô ơ ư and the
# precomposed tone-marked vowels of the Latin Extended Additional block.
_VIETNAMESE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
# Frequent Vietnamese syllables typed without tone marks, which English never uses.
_VI_SYLLABLES = frozenset(
    "la cua va co duoc nhung cac gi nao ai bao nhieu khong thi ve de nay se da dang "
    "cho voi nghi quyet ke hoach thu do ha noi thanh pho nhan dan can bo muc tieu "
    "nhiem vu tuyen truyen trong nguoi viec phat trien xay dung chinh tri dang uy xa "
    "phuong the vay ntn sao toi minh ban em anh chi khi nam thang ngay duoc phai hay "
    "hoi muon biet giup ".split()
)


def _is_vietnamese_letter(ch: str) -> bool:
    if ch in _VIETNAMESE_LETTERS:
        return True
    return "\u1ea0" <= ch <= "\u1ef9"  # ạ … ỹ


def detect_language(text: str, lexicon: Lexicon) -> Language:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "none"
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    if latin < 0.5 * len(letters):
        return "other"
    words = [t for t in tokens(text) if not t.isdigit()]
    english = sum(
        1 for w in words if w in lexicon.stopwords_en and w not in {"a", "an", "do", "to"}
    )
    # A word with Vietnamese letters is strong evidence, a bare syllable weaker; an English
    # question may still name "Hà Nội".
    vietnamese = sum(
        1.0 if any(_is_vietnamese_letter(ch) for ch in w) else 0.5
        for w in words
        if fold(w) in _VI_SYLLABLES or any(_is_vietnamese_letter(ch) for ch in w)
    )
    return "en" if english > vietnamese else "vi"
