"""Two documents of one kind: "ai ký kế hoạch này" names neither, so each one's signer
answers, each cited with its own document (the index of tests/data/newdoc plus the plan)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.answering.support import KNOWLEDGE_DIR

pytestmark = pytest.mark.slow

NEWDOC = Path(__file__).resolve().parents[1] / "data" / "newdoc" / "12-KH-UBND.txt"


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory):
    from scripts.engine_for import engine_for

    folder = tmp_path_factory.mktemp("two_plans")
    shutil.copy(KNOWLEDGE_DIR / "57-KH-TU.txt", folder)
    shutil.copy(NEWDOC, folder)
    engine = engine_for(folder)
    engine.decision = engine.decision.always_answering()
    yield engine
    engine.close()


def test_each_plan_s_signer_when_the_question_names_neither(two_plans):
    answer = two_plans.answer("ai ky ke hoach nay")

    cited = {(c.doc, c.quote) for c in answer.citations}
    assert cited == {("57-KH/TU", "Nguyễn Trọng Đông"), ("12-KH/UBND", "Trần Minh Khôi")}
    # Each quote names its own document, not the first one's.
    assert "“Trần Minh Khôi” (Kế hoạch 12-KH/UBND" in answer.answer
    assert "“Nguyễn Trọng Đông” (Kế hoạch 57-KH/TU" in answer.answer
    assert not answer.answer.startswith("Theo Kế hoạch 57-KH/TU")


def test_a_named_plan_gets_only_its_own_signer(two_plans):
    answer = two_plans.answer("Ai ký Kế hoạch 12?")

    assert [(c.doc, c.quote) for c in answer.citations] == [("12-KH/UBND", "Trần Minh Khôi")]
