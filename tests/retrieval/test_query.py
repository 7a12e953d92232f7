"""analyze(): shorthand expansion, synonyms, the English glossary and stop words."""

from __future__ import annotations

import pytest

from bot.retrieval.lexical import ACCENTED, BIGRAM, FOLDED
from bot.retrieval.query import STORY_WEIGHT, Query, analyze
from bot.retrieval.query_intent import answer_type, asks_manner, the_ask
from bot.vietnamese.lexicon import Lexicon, stem_english
from bot.vietnamese.text import folded_tokens


def folded_terms(query: Query) -> list[str]:
    return [t.folded for t in query.terms]


def term_words(query: Query) -> list[str]:
    """The words of all terms, in order (how words are grouped into terms may change)."""
    return [w for t in query.terms for w in t.folded.split()]


# --------------------------------------------------------------------------- abbreviations


@pytest.mark.parametrize(
    ("question", "dense_text"),
    [
        ("HN có NQ gì", "hà nội có nghị quyết gì"),
        ("hn co nq gi", "hà nội co nghị quyết gi"),  # not case-sensitive
        ("UBND đc giao j", "ủy ban nhân dân được giao gì"),
        ("ko biết TU là gì", "không biết thành ủy là gì"),
        ("dc ko", "được không"),
        ("ktxh tăng bn", "kinh tế xã hội tăng bao nhiêu"),
        # Officers' shorthand for bodies and paperwork.
        ("cq nào ktra", "cơ quan nào kiểm tra"),
        ("bc gửi ubkt ko", "báo cáo gửi ủy ban kiểm tra không"),
    ],
)
def test_abbreviations_are_expanded(lexicon: Lexicon, question: str, dense_text: str) -> None:
    query = analyze(question, lexicon)
    assert query.language == "vi"
    assert query.dense_text == dense_text


def test_expanded_abbreviation_is_searched_in_both_fields(lexicon: Lexicon) -> None:
    query = analyze("HN có NQ gì", lexicon)
    for term in ("ha", "noi", "nghi", "quyet"):
        assert FOLDED + term in query.lexical
    assert ACCENTED + "hà" in query.lexical and ACCENTED + "nội" in query.lexical
    assert BIGRAM + "ha_noi" in query.lexical
    assert term_words(query) == ["ha", "noi", "nghi", "quyet"]


def test_upper_only_abbreviation_needs_capitals(lexicon: Lexicon) -> None:
    assert "thành ủy" in analyze("TU là gì", lexicon).dense_text
    lower = analyze("tu là gì", lexicon)
    assert "thành ủy" not in lower.dense_text
    assert lower.dense_text == "tu là gì"


def test_abbreviation_with_ampersand(lexicon: Lexicon) -> None:
    assert analyze("Ban TG&DV làm gì", lexicon).dense_text == "ban tuyên giáo và dân vận làm gì"


# --------------------------------------------------------------------------- synonyms


@pytest.mark.parametrize("question", ["kẹt xe ở đâu", "ket xe o dau", "KẸT XE", "tắc đường"])
def test_traffic_jam_adds_the_documents_words(lexicon: Lexicon, question: str) -> None:
    query = analyze(question, lexicon)
    for term in ("f:un", "f:tac", "f:giao", "f:thong", "b:un_tac", "b:tac_giao", "b:giao_thong"):
        assert term in query.lexical, term
    assert "a:ùn" in query.lexical and "a:tắc" in query.lexical
    (term,) = [t for t in query.terms if t.alternatives]
    assert term.alternatives == ("un tac giao thong",)


def test_synonym_words_weigh_less_than_the_question_words(lexicon: Lexicon) -> None:
    query = analyze("kẹt xe", lexicon)
    assert query.lexical["f:ket"] == 1.0
    assert 0 < query.lexical["f:un"] < query.lexical["f:ket"]
    assert query.terms[0].folded == "ket xe"
    assert query.terms[0].accented == "kẹt xe"


def test_flooding_synonym(lexicon: Lexicon) -> None:
    query = analyze("ngập lụt", lexicon)
    assert "a:úng" in query.lexical and "a:ứng" in query.lexical
    assert "b:ung_ngap" in query.lexical


# --------------------------------------------------------------------------- English glossary


