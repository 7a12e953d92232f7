"""``GET /media/broadcast/<id>``: a broadcast's photo, for the web chat and for Zalo Bot
(whose sendPhoto fetches a public URL).

Served whether or not the web chat is on. Only broadcasts that have started going out
show their photo: a draft's or a scheduled one's is not public yet. The bytes of a
broadcast's photo never change, so browsers and Zalo may keep them.
"""

from __future__ import annotations

from aiohttp import web

from bot.broadcast.media import PHOTO_PATH
from bot.core.commands import as_number
from bot.store.repository import Store

CACHE_CONTROL = "public, max-age=604800, immutable"
# The image opened by itself: nothing in it may run or load anything.
MEDIA_CSP = "default-src 'none'; sandbox"


class MediaRoutes:
    def __init__(self, store: Store) -> None:
        self.store = store

    def routes(self) -> list[web.RouteDef]:
        return [web.get(PHOTO_PATH.format(id=r"{id:\d{1,12}}"), self.broadcast_photo)]

    async def broadcast_photo(self, request: web.Request) -> web.StreamResponse:
        number = as_number(request.match_info["id"])
        broadcast = None if number is None else await self.store.get_broadcast(number)
        if broadcast is None or broadcast.started_at is None or not broadcast.photo:
            raise web.HTTPNotFound()
        photo = await self.store.photo(broadcast.photo, with_data=True)
        if photo is None:
            raise web.HTTPNotFound()
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": MEDIA_CSP,
        }
        if any(tag.value == photo.sha256 for tag in request.if_none_match or ()):
            response = web.Response(status=304, headers=headers)
        else:
            response = web.Response(
                body=photo.data, content_type=photo.content_type, headers=headers
            )
        response.etag = photo.sha256
        return response
