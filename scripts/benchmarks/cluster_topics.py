"""Forty topics citizens ask a policy bot about that its documents do not answer (prices,
procedures, other resolutions, people…), each a few ways of asking with slots, and the
noise a public chat gets. ``questions(n, seed)`` draws ``n`` of them the way people type:
with a polite opening or not, tone marks or not, chat shorthand, a typo now and then."""

from __future__ import annotations

import random
import re

from bot.vietnamese.text import fold

SLOTS = {
    "vang": ["SJC", "9999", "nhẫn tròn", "PNJ", "DOJI"],
    "xang": ["RON 95", "E5", "dầu diesel", "xăng"],
    "giay": ["căn cước", "căn cước công dân", "CCCD gắn chip"],
    "con": ["con tôi", "cháu", "con nhỏ", "bé nhà tôi"],
    "lop": ["lớp 1", "lớp 6", "lớp 10"],
    "nam": ["2025", "năm nay", "năm sau", "2026"],
    "phuong": ["phường", "xã", "phường mình", "UBND phường"],
    "xe": ["xe máy", "ô tô", "xe điện"],
    "benh": ["bệnh viện Bạch Mai", "bệnh viện huyện", "trạm y tế phường"],
    "tuyen": ["tuyến số 2", "tuyến Nhổn - ga Hà Nội", "tuyến Cát Linh - Hà Đông"],
    # The same question in other words: what only a model of meaning can join.
    "khi": ["bao giờ", "khi nào", "lúc nào", "đến bao giờ"],
    "dau": ["ở đâu", "chỗ nào", "tại đâu", "nơi nào"],
    "sao": ["thế nào", "ra sao", "như thế nào", "làm sao"],
    "can": ["cần giấy tờ gì", "cần những gì", "hồ sơ gồm những gì", "phải mang theo gì"],
    "bn": ["bao nhiêu", "là bao nhiêu", "hết bao nhiêu tiền", "mất bao nhiêu"],
    "matdien": ["mất điện", "cúp điện", "cắt điện"],
    "sodo": ["sổ đỏ", "sổ hồng", "giấy chứng nhận quyền sử dụng đất"],
    "luong": ["tăng lương", "nâng lương", "điều chỉnh lương"],
    "hochieu": ["hộ chiếu", "passport"],
    "denbu": ["đền bù", "bồi thường"],
}

