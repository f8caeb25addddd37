"""The årsredovisning's own parts (``reports.context.annual`` puts them together).

Beside what it shares with the delårsrapport: the driftredovisning with the adopted
budget, the year's budget changes with their decisions, the adjusted budget, utfall and
avvikelse (RKR R14; the /budget/ table's columns at December), the year's budget changes
themselves, the investeringsredovisning with decided and estimated total expenditure, god
ekonomisk hushållning from the year's outcome and the förvaltningsberättelse (RKR R15's
headings) from the report's own figures. No queries but ``investments``' one.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from budget import signs, tables
from budget.models import BudgetChange, InvestmentProject
from followup.choices import Fulfilment
from followup.rollup import STATUS_ORDER
from styrning import formatting
from styrning.models import OrgUnit

ZERO = Decimal("0")

# The driftredovisning of an årsredovisning: /budget/'s columns at December.
DRIFT_KEYS = ["name", "adopted", "changes", "current", "outcome", "deviation_to_date"]
# A perspective whose name holds this marks the goals of god ekonomisk hushållning.
FINANCIAL_PERSPECTIVE = "ekonom"


def headings() -> dict:
    """The columns' headings for a whole year (the budget page says "to date")."""
    return {
        "adopted": _("Original budget"),
        "changes": _("Budget changes"),
        "current": _("Adjusted budget"),
        "outcome": _("Outcome"),
        "deviation_to_date": _("Deviation"),
    }


def drift_terms() -> str:
    """The årsredovisning's budget words beside the budget pages' own."""
    return str(
        _(
            "The original budget is each committee's frame as the council adopted it (on the "
            "budget pages: the adopted frame); the adjusted budget is the frame after the "
            "year's decided changes (the current frame)."
        )
    )


def budget_changes(ov) -> dict:
    """The year's decided budget changes per nämnd, with their decisions and the effect on
    the nämnd's frame in tkr (the frame columns' sign: more to spend is +); the same
    entries as /budget/'s list of changes."""
    rows = []
    for entry in ov.changes:
        change = entry.change
        rows.append(
            {
                "body": entry.unit.name,
                "date": formatting.iso_date(change.decided_on),
                "reference": change.decision_reference,
                "decided_by": change.decided_by.name,
                "kind": change.get_kind_display(),
                "description": change.description or change.funding,
                "effect": formatting.in_tkr(entry.frame_effect),
                "inside": entry.inside,
                "reversed": bool(entry.reversed_by) or change.reverses_id is not None,
            }
        )
    total = sum((row.changes for row in ov.rows), ZERO)
    return {
        "rows": rows,
        "total": formatting.in_tkr(signs.frame_to_table(total)),
        "supplementary": sum(
            1 for entry in ov.changes if entry.change.kind == BudgetChange.Kind.SUPPLEMENTARY
        ),
    }


def investments(budget_year) -> dict:
    """The year's investment projects in tkr: budget, outcome, deviation, decided and
    estimated total expenditure (one query; the columns of /budget/investeringar/)."""
    rows, sums = [], [ZERO, ZERO, ZERO, ZERO]
    missing_estimate = False
    for _pk, code, name, unit_name, budget, outcome, total, estimated in (
        InvestmentProject.objects.filter(budget_year=budget_year)
        .order_by("code")
        .values_list(*tables.INVESTMENT_FIELDS, "estimated_total_expenditure")
    ):
        missing_estimate = missing_estimate or (total is not None and estimated is None)
        rows.append(
            {
                "name": f"{code} {name}",
                "unit": unit_name,
                "cells": [
                    formatting.in_tkr(budget),
                    formatting.in_tkr(outcome),
                    formatting.in_tkr(signs.deviation(outcome, budget)),
                    formatting.in_tkr(total),
                    formatting.in_tkr(estimated),
                    formatting.in_tkr(signs.deviation(estimated, total))
                    if estimated is not None and total is not None
                    else formatting.EMPTY,
                ],
            }
        )
        sums[0] += budget
        sums[1] += outcome
        sums[2] += total or ZERO
        sums[3] += estimated or ZERO
    return {
        "rows": rows,
        "total": [
            formatting.in_tkr(sums[0]),
            formatting.in_tkr(sums[1]),
            formatting.in_tkr(signs.deviation(sums[1], sums[0])),
            formatting.in_tkr(sums[2]),
            formatting.in_tkr(sums[3]),
            "",
        ],
        "missing_estimate": missing_estimate,
    }


def is_financial_goal(goal) -> bool:
    """A goal of god ekonomisk hushållning: one of the municipality's perspectives on it is
    the economy's (the model is data: the perspective, not a goal's title)."""
    return any(FINANCIAL_PERSPECTIVE in p.name.lower() for p in goal.perspectives.all())


