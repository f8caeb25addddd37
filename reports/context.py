"""What a report shows: one context builder per kind of report, for the page and the PDF.

A context is plain data (strings, numbers as formatted Swedish text, lists and
dicts) so that it can be kept as the report's snapshot (JSON) and shown again,
unchanged, after the data it came from has been corrected. Figures come from the
same functions as the pages (``budget.overview.budget_overview`` and the
driftredovisning's columns in ``budget.tables``), formatted by
``styrning.formatting``; where the data cannot give a part, the context says so
in ``notes`` instead of inventing it.

``build(period)`` runs a fixed number of queries, whatever the number of nämnder.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from budget import tables
from budget.models import BudgetYear
from budget.overview import board_map, budget_overview
from followup.choices import ReportKind
from followup.models import ReportingPeriod, Submission
from styrning import formatting

VERSION = 1

# The driftredovisning of a månadsrapport: the /budget/ table's columns, in this order.
MONTHLY_KEYS = ["name", "current", "budget_to_date", "outcome", "deviation_to_date"]
FORECAST_KEYS = ["forecast", "deviation_forecast"]

SUPPORTED = (ReportKind.MONTHLY,)


class NotSupported(Exception):
    """This kind of report cannot be made yet."""


def build(period: ReportingPeriod) -> dict:
    """The context of ``period``'s report (its kind is the period's)."""
    builders = {ReportKind.MONTHLY: monthly}
    builder = builders.get(period.kind)
    if builder is None:
        raise NotSupported(
            _("Styrning cannot make a %(kind)s yet.") % {"kind": period.get_kind_display()}
        )
    return builder(period)


def _base(period) -> dict:
    municipality = period.municipality
    return {
        "version": VERSION,
        "kind": period.kind,
        "title": period.label,
        "municipality": municipality.name,
        "year": period.year,
        "month": period.month,
        "period_end": formatting.long_date(period.period_end),
        "period_span": f"{formatting.iso_date(period.period_end.replace(day=1, month=1))} – "
        f"{formatting.iso_date(period.period_end)}",
        "made_on": formatting.long_date(timezone.localdate()),
        "notes": [],
    }


def monthly(period: ReportingPeriod) -> dict:
    """Månadsrapport: per nämnd budget, utfall to date, helårsprognos when the period asks
    for one, avvikelse, and the förvaltningar's comments and åtgärder (six queries and
    budget_overview's)."""
    context = _base(period)
    context["forecast"] = period.asks_forecast
    budget_year = BudgetYear.objects.filter(
        municipality_id=period.municipality_id, year=period.year
    ).first()
    if budget_year is None:
        context["drift"] = None
        context["bodies"] = []
        context["notes"].append(
            _("There is no budget for %(year)s in Styrning, so the report has no figures.")
            % {"year": period.year}
        )
        return context
    ov = budget_overview(budget_year, period.month)
    context["drift"] = drift_table(ov, period.asks_forecast)
    if not ov.has_bookings:
        context["notes"].append(
            _("The ledger has no bookings for %(month)s %(year)s yet.")
            % {"month": formatting.month_name(period.month), "year": period.year}
        )
    if not budget_year.is_adopted:
        context["notes"].append(
            _("The budget for %(year)s has not been adopted: the frames are a proposal.")
            % {"year": period.year}
        )
    comments = _comments(period)
    context["bodies"] = [
        {
            "name": row.name,
            "needs_action_plan": bool(period.asks_forecast and row.needs_action_plan),
            "comments": comments.get(row.unit.pk, []),
        }
        for row in ov.rows
    ]
    context["result"] = {
        "budget": formatting.mnkr(ov.result_budget),
        "forecast": formatting.mnkr(ov.result_forecast) if period.asks_forecast else None,
        "share_forecast": formatting.percent(ov.result_share_forecast)
        if period.asks_forecast
        else None,
        "target": formatting.percent(ov.target),
    }
    return context


def drift_table(ov, with_forecast: bool) -> dict:
    """The driftredovisning per nämnd with its total, in tkr, from /budget/'s columns."""
    keys = MONTHLY_KEYS + (FORECAST_KEYS if with_forecast else [])
    by_key = {column.key: column for column in tables.drift_columns(ov.budget_year)}
    columns = [by_key[key] for key in keys]

    def cells(row):
        return [column.page_text(row) for column in columns]

    return {
        "unit": "tkr",
        "month": formatting.month_name(ov.month),
        "columns": [
            {"key": column.key, "heading": str(column.heading), "amount": column.is_amount}
            for column in columns
        ],
        "rows": [
            {"name": row.name, "cells": cells(row)[1:], "warning": bool(row.needs_action_plan)}
            for row in tables.drift_rows(ov)
        ],
        "total": {"name": str(ov.totals.name), "cells": cells(ov.totals)[1:]},
    }


def _comments(period) -> dict[int, list[dict]]:
    """Nämnd id → the sent submissions' economic comments and action plans (two queries)."""
    boards = board_map(period.municipality)
    found: dict[int, list[dict]] = {}
    submissions = (
        Submission.objects.filter(period=period, state__in=Submission.SENT_STATES)
        .select_related("unit")
        .order_by("unit__tree_id", "unit__lft")
    )
    for submission in submissions:
        if not (submission.economic_comment.strip() or submission.action_plan.strip()):
            continue
        board = boards.get(submission.unit_id)
        found.setdefault(board, []).append(
            {
                "unit": submission.unit.name,
                "comment": submission.economic_comment.strip(),
                "action_plan": submission.action_plan.strip(),
            }
        )
    return found
