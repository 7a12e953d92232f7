"""Stopping a background loop cannot hang, even when the loop swallows its cancellation
(a database driver may turn it into an error that the loop logs and survives)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core import background


async def test_a_loop_that_swallows_its_cancellation_is_cancelled_again() -> None:
    started = asyncio.Event()
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                started.set()
                await asyncio.sleep(3600)  # the "database call" the first cancel lands in
            except asyncio.CancelledError:
                swallowed += 1  # logged as an error and carried on, as a driver's error would be
                if swallowed > 1:
                    raise

    task = asyncio.create_task(stubborn(), name="stubborn")
    await started.wait()
    await asyncio.wait_for(background.stop(task, wait=0.05), timeout=30)
    assert task.done() and swallowed == 2


async def test_one_that_never_stops_is_given_up_loudly(caplog: pytest.LogCaptureFixture) -> None:
    released = False

    async def immortal() -> None:
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if released:
                    raise

    task = asyncio.create_task(immortal(), name="immortal")
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(background.stop(task, wait=0.01), timeout=30)
    assert "immortal did not stop" in caplog.text and not task.done()
    released = True  # leave nothing behind for the test's loop
    task.cancel()
    await asyncio.wait({task}, timeout=30)


async def test_a_loop_whose_error_is_a_cancellation_ends_at_once() -> None:
    """``cancelling()`` inside ``except Exception`` tells the loop to end."""
    ended = asyncio.Event()

    async def careful() -> None:
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                try:
                    raise RuntimeError("driver: connection closed mid-call") from None
                except RuntimeError:
                    if background.cancelling():
                        ended.set()
                        raise

    task = asyncio.create_task(careful(), name="careful")
    await asyncio.sleep(0)
    await asyncio.wait_for(background.stop(task, wait=5), timeout=30)
    assert ended.is_set() and task.done()
