"""Vietnamese text normalisation shared by the index builder and the query side.

One tokeniser serves both sides so that a word is split the same way in the index
and in the question. Folding removes tone marks and diacritics (đ → d) so that
"muc tieu" finds "mục tiêu"; the accented form is kept beside it so that an
accented question can still tell "dân" from "dần".
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

# Control and format characters (zero-width, bidi marks) are dropped; tabs and
# newlines survive as whitespace.
_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_SPACES = re.compile(r"\s+")
# Words: letters, or numbers with inner dots or commas ("12.000", "11%"); dates split at
# "/" so that "2012" finds "06/01/2012".
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+\d*", re.UNICODE)
_DIACRITIC_CHARS = re.compile(r"[^\x00-\x7f]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, no control characters, single spaces, stripped."""
    text = nfc(
        _CONTROL.sub("", text)
    )  # drop zero-width marks first: they can split a letter from its accent
    return _SPACES.sub(" ", text).strip()


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


CACHED_WORD_CHARS = 32  # longer strings are folded each time: no flood can fill the cache


def fold(text: str) -> str:
    """Lower-case and strip tone marks and diacritics: "Đảng ủy" → "dang uy"."""
    if len(text) <= CACHED_WORD_CHARS:
        return _fold_word(text)
    return _fold(text)


@lru_cache(maxsize=65536)  # words: at most 65,536 × 32 characters
def _fold_word(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    text = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def has_diacritics(token: str) -> bool:
    return bool(_DIACRITIC_CHARS.search(token))


def tokens(text: str) -> list[str]:
    """Lower-cased NFC word tokens, punctuation dropped."""
    return _TOKEN.findall(nfc(text).lower())


def folded_tokens(text: str) -> list[str]:
    return [fold(t) for t in tokens(text)]


def bigrams(words: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in itertools.pairwise(words)]


# Old and new tone placement both occur ("hoá"/"hóa", "thuỷ"/"thủy"): open syllables
# ending in oa/oe/uy are rewritten with the mark on the first vowel, so both spellings
# meet in the accented index.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_OPEN_SYLLABLE = re.compile(
    r"(?<![a-z])([a-zđ]*?)(o)([ae])([\u0300\u0301\u0303\u0309\u0323])$|(?<![a-z])([a-zđ]*?)(u)(y)([\u0300\u0301\u0303\u0309\u0323])$",
    re.IGNORECASE,
)


def canonical_tone(token: str) -> str:
    decomposed = unicodedata.normalize("NFD", token)
    match = _OPEN_SYLLABLE.search(decomposed)
    if not match:
        return token
    if match.group(2):
        head, first, second, tone = match.group(1, 2, 3, 4)
    else:
        head, first, second, tone = match.group(5, 6, 7, 8)
        if head.lower().endswith("q"):  # "quý": the u belongs to the consonant
            return token
    rebuilt = decomposed[: match.start()] + head + first + tone + second
    return unicodedata.normalize("NFC", rebuilt)


def accented_tokens(text: str) -> list[str]:
    return [canonical_tone(t) for t in tokens(text)]
