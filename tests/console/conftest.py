"""The web tests' browser, fake Telegram (with the officers' group) and output folder serve
the console's tests too; ``signed_in`` opens a session the way a link does."""

from __future__ import annotations

import aiohttp

from bot.console.signin import Session
from tests.web.conftest import browser, chat, fake, output_dir  # noqa: F401


async def signed_in(state, actor: str, http: aiohttp.ClientSession) -> tuple[dict, Session]:
    """A session opened by a sign-in link, as a browser gets one: the headers that use it
    (its cookie, and this site as the Origin) and the session (its CSRF token)."""
    token = await state.console.sign_in.new_link_token(actor)
    async with http.get(state.base_url + "/console/dang-nhap", params={"t": token}) as r:
        cookie = r.headers["Set-Cookie"].split(";")[0]
    session = await state.console.sign_in.find(cookie.split("=", 1)[1])
    assert session is not None
    return {"Cookie": cookie, "Origin": state.base_url}, session
