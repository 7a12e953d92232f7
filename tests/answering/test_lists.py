"""What a list answer quotes: everything under the heading the question names.

Real index and model; the decision always answers (these are tests of the composer).
"""

from __future__ import annotations

import pytest

from tests.answering.support import norm

pytestmark = pytest.mark.slow


def test_a_heading_of_headings_is_narrowed_to_the_one_the_question_names(composing):
    # "I. MỤC ĐÍCH, YÊU CẦU" holds "1. Mục đích" and "2. Yêu cầu": the purposes, not the
    # two sub-headings, answer "mục đích".
    answer = composing.answer("muc dich kh57?")

    assert [c.section for c in answer.citations][:1] == ["I.1"]
    assert "thống nhất cao về tư tưởng và hành động" in norm(answer.answer)
    assert "“Yêu cầu”" not in answer.answer


def test_a_quoted_heading_brings_everything_under_it(composing):
    answer = composing.answer("Năm quan điểm NQ02?")

    text = norm(answer.answer)
    for viewpoint in (
        "Khẳng định vị thế trung tâm và vai trò dẫn dắt",
        "Phát triển toàn diện lấy con người và văn hoá làm trung tâm",
        "Kiến tạo thể chế đặc thù, vượt trội để bứt phá",
        "Xây dựng hệ thống chính trị gương mẫu",
    ):
        assert viewpoint in text
    assert all(c.section == "II.2.1" for c in answer.citations)


def test_every_task_under_a_named_body_is_listed(composing):
    answer = composing.answer("Đảng ủy HĐND thành phố có nhiệm vụ gì trong việc tuyên truyền?")

    text = norm(answer.answer)
    assert "Chỉ đạo cung cấp thông tin định hướng" in text
    assert "kịp thời tháo gỡ vướng mắc" in text
    assert "“Đảng ủy HĐND Thành phố”" not in answer.answer  # the heading is not a quote


def test_a_lead_in_sentence_is_quoted_with_what_it_introduces(composing):
    answer = composing.answer("Who receives copies of this plan?")

    text = norm(answer.answer)
    assert "Nơi nhận:" in text
    assert "Ban Bí thư TW Đảng" in text
    assert "Thường trực HĐND, UBND Thành phố" in text


def test_what_a_body_does_is_listed_from_the_heading_that_names_it(composing):
    # "MTTQ" is also named in IV.3 ("Đề nghị … Ủy ban Mặt trận Tổ quốc …"); its own duties
    # are the bullets under "1.6. Đảng ủy Ủy ban MTTQ Việt Nam thành phố Hà Nội".
    answer = composing.answer("mat tran to quoc thanh pho lam gi")

    assert {c.section for c in answer.citations} == {"IV.1.6"}
    text = norm(answer.answer)
    assert "đợt sinh hoạt chính trị" in text
    assert "tiên phong ứng dụng chuyển đổi số" in text


def test_a_question_naming_both_sub_headings_gets_both_with_their_items(composing):
    # "Mục đích, yêu cầu" names all of I: its two sub-headings, each with its bullets
    # (before, only "1. Mục đích" was quoted).
    answer = composing.answer("Mục đích và yêu cầu của kế hoạch là gì?")

    text = norm(answer.answer)
    assert "thống nhất cao về tư tưởng và hành động" in text  # I.1
    assert "nghiêm túc, sáng tạo, khoa học" in text  # I.2
    assert {c.section for c in answer.citations} == {"I.1", "I.2"}


def test_a_word_typed_with_tone_marks_names_a_heading_only_with_them(engine):
    # "Phấn" is not "Phân công nhiệm vụ" (IV.1); typed without marks, "phan" may be either.
    from bot.retrieval.query import analyze

    heading = next(
        i for i, u in enumerate(engine.index.units) if u.section == "IV.1" and u.order == 0
    )

    def named(question: str) -> float:
        query = analyze(question, engine.lexicon, engine.judge)
        return engine.judge.heading_coverage(engine.judge.content_terms(query.terms), heading)

    assert named("Phân công") == pytest.approx(1.0)
    assert named("phan cong") == pytest.approx(1.0)
    assert named("Phấn") < 0.5 * named("Phân")


def test_a_heading_that_states_its_content_is_quoted_whole(composing):
    answer = composing.answer("nội dung cơ bản của nghị quyết 02 gồm những gì")

    text = norm(answer.answer)
    assert "Quan điểm, mục tiêu, chỉ tiêu, nhiệm vụ trọng tâm, giải pháp chủ yếu" in text
    assert "II.2" in {c.section for c in answer.citations}


