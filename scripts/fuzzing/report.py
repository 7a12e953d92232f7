"""What a fuzzing run found: answers per endpoint, failures with examples, the after-check,
the tracebacks in the bot's log and its memory."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from bot.strings import errors
from scripts.fuzzing.values import Case

EXAMPLES = 3  # example cases kept per (endpoint, failure)


# The start of the web's "busy" answer, as JSON escapes it or not (bodies are cut short).
BUSY_MARKS = (json.dumps(errors.BUSY)[1:30].encode(), errors.BUSY[:20].encode())


@dataclass
class Result:
    index: int
    endpoint: str
    label: str
    status: int | None  # None: no HTTP answer
    failure: str | None = None  # "timeout", "connection: ServerDisconnectedError"…
    body: bytes = b""
    seconds: float = 0.0

    @property
    def kind(self) -> str:
        if self.status is None:
            return self.failure or "no answer"
        if self.status == 503 and any(mark in self.body for mark in BUSY_MARKS):
            # The designed back-pressure of an overloaded machine: the page asks again with
            # the same client id and gets the answer then. Counted apart, not a failure.
            return "busy"
        return f"{self.status // 100}xx"


@dataclass
class Traceback:
    """One logged exception (a chain counts once, by its last exception)."""

    logged_as: str  # the log line the traceback belongs to
    exception: str  # its last line: "KeyError: 'id'"
    bot_frame: str  # the innermost frame in the bot's own code ("": none)
    last_frame: str  # the innermost frame of all (a library's, often)
    cases: list[tuple[int, str]] = field(default_factory=list)  # (case number, label)

    @property
    def malformed_http(self) -> bool:
        """Logged by aiohttp's server for a request it could not parse (no handler ran)."""
        return "aiohttp.server: Error handling request" in self.logged_as

    def key(self) -> tuple[str, str, str]:
        return (_generic(self.logged_as), _generic(self.exception)[:90], self.bot_frame)


