"""The halvtidsuppföljning as a report (Katrineholm's): the /uppfoljning/halvtid/ page's
content, from the same function (``followup.fulfilment.midterm_page``), as plain data.

Per goal of the level under the vision (övergripande mål): the summed assessment of the
goals directly below it (resultatmål) and of the uppdrag serving them, with counts and
the page's SVG chart, and each resultatmål and uppdrag with its assessment and comment.
Decided follow-ups only, as on the page: a report to the council.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.utils import timezone
from django.utils.translation import gettext as _

from followup import fulfilment
from followup.models import ReportingPeriod
from reports.models import MIDTERM, document_title
from styrning import formatting

VERSION = 1


def midterm_year_period(municipality, year: int) -> ReportingPeriod | None:
    """The period a halvtidsuppföljning of ``year`` reads: the page's choice, the year's
    last goal period that has opened (one query)."""
    return fulfilment.midterm_period(fulfilment.goal_periods(municipality), year)


def midterm_years(municipality, mandates=None) -> list[int]:
    """The years a halvtidsuppföljning can be made of, newest first (two queries; one
    given the municipality's ``mandates``)."""
    if mandates is None:
        mandates = municipality.mandate_periods.all()
    return fulfilment.midterm_years(fulfilment.goal_periods(municipality), mandates)


def _items(items) -> list[dict]:
    return [asdict(item) for item in items]


def midterm(period: ReportingPeriod) -> dict:
    """The halvtidsuppföljning of ``period``'s year (``period``: the year's last goal
    period). The page's queries and one for the mandate period."""
    municipality = period.municipality
    page = fulfilment.midterm_page(municipality, period, decided_only=True)
    mandate = municipality.mandate_periods.filter(
        start_year__lte=period.year, end_year__gte=period.year
    ).first()
    start = dt.date(mandate.start_year if mandate else period.year, 1, 1)
    level, child_level = page["level"], page["child_level"]
    context = {
        "version": VERSION,
        "kind": "midterm",
        "title": document_title(period, MIDTERM),  # as the report list names it
        "municipality": municipality.name,
        "year": period.year,
        "month": period.month,
        "period_end": formatting.long_date(period.period_end),
        "period_span": f"{formatting.iso_date(start)} – {formatting.iso_date(period.period_end)}",
        "made_on": formatting.long_date(timezone.localdate()),
        "basis": period.label,
        "mandate": str(mandate) if mandate else "",
        "level": level.name if level else "",
        "level_plural": level.name_plural if level else "",
        "child_level_plural": child_level.name_plural if child_level else "",
        "mapping": [{"label": name, "status": status} for name, status in page["mapping"]],
        "chart": str(page["chart"]),
        "totals": _totals(page.get("totals")),
        "rows": [
            {
                "title": row.title,
                "goals": _items(row.goals),
                "assignments": _items(row.assignments),
                "total": _items(row.total),
                "goal_count": sum(item.count for item in row.goals),
                "assignment_count": sum(item.count for item in row.assignments),
                "count": sum(item.count for item in row.total),
                "goal_items": [_item(item) for item in row.goal_items],
                "assignment_items": [_item(item) for item in row.assignment_items],
            }
            for row in page["rows"]
        ],
        "notes": [],
    }
    if not context["rows"]:
        context["notes"].append(_("No goals are followed up in %(year)s.") % {"year": period.year})
    return context


def _totals(totals) -> dict:
    """The page's totals, and both together (resultatmål and uppdrag by assessment)."""
    if not totals:
        return {}
    found = {key: (_items(v) if isinstance(v, list) else v) for key, v in totals.items()}
    found["total"] = [
        {"status": goals["status"], "count": goals["count"] + assignments["count"]}
        for goals, assignments in zip(found["goals"], found["assignments"], strict=True)
    ]
    found["count"] = found["goal_count"] + found["assignment_count"]
    return found


def _item(item) -> dict:
    found = asdict(item)
    found.pop("url")  # the report stands on its own: no links into the live system
    return found
