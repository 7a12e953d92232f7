"""Stopping background loops for good.

A loop that logs and survives every ``Exception`` (housekeeping, recovery, the journal's
flusher) can also survive its cancellation: a database driver interrupted mid-call may
raise its own error instead of ``CancelledError``, the loop logs it and goes back to
sleep, and a shutdown awaiting the task waits forever (seen in CI: the whole run hung).
``stop`` cancels again until the task is done, and gives up loudly rather than hang.
"""

from __future__ import annotations

import asyncio
import logging

logger = logging.getLogger(__name__)

STOP_TRIES = 5
STOP_WAIT = 2.0  # seconds for each cancellation to take


async def stop(task: asyncio.Task, wait: float = STOP_WAIT) -> None:
    for _ in range(STOP_TRIES):
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=wait)
        if done:
            if not task.cancelled() and task.exception() is not None:
                logger.warning("%s ended with %r while stopping", task.get_name(), task.exception())
            return
    logger.error("%s did not stop after %d cancellations", task.get_name(), STOP_TRIES)


def cancelling() -> bool:
    """Inside a loop's ``except Exception``: the error may be how a cancellation surfaced
    (then the loop must end, not log and carry on)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
