"""The monthly report (``/baocao``, ``python -m bot report``): each unit's broadcasts
against the plan's target, with reach and interaction."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.broadcast.desk_base import DeskBase
from bot.strings import broadcast as wording

MONTHLY_TARGET = 10  # Plan 57-KH/TU, IV.1.5: at least 10 news items a month per unit


class MonthlyReportMixin(DeskBase):
    # ---- the monthly report -------------------------------------------------------------
    async def month_text(self, month: str | None) -> str:
        start, end, label = self.month_bounds(month)
        return wording.month_report(label, summarise(await self.store.month_report(start, end)))

    def month_bounds(self, month: str | None) -> tuple[datetime, datetime, str]:
        now = datetime.now(self.zone)
        year, number = (now.year, now.month)
        if month and re.fullmatch(r"\d{4}-\d{2}", month):
            year, number = int(month[:4]), int(month[5:])
        start = datetime(year, number, 1, tzinfo=self.zone)
        end = (start + timedelta(days=32)).replace(day=1)
        return start, end, f"{number:02d}/{year}"


def summarise(rows: list[dict]) -> list[dict]:
    """The month per unit: broadcasts, the target, reach and interaction."""
    units: dict[str, dict] = {}
    for row in rows:
        unit = units.setdefault(
            row["unit"] or "(chưa ghi đơn vị)",
            {
                "broadcasts": 0,
                "delivered": 0,
                "replies": 0,
                "questions": 0,
                "thumbs_up": 0,
                "thumbs_down": 0,
            },
        )
        unit["broadcasts"] += 1
        for key in ("delivered", "replies", "questions", "thumbs_up", "thumbs_down"):
            unit[key] += row[key]
    return [
        {
            "unit": name,
            "target": MONTHLY_TARGET,
            "met": data["broadcasts"] >= MONTHLY_TARGET,
            **data,
        }
        for name, data in sorted(units.items())
    ]
