"""The chat page and its files: the HTML (title and colour from the query, checked), the
theme, the widget script, the icon, the privacy page and static assets, with their caching
headers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.strings import web as words
from bot.web import page

STATIC = Path(__file__).with_name("static")
ICON = "icon.svg"


class PageFiles:
    def __init__(self, settings: Settings, document_names: Callable[[], list[str]]) -> None:
        self.settings = settings
        self.document_names = document_names
        self._widget: str | None = None

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.index),
            web.get("/theme.css", self.theme),
            web.get("/widget.js", self.widget),
            web.get(words.PRIVACY_PATH, self.privacy),
        ]

    def title(self) -> str:
        """The configured title, else one naming the documents actually loaded."""
        return self.settings.web_title or words.title(self.document_names())

    async def index(self, request: web.Request) -> web.Response:
        embed = request.query.get("embed") == "1"
        title = page.clean_title(request.query.get("title")) or self.title()
        colour = page.clean_colour(request.query.get("color")) or self.settings.web_color
        html = page.render(
            title=title,
            subtitle=words.subtitle(self.document_names()),
            colour=colour,
            embed=embed,
        )
        return _html(html)

    async def privacy(self, request: web.Request) -> web.Response:
        return _html(
            page.privacy_html(
                title=self.title(),
                colour=self.settings.web_color,
                retention_days=self.settings.retention_days,
                help_phone=self.settings.help_phone,
            )
        )

    async def theme(self, request: web.Request) -> web.Response:
        colour = page.clean_colour(request.query.get("color")) or self.settings.web_color
        return web.Response(
            text=page.theme_css(colour),
            content_type="text/css",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    async def widget(self, request: web.Request) -> web.Response:
        """The widget script with its words from the strings module (it runs on the
        portal's page, so it cannot read the chat page's word block)."""
        if self._widget is None:
            source = (STATIC / "widget.js").read_text("utf-8")
            placeholder = 'const W = {"launcher": "", "unread": ""};'
            assert placeholder in source, "widget.js lost its word placeholder"
            chosen = json.dumps(words.WIDGET, ensure_ascii=False).replace("<", "\\u003c")
            self._widget = source.replace(placeholder, f"const W = {chosen};")
        return web.Response(
            text=self._widget,
            content_type="application/javascript",
            headers={"Cache-Control": "public, max-age=300"},
        )


class StaticFiles:
    """The package's styles, scripts and icon: served whether or not the web chat is on
    (the officers' console uses them too)."""

    def __init__(self) -> None:
        self._names = {  # widget.js only through /widget.js, with its words filled in
            p.name
            for p in STATIC.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.name != "widget.js"
        }

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/favicon.ico", self.icon),  # browsers ask for it whatever the page says
            web.get("/static/{name}", self.static),
        ]

    async def icon(self, request: web.Request) -> web.FileResponse:
        return self._file(ICON)

    async def static(self, request: web.Request) -> web.FileResponse:
        return self._file(request.match_info["name"])

    def _file(self, name: str) -> web.FileResponse:
        if name not in self._names:  # only the files the package ships, by exact name
            raise web.HTTPNotFound()
        path = STATIC / name
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=300"})


def _html(text: str) -> web.Response:
    response = web.Response(text=text, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-cache"
    return response
