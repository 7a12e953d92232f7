"""The chat page and its files: the HTML (title and colour from the query, checked), the
theme, the widget script and static assets, with their caching headers."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.web import page

STATIC = Path(__file__).with_name("static")


class PageFiles:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._names = {
            p.name for p in STATIC.iterdir() if p.is_file() and not p.name.startswith(".")
        }

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.index),
            web.get("/theme.css", self.theme),
            web.get("/widget.js", self.widget),
            web.get("/static/{name}", self.static),
        ]

    async def index(self, request: web.Request) -> web.Response:
        embed = request.query.get("embed") == "1"
        title = page.clean_title(request.query.get("title")) or self.settings.web_title
        colour = page.clean_colour(request.query.get("color")) or self.settings.web_color
        html = page.render(title=title, colour=colour, embed=embed)
        response = web.Response(text=html, content_type="text/html", charset="utf-8")
        response.headers["Cache-Control"] = "no-cache"
        return response

    async def theme(self, request: web.Request) -> web.Response:
        colour = page.clean_colour(request.query.get("color")) or self.settings.web_color
        return web.Response(
            text=f":root{{--accent:{colour}}}\n",
            content_type="text/css",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    async def widget(self, request: web.Request) -> web.FileResponse:
        return self._file("widget.js")

    async def static(self, request: web.Request) -> web.FileResponse:
        return self._file(request.match_info["name"])

    def _file(self, name: str) -> web.FileResponse:
        if name not in self._names:  # only the files the package ships, by exact name
            raise web.HTTPNotFound()
        path = STATIC / name
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=300"})
