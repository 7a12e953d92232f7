"""Officer answers at scale for `bench.py engine --officer-answers N`: N approved answers
made from templates (every place of Hà Nội × everyday topics, three sample questions
each), served to the engine; and how long an approval takes to reach answers (store →
poll → engine), measured on a real store with the real poll."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.answering.officer_features import PLACES_FILE
from bot.core.officer_answers import OfficerAnswerText, ServedOfficerAnswer

TOPICS = (
    ("Hội nghị học tập Nghị quyết 02 ở {p} tổ chức ngày nào?",
     "Lịch học tập Nghị quyết 02 của {p}?", "{p} họp dân phổ biến nghị quyết hôm nào?",
     "Hội nghị học tập Nghị quyết 02 của {p} lúc 8h00 ngày {d}/5/2026 tại nhà văn hóa số {n}."),
    ("Bộ phận một cửa {p} làm việc giờ nào?", "Giờ làm việc của {p}?",
     "Thứ Bảy {p} có làm việc không?",
     "Bộ phận một cửa {p} làm việc 7h30–17h từ thứ Hai đến thứ Sáu, sáng thứ Bảy 8h–11h{n}."),
    ("Zalo OA của {p} tên là gì?", "Trang Zalo chính thức của {p}?", "Theo dõi {p} trên Zalo thế nào?",
     "Zalo OA chính thức là '{p} - Hà Nội', có dấu tích xác thực; mã số {n}."),
    ("Đường dây nóng của {p} là số nào?", "Số điện thoại phản ánh của {p}?", "Hotline {p}?",
     "Đường dây nóng của {p} là 0243 {n}{d}, trực 24/24."),
    ("Lấy bản in Nghị quyết 02 ở {p} ở đâu?", "Xin tài liệu nghị quyết ở {p}?",
     "{p} có phát tờ gấp nghị quyết không?",
     "Bản in và tờ gấp Nghị quyết 02 phát miễn phí tại bộ phận một cửa {p}, quầy số {d}."),
    ("Người cao tuổi ở {p} tìm hiểu nghị quyết thế nào?", "Câu lạc bộ người cao tuổi {p} sinh hoạt hôm nào?",
     "Các cụ ở {p} học nghị quyết ở đâu?",
     "Câu lạc bộ người cao tuổi {p} sinh hoạt chuyên đề sáng thứ Năm ngày {d}/6 tại số {n}."),
    ("Học sinh ở {p} tham gia cuộc thi trực tuyến thế nào?", "Cuộc thi trực tuyến ở {p} đăng ký ở đâu?",
     "{p} có hướng dẫn thi trực tuyến không?",
     "Học sinh {p} đăng ký qua trường, chọn đơn vị '{p}'; hỗ trợ tại phòng {n}."),
    ("Gửi góp ý về Nghị quyết 02 cho {p} qua kênh nào?", "Góp ý nghị quyết ở {p} gửi đâu?",
     "{p} nhận góp ý của dân thế nào?",
     "Góp ý gửi qua iHanoi, Zalo OA của {p} hoặc hòm thư tại trụ sở; trả lời trong {d} ngày."),
    ("Đi dự hội nghị ở {p} gửi xe ở đâu?", "Chỗ để xe khi họp ở {p}?", "Họp ở {p} có chỗ gửi xe không?",
     "Gửi xe miễn phí trong sân nhà văn hóa {p}; ô tô đỗ tại bãi số {n}."),
    ("Nghị quyết 02 có làm thay đổi giá đền bù đất ở {p} không?", "Đền bù đất ở {p} có tăng không?",
     "Giá bồi thường ở {p} theo nghị quyết mới?",
     "Nghị quyết 02 không quy định giá đền bù; {p} áp dụng bảng giá đất hiện hành, hỏi tại phòng {n}."),
    ("Triển lãm ảnh về Thủ đô ở {p} mở cửa đến khi nào?", "Triển lãm ở {p} mở mấy giờ?",
     "Xem triển lãm ảnh ở {p} có mất tiền không?",
     "Triển lãm tại nhà văn hóa {p} mở 8h–20h đến hết ngày {d}/7, vào cửa miễn phí."),
    ("Tình nguyện viên tuyên truyền ở {p} đăng ký ở đâu?", "Muốn làm tình nguyện viên ở {p}?",
     "{p} có tuyển tình nguyện viên không?",
     "Đăng ký tại Đoàn Thanh niên {p}, phòng {n}, trước ngày {d}/8."),
    ("Loa phường ở {p} phát tin nghị quyết giờ nào?", "Lịch phát thanh ở {p}?",
     "{p} đọc tin nghị quyết trên loa lúc mấy giờ?",
     "Loa truyền thanh {p} phát lúc 6h{d} và 17h{d} các ngày thứ Hai, Tư, Sáu."),
    ("Ai là cán bộ phụ trách tuyên truyền ở {p}?", "Liên hệ ai ở {p} về nghị quyết?",
     "Cán bộ thông tin của {p} là ai?",
     "Cán bộ phụ trách là đồng chí Nguyễn Văn {n} của {p}, điện thoại 09{d}{n}."),
    ("Thư viện {p} có sách về Nghị quyết 02 không?", "Mượn tài liệu nghị quyết ở thư viện {p}?",
     "Thư viện {p} mở cửa giờ nào?",
     "Thư viện {p} có tủ sách Nghị quyết 02, mở 8h–17h, mượn miễn phí bằng CCCD; kệ số {d}."),
)  # fmt: skip


def places() -> list[str]:
    lines = PLACES_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def synthetic(count: int) -> list[ServedOfficerAnswer]:
    """``count`` distinct approved answers, as many places and topics as it takes."""
    now = datetime(2026, 12, 1, tzinfo=UTC)
    made = []
    units = itertools.product(("Phường", "Xã"), places(), TOPICS)
    for number, (kind, place, topic) in enumerate(units, 1):
        if len(made) == count:
            break
        unit = f"{kind} {place}"
        fill = {"p": unit, "d": str(10 + number % 19), "n": str(100 + number % 900)}
        questions = tuple(q.format(**fill) for q in topic[:3])
        text = OfficerAnswerText(questions, topic[3].format(**fill))
        made.append(ServedOfficerAnswer(number, 1, unit, now, text))
    return made


async def visibility(engine, served: list[ServedOfficerAnswer], tries: int = 5) -> list[float]:
    """Seconds from an admin's approval (in the store) to the engine answering with it,
    through the real poll, with ``served`` already approved in that store."""
    from bot.officer_answers.sync import OfficerAnswerSync
    from bot.store.repository import open_store

    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        async with open_store(url) as store:
            for item in served:
                entry = await store.draft_officer_answer(item.unit, item.text, "bench:1")
                await store.approve_officer_answer(entry.id, 1, "bench:0")
            sync = OfficerAnswerSync(store, engine)
            await sync.once()  # the deployment's starting state
            poll = asyncio.create_task(sync.loop())
            try:
                for n in range(tries):
                    question = f"Bãi đỗ xe số {n} của tổ dân phố Hòa Bình {n} mở lúc nào?"
                    text = OfficerAnswerText((question,), f"Bãi số {n} mở từ 5h sáng.")
                    entry = await store.draft_officer_answer("Phường Hòa Bình", text, "bench:1")
                    started = time.perf_counter()
                    await store.approve_officer_answer(entry.id, 1, "bench:0")
                    while not _cites(await engine.ask(question), entry.id):
                        await asyncio.sleep(0.02)
                    seconds.append(time.perf_counter() - started)
            finally:
                poll.cancel()
                await asyncio.gather(poll, return_exceptions=True)
    return seconds


def _cites(answer, entry_id: int) -> bool:
    return any(c.kind == "officer_answer" and c.entry == entry_id for c in answer.citations)
