"""The answer engine end to end: real index, real embedding model, no mocks.

What a citizen sees must be faithful: grounded answers quote the plan verbatim and say
where the quote comes from; anything else is declined politely, handed to an officer,
or answered with a fixed reply.
"""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from bot.answering.render import MAX_ANSWER_CHARS
from bot.core.answer import Answer
from tests.answering.support import DEV_SET, TUNE_SET, norm, read_questions

pytestmark = pytest.mark.slow

PLAN = "Kế hoạch 57-KH/TU"
SECTION_ID = re.compile(r"^(preamble|signature|[IVX]+(\.\d+)*)$")
DECLINE_KINDS = {"not_found", "invalid"}
SPECIAL_LABELS = {
    "preamble": ("phần đầu văn bản", "opening of the document"),
    "signature": ("phần nơi nhận", "recipients and signature"),
}


def named_in(section: str, text: str) -> bool:
    """The answer tells the user where a quote is from: "mục II.2.2" or "section II.2.2",
    or "(III.8)" for an item of a list whose lead-in names "mục III"."""
    if section in {"preamble", "signature"}:
        return any(label in text for label in SPECIAL_LABELS[section])
    if re.search(rf"(mục|section) {re.escape(section)}(?!\.?\d)", text):
        return True
    parents = [section.rsplit(".", k)[0] for k in range(1, section.count(".") + 1)]
    return f"({section})" in text and any(named_in(p, text) for p in parents)


def section_matches(cited: str, expected: str) -> bool:
    """The expected section, or a sub- or parent section of it (as scripts/evaluate.py judges)."""
    return cited == expected or cited.startswith(expected + ".") or expected.startswith(cited + ".")


@pytest.fixture
def no_engine_failure(caplog):
    """``answer`` swallows internal errors into a "not found" reply; make them visible."""
    with caplog.at_level(logging.ERROR, logger="bot.answering.engine"):
        yield
    records = caplog.get_records("call")  # caplog.records would only hold the teardown's
    failures = [
        r for r in records if r.name == "bot.answering.engine" and r.levelno >= logging.ERROR
    ]
    assert not failures, f"the engine failed internally: {failures[0].getMessage()}"


# -- answers from the plan ------------------------------------------------------------
def test_income_target_2045_is_quoted_from_II_2_2(engine, no_engine_failure):
    answer = engine.answer("muc tieu thu nhap binh quan dau nguoi nam 2045")

    assert answer.kind == "answer"
    assert answer.grounded is True
    assert answer.handoff is False
    assert any(c.section == "II.2.2" for c in answer.citations)
    assert "42.000 USD" in answer.answer
    assert PLAN in answer.answer
    assert "II.2.2" in answer.answer
    assert all(c.label == f"{PLAN}, mục {c.section}" for c in answer.citations)


# Copied from /work/shared/eval/dev.jsonl (fact items the engine answers today), so this
# file does not depend on the shared folder.
FACTS = [
    pytest.param(
        "muc tieu xuyen suot xay dung thu do theo huong nao",
        ["Văn hiến - Văn minh - Hiện đại - Hạnh phúc"],
        "II.2.1",
        id="d004-no_diacritics",
    ),
    pytest.param(
        "con song nao duoc lay lam truc canh quan sinh thai va van hoa chu dao cua ha noi",
        ["sông Hồng"],
        "II.2.1",
        id="d027-no_diacritics",
    ),
    pytest.param(
        "Ai được giao tham mưu tổ chức và phát động cuộc thi trực tuyến toàn quốc về Nghị quyết 02?",
        ["Ban Tuyên giáo và Dân vận Thành ủy"],
        "IV.1.2",
        id="d012-diacritics",
    ),
    pytest.param(
        "Nghị quyết 02-NQ/TW do ai thay mặt Bộ Chính trị ký ban hành, vào ngày nào?",
        ["Tô Lâm", "17/3/2026"],
        "II.1",
        id="d056-diacritics",
    ),
    pytest.param(
        "đến 2035 thì HN muốn thành đô thị ntn v ạ",
        ["xanh, thông minh, hiện đại"],
        "II.2.2",
        id="d020-colloquial",
    ),
    pytest.param(
        "đảng ủy xã phường thì mỗi tháng phải số hóa bn tin bài lên mạng xh ạ",
        ["10 tin, bài/tháng"],
        "IV.1.10",
        id="d042-colloquial",
    ),
    pytest.param(
        "What is the theme of the nationwide online contest about Resolution 02?",
        ["Thủ đô Hà Nội cùng dân tộc trong kỷ nguyên mới"],
        "IV.1.2",
        id="d046-english",
    ),
    pytest.param(
        "What average annual GRDP growth rate is Hanoi aiming for between 2026 and 2045?",
        ["11%"],
        "II.2.2",
        id="d051-english",
    ),
]


