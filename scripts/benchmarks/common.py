"""Small helpers shared by the benchmarks."""

from __future__ import annotations

import json
import resource
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_questions(path: Path, skip_kinds: tuple[str, ...] = ()) -> list[str]:
    """The questions of an eval file; channel benchmarks skip "handoff" ones, which would
    turn the simulated citizen's next questions into relays to the operators."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [item["question"] for item in items if item.get("kind") not in skip_kinds]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
