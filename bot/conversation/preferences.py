"""A citizen's subscription to officers' updates: on, off, topics and their ward."""

from __future__ import annotations

from bot.conversation.saying import say, start_buttons
from bot.core.commands import as_number
from bot.core.messages import Outbound
from bot.core.ports import ConversationStore
from bot.core.records import PersonRecord
from bot.strings import answers as replies
from bot.strings import conversation as texts
from bot.vietnamese.text import folded_tokens


class Preferences:
    def __init__(self, store: ConversationStore, document_names: list[str]) -> None:
        self.store = store
        self.names = document_names

    async def subscribe(self, person: PersonRecord, *, new_follower: bool) -> list[Outbound]:
        await self.store.set_subscribed(person.id, True)
        if new_follower:  # a new follower: greet, and say they will get updates
            text = replies.greeting(self.names) + "\n" + texts.SUBSCRIBED
            return [await say(self.store, person, text, "greeting", buttons=start_buttons())]
        text = texts.SUBSCRIBED + "\n" + texts.PICK_TOPICS
        buttons = texts.topic_buttons(person.topics)
        return [await say(self.store, person, text, "notice", buttons=buttons)]

    async def unsubscribe(self, person: PersonRecord, *, left: bool) -> list[Outbound]:
        await self.store.set_subscribed(person.id, False)
        if left:  # they unfollowed: the platform would refuse a reply
            return []
        return [await say(self.store, person, texts.UNSUBSCRIBED, "notice")]

    async def toggle_topic(self, person: PersonRecord, raw: str) -> list[Outbound]:
        number = as_number(raw)
        if number is None or number >= len(texts.TOPICS):
            return []
        topic = texts.TOPICS[number]
        chosen = list(person.topics or ())
        chosen = [t for t in chosen if t != topic] if topic in chosen else [*chosen, topic]
        await self.store.set_preferences(person.id, chosen or None, person.area)
        if not person.subscribed:
            await self.store.set_subscribed(person.id, True)
        text, buttons = texts.topics_chosen(chosen), texts.topic_buttons(chosen)
        return [await say(self.store, person, text, "notice", buttons=buttons)]

    async def set_area(self, person: PersonRecord, name: str) -> list[Outbound]:
        area = " ".join(folded_tokens(name))
        if not area:
            return [await say(self.store, person, texts.AREA_HOW, "notice")]
        await self.store.set_preferences(person.id, list(person.topics or ()) or None, area)
        if not person.subscribed:
            await self.store.set_subscribed(person.id, True)
        return [await say(self.store, person, texts.area_chosen(name.strip()), "notice")]