TOPICS: dict[str, list[str]] = {
    "gia_vang": [
        "giá vàng {vang} hôm nay {bn}",
        "hôm nay vàng {vang} giá thế nào",
        "giá vàng hôm nay tăng hay giảm",
        "mua vàng {vang} ở đâu được giá",
        "vàng {vang} bán ra bao nhiêu một chỉ",
    ],
    "gia_xang": [
        "giá {xang} hôm nay bao nhiêu một lít",
        "{khi} giá {xang} giảm",
        "kỳ điều hành giá xăng tới là ngày nào",
        "giá xăng tuần này tăng hay giảm",
    ],
    "tien_dien": [
        "tiền điện tháng này sao cao thế",
        "cách tính giá điện bậc thang như thế nào",
        "giá điện sinh hoạt {nam} là bao nhiêu một số",
        "hóa đơn tiền điện tăng gấp đôi thì khiếu nại ở đâu",
    ],
    "tien_nuoc": [
        "giá nước sinh hoạt bao nhiêu một khối",
        "nhà tôi bị mất nước mấy hôm nay báo ai",
        "hóa đơn tiền nước đóng ở đâu",
        "nước máy có mùi lạ thì phản ánh ở đâu",
    ],
    "can_cuoc": [
        "làm {giay} {dau}",
        "thủ tục làm {giay} cho {con} {can}",
        "làm lại {giay} bị mất cần giấy tờ gì",
        "bao lâu thì nhận được {giay}",
        "{khi} thì lấy được {giay}",
        "đổi {giay} hết hạn như thế nào",
    ],
    "ho_chieu": [
        "làm {hochieu} mất bao lâu",
        "thủ tục làm {hochieu} online {sao}",
        "lệ phí làm {hochieu} {bn}",
        "làm hộ chiếu cho {con} cần gì",
    ],
    "khai_sinh": [
        "đăng ký khai sinh cho {con} {can}",
        "làm giấy khai sinh ở {phuong} mất bao lâu",
        "quá hạn đăng ký khai sinh có bị phạt không",
        "khai sinh online trên cổng dịch vụ công thế nào",
    ],
    "ket_hon": [
        "đăng ký kết hôn {can}",
        "đăng ký kết hôn ở {phuong} nào",
        "xin giấy xác nhận tình trạng hôn nhân ở đâu",
        "kết hôn với người nước ngoài làm thủ tục gì",
    ],
    "so_do": [
        "làm {sodo} mất bao lâu",
        "thủ tục sang tên {sodo} {sao}",
        "phí cấp {sodo} lần đầu {bn}",
        "đất chưa có sổ đỏ có bán được không",
        "tách thửa đất cần điều kiện gì",
    ],
    "dang_ky_kinh_doanh": [
        "đăng ký hộ kinh doanh cần gì",
        "mở quán ăn có phải đăng ký kinh doanh không",
        "thủ tục thành lập công ty mất bao lâu",
        "đăng ký kinh doanh online ở đâu",
    ],
    "bang_lai": [
        "đổi bằng lái xe {dau}",
        "bằng lái {xe} hết hạn đổi thế nào",
        "thi bằng lái {xe} ở đâu",
        "đổi giấy phép lái xe sang thẻ PET online được không",
    ],
    "cu_tru": [
        "đăng ký tạm trú {dau}",
        "thủ tục đăng ký thường trú cho {con}",
        "xác nhận cư trú lấy ở đâu",
        "sổ hộ khẩu bỏ rồi thì dùng giấy gì",
    ],
    "dang_ky_xe": [
        "đăng ký biển số {xe} ở đâu",
        "sang tên {xe} cũ cần gì",
        "biển số định danh là gì",
        "đăng ký {xe} online được không",
    ],
    "bhyt": [
        "gia hạn bảo hiểm y tế {dau}",
        "mua bảo hiểm y tế hộ gia đình bao nhiêu tiền",
        "thẻ bảo hiểm y tế hết hạn làm sao",
        "bảo hiểm y tế cho {con} đóng ở đâu",
    ],
    "bhxh": [
        "rút bảo hiểm xã hội một lần {sao}",
        "tra cứu quá trình đóng bảo hiểm xã hội",
        "đóng bảo hiểm xã hội tự nguyện bao nhiêu một tháng",
        "sổ bảo hiểm xã hội bị mất làm lại ở đâu",
    ],
    "luong_huu": [
        "{khi} {luong} hưu",
        "lương hưu {nam} tăng bao nhiêu phần trăm",
        "nghỉ hưu sớm có bị trừ lương hưu không",
        "tuổi nghỉ hưu của nữ là bao nhiêu",
    ],
    "thue_tncn": [
        "quyết toán thuế thu nhập cá nhân thế nào",
        "mức giảm trừ gia cảnh {nam} là bao nhiêu",
        "nộp thuế thu nhập cá nhân online ở đâu",
        "hoàn thuế thu nhập cá nhân mất bao lâu",
    ],
    "nq18_dat_dai": [
        "nghị quyết 18 về đất đai nói gì",
        "luật đất đai 2024 có gì mới",
        "bảng giá đất mới áp dụng từ khi nào",
        "giá đất tăng theo luật đất đai mới bao nhiêu",
    ],
    "nq57_khcn": [
        "nghị quyết 57 về khoa học công nghệ là gì",
        "chuyển đổi số quốc gia theo nghị quyết 57 thế nào",
        "nghị quyết 57 của bộ chính trị có nội dung gì",
    ],
    "sap_nhap": [
        "sáp nhập tỉnh {nam} thế nào",
        "bỏ cấp huyện thì giấy tờ có phải đổi không",
        "sau sáp nhập xã thì địa chỉ trên căn cước ghi thế nào",
        "sáp nhập phường thì trụ sở mới ở đâu",
        "danh sách các tỉnh sau sáp nhập",
    ],
    "chu_tich_phuong": [
        "chủ tịch {phuong} là ai",
        "số điện thoại chủ tịch {phuong}",
        "muốn gặp chủ tịch {phuong} thì đăng ký thế nào",
    ],
    "bi_thu": [
        "bí thư thành ủy hà nội hiện nay là ai",
        "ai là bí thư thành ủy",
        "tiểu sử bí thư thành ủy",
    ],
    "cong_an_phuong": [
        "số điện thoại công an {phuong}",
        "công an {phuong} làm việc mấy giờ",
        "trình báo mất trộm ở đâu",
        "bị lừa đảo qua mạng báo công an thế nào",
    ],
    "thoi_tiet": [
        "thời tiết hà nội ngày mai thế nào",
        "hôm nay có mưa không",
        "{khi} hết nắng nóng",
        "dự báo bão tuần này",
    ],
    "phat_nong_do_con": [
        "uống bia đi {xe} bị phạt bao nhiêu",
        "mức phạt nồng độ cồn {nam}",
        "bị giữ bằng lái vì nồng độ cồn bao lâu lấy lại",
        "đi {xe} vượt đèn đỏ phạt bao nhiêu",
    ],
    "tuyen_sinh": [
        "tuyển sinh {lop} {nam} {khi}",
        "điểm chuẩn {lop} năm nay bao nhiêu",
        "đăng ký tuyển sinh {lop} trực tuyến thế nào",
        "{con} vào {lop} trường nào theo tuyến",
    ],
    "tiem_chung": [
        "lịch tiêm chủng mở rộng tháng này",
        "tiêm vắc xin sởi cho {con} ở đâu",
        "tiêm phòng cho trẻ ở {benh} có mất tiền không",
    ],
    "ho_tro_lu": [
        "hỗ trợ người dân bị lũ lụt thế nào",
        "nhà bị ngập có được hỗ trợ tiền không",
        "ủng hộ đồng bào bão lũ chuyển khoản vào đâu",
    ],
    "cat_dien": [
        "lịch {matdien} {phuong} ngày mai",
        "sao hôm nay {matdien} cả ngày",
        "{matdien} báo cho ai",
    ],
    "rac_thai": [
        "mấy giờ xe rác đến thu gom",
        "phân loại rác tại nguồn từ khi nào",
        "vứt rác bừa bãi bị phạt bao nhiêu",
        "phí thu gom rác một tháng bao nhiêu",
    ],
    "tieng_on": [
        "hàng xóm hát karaoke to quá báo ai",
        "tiếng ồn công trình ban đêm phản ánh ở đâu",
        "hát karaoke sau 10 giờ đêm có bị phạt không",
    ],
    "den_bu": [
        "giá {denbu} giải phóng mặt bằng {bn} một mét",
        "đất bị thu hồi được bồi thường thế nào",
        "khiếu nại tiền {denbu} {dau}",
        "{khi} nhận tiền {denbu} dự án đường vành đai",
    ],
    "tang_luong": [
        "{khi} {luong} cơ sở",
        "lương cơ sở {nam} là bao nhiêu",
        "cải cách tiền lương áp dụng từ khi nào",
        "công chức có được {luong} năm nay không",
    ],
    "tinh_gian": [
        "tinh giản biên chế được hưởng chế độ gì",
        "cán bộ nghỉ việc do sắp xếp bộ máy được hỗ trợ bao nhiêu",
        "nghị định 178 về chính sách nghỉ việc thế nào",
    ],
    "nghia_vu_qs": [
        "khám nghĩa vụ quân sự {nam} khi nào",
        "con một có phải đi nghĩa vụ quân sự không",
        "đang học đại học có được hoãn nghĩa vụ quân sự không",
    ],
    "that_nghiep": [
        "làm hồ sơ trợ cấp thất nghiệp {dau}",
        "trợ cấp thất nghiệp được bao nhiêu tháng",
        "nghỉ việc bao lâu thì nộp hồ sơ thất nghiệp",
    ],
    "nguoi_cao_tuoi": [
        "người cao tuổi được trợ cấp bao nhiêu",
        "bao nhiêu tuổi thì được nhận trợ cấp xã hội",
        "thủ tục hưởng trợ cấp người cao tuổi",
    ],
    "ho_ngheo": [
        "chuẩn hộ nghèo {nam} là bao nhiêu",
        "xin giấy chứng nhận hộ nghèo ở đâu",
        "hộ cận nghèo được hỗ trợ gì",
    ],
    "xay_dung": [
        "xin giấy phép xây dựng nhà ở {dau}",
        "sửa nhà có cần xin phép xây dựng không",
        "xây nhà không phép bị phạt bao nhiêu",
        "hồ sơ xin phép xây dựng gồm những gì",
    ],
    "metro": [
        "giờ chạy tàu điện {tuyen}",
        "giá vé metro {tuyen} {bn}",
        "{khi} {tuyen} chạy toàn tuyến",
        "vé tháng tàu điện mua ở đâu",
    ],
    "kham_benh": [
        "đặt lịch khám ở {benh} {sao}",
        "khám bệnh ở {benh} có cần giấy chuyển tuyến không",
        "số điện thoại {benh}",
    ],
}

