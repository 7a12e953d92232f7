"""Small charts drawn on the server as SVG: no script, no CDN, the same picture inline on
the page and as a download.

Three kinds: ``bars`` (a few categories), ``hbars`` (ranked rows with long names: the name
on its own line above its bar, so a phone's width is enough; stacked series and a target
line) and ``columns`` (a series over time, stacked). Each is an ``<svg role="img">`` named
by its ``<title>`` and ``<desc>``; the page puts the same numbers in a table beside it.
Colours are the Okabe–Ito set, told apart by people with colour-blindness too.
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass, field

WIDTH = 400  # the viewBox: about a phone's width, so text keeps its size there
FONT = 16
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
INK, MUTED, GRID = "#1f1f1f", "#555555", "#d9d9d9"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Chart:
    kind: str  # "bars" | "hbars" | "columns"
    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]  # (name, one value per label)
    colours: tuple[str, ...] = PALETTE
    target: float | None = None  # hbars: a dashed line (the plan's 10 a month)
    target_label: str = ""
    notes: tuple[str, ...] = field(default=())  # read out after the title

    def svg(self, standalone: bool = False) -> str:
        draw = {"bars": _bars, "hbars": _hbars, "columns": _columns}[self.kind]
        return draw(self, standalone)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def grouped(value: float) -> str:
    """1234.5 → "1.234,5" (Vietnamese digit grouping)."""
    whole = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return whole.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _frame(chart: Chart, height: float, body: str, standalone: bool) -> str:
    n = next(_ids)
    summary = "; ".join(
        f"{name}: "
        + ", ".join(f"{label} {grouped(v)}" for label, v in zip(chart.labels, values, strict=True))
        for name, values in chart.series
    )
    desc = " ".join((*chart.notes, summary))
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    background = f'<rect width="{WIDTH}" height="{height:.0f}" fill="#fff"/>' if standalone else ""
    return (
        f'<svg{namespace} class="chart" role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'aria-labelledby="chart-t{n} chart-d{n}" font-family="system-ui, sans-serif" '
        f'font-size="{FONT}">'
        f'<title id="chart-t{n}">{_esc(chart.title)}</title><desc id="chart-d{n}">{_esc(desc)}</desc>'
        f"{background}{body}</svg>"
    )


def _ticks(top: float) -> list[float]:
    """Round gridline values (1, 2, 5 × 10ⁿ apart), the last at or above ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    step = 1.0
    while top / step > 4:
        for factor in (2, 2.5, 2):
            step *= factor
            if top / step <= 4:
                break
    return [step * i for i in range(-int(-top // step) + 1)]


def _axis_left(ticks: list[float]) -> float:
    """Room left of the plot for the widest gridline value."""
    return max(len(grouped(t)) for t in ticks) * FONT * 0.6 + 12


def _legend(chart: Chart, y: float) -> tuple[str, float]:
    """Coloured squares with the series' names, wrapped onto lines; (svg, height)."""
    if len(chart.series) < 2:
        return "", 0.0
    parts, x, line = [], 8.0, 0
    for (name, _), colour in zip(chart.series, itertools.cycle(chart.colours), strict=False):
        width = 22 + len(name) * FONT * 0.55
        if x + width > WIDTH - 8 and x > 8:
            x, line = 8.0, line + 1
        top = y + line * (FONT + 8)
        parts.append(
            f'<rect x="{x:.0f}" y="{top:.0f}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 17:.0f}" y="{top + 11:.0f}" fill="{INK}">{_esc(name)}</text>'
        )
        x += width + 12
    return "".join(parts), (line + 1) * (FONT + 8)


def _bars(chart: Chart, standalone: bool) -> str:
    values = chart.series[0][1] if chart.series else ()
    top = max(values, default=0) or 1
    ticks = _ticks(top)
    top = ticks[-1]
    left, plot_top, plot_h = _axis_left(ticks), 16, 170
    slot = (WIDTH - left - 8) / max(len(values), 1)
    parts = []
    for tick in ticks:
        y = plot_top + plot_h - tick / top * plot_h
        parts.append(
            f'<line x1="{left:.0f}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6:.0f}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{grouped(tick)}</text>"
        )
    for i, (label, value) in enumerate(zip(chart.labels, values, strict=True)):
        height = value / top * plot_h
        x = left + i * slot + slot * 0.15
        colour = chart.colours[i % len(chart.colours)]
        y = plot_top + plot_h - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
            f'fill="{colour}"><title>{_esc(label)}: {grouped(value)}</title></rect>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'fill="{INK}" font-weight="600">{grouped(value)}</text>'
        )
        for n, word in enumerate(_wrap(label, max(8, int(slot / (FONT * 0.55))))[:2]):
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{plot_top + plot_h + 16 + n * 15}" '
                f'text-anchor="middle" fill="{INK}">{_esc(word)}</text>'
            )
    return _frame(chart, plot_top + plot_h + 48, "".join(parts), standalone)


def _hbars(chart: Chart, standalone: bool) -> str:
    totals = [sum(values) for values in zip(*(v for _, v in chart.series), strict=True)]
    top = max([*totals, chart.target or 0, 1])
    legend, legend_h = _legend(chart, 6)
    row, bar, y0 = 48, 16, 6 + legend_h
    width = WIDTH - 8 - 60  # room for the number after the bar
    parts = [legend]
    for i, label in enumerate(chart.labels):
        y = y0 + i * row
        parts.append(f'<text x="8" y="{y + FONT}" fill="{INK}">{_esc(_short(label, 44))}</text>')
        x = 8.0
        for (name, values), colour in zip(
            chart.series, itertools.cycle(chart.colours), strict=False
        ):
            length = values[i] / top * width
            if length > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 20}" width="{length:.1f}" height="{bar}" '
                    f'fill="{colour}"><title>{_esc(label)} — {_esc(name)}: '
                    f"{grouped(values[i])}</title></rect>"
                )
            x += length
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 33}" fill="{INK}" font-weight="600">'
            f"{grouped(totals[i])}</text>"
        )
    height = y0 + len(chart.labels) * row + 8
    if chart.target:
        x = 8 + chart.target / top * width
        anchor = "end" if x > WIDTH / 2 else "start"  # the words stay inside the picture
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0}" y2="{height - 4}" stroke="{INK}" '
            f'stroke-dasharray="4 3"/><text x="{x:.1f}" y="{height + 12}" fill="{INK}" '
            f'text-anchor="{anchor}">{_esc(chart.target_label)}</text>'
        )
        height += 20
    return _frame(chart, height, "".join(parts), standalone)


