"""What the page shows of each cluster: its size, trend, most central questions (by id, so
an erased citizen's words vanish with their messages), the wards it comes from, and a
few words most of its questions share. Runs in the job's thread, beside the arithmetic."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from bot.console.cluster_math import (
    DISTANCE,
    MEANING,
    Asked,
    Items,
    Similarity,
    central_first,
    clusters_of,
    core,
    shown,
)
from bot.vietnamese.text import fold, has_diacritics, tokens

MEMBERS_KEPT = 50  # ids kept per cluster, most central first (the page's examples)
KEYWORD_MIN = 3  # a keyword comes from at least this many questions: nobody's own words
KEYWORDS = 3
# Words of asking, not of a topic (folded): a keyword has neither of its syllables here.
FILLER = frozenset(
    "a ad ai anh bac ban bao bn cach can chau chi cho chu co con cua da dau di duoc dc e em "
    "gi giup gium ha hay hoi khi khong ko la lam luc may minh moi muon nao nay nha nhe nhieu "
    "nhu ntn nhung o oi ong phai ra sao the thi thoi toi tu va vay ve voi vs xin".split()
)


def compute(
    items: Items,
    vectors: np.ndarray,
    now: datetime,
    distance: float = DISTANCE,
    meaning: float = MEANING,
) -> dict[str, Any]:
    """The clusters of two or more questions, largest first (then the most recent)."""
    similarity = Similarity(vectors, items.keys, items.marked, meaning)
    found, alone = [], 0
    for rows in clusters_of(similarity, distance):
        asked = [a for r in rows for a in items.messages[r]]
        if len(asked) < 2:
            alone += len(asked)
            continue
        ordered = central_first(similarity, rows, [len(items.messages[r]) for r in rows])
        found.append(describe(items, ordered, asked, now))
    found.sort(key=lambda c: c["last"], reverse=True)
    found.sort(key=lambda c: c["size"], reverse=True)
    total = sum(len(m) for m in items.messages)
    return {
        "questions": total + items.short,
        "clusters": found,
        "alone": alone,
        "short": items.short,
    }


def describe(items: Items, ordered: list[int], asked: list[Asked], now: datetime) -> dict:
    days = [(now - a.at) / timedelta(days=1) for a in asked]

    def between(start: int, end: int) -> int:
        return sum(start <= d < end for d in days)

    return {
        "size": len(asked),
        "distinct": len(ordered),
        "members": [shown(items.messages[r]).id for r in ordered[:MEMBERS_KEPT]],
        "week": between(0, 7),
        "previous_week": between(7, 14),
        "month": between(0, 30),
        "previous_month": between(30, 60),
        "first": min(a.at for a in asked).isoformat(),
        "last": max(a.at for a in asked).isoformat(),
        "areas": dict(Counter(a.area for a in asked if a.area)),
        "keywords": keywords(asked),
    }


def keywords(asked: Sequence[Asked], most: int = KEYWORDS) -> list[str]:
    """Two-syllable words most of the questions share ("giá vàng", "hộ chiếu"), spelt
    with tone marks where someone typed them; only words of several people's questions."""
    counts: Counter[str] = Counter()
    spelled: dict[str, Counter[str]] = defaultdict(Counter)
    for question in asked:
        words = tokens(core(question.text))
        seen = set()
        for first, second in itertools.pairwise(words):
            key = f"{fold(first)} {fold(second)}"
            if fold(first) in FILLER or fold(second) in FILLER or key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            spelled[key][f"{first} {second}"] += 1
    needed = max(KEYWORD_MIN, round(0.3 * len(asked)))
    chosen: list[str] = []
    used: set[str] = set()
    for key, count in counts.most_common():
        if count < needed or len(chosen) == most:
            break
        if used & set(key.split()):  # "bí thư", then not "thư thành"
            continue
        used.update(key.split())
        forms = [form for form, _ in spelled[key].most_common()]
        chosen.append(next((f for f in forms if has_diacritics(f)), forms[0]))
    return chosen
