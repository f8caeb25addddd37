"""The reports' charts as data for one SVG template: the page and the PDF draw the same.

No colour alone: every bar carries its counts in words beside it, and each segment
has its status as a pattern class and a title.
"""

from __future__ import annotations

from followup.rollup import STATUS_ORDER, label

WIDTH = 240
# Written on the SVG itself (WeasyPrint does not read fill from a stylesheet).
COLOURS = {
    "fulfilled": "#2e7d32",
    "partly": "#f9a825",
    "not_fulfilled": "#c62828",
    "not_assessed": "#9e9e9e",
}
HEIGHT = 14


def stacked_bar(counts: dict[str, int]) -> dict:
    """Segments of one bar, best status first: {"segments": [{x, width, status, label, n}],
    "total": n, "width": WIDTH, "height": HEIGHT}."""
    total = sum(counts.get(status, 0) for status in STATUS_ORDER)
    segments = []
    x = 0.0
    for status in STATUS_ORDER:
        n = counts.get(status, 0)
        if not n or not total:
            continue
        width = round(WIDTH * n / total, 2)
        segments.append(
            {
                "x": round(x, 2),
                "width": width,
                "status": str(status),
                "colour": COLOURS[str(status)],
                "label": label(status),
                "n": n,
            }
        )
        x += width
    return {"segments": segments, "total": total, "width": WIDTH, "height": HEIGHT}