# Who is asking and why: what makes two people's questions on one thing differ.
CONTEXTS = [
    "nhà tôi ở {khu}",
    "tôi ở {khu}",
    "mẹ tôi {tuoi} tuổi",
    "tôi năm nay {tuoi} tuổi",
    "tôi đang ở xa",
    "tuần sau tôi cần gấp",
    "hôm qua tôi lên {phuong} mà chưa rõ",
    "tôi hỏi {phuong} rồi mà chưa ai trả lời",
    "bố tôi là thương binh",
    "tôi là công nhân",
    "tôi mới chuyển đến {khu}",
    "gia đình tôi có {so} người",
    "tôi làm tự do",
    "nhờ ad trả lời sớm giúp",
    "tôi không biết dùng máy tính",
    "vợ chồng tôi đều {tuoi} tuổi",
    "tôi đã gọi tổng đài {so} lần",
    "nhà tôi gần chợ {khu}",
    "tôi là sinh viên",
    "tôi đang làm ở khu công nghiệp",
    "ông tôi {tuoi} tuổi rồi",
    "con tôi học lớp {so}",
]
KHU = [
    "Ba Đình",
    "Kim Liên",
    "Hoàn Kiếm",
    "Cầu Giấy",
    "Long Biên",
    "Hà Đông",
    "Đống Đa",
    "Tây Hồ",
    "Thanh Xuân",
    "Hoàng Mai",
    "Bắc Từ Liêm",
    "Gia Lâm",
    "Sóc Sơn",
    "Đông Anh",
]
NOISE = [
    "alo", "alo alo", "test", "hi", "hello", "???", "ok", "ừ", "hihi", "có ai không",
    "abc", "asdfgh", "chào buổi sáng", "ngủ chưa", "123456", "bạn tên gì", "bạn là ai",
    "kkk", "👍", "hôm nay ăn gì", "đang làm gì đấy", "ê", "gửi ảnh", "nghe không",
    "bot ngu thế", "trả lời đi chứ", "sao không trả lời", "cảm ơn nhưng chưa hiểu",
    "tôi hỏi cái khác cơ", "không phải ý tôi", "thôi bỏ đi", "nói chuyện với người thật",
]  # fmt: skip
OPENINGS = [
    "", "", "", "cho em hỏi", "cho hỏi", "xin hỏi", "ad ơi", "mọi người cho hỏi",
    "em muốn hỏi", "bác cho cháu hỏi", "cho mình hỏi chút",
]  # fmt: skip
ENDINGS = ["", "", "", " ạ", " vậy", " với ạ", "?", " ạ?", " nhé", " thế"]
SHORTHAND = {"không": "ko", "được": "dc", "bao nhiêu": "bn", "thế nào": "ntn", "với": "vs"}


