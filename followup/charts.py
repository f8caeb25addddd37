"""Server-rendered SVG charts of goal fulfilment: the same markup in the browser and the PDF.

No colour carries meaning alone: every point and bar segment also has its status's
symbol and sits on a labelled row or beside its count, and each chart comes with a
text alternative (``<title>``/``<desc>``, and a table or list on the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from followup.choices import Fulfilment
from followup.rollup import STATUS_ORDER, SYMBOLS, label, symbol

# Colours of the statuses, each with a contrast of at least 4.5:1 against white.
COLOURS = {
    Fulfilment.FULFILLED: "#1e6b3a",
    Fulfilment.PARTLY: "#8a4b00",
    Fulfilment.NOT_FULFILLED: "#a1262d",
    Fulfilment.NOT_ASSESSED: "#4a5561",
}

# The trend: one row per status, one column per period.
TREND_LABEL_WIDTH = 112
TREND_COLUMN = 60
TREND_ROW = 22
TREND_TOP = 12


@dataclass(frozen=True)
class TrendPoint:
    """One period's final assessment of a goal."""

    label: str  # "Delår 2025"
    short: tuple[str, str]  # ("Delår", "2025"): the axis label's two lines
    status: str
    status_label: str


def trend_svg(points: list[TrendPoint], title: str, ident: str, words: dict | None = None) -> str:
    """The assessments of one goal over the periods as a small dot chart (SVG markup).

    Rows are the statuses (uppfyllt at the top, ej bedömt at the bottom), columns the
    periods from the oldest; assessed periods are joined by a line. ``ident`` makes the
    element ids unique on the page. ``words``: a dict kept while a page renders
    (``trend_words``), so the rows' labels are written once a page, not once a chart.
    """
    if words is None:
        words = {}
    rows = _TREND_ROWS
    width = TREND_LABEL_WIDTH + max(len(points), 1) * TREND_COLUMN
    axis_y = TREND_TOP + len(STATUS_ORDER) * TREND_ROW
    height = axis_y + 34
    description = "; ".join(f"{p.label}: {p.status_label}" for p in points) or _(
        "No period has been assessed yet."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img"'
        f' aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    labels = words.get("rows")
    if labels is None:
        labels = words["rows"] = [
            (
                f'<text x="0" y="{y + 5}" font-size="13" fill="#4a5561">'
                f"{escape(_short_status(status))}</text>"
                f'<line x1="{TREND_LABEL_WIDTH - 4}" y1="{y}" x2="',
                f'" y2="{y}" stroke="#d5dbe1" stroke-width="1"/>',
            )
            for status, y in rows.items()
        ]
    for head, tail in labels:
        parts.append(f"{head}{width}{tail}")
    line = []
    for n, point in enumerate(points):
        x = TREND_LABEL_WIDTH + n * TREND_COLUMN + TREND_COLUMN // 2
        y = rows.get(point.status, rows[Fulfilment.NOT_ASSESSED])
        if point.status != Fulfilment.NOT_ASSESSED:
            line.append(f"{x},{y}")
        first, second = point.short
        parts.append(
            f'<text x="{x}" y="{axis_y + 14}" font-size="12" text-anchor="middle"'
            f' fill="#1b1f24">{escape(first)}</text>'
            f'<text x="{x}" y="{axis_y + 28}" font-size="12" text-anchor="middle"'
            f' fill="#1b1f24">{escape(second)}</text>'
        )
    if len(line) > 1:
        parts.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="#6b7785" stroke-width="1.5"/>'
        )
    for n, point in enumerate(points):
        x = TREND_LABEL_WIDTH + n * TREND_COLUMN + TREND_COLUMN // 2
        y = rows.get(point.status, rows[Fulfilment.NOT_ASSESSED])
        colour = COLOURS.get(point.status, COLOURS[Fulfilment.NOT_ASSESSED])
        parts.append(
            f"<g><title>{escape(point.label)}: {escape(point.status_label)}</title>"
            f'<circle cx="{x}" cy="{y}" r="8" fill="{colour}"/>'
            f'<text x="{x}" y="{y + 4}" font-size="11" text-anchor="middle" fill="#fff">'
            f"{escape(SYMBOLS.get(point.status, NOT_ASSESSED_SYMBOL))}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


_TREND_ROWS = {status: TREND_TOP + n * TREND_ROW for n, status in enumerate(STATUS_ORDER)}
NOT_ASSESSED_SYMBOL = SYMBOLS[Fulfilment.NOT_ASSESSED]


def _short_status(status) -> str:
    return {
        Fulfilment.FULFILLED: _("Fulfilled"),
        Fulfilment.PARTLY: _("Partly"),
        Fulfilment.NOT_FULFILLED: _("Not fulfilled"),
        Fulfilment.NOT_ASSESSED: _("Not assessed"),
    }[status]


# Counts per goal as stacked bars (the halvtidsuppföljning).
BAR_WIDTH = 640
BAR_HEIGHT = 22
BAR_ROW = 50


@dataclass(frozen=True)
class CountBar:
    label: str
    counts: dict  # status -> n


def count_bars_svg(bars: list[CountBar], title: str, description: str, ident: str) -> str:
    """Per row (an övergripande mål) its assessments by status as one stacked bar.

    Each segment is as long as its share of the largest row and, where it is wide
    enough, says its symbol and count; the page shows the same counts in a table.
    """
    largest = max((sum(bar.counts.values()) for bar in bars), default=0) or 1
    height = len(bars) * BAR_ROW + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="count-bars"'
        f' viewBox="0 0 {BAR_WIDTH} {height}" width="100%" role="img"'
        f' aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for n, bar in enumerate(bars):
        top = n * BAR_ROW
        parts.append(
            f'<text x="0" y="{top + 13}" font-size="12" fill="#1b1f24">{escape(bar.label)}</text>'
        )
        x = 0.0
        for status in STATUS_ORDER:
            count = bar.counts.get(status, 0)
            if not count:
                continue
            width = count / largest * (BAR_WIDTH - 2)
            colour = COLOURS[status]
            label = f"{symbol(status)} {count}"
            parts.append(
                f"<g><title>{escape(_status_label(status))}: {count}</title>"
                f'<rect x="{x:.1f}" y="{top + 18}" width="{width:.1f}" height="{BAR_HEIGHT}"'
                f' fill="{colour}" stroke="#fff" stroke-width="1"/>'
            )
            if width >= 30:
                parts.append(
                    f'<text x="{x + width / 2:.1f}" y="{top + 18 + 15}" font-size="12"'
                    f' text-anchor="middle" fill="#fff">{escape(label)}</text>'
                )
            parts.append("</g>")
            x += width
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _status_label(status) -> str:
    return label(status).capitalize()
