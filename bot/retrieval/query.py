"""Turn a citizen's question into what the retrievers need.

The same tokeniser as the index is used. Each question word becomes a search term on
the folded field (tone marks ignored) and, when the citizen typed tone marks, also on
the accented field, so "dân" still ranks "dân" above "dần". Shorthand is expanded
(abbreviations.tsv); synonyms and the English glossary add the document's own words.

This module holds the result (``Query``) and the one entry point (``analyze``); the
terms are built in ``query_terms`` and what the question asks for is read in
``query_intent``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.retrieval.query_intent import (
    _ISSUER_QUESTION,
    _LIST_QUESTION,
    _NUMBER_QUESTION,
    _REASON_QUESTION,
    _SIGNER_QUESTION,
    answer_type,
    asks_manner,
    asks_recipients,
    names_a_duty,
    the_ask,
)
from bot.retrieval.query_terms import Corpus, Term, _expand_shorthand, _NoCorpus, _terms
from bot.vietnamese.language import Language, detect_language
from bot.vietnamese.lexicon import Expansion, Lexicon, stem_english
from bot.vietnamese.text import canonical_tone, fold, tokens


@dataclass(frozen=True)
class Query:
    text: str
    language: Language
    dense_text: str  # what the embedding model reads
    lexical: dict[str, float]  # index term → weight
    terms: tuple[Term, ...]
    wants_number: bool
    answer_type: str  # "money" | "percent" | "date" | "count" | "" (what a number answer must show)
    wants_list: bool
    wants_reason: bool  # "tại sao", "để làm gì", "why"
    asks_signer: bool = False  # "ai ký", "who signed": the signature block answers
    asks_duty: bool = False  # "… làm gì", "nhiệm vụ của …", "what is … asked to do"
    asks_issuer: bool = False  # "ai ban hành", "which body put it out": who issued a document
    asks_manner: bool = False  # "bằng những cách nào", "which ways": by what means
    asks_recipients: bool = False  # "kế hoạch có gửi lên … không", "nơi nhận": to whom it is sent


STORY_WEIGHT = 0.3  # a word only the story around the ask uses, for ranking (not judging)


def analyze(text: str, lexicon: Lexicon, corpus: Corpus | None = None) -> Query:
    """What to search for: the ask of a long message (``the_ask``) is searched and judged;
    the story around it adds its words to the ranking at ``STORY_WEIGHT``, and
    ``Query.text`` keeps the whole message (its names, prices and documents count)."""
    language = detect_language(text, lexicon)
    corpus = corpus or _NoCorpus()
    asked = the_ask(text)
    words, folded, terms, lexical = _read(asked, language, lexicon, corpus)
    if asked != text and not corpus.content_terms(terms):
        # "… Kế hoạch này có nói không?" names only the documents: the story holds what
        # is asked about, so the whole message is the ask.
        asked = text
        words, folded, terms, lexical = _read(asked, language, lexicon, corpus)
    if asked != text and STORY_WEIGHT:
        story = _read(text, language, lexicon, corpus)[3]
        for term, weight in story.items():
            lexical[term] = max(lexical.get(term, 0.0), STORY_WEIGHT * weight)

    folded_question = " ".join(folded)
    asks_signer = bool(_SIGNER_QUESTION.search(folded_question))
    return Query(
        text=text,
        language=language,
        dense_text=" ".join(words),
        lexical=lexical,
        terms=tuple(terms),
        wants_number=bool(_NUMBER_QUESTION.search(folded_question)),
        answer_type=answer_type(folded_question),
        wants_list=bool(_LIST_QUESTION.search(folded_question)),
        wants_reason=bool(_REASON_QUESTION.search(folded_question)),
        asks_signer=asks_signer,
        asks_duty=names_a_duty(folded_question),
        # "ai ký và ban hành" is the signer's question: the signature block answers it.
        asks_issuer=not asks_signer and bool(_ISSUER_QUESTION.search(folded_question)),
        asks_manner=asks_manner(folded_question),
        asks_recipients=asks_recipients(folded_question),
    )


def _read(
    text: str, language: Language, lexicon: Lexicon, corpus: Corpus
) -> tuple[list[str], list[str], list[Term], dict[str, float]]:
    """Words (shorthand written out), their folded forms, the terms and the lexical query."""
    if language == "en":
        words = [t.lower() for t in tokens(text)]
        abbreviations: list[Expansion] = []
    else:
        words, abbreviations = _expand_shorthand(text, lexicon)
    words = [canonical_tone(w) for w in words]
    folded = [fold(w) for w in words]

    if language == "en":
        expansions = lexicon.find_phrases([stem_english(w) for w in folded], lexicon.english)
    else:
        expansions = lexicon.find_phrases(folded, lexicon.synonyms)
    # An abbreviation the documents may also use ("MTTQ") stays a term of its own unless
    # a synonym phrase already covers those words.
    taken = {i for e in expansions for i in range(e.start, e.end)}
    expansions += [a for a in abbreviations if not taken & set(range(a.start, a.end))]
    expansions.sort(key=lambda e: e.start)
    terms, lexical = _terms(words, folded, expansions, language, lexicon, corpus)
    return words, folded, terms, lexical
