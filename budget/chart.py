"""Server-rendered SVG bar charts: the same markup works in the browser and in WeasyPrint."""

from __future__ import annotations

import html
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


def frame_forecast_chart(rows, fmt=None) -> dict:
    """Per nämnd: the current frame and the forecast as two bars, longest = full width.

    ``fmt`` formats an amount for the labels: by default tkr, the unit of the page's tables.
    """
    fmt = fmt or formatting.tkr_formatter(unit=True)
    figures = [(row.unit.name, row.current, row.forecast_or_frame) for row in rows]
    values = [abs(current) for _name, current, _forecast in figures] + [
        abs(forecast) for _name, _current, forecast in figures
    ]
    largest = max(values, default=Decimal("1")) or Decimal("1")
    bars = []
    for index, (name, current, forecast) in enumerate(figures):
        bars.append(
            Bar(
                label=name,
                y=index * ROW_HEIGHT + 12,
                frame_y=index * ROW_HEIGHT + 16,
                forecast_y=index * ROW_HEIGHT + 16 + BAR_HEIGHT + 2,
                frame_width=int(abs(current) / largest * (WIDTH - 10)),
                forecast_width=int(abs(forecast) / largest * (WIDTH - 10)),
                over=(signs.deviation(forecast, current) or 0) < 0,
                frame_text=fmt(current),
                forecast_text=fmt(forecast),
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

    Written here rather than in the template: a municipality has fifty of them. Its texts
    go through ``html.escape``, as Django's ``escape`` does, without its lazy-string wrapper.
    """
    frame, forecast = escape(_("Frame")), escape(_("Forecast"))
    parts = []
    for bar in bars:
        fill = "url(#over)" if bar.over else "#0b4f71"
        label = html.escape(bar.label)
        parts.append(
            f'\n  <text x="0" y="{bar.y}" font-size="12" fill="#1b1f24">{label}</text>'
            f'\n  <rect x="0" y="{bar.frame_y}" width="{bar.frame_width}" height="{BAR_HEIGHT}"'
            f' fill="#6b7785"><title>{frame}: {html.escape(bar.frame_text)}</title></rect>'
            f'\n  <rect x="0" y="{bar.forecast_y}" width="{bar.forecast_width}"'
            f' height="{BAR_HEIGHT}" fill="{fill}">'
            f"<title>{forecast}: {html.escape(bar.forecast_text)}</title></rect>\n  "
        )
    return mark_safe("".join(parts))