def test_english_social_networks(lexicon: Lexicon) -> None:
    query = analyze("How will the plan use social networks?", lexicon)
    assert query.language == "en"
    for term in ("f:mang", "f:xa", "f:hoi", "b:mang_xa", "b:xa_hoi", "a:mạng", "a:xã", "a:hội"):
        assert term in query.lexical, term
    social = next(t for t in query.terms if t.folded == "social network")  # stemmed
    assert social.alternatives == ("mang xa hoi",)
    assert social.accented is None


def test_english_per_capita_income(lexicon: Lexicon) -> None:
    query = analyze("What is the per capita income target?", lexicon)
    assert query.language == "en"
    income = next(t for t in query.terms if t.folded == "per capita income")
    assert income.alternatives == ("thu nhap binh quan dau nguoi",)
    assert "b:thu_nhap" in query.lexical and "b:dau_nguoi" in query.lexical


@pytest.mark.parametrize(("plural", "singular"), [("quizzes", "quiz"), ("approaches", "approach")])
def test_english_plurals_in_es_find_the_glossary(
    lexicon: Lexicon, plural: str, singular: str
) -> None:
    many = analyze(f"Any {plural} planned?", lexicon)
    one = analyze(f"Any {singular} planned?", lexicon)
    assert [t.alternatives for t in many.terms] == [t.alternatives for t in one.terms]
    assert many.terms[0].alternatives  # the glossary knows the word


@pytest.mark.parametrize(
    ("word", "stem"), [("uses", "use"), ("addresses", "address"), ("taxes", "tax")]
)
def test_english_stemming_keeps_the_word(word: str, stem: str) -> None:
    assert stem_english(word) == stem


def test_english_stop_words_are_not_terms(lexicon: Lexicon) -> None:
    query = analyze("How will the plan use social networks?", lexicon)
    for word in ("how", "will", "the"):
        assert word not in folded_terms(query)
        assert FOLDED + word not in query.lexical


def test_what_is_left_of_a_contraction_is_not_a_term(lexicon: Lexicon) -> None:
    # The apostrophe splits "What's", "Hanoi's", "I'm", "we're": the pieces "s", "m", "re"
    # are in no document, and as terms they read as words the documents never answer.
    query = analyze("What's Hanoi's target? I'm asking because we're curious, I'd say", lexicon)
    assert query.language == "en"
    assert folded_terms(query) == ["hanoi", "target"]


def test_english_policy_vocabulary_finds_the_documents_words(lexicon: Lexicon) -> None:
    query = analyze("Who leads the outreach campaign of the people's committee?", lexicon)
    outreach = next(t for t in query.terms if t.folded == "outreach")
    assert "tuyen truyen" in outreach.alternatives
    assert any("uy ban nhan dan" in t.alternatives for t in query.terms)


def test_news_is_not_the_plural_of_new() -> None:
    from bot.vietnamese.lexicon import stem_english

    assert stem_english("news") == "news" and stem_english("networks") == "network"


def test_unknown_english_word_still_counts(lexicon: Lexicon) -> None:
    query = analyze("What is the weather forecast?", lexicon)
    assert {"weather", "forecast"} <= set(folded_terms(query))


# --------------------------------------------------------------------------- stop words


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("mục tiêu của kế hoạch là gì", ["muc", "tieu", "ke", "hoach"]),
        ("thu nhập của người dân là bao nhiêu", ["thu", "nhap", "nguoi", "dan"]),
        ("là gì vậy", []),
    ],
)
def test_stop_words_are_not_terms(lexicon: Lexicon, question: str, words: list[str]) -> None:
    query = analyze(question, lexicon)
    assert term_words(query) == words
    for stop in ("cua", "la", "gi", "bao", "nhieu", "vay"):
        assert FOLDED + stop not in query.lexical


