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

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from budget import signs, tables
from budget.models import BudgetYear, InvestmentProject
from budget.overview import board_map, budget_overview, needs_action_plan
from followup.choices import Fulfilment, ReportKind
from followup.models import Assessment, ReportingPeriod, Submission
from followup.rollup import (
    STATUS_ORDER,
    assignments_in_period,
    label,
    rollup_for_period,
    symbol,
)
from goals.models import Assignment, Goal, GoalLevel
from reports import annual as annual_parts
from reports import financial
from reports.charts import stacked_bar
from reports.midterm import midterm
from reports.models import MIDTERM, document_title
from reports.personnel import personnel_part
from reports.writing import add_texts
from styrning import formatting
from styrning.models import OrgUnit

ZERO = Decimal("0")

VERSION = 1

# The driftredovisning of a månadsrapport: the /budget/ table's columns, in this order.
MONTHLY_KEYS = ["name", "current", "budget_to_date", "outcome", "deviation_to_date"]
FORECAST_KEYS = ["forecast", "deviation_forecast"]

SUPPORTED = (ReportKind.MONTHLY, ReportKind.INTERIM, ReportKind.ANNUAL)


class NotSupported(Exception):
    """This kind of report cannot be made yet."""


def build(period: ReportingPeriod, kind: str | None = None) -> dict:
    """The context of ``period``'s report (of its own kind unless ``kind`` is given: the
    halvtidsuppföljning reads its year's last goal period)."""
    builders = {
        ReportKind.MONTHLY: monthly,
        ReportKind.INTERIM: interim,
        ReportKind.ANNUAL: annual,
        MIDTERM: midterm,
    }
    builder = builders.get(kind or period.kind)
    if builder is None:
        raise NotSupported(
            _("Styrning cannot make a %(kind)s yet.") % {"kind": period.get_kind_display()}
        )
    context = builder(period)
    if (kind or period.kind) == period.kind:
        add_texts(context, period)  # the chapters written for the period's own report
    return context


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
    ov = budget_overview(budget_year, period.month, approved_only=True)
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


def drift_table(ov, with_forecast: bool, keys=None, headings=None) -> dict:
    """The driftredovisning per nämnd with its total, in tkr, from /budget/'s columns
    (``keys``, the månadsrapport's by default; ``headings`` renames some by key)."""
    keys = keys or MONTHLY_KEYS + (FORECAST_KEYS if with_forecast else [])
    by_key = {column.key: column for column in tables.drift_columns(ov.budget_year)}
    columns = [by_key[key] for key in keys]
    if headings:
        columns = [
            replace(column, heading=headings[column.key]) if column.key in headings else column
            for column in columns
        ]

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
        "note": ov.unallocated_note,
    }


