"""The three-way decision (answer, suggest, decline) and the model file it reads.

The model tests need no embedding model; the engine tests use the real one and force an
outcome with thresholds, so that they test the mechanism, not one fitted number.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.answering.decision import DECISION_FILE, DecisionModel, Probe, Tree
from bot.answering.features import (
    Features,
    absent_figures,
    asked_figures,
    capitalised_names,
    cues,
    document_references,
)

PLAN = "57-KH/TU"


def features(**values) -> Features:
    base = dict.fromkeys(Features.names(), 0.0)
    base["terms"] = 3
    return Features(**{**base, **values})


# -- the model file ---------------------------------------------------------------------
def test_shipped_model_loads_and_gives_probabilities() -> None:
    model = DecisionModel.load()
    assert DECISION_FILE.is_file()
    assert set(model.names) <= set(Features.names())
    right, unsure, out = model.probabilities(features(answer_coverage=1.0, dense=0.9))
    assert right + unsure + out == pytest.approx(1.0)
    assert 0.0 < model.answer_at < 1.0 and 0.0 < model.decline_at <= 1.0


def test_trees_and_weights_add_up_as_documented(tmp_path) -> None:
    # One stage: the "right" tree splits on coverage, the others are constant.
    split = Tree(
        feature=[0, -2, -2],
        threshold=[0.5, -2, -2],
        left=[1, -1, -1],
        right=[2, -1, -1],
        value=[0, -10, 10],
    )
    flat = Tree(feature=[-2], threshold=[-2], left=[-1], right=[-1], value=[0.0])
    model = DecisionModel(
        names=["coverage", "dense"],
        bias=[0.0, 0.0, 0.0],
        weights=[[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
        trees=[[split, flat, flat]],
        learning_rate=1.0,
        answer_at=0.9,
        decline_at=0.5,
    )
    assert model.decide(features(coverage=0.9)).outcome == "answer"
    assert model.decide(features(coverage=0.1)).outcome == "suggest"
    assert model.decide(features(coverage=0.1), can_suggest=False).outcome == "decline"

    path = tmp_path / "decision.json"
    model.save(path, report={"note": "kept beside the model"})
    again = DecisionModel.load(path)
    assert again.probabilities(features(coverage=0.9)) == pytest.approx(
        model.probabilities(features(coverage=0.9))
    )


def test_a_likely_trap_is_declined_not_suggested() -> None:
    model = DecisionModel(
        names=["unknown_share"],
        bias=[0.0, 0.0, 0.0],
        weights=[[-5.0], [0.0], [5.0]],
        answer_at=0.9,
        decline_at=0.5,
    )
    assert model.decide(features(unknown_share=1.0)).outcome == "decline"
    assert model.decide(features(unknown_share=0.0)).outcome == "suggest"


def test_probes_read_vectors() -> None:
    import numpy as np

    probe = Probe([1.0, -1.0], 0.5)
    assert probe.score(np.asarray([2.0, 1.0])) == pytest.approx(1.5)


def test_a_document_added_later_is_read_on_the_fitting_documents_topic_scale() -> None:
    import numpy as np

    # Sentences of the fitting document score 2 on average, a new document's 0.5.
    probe = Probe([1.0, 0.0], 0.0, reference=2.0)
    vectors = np.asarray([[2.5, 0.0], [1.5, 0.0], [0.5, 1.0], [0.5, -1.0]])
    shifts = probe.shifts(vectors, ["old", "old", "new", "new"])
    assert shifts == {"old": 0.0, "new": 1.5}
    assert Probe([1.0, 0.0], 0.0).shifts(vectors, ["old"] * 4) == {}  # no reference: none


def test_the_topic_shift_keeps_a_question_from_being_declined_but_never_answers_it() -> None:
    model = DecisionModel(
        names=["topic"],
        bias=[0.0, 0.0, 0.0],
        weights=[[1.0], [0.0], [-4.0]],
        answer_at=0.6,
        decline_at=0.5,
    )
    far = features(topic=-1.0)  # off the fitting document's topic
    assert model.decide(far).outcome == "decline"
    shifted = model.decide(far, topic_shift=1.5)  # … but near the new document's sentences
    assert shifted.outcome == "suggest"
    assert (shifted.right, shifted.out) == (model.decide(far).right, model.decide(far).out)
    assert model.decide(far, can_suggest=False, topic_shift=1.5).outcome == "decline"


def test_the_handoff_probe_asks_for_a_person_only_above_its_threshold() -> None:
    import numpy as np

    model = DecisionModel(probes={"handoff": Probe([4.0, 0.0], -1.0)}, handoff_at=1.0)
    assert model.wants_person(np.asarray([1.0, 0.0]))
    assert not model.wants_person(np.asarray([0.2, 0.9]))
    assert not DecisionModel().wants_person(np.asarray([1.0, 0.0]))  # no probe: patterns only


def test_the_shipped_model_has_a_handoff_probe_fitted_held_out() -> None:
    import json

    model = DecisionModel.load()
    assert "handoff" in model.probes and model.handoff_at < float("inf")
    report = json.loads(DECISION_FILE.read_text(encoding="utf-8"))["report"]["handoff_probe"]
    assert report["in_scope_handed_over_held_out"] <= 0.001 * report["in_scope"]


# -- signals ----------------------------------------------------------------------------
def test_signals_of_a_question_about_something_else() -> None:
    asked = asked_figures("Vành đai 4 năm 2024")
    assert absent_figures(asked, "đến năm 2030", "đến năm 2030") == 2
    asked = asked_figures("mục tiêu 12.000 USD năm 2030")
    assert absent_figures(asked, "12000 USD vào năm 2030", "12000 USD vào năm 2030") == 0


def test_a_figure_counts_only_in_the_sentence_that_answers() -> None:
    vision = "xây dựng đô thị xanh, thông minh vào năm 2035."
    income = "thu nhập bình quân đầu người 12.000 USD (năm 2030), 42.000 USD (năm 2045)."
    asked = asked_figures("thu nhap binh quan nam 2035 muc tieu bao nhieu")
    assert absent_figures(asked, f"{vision} {income}", income) == 1
    asked = asked_figures("đến 2045 thu nhập đầu người bao nhiêu")
    assert absent_figures(asked, f"{vision} {income}", income) == 0


def test_one_written_for_the_article_is_not_a_figure() -> None:
    assert asked_figures("báo cáo kết quả gửi về đâu, bao lâu 1 lần") == set()
    assert asked_figures("qua 2045 thì HN tăng trưởng bn % 1 năm thế") == {"2045"}
    assert asked_figures("Kế hoạch 57 giao gì", frozenset({"57"})) == set()
    assert capitalised_names("Bao giờ Vành Đai 4 xong? Hà Nội") == ["vanh", "dai", "noi"]
    flags = cues("gia vang hien nay bao nhieu")
    assert flags["asks_price"] == 1.0 and flags["asks_current"] == 1.0
    assert cues("thu tuc lam can cuoc o dau")["asks_procedure"] == 1.0
    assert cues("ai ky ke hoach")["asks_who"] == 1.0


def test_documents_named_by_kind_and_number() -> None:
    assert document_references("Nghị quyết 57 về khoa học công nghệ") == {("nq", 57)}
    assert document_references("kh 57 ra ngay nao") == {("kh", 57)}
    assert document_references("ke hoach 22-KH/TU ngay 17/12/2025") == {("kh", 22)}
    assert document_references("NQ 02 và Nghị quyết số 02-NQ/TW") == {("nq", 2)}
    assert document_references("What does Resolution 15-NQ/TW say?") == {("nq", 15)}
    assert document_references("năm 2030 Hà Nội có 12 quận") == set()


@pytest.mark.slow
def test_a_question_naming_another_document_is_flagged(engine) -> None:
    engine.answer("Nghị quyết 57 của Bộ Chính trị về khoa học công nghệ nói gì?")
    assert engine.last_trace is not None and engine.last_trace.features is not None
    assert engine.last_trace.features.other_documents == 1.0
    engine.answer("Kế hoạch 57 triển khai Nghị quyết 02 ra sao?")
    assert engine.last_trace is not None and engine.last_trace.features is not None
    assert engine.last_trace.features.other_documents == 0.0


# -- the engine: suggestions and a chosen section (real model) -------------------------
@pytest.fixture
def suggesting(engine, monkeypatch):
    """The engine with thresholds that make every searched question a suggestion."""
    monkeypatch.setattr(engine, "decision", replace(engine.decision, answer_at=2.0, decline_at=2.0))
    return engine


@pytest.mark.slow
def test_a_suggestion_names_sections_and_states_no_fact(suggesting) -> None:
    answer = suggesting.answer("muc tieu thu nhap binh quan dau nguoi nam 2045")

    assert answer.kind == "suggest"
    assert answer.grounded is False and answer.handoff is False
    assert answer.citations == ()
    assert 1 <= len(answer.suggestions) <= 3
    assert len({(s.doc, s.section) for s in answer.suggestions}) == len(answer.suggestions)
    assert answer.suggestions[0].section == "II.2.2"
    assert "Có phải bạn muốn hỏi về" in answer.answer
    assert "42.000" not in answer.answer and "“" not in answer.answer  # no quote, no fact
    for n, s in enumerate(answer.suggestions, 1):
        assert f"{n}. {s.label} — {s.title}" in answer.answer
    data = answer.to_dict("q")
    assert data["kind"] == "suggest" and data["suggestions"][0].keys() >= {
        "doc",
        "section",
        "title",
    }


@pytest.mark.slow
def test_a_list_s_heading_is_offered_first_and_answers_with_the_whole_list(suggesting) -> None:
    # The best sentences are single forms (III.5, III.3, …); offering one of them would
    # answer with that form only, the list under III answers the question.
    question = "Thành ủy dùng những cách nào để người dân biết Nghị quyết?"
    offered = [s.section for s in suggesting.answer(question).suggestions]

    assert offered[0] == "III"
    assert not any(s.startswith("III.") for s in offered)
    chosen = suggesting.answer(question, (PLAN, "III"))
    assert [c.section for c in chosen.citations] == [f"III.{i}" for i in range(1, 11)]


@pytest.mark.slow
def test_english_suggestions_are_in_english(suggesting) -> None:
    answer = suggesting.answer("What is the income target for 2045?")
    assert answer.kind == "suggest" and "Did you mean" in answer.answer


@pytest.mark.slow
def test_a_chosen_section_is_answered_from_that_section_only(suggesting) -> None:
    question = "muc tieu thu nhap binh quan dau nguoi nam 2045"
    for section in ("II.2.2", "I.1", "IV.1.10"):
        answer = suggesting.answer(question, (PLAN, section))
        assert answer.kind == "answer" and answer.grounded is True
        assert answer.citations
        assert all(
            c.section == section or c.section.startswith(section + ".") for c in answer.citations
        )
    assert "42.000 USD" in suggesting.answer(question, (PLAN, "II.2.2")).answer


@pytest.mark.slow
def test_a_section_that_no_longer_exists_gets_a_polite_reply(engine) -> None:
    answer = engine.answer("muc tieu 2045", (PLAN, "IX.9.9"))
    assert answer.kind == "invalid" and answer.grounded is False
    assert "không còn" in answer.answer
    assert engine.answer("muc tieu 2045", ("99-XX/YY", "I")).kind == "invalid"


@pytest.mark.slow
def test_who_signed_is_answered_from_the_signature(engine, monkeypatch) -> None:
    # What the composer quotes when the decision answers (thresholds forced open).
    monkeypatch.setattr(engine, "decision", engine.decision.always_answering())
    for question in ("ai ky ke hoach 57", "Kế hoạch này do ai ký?", "Who signed the plan?"):
        answer = engine.answer(question)
        assert "Nguyễn Trọng Đông" in answer.answer, question
        assert answer.citations[0].section == "signature"


@pytest.mark.slow
def test_a_date_question_naming_only_the_document_gets_its_date(engine, monkeypatch) -> None:
    monkeypatch.setattr(engine, "decision", engine.decision.always_answering())
    for question in ("kh 57 ra ngay nao", "Kế hoạch 57 ban hành ngày nào?"):
        answer = engine.answer(question)
        assert "ngày 13 tháng 4 năm 2026" in answer.answer, question
