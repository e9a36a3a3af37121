"""Small, fast SVG charts for widgets that redraw on every change (a redraw takes < 1 ms).

A matplotlib PNG takes tens to hundreds of milliseconds to render, too slow for a callback that
should finish "well under 100 ms" (project issue 4). These two charts - lines over visits or
weeks, and points with interval whiskers - are drawn as inline SVG for an ``ipywidgets.HTML``
trait. Each chart is an image with a text alternative (``role="img"``, ``aria-label`` and
``<title>``), keeps its source caption inside the figure, and gives every series its own dash
pattern and marker shape so that colour never carries meaning alone.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["HLine", "Series", "interval_chart", "line_chart"]

_W, _H = 640, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 190, 30, 64
_FONT = "font-family='sans-serif'"
_DASHES = {"solid": "", "dashed": "6 4", "dotted": "2 3", "dashdot": "8 3 2 3"}


@dataclass(frozen=True)
class Series:
    """One line: its legend label, points, colour, dash style and marker ('o', 's', '^' or '')."""

    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    colour: str = "#0b4f6c"
    dash: str = "solid"
    marker: str = "o"


@dataclass(frozen=True)
class HLine:
    """A labelled horizontal reference line (e.g. a treat-to-target threshold)."""

    y: float
    label: str
    colour: str = "#1e5631"
    dash: str = "dashed"


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "s":
        return f"<rect x='{x - 3:.1f}' y='{y - 3:.1f}' width='6' height='6' fill='{colour}'/>"
    if kind == "^":
        pts = f"{x:.1f},{y - 4:.1f} {x - 4:.1f},{y + 3:.1f} {x + 4:.1f},{y + 3:.1f}"
        return f"<polygon points='{pts}' fill='{colour}'/>"
    if kind == "o":
        return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{colour}'/>"
    return ""


def _frame(title: str, description: str, body: list[str], caption: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{_e(description)}' "
        f"viewBox='0 0 {_W} {_H}' width='{_W}' height='{_H}' style='max-width:100%;height:auto'>"
        f"<title>{_e(description)}</title><rect width='{_W}' height='{_H}' fill='white'/>"
        f"<text x='{_LEFT}' y='18' {_FONT} font-size='13' font-weight='bold'>{_e(title)}</text>"
        + "".join(body)
        + f"<text x='6' y='{_H - 8}' {_FONT} font-size='9' fill='#333'>{_e(caption)}</text></svg>"
    )


def _ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten), at most ``most``."""
    span = high - low
    if span <= 0:
        return [low]
    power = 10.0 ** math.floor(math.log10(span / most))
    step = next(m * power for m in (1, 2, 2.5, 5, 10, 20) if span / (m * power) <= most)
    first = math.ceil(low / step) * step
    count = math.floor((high - first) / step + 1e-9) + 1
    return [round(first + i * step, 10) for i in range(count)]