def economy(ov, figures: dict, indicators: list[dict]) -> dict | None:
    """God ekonomisk hushållning for the year: the financial target of the budget against
    the resultaträkning's result, the equity ratio, the balanskravsresultat, and the
    indicators of the financial goals as the follow-up recorded them."""
    result = figures.get("result")
    if result is None and ov is None:
        return None
    share = figures.get("share")
    target = ov.target if ov else None
    return {
        "result": formatting.mnkr(result),
        "result_budget": formatting.mnkr(ov.result_budget) if ov else formatting.EMPTY,
        "share": formatting.percent(share) if share is not None else formatting.EMPTY,
        "share_budget": formatting.percent(ov.result_share_budget) if ov else formatting.EMPTY,
        "target": formatting.percent(target) if target is not None else formatting.EMPTY,
        "meets_target": share is not None and target is not None and share >= target,
        "assessed": share is not None and target is not None,
        "solidity": formatting.percent(figures["solidity"])
        if figures.get("solidity") is not None
        else formatting.EMPTY,
        "balance_outcome": formatting.mnkr(figures.get("balance_outcome")),
        "balance_positive": bool(figures.get("balance_positive")),
        "deviation": formatting.mnkr(ov.totals.deviation_to_date) if ov else formatting.EMPTY,
        "indicators": indicators,
    }


def management_report(period, context, ov, figures, next_year) -> dict:
    """Förvaltningsberättelse (RKR R15's headings) from the report's own figures; the parts
    the data cannot give are named in ``missing``."""
    sections = []
    economy = context.get("economy") or {}
    companies = [row.name for row in (ov.rows if ov else []) if row.unit.kind == OrgUnit.Kind.BOARD]
    sections.append(
        {
            "key": "koncern",
            "title": _("The municipal group"),
            "lines": [
                _("The municipality's companies, through their boards: %(names)s.")
                % {"names": ", ".join(companies)}
                if companies
                else _("Styrning holds no companies of the municipality.")
            ],
        }
    )
    lines = []
    if economy:
        lines.append(
            _(
                "The year's result is %(result)s against a budgeted %(budget)s: %(share)s of "
                "taxes and general state grants."
            )
            % {
                "result": economy["result"],
                "budget": economy["result_budget"],
                "share": economy["share"],
            }
        )
        if economy["deviation"] != formatting.EMPTY:  # no outcome to compare: no sentence
            lines.append(
                _("The committees together show a deviation of %(deviation)s against budget.")
                % {"deviation": economy["deviation"]}
            )
    sections.append(
        {"key": "resultat", "title": _("Important conditions for the result"), "lines": lines}
    )
    changes = context.get("changes") or {}
    events = []
    if changes.get("rows"):
        events.append(
            ngettext(
                "During the year %(n)s budget changes were decided, %(supplementary)s of them "
                "a supplementary budget (see the driftredovisning).",
                "During the year %(n)s budget changes were decided, %(supplementary)s of them "
                "supplementary budgets (see the driftredovisning).",
                changes["supplementary"],
            )
            % {"n": len(changes["rows"]), "supplementary": changes["supplementary"]}
        )
    sections.append({"key": "handelser", "title": _("Significant events"), "lines": events})
    goals = context.get("goals")
    follow = []
    if goals and goals["count"]:
        parts = counted_finals(goals)
        follow.append(
            _("Of %(count)s %(level)s, assessed for the year: %(parts)s.")
            % {"count": goals["count"], "level": goals["level_plural"].lower(), "parts": parts}
        )
    sections.append({"key": "styrning", "title": _("Governance and follow-up"), "lines": follow})
    future = []
    if next_year is not None:
        future.append(
            _("The budget for %(year)s (%(status)s%(reference)s) is the frame for next year.")
            % {
                "year": next_year.year,
                # "Budgeten … (antagen …)": the budget's own gender, not a goal's "antaget".
                "status": pgettext("budget", next_year.status),
                "reference": f", {next_year.decision_reference}"
                if next_year.decision_reference
                else "",
            }
        )
    sections.append({"key": "framtid", "title": _("Expected development"), "lines": future})
    missing = [
        _(
            "The compiled accounts of the municipal group cannot be computed: the companies' "
            "ledgers are not in Styrning."
        ),
        _(
            "Significant personnel conditions, internal control and events after the year "
            "are written by the report's authors: they are not in the data."
        ),
    ]
    return {"sections": sections, "missing": missing}


def counted_finals(goals) -> str:
    """ "3 uppfyllda, 1 delvis uppfyllt": the goals' counts by final assessment, each in
    agreement with its number (one wording for the sammanfattning and the
    förvaltningsberättelse)."""
    words = {
        Fulfilment.FULFILLED: lambda n: ngettext("%(n)s fulfilled", "%(n)s fulfilled", n),
        Fulfilment.PARTLY: lambda n: ngettext(
            "%(n)s partly fulfilled", "%(n)s partly fulfilled", n
        ),
        Fulfilment.NOT_FULFILLED: lambda n: ngettext(
            "%(n)s not fulfilled", "%(n)s not fulfilled", n
        ),
        Fulfilment.NOT_ASSESSED: lambda n: ngettext("%(n)s not assessed", "%(n)s not assessed", n),
    }
    finals = zip(STATUS_ORDER, goals["finals"], strict=True)
    return ", ".join(words[s](f["n"]) % {"n": f["n"]} for s, f in finals if f["n"])


def summary(context) -> list[str]:
    """The sammanfattning's economy sentences for the year (the rest is shared)."""
    economy = context.get("economy")
    if not economy:
        return []
    lines = [
        _(
            "The year's result is %(result)s, %(share)s of taxes and grants, against a "
            "budgeted %(budget)s. The financial target is %(target)s."
        )
        % {
            "result": economy["result"],
            "share": economy["share"],
            "budget": economy["result_budget"],
            "target": economy["target"],
        },
        _("The balance requirement result is %(outcome)s.")
        % {"outcome": economy["balance_outcome"]},
    ]
    return lines
