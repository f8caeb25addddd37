"""Server-rendered SVG bar charts: the same markup works in the browser and in WeasyPrint."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from budget import signs
from styrning import formatting

BAR_HEIGHT = 14
ROW_HEIGHT = 52
WIDTH = 640


@dataclass
class Bar:
    label: str
    y: int
    frame_y: int
    forecast_y: int
    frame_width: int
    forecast_width: int
    over: bool
    frame_text: str
    forecast_text: str


def frame_forecast_chart(rows, fmt=formatting.tkr) -> dict:
    """Per nämnd: the current frame and the forecast as two bars, longest = full width.

    ``fmt`` formats an amount for the labels: tkr, the unit of the page's tables.
    """
    values = [abs(r.current) for r in rows] + [abs(r.forecast_or_frame) for r in rows]
    largest = max(values, default=Decimal("1")) or Decimal("1")
    bars = []
    for index, row in enumerate(rows):
        frame_w = int(abs(row.current) / largest * (WIDTH - 10))
        forecast_w = int(abs(row.forecast_or_frame) / largest * (WIDTH - 10))
        bars.append(
            Bar(
                label=row.unit.name,
                y=index * ROW_HEIGHT + 12,
                frame_y=index * ROW_HEIGHT + 16,
                forecast_y=index * ROW_HEIGHT + 16 + BAR_HEIGHT + 2,
                frame_width=frame_w,
                forecast_width=forecast_w,
                over=(signs.deviation(row.forecast_or_frame, row.current) or 0) < 0,
                frame_text=fmt(row.current),
                forecast_text=fmt(row.forecast_or_frame),
            )
        )
    return {
        "bars": bars,
        "width": WIDTH,
        "height": len(rows) * ROW_HEIGHT + 10,
        "bar_height": BAR_HEIGHT,
    }