def _comments(period) -> dict[int, list[dict]]:
    """Nämnd id → the approved submissions' economic comments and action plans (two
    queries)."""
    boards = board_map(period.municipality)
    found: dict[int, list[dict]] = {}
    submissions = (
        # Approved ones only, as the forecasts beside them (approved_only): a comment sent
        # with a forecast not yet approved would explain figures the table does not show.
        Submission.objects.filter(period=period, state__in=Submission.DECIDED_STATES)
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


# --- delårsrapport ------------------------------------------------------------------------


def interim(period: ReportingPeriod) -> dict:
    """Delårsrapport: sammanfattning, måluppfyllelse per goal of the level under the vision,
    driftredovisning with totals, investeringar, åtgärdsplaner, god ekonomisk hushållning
    and balanskrav from the helårsprognos, resultaträkning and balansräkning, and each
    nämnd's and bolag's section (its goals with assessment, analysis and indicators, its
    särskilda uppdrag). A fixed number of queries (budget_overview's, the roll-up's and
    about fifteen more)."""
    context, _parts = _year_report(period, year_end=False)
    context["summary"] = _summary(context)
    return context


def annual(period: ReportingPeriod) -> dict:
    """Årsredovisning: the delårsrapport's parts for the whole year with the year's
    assessments instead of prognoses, and förvaltningsberättelse (god ekonomisk hushållning,
    balanskravsutredning), driftredovisning with the adopted budget, the year's budget
    changes with their decisions, the adjusted budget, utfall and avvikelse, the
    investeringsredovisning with total expenditure, and the räkenskaper (RR, BR,
    kassaflödesanalys, noter). A fixed number of queries."""
    context, parts = _year_report(period, year_end=True)
    context["title"] = document_title(period, ReportKind.ANNUAL)
    ov, budget_year = parts["overview"], parts["budget_year"]
    context["drift"] = (
        drift_table(ov, False, keys=annual_parts.DRIFT_KEYS, headings=annual_parts.headings())
        if ov
        else None
    )
    if context["drift"]:
        context["drift"]["terms"] = annual_parts.drift_terms()
    context["changes"] = annual_parts.budget_changes(ov) if ov else None
    context["investments"] = annual_parts.investments(budget_year) if budget_year else None
    indicators = [
        _indicator(progress)
        for goal, rollup in parts["goals"]
        if rollup and annual_parts.is_financial_goal(goal)
        for progress in rollup.indicators
    ]
    context["economy"] = annual_parts.economy(ov, parts["figures"], indicators)
    context["management"] = annual_parts.management_report(
        period, context, ov, parts["figures"], parts["next_year"]
    )
    context["summary"] = annual_parts.summary(context) + _summary(context, economy=False)
    return context


def _year_report(period: ReportingPeriod, *, year_end: bool) -> tuple[dict, dict]:
    """What the delårsrapport and the årsredovisning share, for January–the period's month:
    goals, drift, investments, action plans, economy, the nämnder's sections and the
    räkenskaper. Returns the context and the parts the årsredovisning builds on."""
    context = _base(period)
    context["forecast"] = not year_end
    municipality = period.municipality
    rollups = rollup_for_period(municipality, period, decided_only=True)
    levels = list(GoalLevel.objects.filter(municipality=municipality).order_by("order"))
    # The goals the report names: the level under the top (måluppfyllelse), those of the
    # nämnder, styrelser and bolag (their sections) and those of the economy's perspective
    # (god ekonomisk hushållning) — not the whole chain: its roll-up gives the counts.
    shown = models.Q(owner__kind__in=(*OrgUnit.GOVERNING_KINDS, OrgUnit.Kind.COMPANY))
    if len(levels) > 1:
        shown |= models.Q(level=levels[1])
    shown |= models.Q(
        pk__in=Goal.perspectives.through.objects.filter(
            perspective__name__icontains=annual_parts.FINANCIAL_PERSPECTIVE
        ).values("goal_id")
    )
    goals = list(
        Goal.objects.filter(
            shown,
            municipality=municipality,
            status=Goal.Status.ADOPTED,
            start_year__lte=period.year,
            end_year__gte=period.year,
        )
        .select_related("level", "owner")
        .prefetch_related("perspectives")
        .order_by("level__order", "tree_id", "lft")
    )
    prognoses = (
        None
        if year_end
        else rollup_for_period(municipality, period, decided_only=True, prognosis=True)
    )
    context["goals"] = _goal_fulfilment(goals, levels, rollups, prognoses)
    budget_years = {
        b.year: b
        for b in BudgetYear.objects.filter(
            municipality=municipality, year__in=(period.year, period.year + 1)
        )
    }
    budget_year = budget_years.get(period.year)
    ov = budget_overview(budget_year, period.month, approved_only=True) if budget_year else None
    if ov is None:
        context["notes"].append(
            _("There is no budget for %(year)s in Styrning, so the report has no figures.")
            % {"year": period.year}
        )
    comments = _comments(period)
    context["drift"] = drift_table(ov, True) if ov else None
    context["investments"] = _investments(budget_year) if budget_year else None
    context["action_plans"] = _action_plans(ov, comments, period, year_end) if ov else []
    context["economy"] = _economy(ov) if ov else None
    context["bodies"], context["companies"] = split_sections(
        _body_sections(period, goals, rollups, ov, year_end)
    )
    statements_part = financial.statements_part(
        municipality, period.year, period.month, annual=year_end
    )
    figures = statements_part.pop("figures")
    context["statements"] = statements_part
    context["personnel"] = personnel_part(period)
    parts = {
        "overview": ov,
        "budget_year": budget_year,
        "next_year": budget_years.get(period.year + 1),
        "figures": figures,
        "goals": [(goal, rollups.get(goal.pk)) for goal in goals],
    }
    return context, parts


def _status(status) -> dict:
    return {
        "key": str(status or Fulfilment.NOT_ASSESSED),
        "label": label(status),
        "symbol": symbol(status),
    }


def _goal_fulfilment(goals, levels, rollups, prognoses=None) -> dict | None:
    """Måluppfyllelse per goal of the level under the top (the vision): the counts of the
    goals directly below it by their assessment, a bar of them, the summed assessment
    and, given ``prognoses`` (the roll-up of the prognoses, delår), the year-end's."""
    if len(levels) < 2:
        return None
    level, below = levels[1], (levels[2] if len(levels) > 2 else None)
    rows = []
    for goal in goals:
        if goal.level_id != level.pk:
            continue
        rollup = rollups.get(goal.pk)
        counts = dict(rollup.counts) if rollup else {}
        rows.append(
            {
                "title": goal.title,
                "counts": [counts.get(str(s), 0) for s in STATUS_ORDER],
                "total": sum(counts.values()),
                "final": _status(rollup.final if rollup else None),
                "explanation": rollup.explanation if rollup else "",
                "prognosis": _status(prognoses[goal.pk].final)
                if prognoses and goal.pk in prognoses
                else None,
                "chart": stacked_bar(counts),
            }
        )
    finals = defaultdict(int)
    for row in rows:
        finals[row["final"]["key"]] += 1
    return {
        "level": level.name,
        "level_plural": level.name_plural,
        "below_plural": below.name_plural if below else "",
        "statuses": [label(s) for s in STATUS_ORDER],
        "rows": rows,
        "finals": [{"label": label(s), "n": finals.get(str(s), 0)} for s in STATUS_ORDER],
        "count": len(rows),
    }


def _investments(budget_year) -> dict:
    """The year's investment projects in tkr: budget, outcome to date, deviation, total
    expenditure (one query; the columns of /budget/investeringar/)."""
    rows, totals = [], [ZERO, ZERO, ZERO]
    for _pk, code, name, unit_name, budget, outcome, total in (
        InvestmentProject.objects.filter(budget_year=budget_year)
        .order_by("code")
        .values_list(*tables.INVESTMENT_FIELDS)
    ):
        rows.append(
            {
                "name": f"{code} {name}",
                "unit": unit_name,
                "cells": [
                    formatting.in_tkr(budget),
                    formatting.in_tkr(outcome),
                    formatting.in_tkr(signs.deviation(outcome, budget)),
                    formatting.in_tkr(total),
                ],
            }
        )
        totals[0] += budget
        totals[1] += outcome
        totals[2] += total or ZERO
    return {
        "rows": rows,
        "total": [
            formatting.in_tkr(totals[0]),
            formatting.in_tkr(totals[1]),
            formatting.in_tkr(signs.deviation(totals[1], totals[0])),
            formatting.in_tkr(totals[2]),
        ],
    }


def _action_plans(ov, comments, period, year_end=False) -> list[dict]:
    """The nämnder whose forecast (at year-end: outcome) deviates beyond the threshold, and
    every action plan sent."""
    found = []
    for row in ov.rows:
        plans = [c for c in comments.get(row.unit.pk, []) if c["action_plan"]]
        deviation = row.deviation_to_date if year_end else row.deviation_forecast
        needed = (
            needs_action_plan(ov.budget_year, deviation, row.current)
            if year_end
            else row.needs_action_plan
        )
        if needed or plans:
            found.append(
                {
                    "name": row.name,
                    "deviation": formatting.tkr(deviation),
                    "needed": needed,
                    "plans": plans,
                }
            )
    return found


def _economy(ov) -> dict:
    """God ekonomisk hushållning (the financial target against the forecast) and the
    balanskravsresultat expected from the helårsprognos."""
    result = ov.result_forecast
    share = ov.result_share_forecast
    return {
        "result_budget": formatting.mnkr(ov.result_budget),
        "result_forecast": formatting.mnkr(result),
        "share_budget": formatting.percent(ov.result_share_budget),
        "share_forecast": formatting.percent(share),
        "target": formatting.percent(ov.target),
        "meets_target": ov.meets_target_forecast,
        "deviation_forecast": formatting.mnkr(ov.totals.deviation_forecast),
        "balance": {
            "result": formatting.mnkr(result),
            "after_adjustments": formatting.mnkr(result),
            "outcome": formatting.mnkr(result),
            "positive": result >= 0,
        },
    }


def _body_sections(period, goals, rollups, ov=None, year_end=False) -> list[dict]:
    """Each nämnd, styrelse and bolagsstyrelse: its goals with assessment, prognosis,
    analysis and indicators, the särskilda uppdrag of its units, and its row of the
    driftredovisning (``ov``). A bolagsstyrelse's section is its kommunägt bolag's
    (``"company"``: the bolag's name), with the bolag's own goals too; three queries."""
    municipality = period.municipality
    units = list(
        OrgUnit.objects.filter(
            municipality=municipality,
            kind__in=(*OrgUnit.GOVERNING_KINDS, OrgUnit.Kind.COMPANY),
        ).order_by("tree_id", "lft")
    )
    bodies = [u for u in units if u.kind in OrgUnit.GOVERNING_KINDS]
    companies = {u.parent_id: u for u in units if u.kind == OrgUnit.Kind.COMPANY}
    section_of = {b.pk: b.pk for b in bodies}
    section_of.update(
        {company.pk: board for board, company in companies.items() if board in section_of}
    )
    boards = board_map(municipality)
    analyses = {
        goal_id: (status, prognosis, analysis)
        for goal_id, status, prognosis, analysis in Assessment.objects.filter(
            submission__period=period,
            submission__state__in=Submission.DECIDED_STATES,
        )
        .order_by()
        .values_list("goal_id", "status", "prognosis", "analysis")
    }
    by_body = defaultdict(list)
    for goal in goals:
        if goal.owner_id in section_of:
            by_body[section_of[goal.owner_id]].append(goal)
    assignments = defaultdict(list)
    found = assignments_in_period(
        Assignment.objects.filter(municipality=municipality)
        .filter(due_date__year__gte=period.year, decided_on__year__lte=period.year)
        .select_related("unit")
        .order_by("due_date", "title"),
        period,
    )
    labels = dict(Assignment.Status.choices)
    for assignment in found:
        status = assignment.period_status
        assignments[boards.get(assignment.unit_id)].append(
            {
                "title": assignment.title,
                "unit": assignment.unit.name,
                "due": formatting.iso_date(assignment.due_date),
                "status": str(labels.get(status, status)),
                "comment": assignment.period_comment,
            }
        )
    drift = _drift_rows(ov, year_end)
    sections = []
    for body in bodies:
        rows = []
        for goal in by_body.get(body.pk, []):
            rollup = rollups.get(goal.pk)
            status, prognosis, analysis = analyses.get(goal.pk, ("", "", ""))
            rows.append(
                {
                    "title": goal.title,
                    "level": goal.level.name,
                    "final": _status(rollup.final if rollup else status or None),
                    "prognosis": _status(prognosis or None) if prognosis else None,
                    "analysis": analysis,
                    "explanation": rollup.explanation if rollup else "",
                    "indicators": [
                        _indicator(progress) for progress in (rollup.indicators if rollup else ())
                    ],
                }
            )
        company = companies.get(body.pk) if body.kind == OrgUnit.Kind.BOARD else None
        if rows or assignments.get(body.pk) or company or drift.get(body.pk):
            sections.append(
                {
                    "name": company.name if company else body.name,
                    "board": body.name,
                    "company": bool(company),
                    "goals": rows,
                    "assignments": assignments.get(body.pk, []),
                    "economy": drift.get(body.pk),
                }
            )
    return sections


def _drift_rows(ov, year_end=False) -> dict[int, dict]:
    """Nämnd or styrelse id → its row of the driftredovisning with its headings (no query):
    the delårsrapport's columns (to date and forecast), or the whole year's (``year_end``:
    the årsredovisning's original and adjusted budget, outcome and deviation)."""
    if ov is None:
        return {}
    if year_end:
        table = drift_table(
            ov, False, keys=annual_parts.DRIFT_KEYS, headings=annual_parts.headings()
        )
        for row in table["rows"]:
            row["warning"] = False  # a forecast's warning: the year is over
    else:
        table = drift_table(ov, True)
    return {
        row.unit.pk: {"columns": table["columns"][1:], "row": found, "unit": table["unit"]}
        for row, found in zip(tables.drift_rows(ov), table["rows"], strict=True)
        if row.unit is not None
    }


def split_sections(sections) -> tuple[list[dict], list[dict]]:
    """The nämnder's sections and the kommunägda bolagens, each in the order of the tree."""
    return (
        [s for s in sections if not s["company"]],
        [s for s in sections if s["company"]],
    )


def _indicator(progress) -> dict:
    def value(amount):
        return formatting.number(amount) if amount is not None else formatting.EMPTY

    return {
        "name": progress.name,
        "unit": progress.unit,
        "baseline": value(progress.baseline),
        "baseline_year": progress.baseline_year or "",
        "target": value(progress.target),
        "target_year": progress.target_year or "",
        "value": value(progress.value),
        "value_label": progress.value_label,
        "status": _status(progress.status),
    }


def _summary(context, economy=True) -> list[str]:
    """Sammanfattning: the report's main findings in sentences, from its own figures
    (``economy=False``: the goals and action plans only)."""
    lines = []
    economy = context.get("economy") if economy else None
    if economy:
        lines.append(
            _(
                "The full-year forecast gives a result of %(result)s, %(share)s of taxes and "
                "grants, against a budgeted %(budget)s. The financial target is %(target)s."
            )
            % {
                "result": economy["result_forecast"],
                "share": economy["share_forecast"],
                "budget": economy["result_budget"],
                "target": economy["target"],
            }
        )
        lines.append(
            _("The committees together forecast a deviation of %(deviation)s against budget.")
            % {"deviation": economy["deviation_forecast"]}
        )
    goals = context.get("goals")
    if goals and goals["count"]:
        parts = annual_parts.counted_finals(goals)
        lines.append(
            _("Of %(count)s %(level)s: %(parts)s.")
            % {"count": goals["count"], "level": goals["level_plural"].lower(), "parts": parts}
        )
    plans = [p for p in context.get("action_plans", []) if p["needed"]]
    if plans:
        lines.append(
            _("Action plans are needed for: %(names)s.")
            % {"names": ", ".join(p["name"] for p in plans)}
        )
    return lines
