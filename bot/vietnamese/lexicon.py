"""Data-driven vocabulary: abbreviations, synonyms, the English glossary, stop words, intents.

The lists live as plain text files in ``data/`` so that a maintainer can add a word
citizens use without touching code; this module only loads and applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from bot.vietnamese.text import fold, tokens

DATA = Path(str(resources.files("bot.vietnamese") / "data"))


@dataclass(frozen=True)
class Expansion:
    """A phrase found in the question and the document words it stands for."""

    phrase: str  # folded, as matched
    start: int  # token positions in the question
    end: int
    targets: tuple[str, ...]  # document phrases (accented, as written in the data)


class Lexicon:
    def __init__(self, data_dir: Path = DATA) -> None:
        self._dir = data_dir

    def _rows(self, name: str) -> list[list[str]]:
        rows = []
        for line in (self._dir / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                rows.append([cell.strip() for cell in line.split("\t")])
        return rows

    @cached_property
    def abbreviations(self) -> dict[str, tuple[str, bool]]:
        """short form (lower case) → (expansion, only when written in capitals)."""
        return {
            row[0].lower(): (row[1], len(row) > 2 and row[2] == "upper")
            for row in self._rows("abbreviations.tsv")
        }

    @cached_property
    def synonyms(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        return self._phrase_map("synonyms.tsv")

    @cached_property
    def english(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """English phrases, keyed by stemmed words ("partnerships" finds "partnership")."""
        return {
            tuple(stem_english(w) for w in k): v for k, v in self._phrase_map("english.tsv").items()
        }

    def _phrase_map(self, name: str) -> dict[tuple[str, ...], tuple[str, ...]]:
        mapping: dict[tuple[str, ...], tuple[str, ...]] = {}
        for row in self._rows(name):
            key = tuple(fold(t) for t in tokens(row[0]))
            targets = tuple(t.strip() for t in row[1].split("|") if t.strip())
            if key and targets:
                mapping[key] = tuple(dict.fromkeys(mapping.get(key, ()) + targets))
        return mapping

    @cached_property
    def stopwords_vi(self) -> frozenset[str]:
        words = (self._dir / "stopwords_vi.txt").read_text(encoding="utf-8")
        return frozenset(
            t for line in words.splitlines() if not line.startswith("#") for t in tokens(line)
        )

    @cached_property
    def stopwords_en(self) -> frozenset[str]:
        words = (self._dir / "stopwords_en.txt").read_text(encoding="utf-8")
        return frozenset(
            t for line in words.splitlines() if not line.startswith("#") for t in tokens(line)
        )

    @cached_property
    def _word_list(self) -> frozenset[tuple[str, ...]]:
        """pyvi's word list (MIT), each word as its folded syllables."""
        lines = (self._dir / "words.txt").read_text(encoding="utf-8").splitlines()
        return frozenset(
            tuple(fold(t) for t in tokens(line)) for line in lines if not line.startswith("#")
        )

    @cached_property
    def dictionary(self) -> frozenset[tuple[str, ...]]:
        """Multi-syllable Vietnamese words, folded."""
        return frozenset(w for w in self._word_list if 2 <= len(w) <= 4)

    @cached_property
    def syllables(self) -> frozenset[str]:
        """Every Vietnamese syllable of the word list, folded ("chien", "thang", "so"),
        without the loanwords it also holds ("camera", "online")."""
        return frozenset(s for w in self._word_list for s in w if is_syllable_shape(s))

    @cached_property
    def english_words(self) -> frozenset[str]:
        """English words the bot knows: function words and the glossary's words, stemmed."""
        return self.stopwords_en | frozenset(w for phrase in self.english for w in phrase)

    @cached_property
    def framing(self) -> frozenset[tuple[str, ...]]:
        lines = (self._dir / "framing.txt").read_text(encoding="utf-8").splitlines()
        return frozenset(
            tuple(fold(t) for t in tokens(line))
            for line in lines
            if line.strip() and not line.startswith("#")
        )

    def framing_spans(self, folded: list[str]) -> list[tuple[int, int]]:
        """Token spans (start, end) of question-framing phrases ("đưa ra", "là gì"): the
        longest one starting at each position."""
        spans: list[tuple[int, int]] = []
        longest = max((len(p) for p in self.framing), default=0)
        for i in range(len(folded)):
            for size in range(min(longest, len(folded) - i), 0, -1):
                if tuple(folded[i : i + size]) in self.framing:
                    spans.append((i, i + size))
                    break
        return spans

    @cached_property
    def intents(self) -> list[tuple[str, re.Pattern[str]]]:
        """Patterns in file order; a ``define`` row names a sub-pattern that later rows use
        as ``{NAME}`` (one list of the people a citizen may ask for, not one per pattern)."""
        parts: dict[str, str] = {}
        found = []
        for row in self._rows("intents.tsv"):
            if row[0] == "define":
                parts[row[1]] = row[2]
                continue
            pattern = re.sub(r"\{([A-Z_]+)\}", lambda m: parts[m.group(1)], row[1])
            found.append((row[0], re.compile(pattern)))
        return found

    def abbreviation(self, token: str) -> str | None:
        """The full words for a shorthand token ("HN" → "hà nội"), or None."""
        entry = self.abbreviations.get(token.lower())
        if entry and (not entry[1] or token.isupper()):
            return entry[0]
        return None

    def find_phrases(
        self, folded: list[str], mapping: dict[tuple[str, ...], tuple[str, ...]]
    ) -> list[Expansion]:
        """Longest-first, non-overlapping phrase matches of ``mapping`` in a folded token list."""
        longest = max((len(k) for k in mapping), default=0)
        found: list[Expansion] = []
        i = 0
        while i < len(folded):
            for size in range(min(longest, len(folded) - i), 0, -1):
                key = tuple(folded[i : i + size])
                if key in mapping:
                    found.append(Expansion(" ".join(key), i, i + size, mapping[key]))
                    i += size
                    break
            else:
                i += 1
        return found

    def intent(self, folded_text: str) -> str | None:
        for name, pattern in self.intents:
            if pattern.search(folded_text):
                return name
        return None


# A folded Vietnamese syllable: an optional onset, one to three vowels, an optional final
# consonant. English words seldom fit ("population", "theme", "plan"); chat shorthand
# ("ko", "dc") is in the abbreviations instead.
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?"
)


def is_syllable_shape(folded_word: str) -> bool:
    return bool(_SYLLABLE.fullmatch(folded_word))


# Words whose final "s" is not a plural ("news" is not "new").
_NOT_PLURAL = frozenset({"news", "series", "species", "means", "politics", "economics", "always"})


def stem_english(word: str) -> str:
    """Just enough stemming for a glossary: plural and third-person "s" ("es" after a
    hissing sound: "taxes", "approaches", "addresses", "quizzes")."""
    if word in _NOT_PLURAL:
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("zzes"):
        return word[:-3]
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
