#!/usr/bin/env python3
"""Speed and memory: `python scripts/bench.py [engine|telegram|zalo|web|broadcast|memory|clusters|all]`.

engine: index build time (a fresh process, model load included), model load time,
single-question latency p50/p95 after warm-up, questions/second with 8 and 50
concurrent askers, and peak RSS.
telegram: the webhook path with the fake Telegram Bot API (tests/fakes), 50 citizens
asking at once: answers/s, p50/p95 from update to sendMessage, memory.
zalo: 50 senders of signed Zalo OA events: events handled/s, receipt→CS call p50/p95,
webhook acknowledgement time.
web: 50 clients of the JSON API at once: answers/s, p50/p95; the page's first-load weight.
memory: 1,200 one-word questions of 60 KB: growth of the server's and the engine's RSS.
clusters: the console's grouping of 5,000 unanswered questions (--count), cold, through
the engine's own process (--inline: in this process): read, embed, group; the quality
against the generating topics (--compare: also the model alone, the words alone, HDBSCAN).
Numbers go in the closing note, not in test assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.benchmarks.common import DEFAULT_QUESTIONS, load_questions, percentile


def build_time() -> tuple[float, float]:
    """Seconds and peak RSS (MB) of `scripts/build_index.py` in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "build_index.py"), "--index", tmp],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kb / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what",
        nargs="?",
        default="engine",
        choices=[
            "engine",
            "telegram",
            "zalo",
            "web",
            "broadcast",
            "memory",
            "clusters",
            "console",
            "all",
        ],
    )
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=8, help="questions per citizen")
    parser.add_argument(
        "--cache", action="store_true", help="keep the answer cache on (repeated questions)"
    )
    parser.add_argument("--count", type=int, default=5000, help="clusters: questions")
    parser.add_argument("--inline", action="store_true", help="clusters: engine in-process")
    parser.add_argument("--compare", action="store_true", help="clusters: other groupings")
    parser.add_argument(
        "--officer-answers",
        type=int,
        default=0,
        help="engine: also measure with this many approved officer answers (e.g. 2000)",
    )
    parser.add_argument("--messages", type=int, default=1_000_000, help="console: messages")
    parser.add_argument("--tickets", type=int, default=10_000, help="console: tickets")
    parser.add_argument(
        "--reuse", action="store_true", help="console: keep the data generated last time"
    )
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)

    if args.what in {"engine", "all"} and not args.skip_build:
        seconds, peak = build_time()
        print(
            f"index build (fresh process, model load included): {seconds:.1f} s, peak RSS {peak:.0f} MB"
        )

    if args.what in {"engine", "all"}:
        started = time.perf_counter()
        from bot.answering.loading import load_engine
        from bot.config import Settings

        engine = load_engine(Settings())
        print(f"engine load (imports + model + index): {time.perf_counter() - started:.2f} s")
        for q in questions[:10]:  # warm-up
            engine.answer(q)
        bench_engine(engine, questions)
        if args.officer_answers:
            bench_officer_answers(engine, questions, args.officer_answers)
        engine.close()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {peak_mb:.0f} MB")
    if args.what in {"telegram", "all"}:
        from scripts.benchmarks import telegram

        asked = load_questions(args.questions, skip_kinds=("handoff",))
        result = asyncio.run(telegram.run(asked, args.citizens, args.rounds, args.cache))
        print(telegram.report(result, args.citizens))
    if args.what in {"zalo", "all"}:
        from scripts.benchmarks import zalo

        asked = load_questions(args.questions, skip_kinds=("handoff",))
        result = asyncio.run(zalo.run(asked, args.citizens, args.rounds, args.cache))
        print(zalo.report(result, args.citizens))
    if args.what in {"web", "all"}:
        from scripts.benchmarks import web

        asked = load_questions(args.questions, skip_kinds=("handoff",))
        result = asyncio.run(web.run(asked, args.citizens, args.rounds, args.cache))
        print(web.report(result, args.citizens))
    if args.what in {"memory", "all"}:
        from scripts.benchmarks import memory

        print(memory.report(asyncio.run(memory.run())))
    if args.what in {"broadcast", "all"}:
        from scripts.benchmarks import broadcast

        print(broadcast.report(asyncio.run(broadcast.run())))
    if args.what in {"clusters", "all"}:
        from scripts.benchmarks import clusters

        found = asyncio.run(clusters.run(args.count, args.inline, args.compare))
        print(clusters.report(found))
    if args.what == "console":  # not in "all": it generates a million rows first
        from scripts.benchmarks import console

        result = asyncio.run(console.run(args.messages, args.tickets, args.reuse))
        print(console.report(result))
    return 0


def single_latency(engine, questions: list[str]) -> None:
    latencies = []
    for q in questions:
        t = time.perf_counter()
        engine.answer(q)
        latencies.append((time.perf_counter() - t) * 1000)
    print(
        f"single question over {len(questions)}: p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {percentile(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms"
    )


def bench_engine(engine, questions: list[str]) -> None:
    single_latency(engine, questions)

    async def concurrent(askers: int, rounds: int = 3) -> float:
        queue = [q for _ in range(rounds) for q in questions]

        async def asker(mine: list[str]) -> None:
            for q in mine:
                await engine.ask(q)

        t = time.perf_counter()
        await asyncio.gather(*(asker(queue[i::askers]) for i in range(askers)))
        return len(queue) / (time.perf_counter() - t)

    for askers in (8, 50):
        rate = asyncio.run(concurrent(askers))
        print(f"{askers} concurrent askers (batched encoding): {rate:.1f} questions/s")


def bench_officer_answers(engine, questions: list[str], count: int) -> None:
    """The same questions again with ``count`` approved officer answers served (same run,
    same engine), then seconds from an approval to an answer citing it."""
    from scripts.benchmarks import officer_answers

    # The baseline again, in the same state: a question answered on this thread after the
    # engine's own thread has run the model is slower (a second OpenMP team), so the first
    # pass above is not the comparison.
    print("without officer answers, again:")
    single_latency(engine, questions)
    served = officer_answers.synthetic(count)
    started = time.perf_counter()
    asyncio.run(engine.serve_officer_answers(served))
    print(
        f"{len(served)} officer answers embedded and served: {time.perf_counter() - started:.1f} s"
    )
    for q in questions[:10]:
        engine.answer(q)
    bench_engine(engine, questions)
    seconds = asyncio.run(officer_answers.visibility(engine, served))
    print(
        "approval → answers citing it (SQLite store, the 0.5 s poll): "
        + ", ".join(f"{s:.2f}" for s in seconds)
        + " s"
    )


if __name__ == "__main__":
    raise SystemExit(main())