def line_chart(
    series: Sequence[Series],
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    title: str,
    x_label: str,
    y_label: str,
    caption: str,
    description: str,
    hlines: Sequence[HLine] = (),
) -> str:
    """Draw lines (with markers) and reference lines on shared axes; return SVG markup."""
    x0, x1 = x_range
    y0, y1 = y_range
    pw, ph = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def px(x: float) -> float:
        return _LEFT + (x - x0) / ((x1 - x0) or 1) * pw

    def py(y: float) -> float:
        return _TOP + ph - (y - y0) / ((y1 - y0) or 1) * ph

    body = [f"<rect x='{_LEFT}' y='{_TOP}' width='{pw}' height='{ph}' fill='none' stroke='#555'/>"]
    for t in _ticks(y0, y1):
        body.append(
            f"<text x='{_LEFT - 6}' y='{py(t) + 4:.1f}' {_FONT} font-size='10' "
            f"text-anchor='end'>{t:g}</text>"
        )
    for t in _ticks(x0, x1):
        body.append(
            f"<text x='{px(t):.1f}' y='{_TOP + ph + 14}' {_FONT} font-size='10' "
            f"text-anchor='middle'>{t:g}</text>"
        )
    body.append(
        f"<text x='{_LEFT + pw / 2:.1f}' y='{_TOP + ph + 30}' {_FONT} font-size='11' "
        f"text-anchor='middle'>{_e(x_label)}</text>"
        f"<text x='14' y='{_TOP + ph / 2:.1f}' {_FONT} font-size='11' text-anchor='middle' "
        f"transform='rotate(-90 14 {_TOP + ph / 2:.1f})'>{_e(y_label)}</text>"
    )
    legend: list[tuple[str, str, str, str]] = []
    for h in hlines:
        y = py(h.y)
        body.append(
            f"<line x1='{_LEFT}' x2='{_LEFT + pw}' y1='{y:.1f}' y2='{y:.1f}' stroke='{h.colour}' "
            f"stroke-dasharray='{_DASHES[h.dash]}'/>"
        )
        legend.append((h.label, h.colour, h.dash, ""))
    for s in series:
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(s.xs, s.ys, strict=True))
        body.append(
            f"<polyline points='{points}' fill='none' stroke='{s.colour}' stroke-width='2' "
            f"stroke-dasharray='{_DASHES[s.dash]}'/>"
        )
        body.extend(
            _marker(s.marker, px(x), py(y), s.colour) for x, y in zip(s.xs, s.ys, strict=True)
        )
        legend.append((s.label, s.colour, s.dash, s.marker))
    lx = _LEFT + pw + 12
    for i, (label, colour, dash, marker) in enumerate(legend):
        y = _TOP + 8 + i * 16
        body.append(
            f"<line x1='{lx}' x2='{lx + 22}' y1='{y}' y2='{y}' stroke='{colour}' stroke-width='2' "
            f"stroke-dasharray='{_DASHES[dash]}'/>{_marker(marker, lx + 11, y, colour)}"
            f"<text x='{lx + 28}' y='{y + 4}' {_FONT} font-size='10'>{_e(label)}</text>"
        )
    return _frame(title, description, body, caption)


def interval_chart(
    rows: Sequence[tuple[str, float, float, float]],
    *,
    x_max: float,
    title: str,
    x_label: str,
    caption: str,
    description: str,
) -> str:
    """Draw one point with its interval whisker per row (label, value, lower, upper); SVG markup."""
    pw = _W - _LEFT - 60 - 40
    ph = _H - _TOP - _BOTTOM
    left = _LEFT + 60

    def px(x: float) -> float:
        return left + x / (x_max or 1) * pw

    body = [f"<rect x='{left}' y='{_TOP}' width='{pw}' height='{ph}' fill='none' stroke='#555'/>"]
    for t in _ticks(0, x_max):
        body.append(
            f"<text x='{px(t):.1f}' y='{_TOP + ph + 14}' {_FONT} font-size='10' "
            f"text-anchor='middle'>{t:g}</text>"
        )
    body.append(
        f"<text x='{left + pw / 2:.1f}' y='{_TOP + ph + 30}' {_FONT} font-size='11' "
        f"text-anchor='middle'>{_e(x_label)}</text>"
    )
    gap = ph / (len(rows) + 1) if rows else ph
    for i, (label, value, lower, upper) in enumerate(rows):
        y = _TOP + gap * (i + 1)
        body.append(
            f"<text x='{left - 8}' y='{y + 4:.1f}' {_FONT} font-size='11' "
            f"text-anchor='end'>{_e(label)}</text>"
            f"<line x1='{px(lower):.1f}' x2='{px(upper):.1f}' y1='{y:.1f}' y2='{y:.1f}' "
            f"stroke='#0b4f6c' stroke-width='2'/>"
            f"<line x1='{px(lower):.1f}' x2='{px(lower):.1f}' y1='{y - 5:.1f}' y2='{y + 5:.1f}' "
            f"stroke='#0b4f6c'/><line x1='{px(upper):.1f}' x2='{px(upper):.1f}' "
            f"y1='{y - 5:.1f}' y2='{y + 5:.1f}' stroke='#0b4f6c'/>"
            f"{_marker('o', px(value), y, '#0b4f6c')}"
            f"<text x='{px(value):.1f}' y='{y - 9:.1f}' {_FONT} font-size='10' "
            f"text-anchor='middle'>{value:.1f}</text>"
        )
    return _frame(title, description, body, caption)