def test_short_items_leave_their_share_to_long_ones(composing):
    # The ten forms of III: the short ones are quoted whole, so the longer ones keep more
    # of their words ("Facebook, Zalo, Youtube" ends III.2, 180 characters).
    answer = composing.answer("Các hình thức tuyên truyền?")

    assert [c.section for c in answer.citations] == [f"III.{i}" for i in range(1, 11)]
    assert "(Facebook, Zalo, Youtube...)" in norm(answer.answer)
    assert len(answer.answer) <= 2000


def test_the_sentence_that_leads_into_a_body_s_bullets_is_quoted(composing):
    answer = composing.answer("Đảng ủy UBND thành phố có nhiệm vụ gì?")

    text = norm(answer.answer)
    assert "Lãnh đạo UBND Thành phố xây dựng, ban hành Kế hoạch chỉ đạo" in text
    assert "tối thiểu 10 tin, bài/tháng" in text


def test_which_bodies_brings_each_section_that_says_it(composing):
    # The same duty ("tối thiểu 10 tin, bài/tháng") is given to several bodies.
    answer = composing.answer("Những đơn vị nào phải đăng tối thiểu 10 tin bài mỗi tháng?")

    sections = {c.section for c in answer.citations}
    assert {"IV.1.5", "IV.1.10"} <= sections


def test_a_bullet_s_further_paragraph_is_part_of_what_it_lists(composing):
    # "Tuyên truyền các chỉ tiêu kinh tế - xã hội cốt lõi: … 12.000 USD …" goes on in a
    # paragraph of its own: "Nhấn mạnh … tỷ trọng kinh tế số (đạt tối thiểu 40% GRDP …)".
    answer = composing.answer("Nghị quyết 02 đặt ra những chỉ tiêu kinh tế nào?")

    text = norm(answer.answer)
    assert "12.000 USD" in text
    assert "tỷ trọng kinh tế số" in text


def test_which_bodies_asks_for_bodies_not_for_the_word_co_quan(composing):
    # "cơ quan nào" asks who; it does not ask for "Cơ quan Báo và Phát thanh…" (IV.1.9).
    answer = composing.answer("phân công cho những cơ quan nào?")

    sections = [c.section for c in answer.citations]
    assert sections[:3] == ["IV.1.1", "IV.1.2", "IV.1.3"]
    assert "IV.1.10" in sections


def test_a_part_named_by_phan_lists_its_own_parts(composing):
    # "Phần tổ chức thực hiện" is IV (IV.1, IV.2, IV.3), not the ten bodies of IV.1
    # ("Phân công nhiệm vụ"), whether typed with tone marks or without.
    for question in (
        "Phần tổ chức thực hiện của kế hoạch có những nội dung gì?",
        "phan to chuc thuc hien co nhung muc nao",
    ):
        answer = composing.answer(question)
        assert [c.section for c in answer.citations] == ["IV.1", "IV.2", "IV.3"], question


def test_ways_spread_over_a_heading_s_parts_bring_the_whole_list(composing):
    # The best sentences for "những cách nào" are III.5, III.3, III.6…: each one form of
    # III, none the answer alone.
    answer = composing.answer("Thành ủy dùng những cách nào để người dân biết Nghị quyết?")

    assert [c.section for c in answer.citations] == [f"III.{i}" for i in range(1, 11)]


def test_by_what_means_asks_for_the_forms(composing):
    answer = composing.answer("nghi quyet duoc tuyen truyen bang cach nao")

    assert [c.section for c in answer.citations] == [f"III.{i}" for i in range(1, 11)]


def test_a_cut_item_is_shown_whole_when_the_message_has_room(composing):
    # The ten forms of III share a 1,650-character budget, which cut III.8 before its
    # last form, "(khẩu hiệu, panô, áp phích,...)". The message may hold 2,000 characters:
    # the nearly whole item is completed, items are labelled "(III.8)" under "mục III".
    for question in (
        "Hình thức tuyên truyền?",
        "Could you list the channels this plan says will be used to spread the resolution"
        " — press, social media, contests, posters, anything else?",
    ):
        answer = composing.answer(question)
        text = norm(answer.answer)
        assert [c.section for c in answer.citations] == [f"III.{i}" for i in range(1, 11)]
        assert "tuyên truyền, cổ động trực quan (khẩu hiệu, panô, áp phích,...).” (III.8)" in text
        assert len(answer.answer) <= 2000
        assert "…” (III.4)" in text  # the long ones that do not fit stay cut


def test_the_part_named_as_well_as_its_parent_is_not_preferred_to_it(composing):
    # "nội dung tuyên truyền" is II, "NỘI DUNG THÔNG TIN, TUYÊN TRUYỀN, VẬN ĐỘNG"; its part
    # II.2 "Những nội dung cơ bản …" also holds "nội dung", and "tuyên truyền" is a word of
    # the plan's name, so both named the question's content word equally and II.2 won.
    answer = composing.answer("noi dung tuyen truyen cua ke hoach gom nhung gi")

    text = norm(answer.answer)
    assert "sự cần thiết phải ban hành Nghị quyết chiến lược mới" in text  # II.1
    assert "Những nội dung cơ bản của Nghị quyết 02-NQ/TW" in text  # II.2
    assert {"II.1", "II.2"} <= {c.section for c in answer.citations}