def test_where_reports_are_sent_is_answered(engine, no_engine_failure):
    # "gửi" is in no sentence of the plan: typed short and without tone marks, "bao cao gui
    # ve dau" asked about an unknown word and was only offered sections. Sending a report
    # is reporting ("báo cáo … về Ban Thường vụ").
    for question in ("bao cao gui ve dau", "Báo cáo gửi về đâu?"):
        answer = engine.answer(question)
        assert answer.kind == "answer", answer.answer
        assert "IV.2.3" in [c.section for c in answer.citations]
        assert "qua Ban Tuyên giáo và Dân vận Thành ủy" in norm(answer.answer)


@pytest.mark.parametrize(("question", "expected", "section"), FACTS)
def test_fact_questions_are_answered_from_the_right_section(
    composing, no_engine_failure, question, expected, section
):
    answer = composing.answer(question)

    assert answer.grounded is True, answer.answer
    assert answer.handoff is False
    text = norm(answer.answer)
    for fragment in expected:
        assert norm(fragment) in text
    cited = [c.section for c in answer.citations]
    assert any(section_matches(s, section) for s in cited), f"cited {cited}, expected {section}"
    assert PLAN in answer.answer


def test_english_questions_get_an_english_lead_in(composing):
    answer = composing.answer(
        "What is the theme of the nationwide online contest about Resolution 02?"
    )

    assert answer.language == "en"
    assert answer.answer.startswith(f"According to {PLAN}")


# -- every answer is faithful ----------------------------------------------------------
def _question_params() -> list:
    params = [
        pytest.param(item["question"], id=f"tune-{item['id']}") for item in read_questions(TUNE_SET)
    ]
    if DEV_SET.is_file():
        params += [
            pytest.param(item["question"], id=f"dev-{item['id']}")
            for item in read_questions(DEV_SET)
        ]
    else:
        params.append(
            pytest.param("", id="dev", marks=pytest.mark.skip(reason=f"{DEV_SET} is missing"))
        )
    return params


@pytest.mark.parametrize("question", _question_params())
def test_every_answer_is_faithful_and_short(engine, knowledge_texts, no_engine_failure, question):
    answer = engine.answer(question)

    assert len(answer.answer) <= MAX_ANSWER_CHARS
    assert answer.answer.strip()
    assert 0.0 <= answer.confidence <= 1.0
    if not answer.grounded:
        assert answer.citations == ()
        assert answer.kind != "answer"
        return
    assert answer.kind == "answer"
    assert answer.handoff is False
    assert len(answer.citations) >= 1
    assert PLAN in answer.answer
    shown = norm(answer.answer)
    for c in answer.citations:
        document = knowledge_texts[c.doc]
        indexed = engine.index.documents[c.doc].document.text
        assert c.quote.strip()
        assert norm(c.quote) == c.quote, "quotes are stored whitespace-collapsed"
        assert c.quote in norm(document), f"not verbatim in knowledge/: {c.quote!r}"
        assert norm(indexed[c.start : c.end]) == c.quote, "start/end do not point at the quote"
        assert c.quote in shown, "a cited quote is not shown to the user"
        assert SECTION_ID.match(c.section), c.section
        assert c.section in engine.index.documents[c.doc].structure.sections
        assert named_in(c.section, answer.answer), f"section {c.section} not named in the answer"
    # a place given after a quote reads "(mục IV.1.10 – Đảng ủy …)", not brackets in brackets
    assert not re.search(r"\((mục|section) [^()]*\(", answer.answer), answer.answer


def test_index_holds_the_same_text_as_knowledge(engine, knowledge_texts):
    """Quotes are cut from the index's copy; it must be the text in knowledge/ now."""
    indexed = {doc_id: d.document.text for doc_id, d in engine.index.documents.items()}
    assert indexed == knowledge_texts


# -- declines and handoffs --------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "Giá vàng SJC hôm nay bao nhiêu?",
        "What's the weather in Hanoi tomorrow?",
        "xe may vuot den do bi phat bao nhieu tien",
    ],
)
def test_out_of_scope_is_declined_with_an_offer_of_an_officer(engine, no_engine_failure, question):
    answer = engine.answer(question)

    assert answer.grounded is False
    assert answer.handoff is False
    assert answer.kind == "not_found"
    assert answer.citations == ()
    assert "cán bộ" in answer.answer or "officer" in answer.answer
    assert answer.confidence < engine.decision.answer_at


