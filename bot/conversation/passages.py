"""The full text of the section an answer quoted ("Xem nguyên văn"), a page at a time."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation.saying import say
from bot.core.answer import Citation
from bot.core.messages import Button, Outbound
from bot.core.ports import Answerer, ConversationStore
from bot.core.records import PersonRecord
from bot.strings import conversation as texts

PAGE_CHARS = 3500  # one Telegram message with room for the header
MAX_TYPED_PAGES = 5  # "xem nguyên văn" typed on a text-only platform sends the pages at once


class Passages:
    def __init__(self, store: ConversationStore, answerer: Answerer) -> None:
        self.store = store
        self.answerer = answerer

    async def latest(self, person: PersonRecord) -> list[Outbound]:
        """Typed “xem nguyên văn”: every page of the latest answer's passage."""
        last = await self.store.last_answer(person.id)
        if last is None or not quoted(last.citations):
            return [await say(self.store, person, texts.NO_SUCH_PASSAGE, "notice")]
        out: list[Outbound] = []
        for page in range(MAX_TYPED_PAGES):
            said = await self.page(person, last.id, page)
            out.extend(replace(o, buttons=()) for o in said)
            if not said or not said[-1].buttons:  # no "next page" button: that was the last
                break
        return out

    async def page(self, person: PersonRecord, message_id: int, page: int) -> list[Outbound]:
        """One page of the passage the answer ``message_id`` quoted first."""
        message = await self.store.get_message(message_id)
        if message is None or not quoted(message.citations):
            return [await say(self.store, person, texts.NO_SUCH_PASSAGE, "notice")]
        citation = quoted(message.citations)[0]
        passage = self.answerer.passage(citation.doc, citation.section)
        pages = [passage[i : i + PAGE_CHARS] for i in range(0, len(passage), PAGE_CHARS)] or [""]
        page = min(page, len(pages) - 1)
        header = texts.passage_header(citation.label, page + 1, len(pages))
        buttons = (
            (Button(texts.NEXT_PAGE, f"full:{message.id}:{page + 1}"),)
            if page + 1 < len(pages)
            else ()
        )
        return [await say(self.store, person, header + pages[page], "passage", buttons=buttons)]


def quoted(citations: tuple[Citation, ...]) -> list[Citation]:
    """The documents' quotes among the citations (an officer's explanation has no passage)."""
    return [c for c in citations if c.kind == "document"]
