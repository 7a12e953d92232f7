"""The delivery loop: claims queued deliveries, paces them, sends, records outcomes.

One loop per platform. Each turn claims a small batch (the in-flight window: after a
crash at most these are sent twice), sends them at the platform's pace, and writes the
outcomes back in one transaction. A chat that must wait (``retry_after``) is put back
with its own time and does not hold up the others; transient errors are retried with
backoff a bounded number of times; a person who blocked the bot is marked and
unsubscribed. With PostgreSQL, one process per platform is elected with an advisory
lock, so the platform's global rate holds however many bot processes run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import UTC, datetime, timedelta

from bot.broadcast.pacing import Pacer
from bot.core.messages import SendResult
from bot.core.ports import BroadcastSender
from bot.core.records import BroadcastRecord, DeliveryOutcome, DeliveryRecord
from bot.store.errors import StoreError
from bot.store.repository import Store
from bot.store.sender_lock import SenderLease

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_BACKOFF = 60.0  # seconds
IDLE_POLL = 0.5  # seconds between looks at an empty outbox
STANDBY_RETRY = 5.0  # seconds between tries to become the sender
HEARTBEAT = 2.0  # seconds between "I can send these platforms" notes
# A platform whose senders have all been silent this long is taken as unconfigured (a
# restart or deploy is shorter): its queued recipients are skipped.
SENDER_GONE = timedelta(minutes=10)
LEASE_CHECK = 1.0  # seconds between checks that this process is still the sender


class DeliveryLoop:
    def __init__(
        self,
        store: Store,
        senders: list[BroadcastSender],
        rates: dict[str, float],
        *,
        window: int = 20,
        worker: str | None = None,
    ) -> None:
        self.store = store
        self.senders = {s.platform: s for s in senders}
        self.rates = rates
        self.window = window
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self._broadcasts: dict[int, BroadcastRecord] = {}
        self._unwritten: dict[str, list[DeliveryOutcome]] = {}  # sent, not yet recorded
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self.wake = asyncio.Event()  # set when something was queued: no need to wait a poll

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._skip_unroutable(), name="send-skip"))
        for platform in self.senders:
            self._tasks.append(asyncio.create_task(self._run(platform), name=f"send-{platform}"))

    async def stop(self) -> None:
        """Finish the batch in flight (its outcomes are written), then stop."""
        self._stopping.set()
        self.wake.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _skip_unroutable(self) -> None:
        """Say which platforms this process can send; recipients on a platform no process
        has been able to send for a while (unconfigured) are skipped with the reason."""
        while not self._stopping.is_set():
            try:
                await self.store.announce_senders(self.senders)
                await self.store.skip_unroutable(SENDER_GONE)
            except Exception:
                logger.exception("could not skip unroutable deliveries")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), HEARTBEAT)

    async def _run(self, platform: str) -> None:
        while not self._stopping.is_set():
            try:
                async with self.store.sender_lock(platform) as lease:
                    if lease.elected:
                        await self._send(platform, lease)
                        continue
            except StoreError:
                logger.exception("could not take part in the %s sender election", platform)
            else:
                logger.info("another process sends %s broadcasts; standing by", platform)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), STANDBY_RETRY)

    async def _send(self, platform: str, lease: SenderLease) -> None:
        """Send while elected; returns on stop, or when the lease is lost (another
        process may be sending now, and two senders would break the platform's rate)."""
        # Elected: whatever is still "sending" was in flight in a sender that died.
        stale = await self.store.requeue_stale(platform, datetime.now(UTC) + timedelta(days=1))
        if stale:
            logger.warning("%d %s deliveries were in flight at a crash: resent", stale, platform)
        pacer = Pacer(self.rates.get(platform, 25.0))
        checked = time.monotonic()
        while not self._stopping.is_set():
            if time.monotonic() - checked >= LEASE_CHECK:
                checked = time.monotonic()
                if not await lease.still_held():
                    logger.warning("no longer the %s sender; standing for election again", platform)
                    return
            try:
                await self._turn(platform, pacer)
            except StoreError:  # a locked or unreachable database: the outbox waits, try again
                logger.exception("broadcast sending paused by a database error")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), STANDBY_RETRY)
        with contextlib.suppress(StoreError):  # stopping: a later election requeues them
            await self._write_unwritten(platform)

    async def _turn(self, platform: str, pacer: Pacer) -> None:
        # Outcomes a database error kept from being written go first: until then their rows
        # stay "sending", and would be resent after a restart.
        await self._write_unwritten(platform)
        batch = await self.store.claim_deliveries(platform, self.window, self.worker)
        if not batch:
            await self.store.finish_done_broadcasts()
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), IDLE_POLL)
            return
        self._unwritten[platform] = await asyncio.gather(*(self._deliver(d, pacer) for d in batch))
        await self._write_unwritten(platform)

    async def _write_unwritten(self, platform: str) -> None:
        outcomes = self._unwritten.get(platform)
        if outcomes:
            await self.store.record_outcomes(outcomes)
            self._unwritten[platform] = []

    async def _deliver(self, delivery: DeliveryRecord, pacer: Pacer) -> DeliveryOutcome:
        broadcast = await self._broadcast(delivery.broadcast_id)
        attempts = delivery.attempts + 1
        await pacer.wait()
        try:
            result = await self.senders[delivery.platform].deliver_broadcast(
                delivery.chat_id, broadcast
            )
        except Exception as exc:  # an adapter bug must not stop the broadcast
            logger.exception("broadcast delivery %s failed", delivery.id)
            result = SendResult("retry", f"lỗi: {type(exc).__name__}")
        if result.status == "retry":
            if result.retry_after is None and attempts >= MAX_ATTEMPTS:
                return _outcome(delivery, "failed", attempts, result.reason)
            wait = result.retry_after or min(MAX_BACKOFF, 2.0**attempts)
            retry_at = datetime.now(UTC) + timedelta(seconds=wait)
            # A platform's "wait" is not the chat's fault: it does not use up an attempt.
            counted = delivery.attempts if result.retry_after else attempts
            return _outcome(delivery, "queued", counted, result.reason, retry_at=retry_at)
        return _outcome(delivery, result.status, attempts, result.reason, result.message_id)

    async def _broadcast(self, broadcast_id: int) -> BroadcastRecord:
        cached = self._broadcasts.get(broadcast_id)
        if cached is None:
            cached = await self.store.get_broadcast(broadcast_id)
            if cached is None:
                raise LookupError(f"no broadcast {broadcast_id}")
            self._broadcasts[broadcast_id] = cached
        return cached


def _outcome(
    delivery: DeliveryRecord,
    state: str,
    attempts: int,
    reason: str | None = None,
    message_id: str | None = None,
    *,
    retry_at: datetime | None = None,
) -> DeliveryOutcome:
    return DeliveryOutcome(
        delivery_id=delivery.id,
        person_id=delivery.person_id,
        state=state,
        attempts=attempts,
        reason=reason,
        platform_message_id=message_id,
        retry_at=retry_at,
    )
