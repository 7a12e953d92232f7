"""The detail a question asks for (fee, hour, phone…) against what an officer answer gives."""

from __future__ import annotations

import pytest

from bot.answering.officer_details import asked_details, gives, missing_details
from bot.answering.officer_features import padded
from bot.vietnamese.text import fold

OPENING_HOURS = (
    "Trung tâm Phục vụ hành chính công phường Tây Hồ (số 657 Lạc Long Quân) làm việc sáng thứ"
    " Bảy từ 8h00 đến 11h30, chỉ tiếp nhận hồ sơ; chiều thứ Bảy và Chủ nhật nghỉ."
)
RELOCATION = (
    "Tuyến metro số 2 đoạn qua phường Tây Hồ đi ngầm dưới đường Thụy Khuê nên phần lớn không"
    " giải tỏa nhà dân; các hộ bị ảnh hưởng được họp phổ biến phương án tại nhà văn hóa."
)


def asked(question: str) -> tuple[str, ...]:
    return asked_details(padded(question))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hộ bị giải tỏa làm ga metro được bồi thường bao nhiêu một mét vuông?", "money"),
        ("gui xe o day mat phi ko", "fee"),
        ("mot cua tay ho mo cua may gio", "hour"),
        ("Hội nghị kéo dài bao lâu?", "duration"),
        ("so dien thoai truc ban phuong la gi", "phone"),
        ("link xem lai buoi doi thoai o dau", "online"),
        ("When is the culture day?", "date"),
        ("How many people can join?", "count"),
    ],
)
def test_the_kind_of_detail_asked_is_read_with_or_without_tone_marks(question, kind):
    assert kind in asked(question)


def test_a_question_about_a_device_or_a_topic_asks_no_detail():
    # "điện thoại" as a device and "tin giả" are not a phone number or a price.
    assert asked("Bà tôi muốn học dùng điện thoại cảm ứng") == ()
    assert asked("thay tin gia ve nghi quyet tren facebook thi bao cho ai") == ()


def test_an_answer_gives_the_kinds_it_holds():
    answer = fold(OPENING_HOURS)
    assert gives("hour", answer) and gives("date", answer) and gives("place", answer)
    assert not gives("money", answer) and not gives("phone", answer)
    assert gives("fee", fold("Người dân nhận miễn phí tại quầy lễ tân"))
    assert gives("phone", fold("gọi 024 3872 5510 (Văn phòng UBND phường)"))


def test_a_near_miss_asking_what_the_answer_lacks_is_marked():
    answer = fold(RELOCATION)
    near_miss = padded("Hộ bị ảnh hưởng do làm ga metro số 2 được bồi thường bao nhiêu tiền?")
    paraphrase = padded("metro so 2 qua tay ho nha toi co bi giai toa khong")
    assert missing_details(near_miss, answer) == 1.0
    assert missing_details(paraphrase, answer) == 0.0


def test_not_decided_yet_answers_when():
    answer = fold("Khu tập thể đang lấy ý kiến người dân, chưa có ngày di dời.")
    assert missing_details(padded("bao giờ phá dỡ khu tập thể?"), answer) == 0.0
