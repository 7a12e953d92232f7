"""The page waits a bounded time; an answer that fails after it stopped waiting is logged."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import web

from bot.web.waiting import Answering


async def test_a_failure_after_the_page_gave_up_is_logged_once(caplog) -> None:
    answering = Answering(wait=0.01)
    failed = asyncio.Event()

    async def slow_failure() -> None:
        await asyncio.sleep(0.05)
        failed.set()
        raise RuntimeError("a bug")

    with caplog.at_level(logging.DEBUG, logger="bot.web.waiting"):
        with pytest.raises(web.HTTPServiceUnavailable):
            await answering.within(slow_failure())
        await asyncio.wait_for(failed.wait(), 30)
        await answering.settle()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info[1].args == ("a bug",)


async def test_a_failure_the_page_still_waits_for_goes_to_the_page(caplog) -> None:
    answering = Answering(wait=30)

    async def quick_failure() -> None:
        raise RuntimeError("a bug")

    with caplog.at_level(logging.DEBUG, logger="bot.web.waiting"):
        with pytest.raises(RuntimeError):
            await answering.within(quick_failure())
        await asyncio.sleep(0)
    assert not caplog.records  # the request reports it (the web guard logs it)
