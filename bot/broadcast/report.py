"""`python -m bot report --month 2026-11 [--csv]`: the month's broadcasts per unit."""

from __future__ import annotations

import csv
from typing import TextIO

from bot.broadcast.desk import BroadcastDesk
from bot.broadcast.monthly import summarise
from bot.broadcast.roster import Roster
from bot.config import Settings
from bot.store.repository import open_store
from bot.strings import broadcast as wording

COLUMNS = (
    ("unit", "don_vi"),
    ("broadcasts", "so_tin"),
    ("target", "chi_tieu"),
    ("met", "dat_chi_tieu"),
    ("delivered", "so_luot_nhan"),
    ("replies", "phan_hoi_24h"),
    ("questions", "cau_hoi_24h"),
    ("thumbs_up", "thich_24h"),
    ("thumbs_down", "khong_thich_24h"),
)


async def print_report(settings: Settings, month: str | None, as_csv: bool, out: TextIO) -> int:
    async with open_store(settings.database_url) as store:
        desk = BroadcastDesk(store, Roster.parse("", ""), settings.timezone)
        start, end, label = desk.month_bounds(month)
        units = summarise(await store.month_report(start, end))
    if not as_csv:
        print(wording.month_report(label, units), file=out)
        return 0
    writer = csv.writer(out)
    writer.writerow(["thang", *(header for _, header in COLUMNS)])
    for unit in units:
        writer.writerow([label, *(_cell(unit[key]) for key, _ in COLUMNS)])
    return 0


def _cell(value: object) -> object:
    return ("co" if value else "khong") if isinstance(value, bool) else value