def questions(count: int, seed: int = 7, noise: float = 0.08) -> list[tuple[str, str, str]]:
    """(question, its topic, its way of asking ("gia_vang.2")); "noise" for both of
    chatter. Drawn at random, but the same for one seed."""
    chance = random.Random(seed)
    topics = sorted(TOPICS)
    weights = [1.0 / (rank + 2) ** 0.7 for rank in range(len(topics))]  # a few topics dominate
    drawn: list[tuple[str, str, str]] = []
    while len(drawn) < count:
        if chance.random() < noise:
            chatter = chance.choice(NOISE)
            if chance.random() < 0.5:
                chatter = fold(chatter) + chance.choice(["", " ...", " !!", " ?", " a", " ad"])
            drawn.append((chatter, "noise", "noise"))
            continue
        topic = chance.choices(topics, weights)[0]
        way = chance.randrange(len(TOPICS[topic]))
        drawn.append((_typed(chance, TOPICS[topic][way]), topic, f"{topic}.{way}"))
    return drawn


def _slot(chance: random.Random, name: str) -> str:
    if name == "tuoi":
        return str(chance.randint(18, 90))
    if name == "so":
        return str(chance.randint(2, 12))
    if name == "khu":
        return chance.choice(KHU)
    return chance.choice(SLOTS[name])


def _typed(chance: random.Random, template: str) -> str:
    if chance.random() < 0.6:  # who asks, before or after the question
        context = chance.choice(CONTEXTS)
        template = f"{context}, {template}" if chance.random() < 0.5 else f"{template}, {context}"
    text = re.sub(r"\{(\w+)\}", lambda m: _slot(chance, m.group(1)), template)
    opening = chance.choice(OPENINGS)
    text = f"{opening} {text}" if opening else text
    if chance.random() < 0.25:
        for long, short in SHORTHAND.items():
            text = text.replace(long, short)
    if chance.random() < 0.08:  # a letter dropped
        at = chance.randrange(len(text))
        text = text[:at] + text[at + 1 :]
    text += chance.choice(ENDINGS)
    if chance.random() < 0.4:  # typed without tone marks
        text = fold(text)
    if chance.random() < 0.3:
        text = text[0].upper() + text[1:]
    return text
