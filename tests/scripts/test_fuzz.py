"""scripts/fuzz.py's core against the real bot: a short seeded run of hostile requests to
every public endpoint answers no 5xx and leaves no traceback in the bot's log.

The seed is printed (``-s``) and can be set with FUZZ_SEED; ``python scripts/fuzz.py
--seed N --case M`` replays one case of a failing run.
"""

from __future__ import annotations

import os

import pytest

from scripts.fuzz import run_fuzz

pytestmark = pytest.mark.slow

COUNT = 600


async def test_hostile_requests_get_no_5xx_and_leave_no_traceback() -> None:
    seed = int(os.environ.get("FUZZ_SEED", "7"))
    report = await run_fuzz(seed, COUNT)
    print(report.summary())
    assert report.total("requests") == COUNT
    assert report.server_errors == 0, report.summary()
    assert report.timeouts == 0, report.summary()
    assert not report.tracebacks, report.summary()
    assert not report.error_lines, report.summary()  # failures logged without a traceback
    assert report.after_check_ok, report.summary()