@pytest.mark.parametrize(
    "question",
    [
        "cho tôi gặp cán bộ",
        "toi muon khieu nai ve to dan pho",
        "tôi muốn gửi đơn kiến nghị",
        "I want to talk to a human",
    ],
)
def test_asking_for_a_person_hands_off(engine, no_engine_failure, question):
    answer = engine.answer(question)

    assert answer.handoff is True
    assert answer.grounded is False
    assert answer.kind == "handoff"
    assert answer.citations == ()
    assert answer.answer.strip()


def test_a_request_no_pattern_knows_is_handed_over_by_the_probe(engine, monkeypatch):
    from dataclasses import replace

    request = "em cần người giúp giải quyết vụ việc của gia đình"
    from bot.vietnamese.text import folded_tokens

    assert engine.lexicon.intent(" ".join(folded_tokens(request))) is None  # not the patterns

    assert engine.answer(request).kind == "handoff"  # the shipped probe and threshold
    monkeypatch.setattr(engine, "decision", replace(engine.decision, handoff_at=float("inf")))
    assert engine.answer(request).kind != "handoff"


def test_an_ordinary_question_is_not_handed_over_by_the_probe(engine) -> None:
    for question in ("Cán bộ, đảng viên phải gương mẫu thế nào?", "Ai tiếp nhận kiến nghị?"):
        assert engine.answer(question).kind != "handoff"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("xin chào", "greeting"),
        ("chao ban", "greeting"),
        ("bạn làm được gì?", "help"),
        ("hướng dẫn", "help"),
        ("huong dan su dung di ad", "help"),
        ("dùng bot thế nào?", "help"),
        ("hello", "greeting"),
        ("cảm ơn", "thanks"),
    ],
)
def test_small_talk_gets_a_fixed_reply(engine, no_engine_failure, message, kind):
    answer = engine.answer(message)

    assert answer.kind == kind
    assert answer.citations == ()
    assert answer.grounded is False
    assert answer.handoff is False
    assert answer.answer.strip()


@pytest.mark.parametrize(
    "question",
    [
        "Kế hoạch 57 hướng dẫn tuyên truyền thế nào?",
        "Ban Tuyên giáo hướng dẫn những gì?",
        "phường in bao nhiêu tờ gấp hướng dẫn",
    ],
)
def test_a_question_about_guidance_is_not_a_request_for_help(engine, question):
    # "hướng dẫn" is the documents' word too: it used to get the bot's help text.
    assert engine.answer(question).kind not in {"help", "greeting"}


# -- bad input ----------------------------------------------------------------------------
LEAKS = ("Traceback", "Error", "Exception")


def assert_polite_decline(answer: Answer) -> None:
    assert isinstance(answer, Answer)
    assert answer.kind in DECLINE_KINDS, (answer.kind, answer.answer)
    assert answer.grounded is False
    assert answer.handoff is False
    assert answer.citations == ()
    assert answer.answer.strip()
    assert len(answer.answer) < 600
    for leak in LEAKS:
        assert leak not in answer.answer


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("", id="empty"),
        pytest.param("   \n\t", id="whitespace"),
        pytest.param("mục tiêu " * 6000, id="50KB"),
        pytest.param("😀🎉👍", id="emoji"),
        pytest.param("北京今天天气怎么样", id="chinese"),
        pytest.param("Какие цели у плана?", id="russian"),
        pytest.param(None, id="None"),
        pytest.param(42, id="int"),
        pytest.param(b"muc tieu 2045", id="bytes"),
    ],
)
def test_bad_input_gets_a_polite_short_reply(engine, no_engine_failure, message):
    answer = engine.answer(message)

    assert_polite_decline(answer)


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("\x00\x07muc tieu\x1b[31m 2045", id="control-characters"),
        pytest.param(
            "<script>alert(1)</script><img src=x onerror=alert(1)> muc tieu 2045",
            id="html-injection",
        ),
        pytest.param("**[bấm vào đây](http://evil)** mục tiêu 2045", id="markdown-injection"),
    ],
)
def test_noise_around_a_real_question_is_dropped_not_echoed(
    engine, knowledge_texts, no_engine_failure, message
):
    """Without the noise "muc tieu 2045" is a fair question: answering it is fine, declining
    it is fine; echoing the markup, the link or the control characters is not."""
    answer = engine.answer(message)

    assert answer.kind in DECLINE_KINDS | {"answer", "suggest"}
    assert len(answer.answer) <= MAX_ANSWER_CHARS
    for needle in ("<script", "onerror", "<img", "http://evil", "](", "\x00", "\x07", "\x1b"):
        assert needle not in answer.answer
    for leak in LEAKS:
        assert leak not in answer.answer
    if answer.grounded:
        assert all(c.quote in norm(knowledge_texts[c.doc]) for c in answer.citations)
    else:
        assert len(answer.answer) < 600


