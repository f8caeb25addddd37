"""Server-rendered SVG bar charts: the same markup works in the browser and in WeasyPrint."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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
        "svg": bars_svg(bars),
        "width": WIDTH,
        "height": len(rows) * ROW_HEIGHT + 10,
        "bar_height": BAR_HEIGHT,
    }


def bars_svg(bars) -> str:
    """The bars as SVG elements: per nämnd its name, the frame bar and the forecast bar.

    Written here rather than in the template: a municipality has fifty of them.
    """
    frame, forecast = escape(_("Frame")), escape(_("Forecast"))
    parts = []
    for bar in bars:
        fill = "url(#over)" if bar.over else "#0b4f71"
        parts.append(
            f'\n  <text x="0" y="{bar.y}" font-size="12" fill="#1b1f24">{escape(bar.label)}</text>'
            f'\n  <rect x="0" y="{bar.frame_y}" width="{bar.frame_width}" height="{BAR_HEIGHT}"'
            f' fill="#6b7785"><title>{frame}: {escape(bar.frame_text)}</title></rect>'
            f'\n  <rect x="0" y="{bar.forecast_y}" width="{bar.forecast_width}"'
            f' height="{BAR_HEIGHT}" fill="{fill}">'
            f"<title>{forecast}: {escape(bar.forecast_text)}</title></rect>\n  "
        )
    return mark_safe("".join(parts))
