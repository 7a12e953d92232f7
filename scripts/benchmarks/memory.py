"""Memory under hostile questions: 1,200 questions of 60 KB, each one word, via the web API.

Each is a different word (nothing can be served from a cache), too long for the engine to
embed: what is measured is what the server and the engine process keep of them. RSS of
each process is sampled after every answer; the growth is the mean of the last 400
samples minus the mean of the first 400 (issue 13: ≤ 20 MB server, ≤ 50 MB engine).
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
from pathlib import Path

import aiohttp

from scripts.benchmarks.common import BotProcess

QUESTIONS = 1200
WINDOW = 400
QUESTION_BYTES = 60_000


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


async def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"WEB_REQUESTS_PER_MINUTE": "100000", "FLOOD_LIMIT": "100000"}
        async with BotProcess(Path(tmp), env, cache=True) as bot:
            assert bot.process is not None
            server = bot.process.pid
            engine = max(children(server), key=rss_mb)  # the answer engine's process
            samples: list[tuple[float, float]] = []
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as http:
                async with http.get(bot.url + "/api/session") as response:
                    await response.read()
                for n in range(QUESTIONS):
                    word = (f"tu{n:05d}" * (QUESTION_BYTES // 7 + 1))[:QUESTION_BYTES]
                    body = {"text": word, "client_id": f"mem-{n}"}
                    async with http.post(bot.url + "/api/ask", json=body) as response:
                        assert response.status == 200, response.status
                        await response.read()
                    samples.append((rss_mb(server), rss_mb(engine)))
    first, last = samples[:WINDOW], samples[-WINDOW:]

    def growth(i: int) -> float:
        return statistics.mean(s[i] for s in last) - statistics.mean(s[i] for s in first)

    return {
        "server_start": samples[0][0],
        "engine_start": samples[0][1],
        "server_growth": growth(0),
        "engine_growth": growth(1),
    }


def report(result: dict[str, float]) -> str:
    return (
        f"memory, {QUESTIONS} one-word questions of {QUESTION_BYTES // 1000} KB: server "
        f"{result['server_start']:.0f} MB, {result['server_growth']:+.1f} MB from the first "
        f"{WINDOW} to the last {WINDOW}; engine process {result['engine_start']:.0f} MB, "
        f"{result['engine_growth']:+.1f} MB"
    )
