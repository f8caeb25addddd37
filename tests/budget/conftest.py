import datetime as dt
from decimal import Decimal

import pytest

from budget.accounts import ensure_account_groups
from budget.models import BudgetFrame, BudgetYear, Outcome
from budget.totals import refresh_totals


@pytest.fixture
def budget(world):
    """Budget 2026 of the test world: frames adopted by KF, groups, six months of outcomes."""
    m = world.m
    ensure_account_groups(m)
    year = BudgetYear.objects.create(municipality=m, year=2026)
    for unit, amount in ((world.nA, 120_000_000), (world.nB, 60_000_000), (world.ks, 30_000_000)):
        for y in year.years:
            BudgetFrame.objects.create(budget_year=year, unit=unit, year=y, amount=amount)
    year.status = BudgetYear.Status.ADOPTED
    year.decided_on = dt.date(2025, 11, 24)
    year.decision_reference = "KF 2025-11-24 § 123"
    year.save()
    groups = {g.code: g for g in m.account_groups.all()}
    for month in range(1, 7):
        # Socialförvaltningen: 11 mnkr personnel, −1 mnkr revenue a month → 10 mnkr net.
        Outcome.objects.create(
            municipality=m,
            unit=world.fA,
            year=2026,
            month=month,
            group=groups["personal"],
            amount=Decimal("11000000"),
        )
        Outcome.objects.create(
            municipality=m,
            unit=world.fA,
            year=2026,
            month=month,
            group=groups["intakter"],
            amount=Decimal("-1000000"),
        )
        Outcome.objects.create(
            municipality=m,
            unit=world.eB,
            year=2026,
            month=month,
            group=groups["ovriga"],
            amount=Decimal("4000000"),
        )
    refresh_totals(m.pk, [2026])  # as every writer of outcomes does (budget.totals)
    world.budget_year = year
    world.groups = groups
    return year
