"""Recently given answers, by question text.

Citizens ask the same things (the suggested questions, what a broadcast just announced),
and the engine is deterministic for one index version: the same words get the same
answer, so it need not be computed again. Keys are the NFC text with spaces collapsed;
a different spelling is a different question.

Bounded by bytes as well as entries: a question longer than ``MAX_QUESTION_CHARS`` is
never kept (nobody asks the same essay twice, and a flood of them must not pile up), and
the kept answers stay under ``max_bytes`` of text together.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.core.answer import Answer
from bot.vietnamese.text import collapse_spaces, nfc

MAX_QUESTION_CHARS = 500
MAX_BYTES = 16 * 1024 * 1024


class AnswerCache:
    def __init__(self, size: int, max_bytes: int = MAX_BYTES) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._answers: OrderedDict[str, Answer] = OrderedDict()
        self._sizes: dict[str, int] = {}
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(question: str) -> str:
        return collapse_spaces(nfc(question)).strip()

    def get(self, question: str) -> Answer | None:
        if self.size <= 0:
            return None
        answer = self._answers.get(self.key(question))
        if answer is None:
            self.misses += 1
            return None
        self._answers.move_to_end(self.key(question))
        self.hits += 1
        return answer

    def put(self, question: str, answer: Answer) -> None:
        key = self.key(question)
        if self.size <= 0 or len(key) > MAX_QUESTION_CHARS:
            return
        self._drop(key)
        self._answers[key] = answer
        self._sizes[key] = _size(key, answer)
        self.bytes += self._sizes[key]
        while self._answers and (len(self._answers) > self.size or self.bytes > self.max_bytes):
            self._drop(next(iter(self._answers)))

    def clear(self) -> None:
        """Forget every answer (what the engine serves changed: an officer answer withdrawn)."""
        self._answers.clear()
        self._sizes.clear()
        self.bytes = 0

    def _drop(self, key: str) -> None:
        if self._answers.pop(key, None) is not None:
            self.bytes -= self._sizes.pop(key)


def _size(key: str, answer: Answer) -> int:
    """About how many bytes the entry holds (its texts dominate; 4 per character at most)."""
    texts = [key, answer.answer]
    texts += [c.quote + c.title + c.label for c in answer.citations]
    texts += [s.title + s.label for s in answer.suggestions]
    return 200 + 4 * sum(len(t) for t in texts)
