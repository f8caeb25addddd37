"""The report's personnel section (personalredovisning): the personalberättelse the HR
role wrote for the period, and per förvaltning and bolag the number of employees,
årsarbetare and sjukfrånvaro (total, women, men) as the follow-up recorded them, with
the whole organisation's figures: the sums, and the sjukfrånvaro weighted by årsarbetare.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from followup.models import PersonnelFigure, PersonnelReport
from styrning import formatting
from styrning.models import OrgUnit


def personnel_part(period) -> dict | None:
    """The section of ``period``'s report, or None when nothing was reported (two queries)."""
    report = PersonnelReport.objects.filter(period=period).first()
    figures = list(
        PersonnelFigure.objects.filter(period=period, unit__kind__in=OrgUnit.OFFICE_KINDS)
        .select_related("unit")
        .order_by("unit__tree_id", "unit__lft")
    )
    if report is None and not figures:
        return None
    rows = [
        {
            "name": f.unit.name,
            "cells": [
                formatting.number(f.employees),
                formatting.number(f.full_time_equivalents, 1),
                formatting.percent(f.sick_leave),
                formatting.percent(f.sick_leave_women),
                formatting.percent(f.sick_leave_men),
            ],
        }
        for f in figures
    ]
    return {
        "text": [p.strip() for p in (report.text if report else "").split("\n\n") if p.strip()],
        "rows": rows,
        "total": _total(figures),
        "missing": []
        if report
        else [_("No personnel report has been written for %(period)s.") % {"period": period.label}],
    }


def weighted(figures, field) -> Decimal | None:
    """``field`` weighted by årsarbetare over the rows that have both, or None."""
    pairs = [
        (getattr(f, field), f.full_time_equivalents)
        for f in figures
        if getattr(f, field) is not None and f.full_time_equivalents
    ]
    weight = sum((w for _v, w in pairs), Decimal(0))
    if not weight:
        return None
    return sum((v * w for v, w in pairs), Decimal(0)) / weight


def _total(figures) -> list[str]:
    employees = [f.employees for f in figures if f.employees is not None]
    fte = [f.full_time_equivalents for f in figures if f.full_time_equivalents is not None]
    return [
        formatting.number(sum(employees)) if employees else formatting.EMPTY,
        formatting.number(sum(fte, Decimal(0)), 1) if fte else formatting.EMPTY,
        formatting.percent(weighted(figures, "sick_leave")),
        formatting.percent(weighted(figures, "sick_leave_women")),
        formatting.percent(weighted(figures, "sick_leave_men")),
    ]
