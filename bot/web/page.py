"""The chat page's HTML: a fixed template; only the title (escaped), the documents' names
and the colour vary. The page's words come from ``bot.strings.web`` as a JSON block."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from string import Template
from urllib.parse import quote

from bot.strings import web as words

TEMPLATE = Template((Path(__file__).with_name("static") / "index.html").read_text("utf-8"))
_COLOUR = re.compile(r"^#?[0-9a-fA-F]{6}$")
MAX_TITLE = 60
READABLE = 4.5  # WCAG AA contrast for body text
# What links and labels in the accent are drawn on (chat.css: --bg, cards, officers' notes).
INK_BACKGROUNDS = ("#ffffff", "#f4f3f0", "#faf9f6", "#fff6dc")


def clean_title(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(value.split())[:MAX_TITLE]
    return value or None


def clean_colour(value: str | None) -> str | None:
    if not value or not _COLOUR.match(value):
        return None
    return "#" + value.lstrip("#").lower()


def render(*, title: str, subtitle: str, colour: str, embed: bool) -> str:
    page_words = json.dumps(words.PAGE, ensure_ascii=False).replace("<", "\\u003c")
    return TEMPLATE.substitute(
        title=html.escape(title),
        subtitle=html.escape(subtitle),
        theme=html.escape(f"/theme.css?color={quote(colour)}"),
        body_class="embed" if embed else "full",
        words=page_words,
        privacy_line=html.escape(words.PRIVACY_LINE),
        privacy_link=html.escape(words.PRIVACY_LINK),
        privacy_path=words.PRIVACY_PATH,
        **{
            name: html.escape(text)
            for name, text in (
                ("close_label", words.CLOSE_LABEL),
                ("messages_label", words.MESSAGES_LABEL),
                ("starters_label", words.STARTERS_LABEL),
                ("question_label", words.QUESTION_LABEL),
                ("placeholder", words.PLACEHOLDER),
                ("send", words.SEND),
                ("send_label", words.SEND_LABEL),
                ("no_script", words.NO_SCRIPT),
            )
        },
    )


def theme_css(colour: str) -> str:
    """The accent, the text colour that reads on it, and the accent darkened until it reads
    on white (links, labels): any colour a portal picks stays legible. A middle grey on
    which neither white nor black reads is replaced by its darkened self."""
    white, dark = (255, 255, 255), (17, 17, 17)
    accent = _rgb(colour)
    ink = accent
    while min(_contrast(ink, _rgb(b)) for b in INK_BACKGROUNDS) < READABLE:
        ink = tuple(int(c * 0.9) for c in ink)  # type: ignore[assignment]
    if _contrast(white, accent) >= READABLE:  # the header and the citizen's bubbles
        on_accent = white
    elif _contrast(dark, accent) >= READABLE:
        on_accent = dark
    else:
        accent, on_accent = ink, white
    return (
        f":root{{--accent:{_hex(accent)};--on-accent:{_hex(on_accent)};--accent-ink:{_hex(ink)}}}\n"
    )


def _hex(rgb: tuple[int, ...]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def privacy_html(*, title: str, colour: str, retention_days: int, help_phone: str) -> str:
    """The short privacy page: what is stored, how long, how to ask for deletion."""
    parts = "".join(
        f"<h2>{html.escape(h)}</h2><p>{html.escape(p)}</p>"
        for h, p in words.privacy_page(retention_days, help_phone)
    )
    theme = html.escape(f"/theme.css?color={quote(colour)}")
    return document(
        f"{words.PRIVACY_LINK} — {title}",
        words.PRIVACY_LINK,
        f'{parts}<p><a href="/">{html.escape(words.BACK_TO_CHAT)}</a></p>',
        head=f'<link rel="stylesheet" href="{theme}">',
    )


def document(title: str, heading: str, body: str, *, head: str = "") -> str:
    """A plain page in the chat's style (the privacy page, the officers' console): the
    title and heading are escaped here, ``body`` and ``head`` (after the chat's styles, so
    a theme overrides them) are HTML already."""
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        '<link rel="icon" href="/static/icon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/static/chat.css">'
        f'{head}</head><body class="doc"><main><h1>{html.escape(heading)}</h1>{body}</main></body></html>'
    )
