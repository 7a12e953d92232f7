"""Which places a question names, for officer answers that are about one place."""

from bot.answering.officer_features import known_places, padded, place_of, places_in


def named(question: str) -> set[str]:
    return places_in(padded(question), known_places())


def test_the_wards_and_communes_since_2025_are_known() -> None:
    assert {"phuc loi", "kim anh", "minh chau", "quang minh", "thuan an"} <= known_places()
    assert named("Xã Kim Anh có họp dân về Nghị quyết không") == {"kim anh"}


def test_a_name_that_is_an_everyday_word_counts_only_with_its_prefix() -> None:
    assert named("lang nghe Bat Trang co duoc ho tro khong") == {"bat trang"}
    assert named("làng tôi có họp không, binh minh đã dậy") == set()
    assert named("P. Láng họp ngày nào") == {"phuong lang"}
    assert named("phuong Lang hop ngay nao, con xa Binh Minh") == {"phuong lang", "xa binh minh"}


def test_a_unit_is_named_as_questions_name_it() -> None:
    assert place_of("Phường Hoàn Kiếm") == "hoan kiem"
    assert place_of("Phường Láng") == "phuong lang"  # "lang" alone is "làng"
    assert place_of("Xã Liên Minh") == "xa lien minh"


def test_a_name_that_only_folds_like_a_prefix_is_not_cut() -> None:
    # "Phương Liệt", "Phượng Dực" fold to "phuong …" but are names, not "phường Liệt".
    assert not {"p liet", "p duc"} & known_places()
    assert named("Phuong Liet co hop dan khong") == {"phuong liet"}
