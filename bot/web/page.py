"""The chat page's HTML: a fixed template; only the title (escaped) and colour vary."""

from __future__ import annotations

import html
import re
from pathlib import Path
from string import Template
from urllib.parse import quote

TEMPLATE = Template((Path(__file__).with_name("static") / "index.html").read_text("utf-8"))
_COLOUR = re.compile(r"^#?[0-9a-fA-F]{6}$")
MAX_TITLE = 60


def clean_title(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(value.split())[:MAX_TITLE]
    return value or None


def clean_colour(value: str | None) -> str | None:
    if not value or not _COLOUR.match(value):
        return None
    return "#" + value.lstrip("#").lower()


def render(*, title: str, colour: str, embed: bool) -> str:
    return TEMPLATE.substitute(
        title=html.escape(title),
        theme=html.escape(f"/theme.css?color={quote(colour)}"),
        body_class="embed" if embed else "full",
    )
