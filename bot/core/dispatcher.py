"""The one dispatcher: every channel hands it each update, and it runs them all the same way.

    claim the update (a retry finds it) → route → answer inside one store transaction that
    also keeps the replies (the outbox) → send them through their channels' Senders →
    record each outcome → on any error, the one apology.

Exactly once across a crash: the update's row says how far it got. A retry of a
delivered update gets its replies back without anything being sent again (the web page
shows them); an answered one sends the replies not yet sent; a received one is answered
— unless the process that took it is alive and still working, which the retry then waits
for. At start, whatever a dead process left unfinished is finished the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable

from bot.core.messages import (
    Inbound,
    Outbound,
    SendResult,
    inbound_data,
    inbound_from,
    outbound_data,
    outbound_from,
    well_formed,
)
from bot.core.names import Names
from bot.core.ports import Citizens, NameSource, Officers, Sender, UpdateLog
from bot.core.records import Arrival, UpdateRecord

logger = logging.getLogger(__name__)

WAIT_FOR_OTHER = 60.0  # seconds a retry waits for the process answering it
POLL = 0.1  # seconds between looks at an update another process is answering
STORED_IS_DELIVERED = frozenset({"web"})  # the page reads the store: kept is delivered


class Dispatcher:
    def __init__(
        self,
        store: UpdateLog,
        citizens: Citizens,
        officers: Officers | None = None,
        owner: str | None = None,
        *,
        apology: str,
    ) -> None:
        self.store = store
        self.apology = apology  # the one reply when anything goes wrong (bot.strings.errors)
        self.citizens = citizens
        self.officers = officers
        self.owner = owner or f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._senders: dict[str, Sender] = {}
        self.names = Names(store)
        self._working: dict[int, asyncio.Future[list[Outbound]]] = {}  # update id → replies

    # ---- channels -----------------------------------------------------------------------
    def register(self, sender: Sender) -> None:
        self._senders[sender.platform] = sender
        if isinstance(sender, NameSource):
            self.names.register(sender)

    def sender(self, platform: str) -> Sender | None:
        return self._senders.get(platform)

    # ---- one update -----------------------------------------------------------------------
    async def dispatch(self, inbound: Inbound) -> list[Outbound]:
        """Handle one update exactly once; the replies meant for its own chat (the web
        returns them in its response, also to a retry)."""
        inbound = well_formed(inbound)
        if await self._for_officers(inbound) or self.citizens.is_operator_reply(inbound):
            claim, fresh = await self.store.receive_update(
                inbound.platform, inbound.update_key, self.owner, inbound_data(inbound)
            )
            arrival = Arrival(claim, fresh)
        else:
            inbound = await self.names.named(inbound)
            arrival = await self._arrive(inbound, inbound_data(inbound))
            claim, fresh = arrival.update, arrival.fresh
        if fresh:
            replies = await self._answer(claim, inbound, arrival)
        else:
            logger.info("update %s/%s seen before", inbound.platform, inbound.update_key)
            replies = await self._again(claim)
        return [
            r for r in replies if (r.platform, r.chat_id) == (inbound.platform, inbound.chat_id)
        ]

    async def recover(self) -> int:
        """Finish what a dead process left: answer, or send the rest. The count finished."""
        finished, after = 0, 0
        while batch := await self.store.unfinished_updates(after):
            for claim in batch:
                after = claim.id
                if claim.id in self._working or await self.store.process_alive(claim.owner):
                    continue
                taken = await self.store.take_over_update(claim.id, claim.owner, self.owner)
                if taken is None:
                    continue  # another process (or a retry) took it first
                try:
                    await self._finish(taken)
                    finished += 1
                except Exception:  # one bad update must not keep the others waiting
                    logger.exception("could not finish update %s", claim.id)
        if finished:
            logger.warning("finished %d updates left by a previous run", finished)
        return finished

    async def for_ticket(self, reply: Awaitable[list[Outbound]]) -> bool:
        """Send what an officer's action outside any chat (the web console) produced:
        stored first, then sent and recorded like every reply; False when it did nothing."""
        outbounds = await reply
        for outbound in outbounds:
            await self._send_one(outbound)
        return bool(outbounds)

    async def tell_officers(self, text: str) -> None:
        """A note to the officers' chat about the bot itself (an event given up on)."""
        for note in self.citizens.officers_note(text):
            await self._send_one(note)

    # ---- inside -----------------------------------------------------------------------
    async def _for_officers(self, inbound: Inbound) -> bool:
        return self.officers is not None and await self.officers.wants(inbound)

    async def _arrive(self, inbound: Inbound, data: dict[str, object]) -> Arrival:
        text = (inbound.text or "").strip()
        return await self.store.record_arrival(
            inbound.platform,
            inbound.update_key,
            self.owner,
            data,
            inbound.user_id,
            inbound.chat_id,
            inbound.display_name,
            inbound.language,
            text=None if inbound.action else (text or f"[{inbound.content}]"),
            kind="question" if inbound.content == "text" else "unsupported",
            platform_message_id=inbound.message_id or None,
        )

    async def _answer(
        self, claim: UpdateRecord, inbound: Inbound, arrival: Arrival
    ) -> list[Outbound]:
        done: asyncio.Future[list[Outbound]] = asyncio.get_running_loop().create_future()
        self._working[claim.id] = done
        replies: list[Outbound] = []
        try:
            try:
                async with self.store.unit():
                    replies = await self._route(inbound, arrival)
                    stored = _stored_prefix(replies)
                    await self.store.answer_update(
                        claim.id, [outbound_data(r) for r in replies], stored
                    )
            except Exception:
                logger.exception("update %s/%s failed", inbound.platform, inbound.update_key)
                replies = [Outbound(inbound.platform, inbound.chat_id, self.apology)]
                stored = 0
                with contextlib.suppress(Exception):  # the store may be what failed
                    await self.store.answer_update(claim.id, [outbound_data(r) for r in replies])
            await self._send(claim.id, replies, stored)
            return replies
        finally:
            done.set_result(replies)
            del self._working[claim.id]

    async def _route(self, inbound: Inbound, arrival: Arrival) -> list[Outbound]:
        if self.citizens.is_operator_reply(inbound):
            return await self.citizens.operator_reply(inbound)
        if arrival.person is None:  # claimed without a person: an officer's dialogue
            assert self.officers is not None
            return await self.officers.handle(inbound)
        return await self.citizens.respond(inbound, arrival)

    async def _again(self, claim: UpdateRecord) -> list[Outbound]:
        """A retry of ``claim``: its replies, finished first when nobody is finishing them.

        While its process looks alive, wait; the moment it is known dead (a database may
        notice a killed process a little late), take it over and finish it."""
        deadline = time.monotonic() + WAIT_FOR_OTHER
        while claim.state != "delivered":
            working = self._working.get(claim.id)
            if working is not None:
                return await asyncio.shield(working)
            if claim.owner != self.owner and not await self.store.process_alive(claim.owner):
                taken = await self.store.take_over_update(claim.id, claim.owner, self.owner)
                if taken is not None:
                    return await self._finish(taken)
            elif time.monotonic() > deadline:
                break  # still not finished: the next retry or recovery pass will
            else:
                await asyncio.sleep(POLL)
            latest = await self.store.get_update(claim.id)
            if latest is None:
                return []
            claim = latest
        return [outbound_from(d) for d in claim.outbox]

    async def _finish(self, claim: UpdateRecord) -> list[Outbound]:
        """Continue an update taken over from a dead process."""
        if claim.state == "answered":
            replies = [outbound_from(d) for d in claim.outbox]
            await self._send(claim.id, replies, claim.sent)
            return replies
        if claim.inbound is None:  # a row from before updates kept their content
            await self.store.answer_update(claim.id, [])
            return []
        inbound = inbound_from(claim.inbound)
        arrival = await self.store.resume_arrival(claim)
        return await self._answer(claim, inbound, arrival)

    async def _send(self, update_id: int, replies: list[Outbound], already: int) -> None:
        """Send the replies in order; each one sent is counted before the next.

        The count is written the moment the platform accepts a reply, before anything
        else: a crash between the two is the one instant that repeats a reply, never
        loses one.
        """
        for n, outbound in enumerate(replies):
            if n < already:
                if outbound.platform in STORED_IS_DELIVERED:
                    await self._send_one(outbound)  # pushed to an open page; counted already
                continue
            await self._send_one(outbound, counted=(update_id, n + 1, len(replies)))

    async def _send_one(
        self, outbound: Outbound, counted: tuple[int, int, int] | None = None
    ) -> None:
        """Send, count it (``counted``: update id, replies sent, of how many), record."""
        sender = self._senders.get(outbound.platform)
        try:
            if sender is None:
                result = SendResult("failed", f"kênh {outbound.platform} chưa được cấu hình")
            else:
                result = await sender.send(outbound)
        except Exception:  # an adapter bug: the message is not retried, the rest go on
            logger.exception("sending to %s chat %s failed", outbound.platform, outbound.chat_id)
            result = SendResult("failed", "lỗi khi gửi")
        try:
            if counted is not None:
                await self.store.mark_update_sent(*counted)
            if result.status == "sent":
                await self.citizens.delivered(outbound, result.message_id or "")
            else:
                reason = result.reason or result.status
                await self._failed(outbound, reason, blocked=result.status == "blocked")
        except Exception:  # the reply is out; at worst it is sent again after a crash
            logger.exception("could not record a reply to %s", outbound.chat_id)

    async def _failed(self, outbound: Outbound, reason: str, *, blocked: bool = False) -> None:
        """A send failed for good: recorded, and officers told when a ticket is involved."""
        logger.warning(
            "message to %s chat %s not delivered: %s", outbound.platform, outbound.chat_id, reason
        )
        notes = await self.citizens.undeliverable(outbound, reason, blocked)
        for note in notes:  # a note about a failed note is not sent again: that could loop
            sender = self._senders.get(note.platform)
            if sender is not None and (note.platform, note.chat_id) != (
                outbound.platform,
                outbound.chat_id,
            ):
                result = await sender.send(note)
                if result.status != "sent":
                    logger.warning("note to officers not delivered: %s", result.reason)


def _stored_prefix(replies: list[Outbound]) -> int:
    """How many replies from the start are delivered by being stored (the web's own)."""
    count = 0
    for reply in replies:
        if reply.platform not in STORED_IS_DELIVERED or reply.record_id is None:
            break
        count += 1
    return count
