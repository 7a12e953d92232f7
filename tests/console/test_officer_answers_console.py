"""The console's officers' answers ("Giải đáp") over HTTP, the real bot with the fake
Telegram: an officer saves a ticket's reply as an answer and an admin approves it; an
officer never reaches another unit's answer (404); an admin approving a version someone
has since edited gets a polite 409; broken bodies and bad input get a polite 4xx; the
answers download as JSONL and CSV, and an admin imports a JSONL file; a group of
unanswered questions opens the form prefilled."""

from __future__ import annotations

import json
import re

import aiohttp
import pytest

from bot.app import running
from bot.console.officer_answers_view import ticket_link
from bot.officer_answers.workflow import OfficerAnswers
from bot.strings import console_officer_answers as words
from bot.strings import officer_answers as wording
from tests.console.conftest import signed_in
from tests.console.test_clusters_http import citizens_ask, job_of
from tests.console.test_clusters_job import GOLD
from tests.console.test_inbox import ASK, CITIZEN, citizen_asks_for_an_officer
from tests.fakes.answerer import HANDOFF, FakeAnswerer
from tests.fakes.telegram_api import FakeTelegram
from tests.web.conftest import web_settings

ADMIN = "telegram:9001"
HANG_BAC = "telegram:7001"  # UBND phường Hàng Bạc
KIM_LIEN = "telegram:7002"  # UBND phường Kim Liên
HOME = "/console/giai-dap"
REPLY = "Bác nộp hồ sơ tại bộ phận một cửa phường, sáng thứ Bảy vẫn làm việc."


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path):
    settings = web_settings(fake, f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", admins=ADMIN)
    async with running(settings, FakeAnswerer({ASK: HANDOFF})) as state:
        await state.store.add_officer("telegram", "7001", "UBND phường Hàng Bạc", ADMIN)
        await state.store.add_officer("telegram", "7002", "UBND phường Kim Liên", ADMIN)
        yield state


def workflow(state) -> OfficerAnswers:
    return state.console.officer_answers


async def draft(state, http, headers, csrf, **fields) -> tuple[int, str]:
    """POST the new form; (the status, the final page's text) after any redirect."""
    data = {"csrf": csrf, "cau-hoi": "Nộp hồ sơ ở đâu?", "giai-dap": REPLY, **fields}
    async with http.post(state.base_url + HOME + "/moi", data=data, headers=headers) as r:
        return r.status, await r.text()


async def test_an_officer_saves_a_tickets_reply_and_an_admin_approves_it(
    bot, fake: FakeTelegram
) -> None:
    ticket = await citizen_asks_for_an_officer(bot, fake)
    person = await bot.store.find_person("telegram", str(CITIZEN))
    await bot.store.set_preferences(person.id, None, "hang bac")
    async with aiohttp.ClientSession() as http:
        ours, session = await signed_in(bot, HANG_BAC, http)
        admin, admin_session = await signed_in(bot, ADMIN, http)
        base = f"{bot.base_url}/console/yeu-cau/{ticket}"
        async with http.post(base + "/tra-loi", data={"csrf": session.csrf, "text": REPLY},
                             headers=ours) as replied:  # fmt: skip
            assert replied.status == 200
        async with http.get(base, headers=ours) as page:
            assert ticket_link(ticket) in await page.text()
        async with http.get(bot.base_url + ticket_link(ticket), headers=ours) as form:
            text = await form.text()
            assert form.status == 200 and ASK in text and REPLY in text
            assert f'value="ticket:{ticket}"' in text
        status, page = await draft(
            bot,
            http,
            ours,
            session.csrf,
            **{"cau-hoi": ASK, "muc": "III.3", "nguon": f"ticket:{ticket}"},
        )
        assert status == 200 and words.STATES["draft"] in page and REPLY in page
        [entry] = await bot.store.officer_answers()
        assert (entry.unit, entry.source, entry.state) == (
            "UBND phường Hàng Bạc", f"ticket:{ticket}", "draft")  # fmt: skip
        assert entry.latest.text.sections == (("57-KH/TU", "III.3"),)
        one = f"{bot.base_url}{HOME}/{entry.id}"
        async with http.get(bot.base_url + HOME, headers=ours) as listed:
            assert f"{HOME}/{entry.id}" in await listed.text()  # "chờ duyệt", the first tab
        approve = {"csrf": session.csrf, "phien-ban": "1"}
        async with http.post(one + "/duyet", data=approve, headers=ours) as refused:
            assert refused.status == 403  # an officer does not approve
        async with http.get(one, headers=admin) as page:
            assert 'name="phien-ban" value="1"' in await page.text()
        approve["csrf"] = admin_session.csrf
        async with http.post(one + "/duyet", data=approve, headers=admin) as approved:
            assert approved.status == 200 and words.STATES["approved"] in await approved.text()
        assert (await bot.store.get_officer_answer(entry.id)).approved_version == 1
        for query, found in (
            ("?muc=dang-dung&q=BO+PHAN+mot+cua", True),
            ("?muc=dang-dung&q=hộ+chiếu", False),
            ("", False),
        ):
            async with http.get(bot.base_url + HOME + query, headers=ours) as listed:
                assert (f"{HOME}/{entry.id}" in await listed.text()) is found, query
    actions = [(who, action) for who, action, _, _ in await bot.store.audit_entries()]
    assert (HANG_BAC, "giai_dap_soan") in actions and (ADMIN, "giai_dap_duyet") in actions
    assert (HANG_BAC, "refused") in actions


async def test_other_units_get_404_and_a_stale_approval_gets_409(bot, fake: FakeTelegram) -> None:
    ticket = await citizen_asks_for_an_officer(bot, fake)
    person = await bot.store.find_person("telegram", str(CITIZEN))
    await bot.store.set_preferences(person.id, None, "hang bac")
    async with aiohttp.ClientSession() as http:
        ours, session = await signed_in(bot, HANG_BAC, http)
        theirs, their_session = await signed_in(bot, KIM_LIEN, http)
        admin, admin_session = await signed_in(bot, ADMIN, http)
        assert (await draft(bot, http, ours, session.csrf))[0] == 200
        [entry] = await bot.store.officer_answers()
        one = f"{bot.base_url}{HOME}/{entry.id}"
        async with http.get(one, headers=theirs) as hidden:
            assert hidden.status == 404 and REPLY not in await hidden.text()
        edit = {"csrf": their_session.csrf, "cau-hoi": "x?", "giai-dap": "y"}
        async with http.post(one + "/sua", data=edit, headers=theirs) as hidden:
            assert hidden.status == 404
        async with http.get(bot.base_url + ticket_link(ticket), headers=theirs) as hidden:
            assert hidden.status == 404 and ASK not in await hidden.text()
        async with http.get(bot.base_url + HOME, headers=theirs) as listed:
            assert f"{HOME}/{entry.id}" not in await listed.text()

        async with http.get(one, headers=admin) as page:  # the admin reads version 1 …
            assert 'name="phien-ban" value="1"' in await page.text()
        edit = {
            "csrf": session.csrf,
            "cau-hoi": "Nộp hồ sơ ở đâu?",
            "giai-dap": REPLY + " Mang CCCD.",
        }
        async with http.post(one + "/sua", data=edit, headers=ours) as edited:
            assert edited.status == 200  # … while the officer saves version 2
        stale = {"csrf": admin_session.csrf, "phien-ban": "1"}
        async with http.post(one + "/duyet", data=stale, headers=admin) as refused:
            assert refused.status == 409 and words.STALE in await refused.text()
        assert (await bot.store.get_officer_answer(entry.id)).state == "draft"
        reject = {"csrf": admin_session.csrf, "ly-do": "Chưa đúng quy định"}
        async with http.post(one + "/tu-choi", data=reject, headers=admin) as rejected:
            assert rejected.status == 200 and "Chưa đúng quy định" in await rejected.text()
        async with http.post(one + "/tu-choi", data=reject, headers=admin) as again:
            assert again.status == 409 and words.wrong_state("rejected") in await again.text()
        async with http.post(one + "/rut", data=reject, headers=admin) as refused:
            assert refused.status == 409  # only an approved answer is withdrawn
        async with http.post(one + "/duyet", data={"csrf": "forged", "phien-ban": "2"},
                             headers=admin) as forged:  # fmt: skip
            assert forged.status == 403
    record = await bot.store.get_officer_answer(entry.id)
    assert (record.state, record.latest.version, record.approved_version) == ("rejected", 2, None)


async def test_broken_bodies_and_bad_input_are_refused_politely(bot) -> None:
    broken = {"Content-Type": "multipart/form-data; boundary=x", "Origin": bot.base_url}
    async with aiohttp.ClientSession() as http:
        admin, session = await signed_in(bot, ADMIN, http)
        status, page = await draft(bot, http, admin, session.csrf, **{"don-vi": "Phường X"})
        assert status == 200
        [entry] = await bot.store.officer_answers()
        for path in ("/moi", f"/{entry.id}/duyet", f"/{entry.id}/sua", "/nhap"):
            body = b'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nabc'  # no end
            url = bot.base_url + HOME + path
            async with http.post(url, data=body, headers={**admin, **broken}) as refused:
                text = await refused.text()
                assert refused.status == 400 and "Traceback" not in text, path
        for fields, why in (
            ({"cau-hoi": " \n "}, "Cần ít nhất một câu hỏi mẫu."),
            ({"giai-dap": " "}, "Cần nội dung giải đáp."),
            ({"muc": "mục tài chính"}, wording.bad_section("mục tài chính")),
            ({"muc": "57-KH/TU III.3", "don-vi": " "}, "Cần ghi tên đơn vị giải đáp."),
        ):
            status, page = await draft(bot, http, admin, session.csrf, **{"don-vi": "X", **fields})
            assert status == 400 and why in page.replace("&quot;", '"').replace("&#x27;", "'"), why
            assert REPLY in page or "giai-dap" in fields  # what was typed is kept
        for query in ("?muc=khac", "/moi?cau-hoi=abc", "/tai-ve?format=pdf"):
            async with http.get(bot.base_url + HOME + query, headers=admin) as bad:
                assert bad.status == 400, query
        async with http.get(bot.base_url + HOME + "/khong-co", headers=admin) as missing:
            assert missing.status == 404
        bad = {"csrf": session.csrf, "phien-ban": "mot"}
        async with http.post(
            f"{bot.base_url}{HOME}/{entry.id}/duyet", data=bad, headers=admin
        ) as r:
            assert r.status == 400
    assert len(await bot.store.officer_answers()) == 1


async def test_downloads_and_an_admins_import(bot) -> None:
    async with aiohttp.ClientSession() as http:
        ours, session = await signed_in(bot, HANG_BAC, http)
        theirs, their_session = await signed_in(bot, KIM_LIEN, http)
        admin, admin_session = await signed_in(bot, ADMIN, http)
        await draft(bot, http, ours, session.csrf)
        await draft(bot, http, theirs, their_session.csrf, **{"cau-hoi": "Lệ phí?"})
        ids = sorted(r.id for r in await bot.store.officer_answers())
        download = bot.base_url + HOME + "/tai-ve"
        async with http.get(download + "?format=jsonl", headers=admin) as got:
            assert got.status == 200 and "attachment" in got.headers["Content-Disposition"]
            lines = [json.loads(line) for line in (await got.read()).decode().splitlines()]
        assert [line["id"] for line in lines] == ids and lines[0]["answer"] == REPLY
        async with http.get(download + "?format=jsonl", headers=ours) as got:
            assert [json.loads(x)["id"] for x in (await got.text()).splitlines()] == ids[:1]
        async with http.get(download + "?format=csv", headers=admin) as got:
            text = (await got.read()).decode("utf-8")
            assert got.content_type == "text/csv" and text.startswith("\ufeffid,trang_thai")
            assert REPLY in text and "Lệ phí?" in text

        async with http.get(bot.base_url + HOME + "/nhap", headers=ours) as refused:
            assert refused.status == 403
        lines[0]["answer"] = REPLY + " Mang CCCD."
        lines[1]["state"] = "approved"  # not read: nothing is approved by an import
        new = {"questions": ["Giờ làm việc?"], "answer": "Từ 8 giờ.", "unit": "Phường X"}
        body = "\n".join([*(json.dumps(x, ensure_ascii=False) for x in [*lines, new]), "{oops"])
        form = aiohttp.FormData()
        form.add_field("csrf", admin_session.csrf)
        form.add_field("tep", body.encode(), filename="giai-dap.jsonl")
        async with http.post(bot.base_url + HOME + "/nhap", data=form, headers=admin) as done:
            report = await done.text()
        assert done.status == 200
        for outcome in ("revised", "unchanged", "created", "refused"):
            assert wording.OUTCOMES[outcome] in report
        assert wording.BAD_JSON in report
        states = {r.id: (r.state, r.latest.version) for r in await bot.store.officer_answers()}
        assert states[ids[0]] == ("draft", 2) and states[ids[1]] == ("draft", 1)
        assert len(states) == 3

        big = aiohttp.FormData()
        big.add_field("csrf", admin_session.csrf)
        big.add_field("tep", b"\n" * (5 * 1024 * 1024 + 1), filename="big.jsonl")
        async with http.post(bot.base_url + HOME + "/nhap", data=big, headers=admin) as r:
            assert r.status == 413 and "Tệp quá lớn" in await r.text()


async def test_a_group_of_unanswered_questions_opens_the_form_prefilled(bot) -> None:
    await citizens_ask(bot)
    assert await job_of(bot).run()
    async with aiohttp.ClientSession() as http:
        admin, _ = await signed_in(bot, ADMIN, http)
        theirs, _ = await signed_in(bot, KIM_LIEN, http)
        async with http.get(
            bot.base_url + "/console/so-lieu/cau-hoi-chua-tra-loi", headers=admin
        ) as page:
            text = await page.text()
        links = re.findall(r'href="(/console/giai-dap/moi\?[^"]+)"', text)
        assert links and words.DRAFT_FROM_CLUSTER in text
        link = links[0].replace("&amp;", "&")
        assert 1 <= link.count("cau-hoi=") <= 3
        async with http.get(bot.base_url + link, headers=admin) as form:
            prefilled = await form.text()
        assert form.status == 200 and any(q in prefilled for q in GOLD)
        assert 'value="cluster:' in prefilled
        async with http.get(bot.base_url + link, headers=theirs) as form:
            hidden = await form.text()
        assert form.status == 200  # Kim Liên's officer: not Ba Đình's citizens' words
        assert not any(q in hidden for q in GOLD)


async def test_an_answers_page_says_how_often_the_bot_gave_it(bot) -> None:
    """The count for whoever may see the answer; the citizens' questions for admins only."""
    from bot.core.answer import Answer, Citation
    from bot.officer_answers.workflow import Actor

    flow = workflow(bot)
    unit = "UBND phường Hàng Bạc"
    text = flow.text(["Nộp hồ sơ ở đâu?"], REPLY)
    entry = await flow.draft(Actor(HANG_BAC, False, unit), text)
    await flow.approve(Actor(ADMIN, True, ""), entry.id, 1)
    cited = Citation("", "", "Nộp hồ sơ ở đâu?", REPLY, f"Giải đáp của {unit}", 0, 0,
                     kind="officer_answer", entry=entry.id, version=1)  # fmt: skip
    led = Answer("💬 …", grounded=False, handoff=False, confidence=0.9, citations=(cited,))
    person = await bot.store.upsert_person("web", "v1", "")
    await bot.store.add_message(person.id, "in", "nop ho so o dau vay", "question")
    await bot.store.add_message(person.id, "out", "…", "answer", answer=led)
    one = f"{bot.base_url}{HOME}/{entry.id}"
    async with aiohttp.ClientSession() as http:
        admin, _ = await signed_in(bot, ADMIN, http)
        ours, _ = await signed_in(bot, HANG_BAC, http)
        async with http.get(one, headers=admin) as page:
            text = await page.text()
            assert "1 lần, gần nhất" in text and "nop ho so o dau vay" in text
        async with http.get(one, headers=ours) as page:
            text = await page.text()
            assert "1 lần, gần nhất" in text and "nop ho so o dau vay" not in text
