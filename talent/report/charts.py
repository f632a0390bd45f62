"""The one line-chart builder of the report: axes, scales and SVG coordinates as strings.

Both the demand trend chart (图1, one line per industry) and the forecast small multiples (history,
forecast and prediction bands) are drawn with it; the template only places what it returns. There is
no font metrics engine where this runs, so text widths are estimated (CJK ≈ 1 em, Latin ≈ 0.6 em).

Coordinates print with one decimal, so the same figures always give the same SVG bytes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from talent.units import nice_step


def text_width(text: str, size: int = 12) -> float:
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def tick_label(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


@dataclass(frozen=True)
class LineChart:
    """A plot box over ``points`` evenly spaced x positions and a value axis from 0 to ``top``.

    Build with `LineChart.scaled`, which picks a 1-2-5 tick step so that about ``ticks`` steps cover
    ``peak`` (never below ``min_step``)."""

    x0: float
    x1: float
    y0: float
    y1: float
    points: int
    step: float
    top: float

    @classmethod
    def scaled(
        cls,
        box: tuple[float, float, float, float],
        points: int,
        peak: float,
        *,
        ticks: int,
        min_step: float = 0,
    ) -> LineChart:
        x0, x1, y0, y1 = box
        step: float = max(min_step, nice_step(peak / ticks)) if peak > 0 else 1
        if float(step).is_integer():
            step = int(step)
        top = max(step, math.ceil(peak / step) * step)
        return cls(x0, x1, y0, y1, points, step, top)

    def x_at(self, index: int) -> float:
        if self.points == 1:
            return (self.x0 + self.x1) / 2
        return self.x0 + index * (self.x1 - self.x0) / (self.points - 1)

    def y_at(self, value: float | None) -> float:
        # Values outside the axis (a wide interval bound) are drawn at its edge.
        value = 0 if value is None else min(max(value, 0), self.top)
        return self.y1 - (self.y1 - self.y0) * value / self.top

    def point(self, index: int, value: float | None) -> str:
        return f"{self.x_at(index):.1f},{self.y_at(value):.1f}"

    def polyline(self, values: Sequence[float | None], offset: int = 0) -> str:
        """``points`` of a polyline through the known values, the first at x index ``offset``."""
        return " ".join(self.point(offset + i, v) for i, v in enumerate(values) if v is not None)

    def band(
        self, start: tuple[int, float], lower: Sequence[float | None], upper: Sequence[float | None]
    ) -> str:
        """``points`` of a polygon from ``start`` (index, value) along ``upper`` and back along
        ``lower`` (both starting at the index after it); empty when there is no upper bound to draw."""
        index, value = start
        top = [self.point(index, value)]
        top += [self.point(index + 1 + i, v) for i, v in enumerate(upper) if v is not None]
        if len(top) < 2:
            return ""
        bottom = [self.point(index + 1 + i, v) for i, v in enumerate(lower) if v is not None][::-1]
        return " ".join(top + bottom + [self.point(index, value)])

    def yticks(self) -> list[dict[str, str]]:
        out = []
        tick = 0
        while tick <= self.top + 1e-9:
            out.append({"y": f"{self.y_at(tick):.1f}", "label": tick_label(tick)})
            tick += self.step
        return out

    def xticks(self, labels: Sequence[tuple[int, str]]) -> list[dict[str, str]]:
        """Tick marks at the given x indexes (an empty label draws a minor tick)."""
        return [{"x": f"{self.x_at(i):.1f}", "label": label} for i, label in labels]
