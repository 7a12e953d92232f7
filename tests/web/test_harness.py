"""The browser harness itself, on a tiny chat page of the test's own (no bot, no model).

It checks what the web chat tests rely on: Selenium calls leave the event loop free (the page
fetches from a server on the same loop while the test waits), an event stream reaches the
page, the failure message lists what the chat shows, and the timing helper works.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.web.browser_timing import measure_answer_times
from tests.web.support import LocalSite, Page

ECHO_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Thử khung</title></head><body>
<ul id="messages" aria-live="polite"></ul>
<form id="ask-form"><textarea id="question"></textarea><button id="send">Gửi</button></form>
<script>
const list = document.getElementById('messages');
const input = document.getElementById('question');
const form = document.getElementById('ask-form');
function add(kind, text) {
  const item = document.createElement('li');
  item.className = 'msg ' + kind;
  const body = document.createElement('div');
  body.className = 'msg-text';
  body.textContent = text;
  item.append(body);
  list.append(item);
}
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
});
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const question = input.value;
  input.value = '';
  add('msg-user', question);
  const response = await fetch('/echo?q=' + encodeURIComponent(question));
  add('msg-bot', await response.text());
});
new EventSource('/events').onmessage = (event) => add('msg-officer', event.data);
</script></body></html>"""


@pytest.fixture
def pushed() -> asyncio.Queue[str]:
    """Texts for the page's event stream."""
    return asyncio.Queue()


@pytest.fixture
async def echo_site(pushed: asyncio.Queue[str]) -> AsyncIterator[LocalSite]:
    async def echo(request: web.Request) -> web.Response:
        await asyncio.sleep(0.2)  # answered by this loop while the test awaits the browser
        return web.Response(text="Đáp: " + request.query["q"])

    async def events(request: web.Request) -> web.StreamResponse:
        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await stream.prepare(request)
        while True:
            text = await pushed.get()
            await stream.write(f"data: {text}\n\n".encode())

    local = LocalSite()
    local.pages["/"] = ECHO_PAGE
    local.route("GET", "/echo", echo)
    local.route("GET", "/events", events)
    async with local:
        yield local


async def test_page_helpers_keep_the_event_loop_serving(
    chat: Page, echo_site: LocalSite, pushed: asyncio.Queue[str]
) -> None:
    await chat.open(echo_site.origin + "/")
    await chat.wait_for("#messages[aria-live='polite']", visible=False)
    await chat.type("#question", "xin chào <b>bạn</b>", enter=True)
    await chat.wait_for(".msg-user .msg-text", "xin chào <b>bạn</b>", exact=True)
    answer = await chat.wait_for(".msg-bot", "Đáp: xin chào")
    assert await chat.count(".msg-text", within=answer) == 1

    pushed.put_nowait("Cán bộ trả lời")
    await chat.wait_for(".msg-officer", "Cán bộ trả lời")

    with pytest.raises(AssertionError, match=r"(?s)waited in vain for \.nowhere.*Đáp: xin chào"):
        await chat.wait_for(".nowhere", timeout=0.3)

    times = await asyncio.to_thread(
        measure_answer_times, chat.driver, echo_site.origin, ["một", "hai"]
    )
    assert len(times) == 2 and all(150 < t < 10_000 for t in times), times
    assert await chat.count(".msg-bot") == 2  # the page was opened afresh
    await chat.reset()