@dataclass
class Report:
    seed: int
    count: int
    per_endpoint: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    examples: dict[tuple[str, str], list[Result]] = field(default_factory=lambda: defaultdict(list))
    failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    failed_cases: set[int] = field(default_factory=set)  # cases answered 5xx or timed out
    slowest: list[Result] = field(default_factory=list)
    after_check: dict[str, str] = field(default_factory=dict)  # check -> problem ("" = fine)
    tracebacks: list[Traceback] = field(default_factory=list)
    error_lines: Counter[str] = field(default_factory=Counter)
    traceback_lines: int = 0
    rss_start: tuple[float, float] = (0.0, 0.0)  # MB: the server, its children (the engine)
    rss_end: tuple[float, float] = (0.0, 0.0)
    seconds: float = 0.0
    log_path: str = ""

    def add(self, result: Result) -> None:
        counts = self.per_endpoint[result.endpoint]
        counts["requests"] += 1
        counts[result.kind] += 1
        failing = result.status is None or (result.status >= 500 and result.kind != "busy")
        if failing:
            key = (result.endpoint, str(result.status or result.failure))
            self.failures[key] += 1
            self.failed_cases.add(result.index)
            if len(self.examples[key]) < EXAMPLES:
                self.examples[key].append(result)
        self.slowest = sorted([*self.slowest, result], key=lambda r: -r.seconds)[:5]

    def total(self, kind: str) -> int:
        return sum(c[kind] for c in self.per_endpoint.values())

    @property
    def server_errors(self) -> int:
        return self.total("5xx")

    @property
    def timeouts(self) -> int:
        return self.total("timeout")

    @property
    def connection_errors(self) -> int:
        return sum(
            n for c in self.per_endpoint.values() for k, n in c.items() if k.startswith("conn")
        )

    @property
    def after_check_ok(self) -> bool:
        return bool(self.after_check) and not any(self.after_check.values())

    @property
    def ok(self) -> bool:
        return (
            not self.server_errors
            and not self.timeouts
            and not self.tracebacks
            and not self.error_lines  # a failure logged without its traceback is one too
            and self.after_check_ok
        )

    def summary(self) -> str:
        lines = [
            f"fuzz: seed {self.seed}, {self.count} requests in {self.seconds:.0f} s",
            "",
            f"{'endpoint':34} {'requests':>8} {'2xx':>6} {'3xx':>5} {'4xx':>6} {'5xx':>5}"
            f" {'timeout':>7} {'conn':>5}",
        ]
        for endpoint in sorted(self.per_endpoint):
            c = self.per_endpoint[endpoint]
            conn = sum(n for k, n in c.items() if k.startswith("conn"))
            lines.append(
                f"{endpoint:34} {c['requests']:8} {c['2xx']:6} {c['3xx']:5} {c['4xx']:6}"
                f" {c['5xx']:5} {c['timeout']:7} {conn:5}"
            )
        lines.append(
            f"{'total':34} {self.count:8} {self.total('2xx'):6} {self.total('3xx'):5}"
            f" {self.total('4xx'):6} {self.server_errors:5} {self.timeouts:7}"
            f" {self.connection_errors:5}"
        )
        if self.examples:
            lines += ["", "failures (5xx, timeouts, connection errors), up to 3 examples each:"]
        for (endpoint, what), results in sorted(self.examples.items()):
            lines.append(f"  {endpoint} -> {what}: {self.failures[endpoint, what]} times, e.g.")
            for r in results:
                lines.append(f"    #{r.index} [{r.label}] {r.seconds:.1f}s body={_short(r.body)}")
        if self.examples:
            lines.append(
                f"  (one again, with its request: scripts/fuzz.py --seed {self.seed} --case N)"
            )
        lines += ["", "slowest answers:"]
        lines += [f"  #{r.index} {r.endpoint} [{r.label}] {r.seconds:.1f}s" for r in self.slowest]
        lines += ["", "after the run:"]
        lines += [f"  {name}: {problem or 'ok'}" for name, problem in self.after_check.items()]
        lines += [
            "",
            f"bot RSS: {sum(self.rss_start):.0f} MB at start, {sum(self.rss_end):.0f} MB at end "
            f"(server {self.rss_start[0]:.0f} -> {self.rss_end[0]:.0f} MB, engine process "
            f"{self.rss_start[1]:.0f} -> {self.rss_end[1]:.0f} MB)",
            "",
            f"tracebacks in the bot's log: {len(self.tracebacks)} logged exceptions "
            f"({self.traceback_lines} 'Traceback' lines, chained ones included)",
        ]
        ours = [t for t in self.tracebacks if not t.malformed_http]
        theirs = [t for t in self.tracebacks if t.malformed_http]
        for title, group in (
            ("while handling requests and updates", ours),
            ("in aiohttp's server before any handler ran (malformed HTTP)", theirs),
        ):
            if group:
                lines.append(f" {len(group)} {title}:")
            grouped = Counter(t.key() for t in group)
            samples = {t.key(): t for t in group}
            for key, n in grouped.most_common():
                t = samples[key]
                lines.append(f"  {n}x {t.exception[:300]}")
                if t.bot_frame:
                    lines.append(f"      bot frame: {t.bot_frame}")
                if t.last_frame != t.bot_frame:
                    lines.append(f"      raised in: {t.last_frame}")
                lines.append(f"      logged as: {t.logged_as[:200]}")
                cases = list(dict.fromkeys(c for x in group if x.key() == key for c in x.cases))
                # A case that got a 5xx is the culprit of what its path logged.
                failed = [c for c in cases if c[0] in self.failed_cases]
                sure = bool(failed) and "web request" in t.logged_as
                for _, label in (failed if sure else cases)[:EXAMPLES]:
                    lines.append(f"      {'case' if sure else 'likely case'}: {label[:200]}")
        if self.error_lines:
            lines += ["", "ERROR lines in the log without a traceback, by message:"]
            for line, n in self.error_lines.most_common(15):
                lines.append(f"  {n}x {line[:200]}")
        if self.log_path:
            lines += ["", f"bot log: {self.log_path}"]
        if self.total("busy"):
            lines += ["", f"busy (503, asked again by the page; an overloaded machine): "
                          f"{self.total('busy')}"]  # fmt: skip
        verdict = "PASS" if self.ok else "FAIL"
        lines += ["", f"{verdict}: {self.server_errors} x 5xx, {self.timeouts} timeouts, "
                  f"{len(self.tracebacks)} tracebacks, {self.error_lines.total()} ERROR lines "
                  f"without one, after-check {'ok' if self.after_check_ok else 'failed'}"]  # fmt: skip
        return "\n".join(_printable(line) for line in lines)


def _printable(line: str) -> str:
    """NULs, surrogates and other controls as escapes, so the summary stays text."""
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def _short(body: bytes) -> str:
    """A body as a person reads it: JSON without its escapes, cut short."""
    try:
        return json.dumps(json.loads(body), ensure_ascii=False)[:160]
    except ValueError:
        return repr(body[:160])


# ---- the bot's log ------------------------------------------------------------------------------
_FRAME = re.compile(r'^\s+File "([^"]+)", line (\d+), in (.+)$')
_CHAINED = ("During handling of the above exception", "The above exception was the direct cause")
_LOG_LINE = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+: ")


def _generic(line: str) -> str:
    """A log line without its numbers and ids, so that like lines group together."""
    return re.sub(r"\b[0-9a-f]{12,}\b|\d+", "N", line)


def _where(path: str, line: str, func: str) -> str:
    short = path.split("/work/main/", 1)[-1].split("site-packages/", 1)[-1]
    return f"{short}:{line} in {func}"


