"""The page of unanswered questions over HTTP, the real bot on SQLite with the fake
answerer's vectors: clusters largest first with their sizes for everyone; an officer
reads only their wards' citizens' questions; the CSV carries no identifiers, and the
admin's download with examples is audited (an officer's refused); bad parameters get a
polite 4xx; opening the page never waits for a grouping, it asks for one."""

from __future__ import annotations

import asyncio
import csv
import io

import aiohttp
import pytest

from bot.app import running
from bot.console.clusters import Clusters
from bot.strings import console_clusters as words
from tests.console.conftest import signed_in
from tests.console.test_clusters_job import GOLD, PASSPORT, ask
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.telegram_api import FakeTelegram
from tests.web.conftest import web_settings

ADMIN = "telegram:9001"
BA_DINH = "telegram:7001"
KIM_LIEN = "telegram:7002"
PAGE = "/console/so-lieu/cau-hoi-chua-tra-loi"
KIM_LIEN_ONLY = "hộ chiếu gắn chip làm ở đâu"  # a Kim Liên citizen's words


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path):
    settings = web_settings(fake, f"sqlite+aiosqlite:///{tmp_path / 'k.db'}", admins=ADMIN)
    answerer = FakeAnswerer()
    async with running(settings, answerer) as state:
        await state.store.add_officer("telegram", "7001", "UBND phường Ba Đình", ADMIN)
        await state.store.add_officer("telegram", "7002", "UBND phường Kim Liên", ADMIN)
        state.answerer_fake = answerer
        yield state


def job_of(state):
    return next(part for part in state.console.parts if isinstance(part, Clusters)).job


async def citizens_ask(state) -> None:
    """Gold prices from Ba Đình (three people, one twice), passports from Kim Liên."""
    for n, text in enumerate([*GOLD, GOLD[0]]):
        await ask(state.store, 100 + n, text, area="ba dinh")
    for n, text in enumerate([*PASSPORT[:2], KIM_LIEN_ONLY]):
        await ask(state.store, 200 + n, text, area="kim lien")


async def get(
    state, http, headers, query: str = ""
) -> tuple[int, str, aiohttp.typedefs.LooseHeaders]:
    async with http.get(state.base_url + PAGE + query, headers=headers) as response:
        return response.status, await response.text(), response.headers


async def test_sizes_for_all_examples_only_from_the_officers_wards(bot) -> None:
    await citizens_ask(bot)
    assert await job_of(bot).run()
    async with aiohttp.ClientSession() as http:
        admin, _ = await signed_in(bot, ADMIN, http)
        ours, _ = await signed_in(bot, BA_DINH, http)
        theirs, _ = await signed_in(bot, KIM_LIEN, http)
        status, page, _ = await get(bot, http, admin)
        assert status == 200
        assert page.index(words.size(4)) < page.index(words.size(3))  # largest first
        assert GOLD[1] in page and KIM_LIEN_ONLY in page
        status, page, _ = await get(bot, http, ours)
        assert status == 200 and words.size(4) in page and words.size(3) in page
        assert GOLD[1] in page
        assert not any(text in page for text in [*PASSPORT, KIM_LIEN_ONLY])
        assert words.NO_EXAMPLE in page  # the passports' cluster, without its words
        status, page, _ = await get(bot, http, theirs)
        assert KIM_LIEN_ONLY in page and not any(text in page for text in GOLD)


async def test_the_csv_has_no_identifiers_and_the_examples_are_an_audited_admins_choice(
    bot,
) -> None:
    await citizens_ask(bot)
    assert await job_of(bot).run()
    async with aiohttp.ClientSession() as http:
        admin, _ = await signed_in(bot, ADMIN, http)
        officer, _ = await signed_in(bot, BA_DINH, http)
        for headers in (admin, officer):
            async with http.get(bot.base_url + PAGE + "?format=csv", headers=headers) as r:
                assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
                body = await r.read()
            assert body.startswith("\ufeff".encode())
            text = body.decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text)))
            assert rows[0][:2] == list(words.COLUMNS[:2])
            assert [row[1] for row in rows[1:]] == ["4", "3"]
            assert not any(t in text for t in [*GOLD, *PASSPORT, KIM_LIEN_ONLY])
            assert "Người 1" not in text and "telegram" not in text
        status, page, _ = await get(bot, http, officer, "?format=csv&ca-nhan=1")
        assert status == 403 and GOLD[0] not in page
        async with http.get(bot.base_url + PAGE + "?format=csv&ca-nhan=1", headers=admin) as r:
            assert r.status == 200
            text = (await r.read()).decode("utf-8-sig")
        assert GOLD[1] in text and KIM_LIEN_ONLY in text and "Người 1" not in text
    actions = [(actor, action) for actor, action, _, _ in await bot.store.audit_entries()]
    assert (ADMIN, "console_export_personal") in actions
    assert (BA_DINH, "console_export_personal_refused") in actions


@pytest.mark.parametrize(
    "query", ["?n=abc", "?n=0", "?n=100000", "?format=pdf", "?ca-nhan=2", "?x=1", "?n=-1"]
)
async def test_bad_parameters_get_a_polite_400(bot, query: str) -> None:
    async with aiohttp.ClientSession() as http:
        admin, _ = await signed_in(bot, ADMIN, http)
        status, page, _ = await get(bot, http, admin, query)
        assert status == 400 and words.BAD_REQUEST in page
        status, _, _ = await get(bot, http, {}, query)
        assert status == 401


async def test_the_page_asks_for_a_run_and_never_waits_for_one(bot) -> None:
    await citizens_ask(bot)
    job = job_of(bot)
    bot.answerer_fake.embed_gate = asyncio.Event()  # the model is busy: a run cannot end
    async with aiohttp.ClientSession() as http:
        admin, _ = await signed_in(bot, ADMIN, http)
        status, page, _ = await get(bot, http, admin)
        assert status == 200 and words.FIRST_RUN in page  # answered while nothing is done
        await asyncio.wait_for(bot.answerer_fake.embedding.wait(), 10)  # the job runs
        assert job.running
        status, page, _ = await get(bot, http, admin)
        assert status == 200 and words.FIRST_RUN in page
        bot.answerer_fake.embed_gate.set()
        await asyncio.wait_for(job.finished.wait(), 10)
        status, page, _ = await get(bot, http, admin)
        assert status == 200 and words.size(4) in page and words.FIRST_RUN not in page
    assert job.runs == 1
