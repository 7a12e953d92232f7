"""The chat page's pieces without a browser: the theme stays legible whatever colour a
portal picks, the page's words cannot break out of their JSON block, an answer is given
as lead-in and cards (each quote once), and the privacy page says how long and how to
delete."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.answer import Citation
from bot.core.records import MessageRecord
from bot.strings import web as words
from bot.web import page
from bot.web.messages import message_json


def _hex(value: str) -> tuple[int, int, int]:
    return page._rgb(value)


@pytest.mark.parametrize(
    "colour",
    ["#a50e0e", "#0b5394", "#1a73e8", "#ffff00", "#ffffff", "#000000", "#7fbf7f", "#777777"],
)
def test_the_theme_reads_on_any_accent(colour: str) -> None:
    css = page.theme_css(colour)
    values = dict(part.split(":") for part in css.strip()[len(":root{") : -1].split(";"))
    accent, on_accent, ink = (_hex(values[k]) for k in ("--accent", "--on-accent", "--accent-ink"))
    assert page._contrast(on_accent, accent) >= page.READABLE
    for background in page.INK_BACKGROUNDS:  # links and labels, wherever they are drawn
        assert page._contrast(ink, _hex(background)) >= page.READABLE


def test_titles_and_words_cannot_break_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(words.PAGE, "more", "</script><script>alert(1)</script>")
    html = page.render(title="<b>x</b>", subtitle="<i>y</i>", colour="#a50e0e", embed=False)
    assert "<b>x</b>" not in html and "<i>y</i>" not in html
    assert "</script><script>alert(1)" not in html


def test_the_title_names_what_is_loaded() -> None:
    assert words.title(["Kế hoạch 57-KH/TU"]) == "Hỏi đáp Kế hoạch 57-KH/TU"
    both = words.title(["Nghị quyết 02-NQ/TW", "Kế hoạch 57-KH/TU"])
    assert both == "Hỏi đáp Nghị quyết 02-NQ/TW và Kế hoạch 57-KH/TU"
    assert words.title(["A", "B", "C"]) == "Hỏi đáp A và 2 văn bản khác"


def _record(text: str, citations: tuple[Citation, ...]) -> MessageRecord:
    return MessageRecord(
        id=7,
        person_id=1,
        direction="out",
        text=text,
        kind="answer",
        created_at=datetime(2026, 12, 6, 3, 0, tzinfo=UTC),
        citations=citations,
        grounded=True,
    )


def test_an_answer_is_a_lead_and_one_card_per_section() -> None:
    def cite(section: str, quote: str) -> Citation:
        return Citation(
            "57-KH/TU", section, f"Tiêu đề {section}", quote, f"KH, mục {section}", 0, 1
        )

    citations = (cite("IV.1.10", "Câu một"), cite("IV.1.10", "Câu hai"), cite("IV.1.9", "Câu ba"))
    text = "Theo KH, mục IV.1.10:\n• “Câu một…”\n• “…Câu hai”\n• “Câu ba” (mục IV.1.9)"
    shown = message_json(_record(text, citations), ())
    assert shown["lead"] == "Theo KH, mục IV.1.10:"
    assert [(c["section"], len(c["quotes"])) for c in shown["cards"]] == [
        ("IV.1.10", 2),
        ("IV.1.9", 1),
    ]
    assert [q["shown"] for q in shown["cards"][0]["quotes"]] == ["Câu một…", "…Câu hai"]
    assert shown["cards"][0]["title"] == "Tiêu đề IV.1.10"


def test_the_privacy_page_says_how_long_and_how_to_delete() -> None:
    html = page.privacy_html(title="Hỏi đáp", colour="#a50e0e", retention_days=365, help_phone="")
    assert "365 ngày" in html and "xóa dữ liệu" in html and "13/2023/NĐ-CP" in html
    forever = page.privacy_html(
        title="Hỏi đáp", colour="#a50e0e", retention_days=0, help_phone="1022"
    )
    assert "cho đến khi bạn yêu cầu xóa" in forever and "1022" in forever


async def test_the_widget_is_served_with_its_words() -> None:
    from aiohttp import web as aioweb
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web.files import PageFiles
    from tests.answering.support import repo_settings

    app = aioweb.Application()
    app.add_routes(PageFiles(repo_settings(), lambda: ["Kế hoạch 57-KH/TU"]).routes())
    async with TestClient(TestServer(app)) as client:
        script = await (await client.get("/widget.js")).text()
        assert f'const W = {{"launcher": "{words.WIDGET["launcher"]}"' in script
        assert words.WIDGET["unread"] in script
        assert (await client.get("/static/widget.js")).status == 404  # only with its words
