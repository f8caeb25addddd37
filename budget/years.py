"""Opening a budget year: the next year starts from the flerårsplan adopted before it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from budget.accounts import ensure_account_groups
from budget.models import BudgetFrame, BudgetYear

# What a new year inherits from the year before it (besides the frames).
INHERITED = (
    "plan_years",
    "deviation_threshold_amount",
    "deviation_threshold_percent",
    "financial_target_percent",
)


def open_next_year(municipality, user=None) -> tuple[BudgetYear, int]:
    """Create the year after the latest one as a draft; return it and the frames copied.

    Its frames start from the latest year's flerårsplan: that year's frames for
    the new year and the plan years after it (so 2027 and 2028 of budget 2026's
    plan become budget 2027's draft frames for 2027 and 2028). Frames of units
    that are no longer a nämnd or styrelse are left out. One transaction.
    """
    previous = BudgetYear.objects.filter(municipality=municipality).order_by("-year").first()
    year = previous.year + 1 if previous else dt.date.today().year + 1
    with transaction.atomic():
        defaults = {name: getattr(previous, name) for name in INHERITED} if previous else {}
        budget_year, created = BudgetYear.objects.get_or_create(
            municipality=municipality,
            year=year,
            defaults={**defaults, "status": BudgetYear.Status.DRAFT},
        )
        ensure_account_groups(municipality)
        copied = 0
        reason = _("From the multi-year plan of budget %(year)s") % {"year": year - 1}
        if created and previous is not None:
            plan = previous.frames.filter(year__in=budget_year.years).select_related("unit")
            for frame in plan:
                if not frame.unit.is_governing_body:
                    continue
                new = BudgetFrame(
                    budget_year=budget_year, unit=frame.unit, year=frame.year, amount=frame.amount
                )
                new.full_clean()
                new._history_user = user
                new._change_reason = reason
                new.save()
                copied += 1
    return budget_year, copied