def test_sub_headings_are_followed_by_the_headings_they_open(composing):
    # II's two parts are named with what they open: II.1 its bullets, II.2 its three
    # parts (05 quan điểm, mục tiêu, nhiệm vụ); the two names alone said little.
    answer = composing.answer("noi dung tuyen truyen cua ke hoach gom nhung gi")

    text = norm(answer.answer)
    assert "Thông tin, tuyên truyền về 05 quan điểm phát triển" in text  # II.2.1
    assert "Thông tin, tuyên truyền về mục tiêu, chỉ tiêu" in text  # II.2.2
    assert len(answer.answer) <= 2000


def test_a_bare_name_among_whole_items_is_followed_by_its_duties(composing):
    # IV.2 holds "2.1. Ban Tuyên giáo và Dân vận Thành ủy" (a name, its duties below it)
    # beside two whole sentences: the name alone would not say what that body checks.
    answer = composing.answer("Công tác kiểm tra, đánh giá gồm những gì?")

    text = norm(answer.answer)
    assert "rà soát tiến độ, kiểm điểm kết quả" in text  # IV.2.1's first duty
    assert "kiểm tra, giám sát chuyên đề" in text  # IV.2.2
    assert len(answer.answer) <= 2000


def test_many_bare_names_stay_a_list_of_names(composing):
    # IV.1 names ten bodies, six of them with duties below: all of it would not fit.
    answer = composing.answer("cq nào được giao việc?")

    assert [c.section for c in answer.citations] == [f"IV.1.{i}" for i in range(1, 11)]


@pytest.mark.parametrize(
    "question",
    ["tuyên truyền = cách nào", "What channels and formats will be used to spread the resolution?"],
)
def test_by_what_means_is_answered_by_the_heading_of_forms(composing, question):
    # "III. HÌNH THỨC THÔNG TIN, TUYÊN TRUYỀN, VẬN ĐỘNG" lists the means; the best single
    # sentences were elsewhere (I.2 "Yêu cầu") or one item (III.9).
    answer = composing.answer(question)

    assert [c.section for c in answer.citations] == [f"III.{i}" for i in range(1, 11)]


def test_a_means_the_question_describes_is_answered_by_its_item(composing):
    # The question says which means it is about: the item that says it answers, not all ten.
    answer = composing.answer("co hinh thuc nao de doanh nghiep doi thoai hai chieu")

    assert [c.section for c in answer.citations] == ["III.3"]


def test_a_sentence_that_enumerates_is_quoted_whole_for_a_list_question(composing):
    # II.1's long sentence lists five documents; cut at its best clause it stopped at (4).
    answer = composing.answer("Bộ Chính trị đã ban hành những nghị quyết, kết luận nào về Thủ đô?")

    text = norm(answer.answer)
    assert "(1) Kết luận “về quy hoạch, cải tạo và xây dựng Thủ đô Hà Nội”" in text
    assert "(5) Nghị quyết số 15-NQ/TW ngày 05/5/2022" in text
    assert "…" not in answer.answer


def test_a_heading_that_says_more_of_the_question_than_its_best_sentence_answers(composing):
    # "kiểm tra" is in IV.2.2's sentence (Ủy ban Kiểm tra), "đánh giá" only in its heading
    # "Công tác kiểm tra, đánh giá và công khai kết quả": its parts say who does each.
    answer = composing.answer("ai kiểm tra, đánh giá việc thực hiện kế hoạch")

    sections = {c.section for c in answer.citations}
    assert {"IV.2.1", "IV.2.2"} <= sections
    assert "rà soát tiến độ, kiểm điểm kết quả" in norm(answer.answer)


def test_a_sentence_that_says_all_the_question_keeps_its_own_answer(composing):
    answer = composing.answer("Ủy ban Kiểm tra Thành ủy kiểm tra, giám sát những gì?")

    assert [c.section for c in answer.citations] == ["IV.2.2"]


def test_every_body_that_says_it_is_quoted_for_which_bodies(composing):
    # Five bodies' duties say "hưởng ứng cuộc thi trực tuyến": each is one of the answers.
    answer = composing.answer("Những cơ quan nào phải hưởng ứng cuộc thi trực tuyến toàn quốc?")

    sections = {c.section for c in answer.citations}
    assert {"IV.1.4", "IV.1.5", "IV.1.6", "IV.1.8", "IV.1.10"} <= sections
    assert len(answer.answer) <= 2000  # one Zalo message