def test_a_question_at_the_length_limit_is_still_read(engine, no_engine_failure):
    question = ("muc tieu thu nhap binh quan dau nguoi nam 2045 " * 30)[:1000]
    assert len(question) == 1000

    assert engine.answer(question).kind != "invalid"
    assert engine.answer(question + "x").kind == "invalid"


def test_too_long_reply_reads_correctly(engine):
    answer = engine.answer("mục tiêu " * 6000)

    assert "53.999 ký tự" in answer.answer  # the trailing space is stripped
    assert "hỏi ngắn gọn, mỗi lần một câu" in answer.answer


# -- the contract ---------------------------------------------------------------------------
CONTRACT_KEYS = {"answer", "grounded", "handoff", "confidence", "citations"}
CITATION_KEYS = {"doc", "section", "title", "quote"}


@pytest.mark.parametrize(
    "question",
    [
        "muc tieu thu nhap binh quan dau nguoi nam 2045",
        "Giá vàng SJC hôm nay bao nhiêu?",
        "cho tôi gặp cán bộ",
    ],
)
def test_to_dict_follows_the_architecture_contract(engine, question):
    answer = engine.answer(question)
    data = answer.to_dict("q-1")

    assert CONTRACT_KEYS | {"id"} <= data.keys()
    assert data["id"] == "q-1"
    assert "id" not in answer.to_dict()
    assert isinstance(data["answer"], str) and data["answer"]
    assert isinstance(data["grounded"], bool)
    assert isinstance(data["handoff"], bool)
    assert isinstance(data["confidence"], float)
    assert 0.0 <= data["confidence"] <= 1.0
    assert isinstance(data["citations"], list)
    assert len(data["citations"]) == len(answer.citations)
    for c in data["citations"]:
        assert c.keys() >= CITATION_KEYS
        assert all(isinstance(c[k], str) and c[k] for k in CITATION_KEYS)
    assert bool(data["citations"]) == data["grounded"]


# -- async ------------------------------------------------------------------------------------
ASYNC_QUESTIONS = [
    "muc tieu thu nhap binh quan dau nguoi nam 2045",
    "Ai được giao tham mưu tổ chức và phát động cuộc thi trực tuyến toàn quốc về Nghị quyết 02?",
    "đến 2035 thì HN muốn thành đô thị ntn v ạ",
    "What is the theme of the nationwide online contest about Resolution 02?",
    "Giá vàng SJC hôm nay bao nhiêu?",
    "cho tôi gặp cán bộ",
    "xin chào",
    "",
]


async def test_concurrent_ask_matches_sync_answers(engine):
    expected = [engine.answer(q) for q in ASYNC_QUESTIONS]

    answers = await asyncio.gather(*(engine.ask(q) for q in ASYNC_QUESTIONS))

    # Encoded together, the questions' vectors may differ from one-by-one in the last
    # float bits (padding changes the kernels' summation order): the confidence may move in
    # its third decimal, nothing else.
    def shown(answer: Answer) -> dict:
        return {k: v for k, v in answer.to_dict().items() if k != "confidence"}

    assert [shown(a) for a in answers] == [shown(a) for a in expected]
    assert [a.confidence for a in answers] == pytest.approx(
        [a.confidence for a in expected], abs=0.01
    )


# -- long messages: the ask, and the story it asks about --------------------------------
STORY_ASKS = (
    "Con tôi học cấp 3 ở Đống Đa, cô giáo giao bài tìm hiểu về Thủ đô, cháu hỏi các chỉ "
    "tiêu thu nhập bình quân đầu người của Hà Nội đến năm 2045 như thế nào. "
    "Kế hoạch 57 có nói không ạ?"
)


def test_an_ask_that_only_names_the_plan_is_about_its_story(engine, no_engine_failure):
    """ "… Kế hoạch 57 có nói không?" asks about the story before it, not for an overview."""
    answer = engine.answer(STORY_ASKS)

    assert answer.kind == "answer"
    assert [c.section for c in answer.citations][:1] == ["II.2.2"]
    assert "42.000 USD" in answer.answer


def test_a_story_about_something_else_is_not_answered_with_the_plans_opening(engine):
    answer = engine.answer(
        "Hàng xóm tôi bảo năm nay giá điện sinh hoạt sẽ tăng mạnh vì Hà Nội làm nhiều dự án "
        "lớn, tôi là hưu trí nên lo lắm. Nghị quyết 02 hay kế hoạch này có nói gì không?"
    )

    assert answer.grounded is False
    assert "preamble" not in [c.section for c in answer.citations]