@pytest.mark.parametrize(
    ("question", "words"),
    [
        # "phần", "mục" point at a part of the document; the part's name is what is asked.
        ("Phần tổ chức thực hiện gồm những gì", ["to", "chuc", "thuc", "hien"]),
        ("phan to chuc thuc hien gom nhung muc nao", ["to", "chuc", "thuc", "hien"]),
        ("trong phần mục đích nói gì", ["muc", "dich"]),
        # … but not inside a word: "phân công", "phần trăm", "phan cong" stay.
        ("phân công nhiệm vụ", ["phan", "cong", "nhiem", "vu"]),
        ("phan cong nhiem vu", ["phan", "cong", "nhiem", "vu"]),
        ("tăng bao nhiêu phần trăm", ["tang", "phan", "tram"]),
        # "gồm những nội dung gì" frames the question, though "nội dung" alone is a synonym
        ("phần kiểm tra gồm những nội dung gì", ["kiem", "tra"]),
        ("nội dung tuyên truyền", ["noi", "dung", "tuyen", "truyen"]),
        # Function phrases of several words ("regarding", "related to", "at the stage of").
        ("trong khâu kiểm tra có gì đối với doanh nghiệp", ["kiem", "tra", "doanh", "nghiep"]),
        ("doi voi doanh nghiep thi ke hoach giao gi", ["doanh", "nghiep", "ke", "hoach", "giao"]),
        ("Kế hoạch có liên quan đến doanh nghiệp không", ["ke", "hoach", "doanh", "nghiep"]),
        ("liệt kê giúp tôi các quan điểm", ["quan", "diem"]),
    ],
)
def test_words_that_name_a_part_of_the_document_are_not_terms(
    lexicon: Lexicon, question: str, words: list[str]
) -> None:
    assert term_words(analyze(question, lexicon)) == words


@pytest.mark.parametrize("question", ["MTTQ làm gì", "MTTQ làm gì thế nào"])
def test_a_synonym_that_is_a_whole_framing_phrase_still_counts(
    lexicon: Lexicon, question: str
) -> None:
    # "làm gì" frames the question and also asks for duties ("nhiệm vụ"), also when
    # another framing phrase follows it.
    assert "lam gi" in folded_terms(analyze(question, lexicon))


def test_number_and_list_questions(lexicon: Lexicon) -> None:
    assert analyze("thu nhập năm 2030 là bao nhiêu", lexicon).wants_number
    assert analyze("Kế hoạch giao nhiệm vụ gì cho các xã, phường?", lexicon).wants_list
    assert not analyze("kẹt xe", lexicon).wants_number


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Tỷ trọng kinh tế số trong GRDP năm 2030 phải đạt bao nhiêu?", "percent"),
        ("ty le do thi hoa nam 2030 la bao nhieu", "percent"),
        ("Cuộc thi có bao nhiêu người tham gia?", "count"),  # "gia" of "tham gia": no price
        ("bao nhiêu lao động được đào tạo", "count"),  # "động", not "đồng"
        ("lực lượng nào tuyên truyền, bao nhiêu người", "count"),  # "lượng", not "lương"
        ("nhà máy ở đâu", ""),  # "máy" is not "mấy"
        ("vé Văn Miếu bn tiền", "money"),
        ("hoc phi bao nhieu", "money"),
        ("thu nhập 2065 bn USD?", "money"),
        ("kinh phí hết mấy tỷ", "money"),
        ("Kế hoạch ban hành ngày nào?", "date"),
        ("NQ 02 của BCT ra ngày bn vậy ad?", "date"),
        ("nq02 ra hôm nào", "date"),
        ("Nghị quyết 08 ra năm bao nhiêu", "date"),
        ("tăng trưởng mỗi năm bao nhiêu", "count"),  # a rate, not a year
        ("UBND mỗi tháng mấy bài?", "count"),  # how many a month, not which month
    ],
)
def test_the_kind_of_number_asked_for(question: str, kind: str) -> None:
    folded = " ".join(folded_tokens(question))
    assert answer_type(folded) == kind


@pytest.mark.parametrize(
    ("question", "manner"),
    [
        ("tuyên truyền bằng cách nào", True),
        ("KH có những hình thức nào ạ?", True),
        ("dua nghi quyet den dan qua cach nao", True),
        ("Which ways will the city use?", True),
        ("How will the resolution be promoted?", True),
        ("làm cách nào để tham gia cuộc thi", False),  # a procedure
        ("How is progress checked?", False),
        ("nghị quyết đăng trên kênh nào", False),  # one channel, not the means
    ],
)
def test_questions_that_ask_by_what_means(question: str, manner: bool) -> None:
    assert asks_manner(" ".join(folded_tokens(question))) is manner


class _Corpus:
    """Documents whose content words fold to "ha" (Hà) and "ban" (Ban)."""

    def is_word(self, a: str, b: str) -> bool:
        return False

    def has_content_word(self, folded: str) -> bool:
        return folded in {"ha", "ban", "noi", "thuong", "vu"}


@pytest.mark.parametrize(("question", "term"), [("ha noi", "f:ha"), ("ban thuong vu", "f:ban")])
def test_unaccented_content_word_is_not_a_stop_word(
    lexicon: Lexicon, question: str, term: str
) -> None:
    assert term in analyze(question, lexicon, _Corpus()).lexical


