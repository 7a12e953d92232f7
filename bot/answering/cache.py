"""Recently given answers, by question text.

Citizens ask the same things (the suggested questions, what a broadcast just announced),
and the engine is deterministic for one index version: the same words get the same
answer, so it need not be computed again. Keys are the NFC text with spaces collapsed;
a different spelling is a different question.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.core.answer import Answer
from bot.vietnamese.text import collapse_spaces, nfc


class AnswerCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[str, Answer] = OrderedDict()
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
        if self.size <= 0:
            return
        self._answers[self.key(question)] = answer
        self._answers.move_to_end(self.key(question))
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)
