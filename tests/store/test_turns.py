from __future__ import annotations

import asyncio

from bot.store.turns import WriteTurns


async def test_one_at_a_time_in_order_with_urgent_first() -> None:
    turns = WriteTurns()
    order: list[str] = []
    inside = 0

    async def writer(name: str, urgent: bool = False) -> None:
        nonlocal inside
        async with turns.turn(urgent):
            inside += 1
            assert inside == 1
            order.append(name)
            await asyncio.sleep(0.01)
            inside -= 1

    first = asyncio.create_task(writer("a"))
    await asyncio.sleep(0)  # a holds the turn
    rest = [asyncio.create_task(writer(n)) for n in "bc"]
    rest.append(asyncio.create_task(writer("ack", urgent=True)))
    await asyncio.gather(first, *rest)
    assert order == ["a", "ack", "b", "c"]


async def test_a_cancelled_waiter_does_not_block_the_others() -> None:
    turns = WriteTurns()
    release = asyncio.Event()

    async def holder() -> None:
        async with turns.turn():
            await release.wait()

    async def quick() -> str:
        async with turns.turn():
            return "done"

    held = asyncio.create_task(holder())
    await asyncio.sleep(0)
    doomed = asyncio.create_task(quick())
    waiting = asyncio.create_task(quick())
    await asyncio.sleep(0)
    doomed.cancel()
    release.set()
    assert await waiting == "done"
    await held
    async with turns.turn():  # free again
        pass