def test_unaccented_ambiguous_word_is_searched_but_not_a_term(lexicon: Lexicon) -> None:
    query = analyze("ban thuong vu", lexicon, _Corpus())
    assert query.lexical["f:ban"] < query.lexical["f:thuong"]
    assert "ban" not in [t.folded for t in query.terms]


def test_unaccented_function_word_stays_a_stop_word_without_a_content_twin(
    lexicon: Lexicon,
) -> None:
    assert "f:ban" not in analyze("ban oi ke hoach", lexicon).lexical


@pytest.mark.parametrize(
    ("folded", "duty"),
    [
        ("mttq lam gi", True),
        ("dang uy phuong co nhiem vu gi", True),
        ("what is the fatherland front asked to do", True),
        ("ke hoach ban hanh de lam gi", False),  # a reason, not a duty
        ("can bo phai lam guong the nao", False),
        ("what is the deadline to do the report", False),
        ("what is the role of digital transformation", False),
    ],
)
def test_what_someone_must_do_is_told_from_other_questions(folded: str, duty: bool) -> None:
    from bot.retrieval.query_intent import names_a_duty

    assert names_a_duty(folded) is duty


# --------------------------------------------------------------------------- the ask


def test_a_long_message_is_searched_by_the_sentence_it_asks(lexicon: Lexicon) -> None:
    message = (
        "Ông tôi ngày xưa là cán bộ Sở Xây dựng, lúc sinh thời hay kể chuyện Hà Nội. "
        "Giờ ông mất rồi, tôi muốn ghi chép lại cho con cháu biết về phố phường. "
        "Kế hoạch có kể ra những nghị quyết nào về Thủ đô không?"
    )
    query = analyze(message, lexicon)
    assert query.dense_text == "kế hoạch có kể ra những nghị quyết nào về thủ đô không"
    assert "xay dung" not in " ".join(term_words(query))
    assert query.text == message  # what the story tells still counts (names, prices)


def test_the_ask_is_the_last_question_even_with_an_afterthought() -> None:
    message = (
        "Cho tôi hỏi kế hoạch này giao cho cơ quan nào chủ trì việc tuyên truyền vậy? "
        "Tôi ở phường Ba Đình, hôm trước có đi họp tổ dân phố nhưng không nghe rõ."
    )
    assert the_ask(message).startswith("Cho tôi hỏi kế hoạch này giao")


def test_a_short_ask_keeps_the_sentence_before_it() -> None:
    message = (
        "Tôi đọc thấy kế hoạch nhắc đến năm 2045 như một cột mốc quan trọng của Thủ đô. "
        "Năm đó có ý nghĩa gì?"
    )
    assert the_ask(message) == (
        "Tôi đọc thấy kế hoạch nhắc đến năm 2045 như một cột mốc quan trọng của Thủ đô. "
        "Năm đó có ý nghĩa gì"
    )


@pytest.mark.parametrize(
    "message",
    [
        "Kế hoạch 57 do ai ký?",  # short: the whole message
        "Chỉ tiêu thu nhập 12.000 USD năm 2030 và 2.5 lần so với 2025 thì tính theo đầu người hay theo hộ gia đình ạ",
    ],
)
def test_short_messages_and_numbers_are_not_cut(message: str) -> None:
    assert the_ask(message) == message


def test_the_story_around_the_ask_helps_ranking_but_not_judging(lexicon: Lexicon) -> None:
    story = "Tôi làm cán bộ phường đã lâu, thấy giao quyền xuống dễ sinh lạm quyền, cửa quyền. "
    ask = "Vậy kế hoạch nói việc phân cấp này đi kèm với cái gì để kiểm soát?"
    query = analyze(story + ask, lexicon)
    alone = analyze(ask, lexicon)
    assert query.terms == alone.terms  # coverage is judged on the ask
    assert query.dense_text == alone.dense_text
    story_only = set(query.lexical) - set(alone.lexical)
    assert any("lam" in term for term in story_only)  # "lạm quyền" helps find the section
    told = analyze(story, lexicon).lexical  # (word pairs across the seam are the message's own)
    assert {t: query.lexical[t] for t in story_only & set(told)} == pytest.approx(
        {t: STORY_WEIGHT * told[t] for t in story_only & set(told)}
    )
