"""Officers' answers as JSONL: an export read back changes nothing, an edited line becomes
a new version waiting for approval, a line without id a new draft; nothing is approved by
an import, each bad line is refused with its reason, and a file over the bounds is
refused whole. The command line (``python -m bot giai-dap``) does the same."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.officer_answers import exchange
from bot.officer_answers.command import export_file, import_file
from bot.officer_answers.workflow import Actor, OfficerAnswers
from bot.store import Store
from bot.store.memory import MemoryStore
from bot.strings import officer_answers as words

ADMIN = Actor("telegram:1", True, "")
HANG_BAC = Actor("telegram:7", False, "UBND phường Hàng Bạc")
KNOWN = {("57-KH/TU", "III.3"), ("57-KH/TU", "III.4")}


@pytest.fixture
def flow() -> OfficerAnswers:
    return OfficerAnswers(MemoryStore(), lambda doc, section: (doc, section) in KNOWN)


async def two_answers(flow: OfficerAnswers) -> tuple[int, int]:
    hours = flow.text(["Mấy giờ mở cửa?"], "Từ 7 giờ 30.", [("57-KH/TU", "III.4")])
    first = await flow.draft(HANG_BAC, hours, source="ticket:3")
    await flow.approve(ADMIN, first.id, 1)
    fees = flow.text(["Lệ phí bao nhiêu?", "Có mất phí không?"], "Không mất phí.")
    second = await flow.draft(ADMIN, fees, unit="UBND phường Kim Liên")
    return first.id, second.id


async def test_an_export_read_back_changes_nothing(flow: OfficerAnswers) -> None:
    first, second = await two_answers(flow)
    text, count = await exchange.export(flow, ADMIN)
    lines = [json.loads(line) for line in text.splitlines()]
    assert count == 2 and [line["id"] for line in lines] == [first, second]
    assert set(lines[0]) == {
        "id", "state", "unit", "version", "approved_version", "questions", "answer",
        "sections", "created_by", "updated_at",
    }  # fmt: skip
    assert (lines[0]["state"], lines[0]["approved_version"], lines[0]["sections"]) == (
        "approved", 1, [["57-KH/TU", "III.4"]])  # fmt: skip
    assert lines[1]["questions"] == ["Lệ phí bao nhiêu?", "Có mất phí không?"]
    only_ours, _ = await exchange.export(flow, HANG_BAC)  # an officer: their unit's only
    assert [json.loads(line)["id"] for line in only_ours.splitlines()] == [first]

    results = await exchange.import_jsonl(flow, ADMIN, text.encode())
    assert [(r.line, r.outcome, r.entry_id) for r in results] == [
        (1, "unchanged", first), (2, "unchanged", second)]  # fmt: skip
    assert (await flow.store.get_officer_answer(first)).latest.version == 1


async def test_edited_lines_become_versions_and_new_lines_drafts(flow: OfficerAnswers) -> None:
    first, _ = await two_answers(flow)
    text, _ = await exchange.export(flow, ADMIN)
    edited = json.loads(text.splitlines()[0])
    edited.update(answer="Từ 7 giờ 30 đến 17 giờ.", state="withdrawn", sections=["III.3"])
    new = {"questions": "Ở đâu nộp hồ sơ?", "answer": "Bộ phận một cửa.", "unit": "Phường X"}
    data = "\n".join(json.dumps(x, ensure_ascii=False) for x in (edited, new)) + "\n"
    results = await exchange.import_jsonl(flow, ADMIN, data.encode())
    assert [r.outcome for r in results] == ["revised", "created"]
    answer = await flow.store.get_officer_answer(first)
    # A new version waits for approval; the approved one is still served, not withdrawn.
    assert (answer.state, answer.latest.version, answer.approved_version) == ("approved", 2, 1)
    assert answer.pending and answer.latest.text.sections == (("57-KH/TU", "III.3"),)
    created = await flow.store.get_officer_answer(results[1].entry_id)
    assert (created.state, created.unit, created.source) == ("draft", "Phường X", "import")
    assert await flow.store.served_officer_answer_keys() == {(first, 1)}
    actions = [action for _, action, _, _ in await flow.store.audit_entries()]
    assert {"giai_dap_sua", "giai_dap_soan", "giai_dap_nhap"} <= set(actions)


async def test_each_bad_line_is_refused_with_its_reason(flow: OfficerAnswers) -> None:
    first, _ = await two_answers(flow)
    good = {"questions": ["Hỏi?"], "answer": "Đáp.", "unit": "Phường X"}
    lines = [
        b"{not json",
        b"[1, 2]",
        json.dumps({"answer": "Đáp.", "unit": "Phường X"}).encode(),
        json.dumps({"questions": ["Hỏi?"], "unit": "Phường X"}).encode(),
        json.dumps({**good, "id": 9999}).encode(),
        json.dumps({**good, "id": "abc"}).encode(),
        json.dumps({**good, "unit": ""}).encode(),
        json.dumps({**good, "sections": ["IX.9"]}).encode(),
        json.dumps({**good, "sections": "III.3"}).encode(),
        b"\xff\xfe broken",
        b"",
        json.dumps({**good, "id": first, "answer": "Từ 8 giờ."}).encode(),
    ]
    results = await exchange.import_jsonl(flow, ADMIN, b"\n".join(lines))
    reasons = {r.line: r.reason for r in results if r.outcome == "refused"}
    assert reasons == {
        1: words.BAD_JSON,
        2: words.NOT_OBJECT,
        3: words.NO_QUESTIONS,
        4: words.NO_ANSWER,
        5: words.no_such_answer(9999),
        6: words.BAD_ID,
        7: "Cần ghi tên đơn vị giải đáp.",
        8: "Không có mục này trong văn bản: 57-KH/TU IX.9",
        9: words.BAD_SECTIONS,
        10: words.NOT_UTF8,
    }
    assert [(r.line, r.outcome) for r in results if r.outcome != "refused"] == [(12, "revised")]
    assert (await flow.store.get_officer_answer(first)).approved_version == 1  # not approved


async def test_a_file_over_the_bounds_is_refused_whole(flow: OfficerAnswers) -> None:
    line = json.dumps({"questions": ["Hỏi?"], "answer": "Đáp.", "unit": "X"}).encode()
    with pytest.raises(exchange.TooBig):
        await exchange.import_jsonl(flow, ADMIN, b"\n".join([line] * (exchange.MAX_LINES + 1)))
    with pytest.raises(exchange.TooBig):
        await exchange.import_jsonl(flow, ADMIN, b" " * (exchange.MAX_BYTES + 1))
    assert await flow.store.officer_answers() == []
    full = await exchange.import_jsonl(flow, ADMIN, b"\n".join([line] * exchange.MAX_LINES))
    assert len(full) == exchange.MAX_LINES


async def test_the_command_line_exports_and_imports(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    settings = Settings(database_url=url, admins="telegram:1", index_dir=tmp_path / "no-index")
    async with await Store.open(url) as store:
        await two_answers(OfficerAnswers(store))
    out = io.StringIO()
    assert await export_file(settings, None, out) == 0
    exported = out.getvalue()
    assert len(exported.splitlines()) == 2
    edited = [json.loads(line) for line in exported.splitlines()]
    edited[1]["answer"] = "Không mất phí, trừ bản sao."
    del edited[0]["id"]
    path = tmp_path / "giai-dap.jsonl"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in edited), "utf-8")
    refused = io.StringIO()
    admins = frozenset({"telegram:1"})
    assert await import_file(settings, str(path), "telegram:7", admins, refused) == 2
    report = io.StringIO()
    assert await import_file(settings, str(path), "telegram:1", admins, report) == 0
    outcomes = [json.loads(line)["outcome"] for line in report.getvalue().splitlines()]
    assert outcomes == ["created", "revised"]
    async with await Store.open(url) as store:
        assert len(await store.officer_answers()) == 3
        assert ("telegram:1", "giai_dap_nhap") in [
            (a, x) for a, x, _, _ in await store.audit_entries()
        ]
