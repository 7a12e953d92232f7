"""Which language a question is in: Vietnamese (with or without tone marks), English, or other."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from bot.vietnamese.lexicon import Lexicon, stem_english
from bot.vietnamese.text import has_diacritics, tokens

Language = Literal["vi", "en", "other", "none"]

# Words of Vietnamese chat that are no syllable and no shorthand for a document word.
_CHAT = frozenset({"ad", "alo", "alooo", "ak", "oke"})
_VOWEL = re.compile("[aeiouy]")


def detect_language(text: str, lexicon: Lexicon) -> Language:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "none"
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    if latin < 0.5 * len(letters):
        return "other"
    vietnamese = english = 0.0
    for word in tokens(text):
        vi, en = _evidence(word, lexicon)
        vietnamese += vi
        english += en
    return "en" if english > vietnamese else "vi"


def _evidence(word: str, lexicon: Lexicon) -> tuple[float, float]:
    """How much one word says the text is Vietnamese, and how much English. A word typed
    with Vietnamese letters is Vietnamese; without them, a syllable that is no English
    word ("chien", "thang") is, an English word that is no syllable ("theme") is English,
    and one that is both ("so", "may", "he", "can") says nothing. A word that is neither
    ("population", "Hanoi") leans English: Vietnamese has no such spellings, but names do."""
    if has_diacritics(word):
        return 1.0, 0.0  # also a one-letter word: "ở", "ạ"
    if len(word) < 2 or word.isdigit():
        return 0.0, 0.0
    if word in _CHAT:
        return 1.0, 0.0
    short = lexicon.abbreviations.get(word)
    if short is not None and not short[1]:
        return 0.5, 0.0  # shorthand: "ko", "dc", but also "NQ" of "Resolution 08-NQ/TW"
    if not _VOWEL.search(word):
        return 0.0, 0.0  # units and initials: "km", "TP"
    syllable = word in lexicon.syllables
    known_english = word in lexicon.english_words or stem_english(word) in lexicon.english_words
    if syllable and known_english:
        return (0.0, 0.0) if word in lexicon.stopwords_en else (0.5, 0.0)
    if syllable:
        return 1.0, 0.0
    return (0.0, 1.0) if known_english else (0.0, 0.5)