def _columns(chart: Chart, standalone: bool) -> str:
    count = len(chart.labels)
    totals = [sum(values) for values in zip(*(v for _, v in chart.series), strict=True)] or [0]
    ticks = _ticks(max(totals) or 1)
    top = ticks[-1]
    legend, legend_h = _legend(chart, 6)
    left, plot_top, plot_h = _axis_left(ticks), 16 + legend_h, 160
    slot = (WIDTH - left - 8) / max(count, 1)
    parts = [legend]
    for tick in ticks:
        y = plot_top + plot_h - tick / top * plot_h
        parts.append(
            f'<line x1="{left:.0f}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6:.0f}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{grouped(tick)}</text>"
        )
    widest = max((len(label) for label in chart.labels), default=1) * FONT * 0.6 + 12
    every = max(1, -(-int(widest) // max(int(slot), 1)))  # labels under the axis never touch
    for i, label in enumerate(chart.labels):
        x, base = left + i * slot, plot_top + plot_h
        for (name, values), colour in zip(
            chart.series, itertools.cycle(chart.colours), strict=False
        ):
            height = values[i] / top * plot_h
            if height > 0:
                parts.append(
                    f'<rect x="{x + slot * 0.1:.1f}" y="{base - height:.1f}" '
                    f'width="{slot * 0.8:.1f}" height="{height:.1f}" fill="{colour}">'
                    f"<title>{_esc(label)} — {_esc(name)}: {grouped(values[i])}</title></rect>"
                )
            base -= height
        if i % every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{plot_top + plot_h + 16}" '
                f'text-anchor="middle" fill="{INK}">{_esc(label)}</text>'
            )
    return _frame(chart, plot_top + plot_h + 26, "".join(parts), standalone)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]