def scan_log(text: str) -> tuple[list[Traceback], Counter[str]]:
    """Tracebacks (one per logged exception chain) and the ERROR lines of a bot's log."""
    found: list[Traceback] = []
    errors: Counter[str] = Counter()
    lines = text.splitlines()
    logged_as, i = "", 0
    while i < len(lines):
        line = lines[i]
        if _LOG_LINE.match(line):
            logged_as = line
            if line.startswith(("ERROR", "CRITICAL")):
                record = itertools.takewhile(
                    lambda x: not _LOG_LINE.match(x), itertools.islice(lines, i + 1, i + 200)
                )
                if not any(x.startswith("Traceback (most") for x in record):
                    errors[_generic(line)] += 1
        if not line.startswith("Traceback (most recent call last):"):
            i += 1
            continue
        frames: list[str] = []
        bot_frames: list[str] = []
        exception = ""
        i += 1
        while i < len(lines):
            current = lines[i]
            match = _FRAME.match(current)
            if match:
                where = _where(*match.groups())
                frames.append(where)
                if "/work/main/bot/" in match.group(1):
                    bot_frames.append(where)
            elif current.startswith("Traceback (most recent call last):"):
                pass  # the next exception of a chain
            elif (
                current and not current.startswith((" ", "\t")) and not current.startswith(_CHAINED)
            ):
                if _LOG_LINE.match(current):
                    break
                exception = current
                detail = lines[i + 1] if i + 1 < len(lines) else ""
                if current.endswith(":") and detail.startswith("  ") and not _FRAME.match(detail):
                    exception += " " + detail.strip()  # aiohttp's "400, message:\n  why"
                # The chain goes on when a separator is the next unindented line.
                rest = (x for x in lines[i + 1 : i + 30] if x.strip() and x[0] not in " \t")
                if not next(rest, "").startswith(_CHAINED):
                    i += 1
                    break
            i += 1
        found.append(
            Traceback(
                logged_as=logged_as,
                exception=exception,
                bot_frame=bot_frames[-1] if bot_frames else "",
                last_frame=frames[-1] if frames else "",
            )
        )
    return found, errors


class LogWatcher:
    """Reads the bot's log as it grows, so that each traceback can be laid at the door of
    the requests in flight when it was written (one of them, when several were)."""

    def __init__(self, path: Path, report: Report) -> None:
        self.path = path
        self.report = report
        self.offset = 0

    def poll(
        self, suspects: list[tuple[int, Case]], *, note: str = "", final: bool = False
    ) -> None:
        """``suspects``: the requests in flight or just answered (by case number); with
        none, what the bot was doing (``note``)."""
        with self.path.open("rb") as log:
            log.seek(self.offset)
            data = log.read()
        if not final:
            data = data[: data.rfind(b"\n") + 1]  # a record being written waits
        self.offset += len(data)
        text = data.decode("utf-8", "replace")
        found, errors = scan_log(text)
        self.report.error_lines.update(errors)
        self.report.traceback_lines += text.count("Traceback (most recent call last)")
        for traceback in found:
            traceback.cases = [
                (n, f"#{n} [{case.label}]") for n, case in suspects if _may_cause(traceback, case)
            ] or ([(-1, note)] if note else [])
            if "Unhandled exception" in traceback.logged_as:
                # aiohttp again, draining the body of a request whose handler failed
                for earlier in reversed(self.report.tracebacks[-20:]):
                    if earlier.exception == traceback.exception:
                        traceback.cases = earlier.cases
                        break
            self.report.tracebacks.append(traceback)


_LOGGED_PATH = re.compile(r"web request \S+ (\S+) failed")
_CHANNELS = {  # words in a log line or frame -> the webhook it comes from
    "telegram": "/telegram/webhook",
    "zalo_oa": "/zalo/oa/webhook",
    "zalo_bot": "/zalo/bot/webhook",
}
_URL_IN_ERROR = re.compile(r"reading: bytearray\(b'([^']{1,40})")


def _may_cause(traceback: Traceback, case: Case) -> bool:
    """Whether ``case`` can be the request that logged ``traceback``."""
    path = case.path.split("?", 1)[0]
    logged = _LOGGED_PATH.search(traceback.logged_as)
    if logged:
        return logged.group(1) in (path, unquote(path))
    if traceback.malformed_http:  # what aiohttp could not parse, by what it says
        url = _URL_IN_ERROR.search(traceback.exception)
        if url:
            return case.path.startswith(url.group(1))
        if "hd_visitor=" in traceback.exception:
            return "cookie" in case.label
        if "brotli" in traceback.exception:
            return "br" in case.headers.get("Content-Encoding", "")
        if "Invalid char in url" in traceback.exception:
            return not case.path.isascii()
        return True
    where = f"{traceback.logged_as} {traceback.bot_frame}"
    for marker, channel in _CHANNELS.items():
        if marker in where:
            return path == channel
    return True
