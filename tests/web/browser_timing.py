"""Answer times as a citizen sees them in the web chat (for scripts/bench.py; not a test).

``measure_answer_times(browser, base_url, questions)`` opens the chat at ``base_url``, asks the
questions one after another in the same conversation and returns, per question, the
milliseconds from the Enter key press to the new bot answer being on screen. Both instants are
taken inside the page (``performance.now()``): the key press by a capturing ``keydown``
listener, the answer by a MutationObserver once a new non-empty ``.msg-bot`` is in
``#messages``, followed by one animation frame (the answer painted). Selenium's polling does
not count.

The call blocks (Selenium): from async code run it with ``asyncio.to_thread`` when the bot is
served by the same event loop. The questions all come from one visitor: start the bot with
``flood_limit`` and ``web_requests_per_minute`` above ``len(questions)``, and expect the
answer cache to serve repeated questions.

    from tests.web.support import new_browser
    from tests.web.browser_timing import measure_answer_times

    browser = new_browser()
    try:
        times = measure_answer_times(browser, "http://127.0.0.1:8080", questions)
    finally:
        browser.quit()
"""

from __future__ import annotations

from collections.abc import Iterable

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

ANSWER_CSS = "#messages .msg-bot"

# Arms the two clocks for one question; the result is read from window.__answerTiming.
_ARM = """
const css = arguments[0];
const answers = () => Array.from(document.querySelectorAll(css)).filter(
    (el) => (el.querySelector('.msg-text') || el).textContent.trim() !== '').length;
const timing = {start: null, end: null, before: answers()};
window.__answerTiming = timing;
const onKey = (event) => {
    if (event.key === 'Enter' && !event.shiftKey && timing.start === null) {
        timing.start = performance.now();
    }
};
document.addEventListener('keydown', onKey, true);
const observer = new MutationObserver(() => {
    if (timing.start === null || answers() <= timing.before) return;
    observer.disconnect();
    document.removeEventListener('keydown', onKey, true);
    requestAnimationFrame(() => setTimeout(() => { timing.end = performance.now(); }, 0));
});
observer.observe(document.getElementById('messages'),
                 {childList: true, subtree: true, characterData: true});
"""
_READ = """
const t = window.__answerTiming;
return t && t.start !== null && t.end !== null ? [t.end - t.start] : null;
"""


def measure_answer_times(
    browser: WebDriver,
    base_url: str,
    questions: Iterable[str],
    *,
    timeout: float = 30.0,
    answer_css: str = ANSWER_CSS,
) -> list[float]:
    """Milliseconds from Enter to the new answer rendered, one per question, in order."""
    browser.get(base_url.rstrip("/") + "/")
    wait = WebDriverWait(browser, timeout, poll_frequency=0.02)
    times: list[float] = []
    for number, question in enumerate(questions, 1):
        field = wait.until(_ready_field, "the chat's #question field never became usable")
        browser.execute_script(_ARM, answer_css)
        field.send_keys(question, Keys.ENTER)
        try:
            (elapsed,) = wait.until(lambda driver: driver.execute_script(_READ))
        except TimeoutException as exc:
            raise TimeoutError(
                f"question {number} ({question!r}): no new {answer_css} within {timeout}s"
            ) from exc
        times.append(float(elapsed))
    return times


def _ready_field(driver: WebDriver):
    for field in driver.find_elements(By.CSS_SELECTOR, "#question"):
        if field.is_displayed() and field.is_enabled():
            return field
    return False
