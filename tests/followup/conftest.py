from decimal import Decimal

import pytest

from budget.accounts import ensure_account_groups
from budget.models import BudgetFrame, BudgetYear, DetailBudget, Outcome
from budget.totals import refresh_totals
from followup.calendar import open_period
from followup.models import Submission
from tests.factories import make_goal, make_indicator
from tests.followup.factories import make_year


@pytest.fixture
def delar(world):
    """The test world's delårsrapport 2026 opened (a draft per reporting unit), with a
    budget for Socialförvaltningen (120 mnkr a year, 10 mnkr net cost a month so far),
    an adopted goal of its enhet and an indicator split by gender."""
    m = world.m
    ensure_account_groups(m)
    groups = {g.code: g for g in m.account_groups.all()}
    budget_year = BudgetYear.objects.create(municipality=m, year=2026)
    for y in budget_year.years:
        BudgetFrame.objects.create(
            budget_year=budget_year, unit=world.nA, year=y, amount=120_000_000
        )
    DetailBudget.objects.create(
        budget_year=budget_year, unit=world.fA, group=groups["personal"], amount=132_000_000
    )
    DetailBudget.objects.create(
        budget_year=budget_year, unit=world.fA, group=groups["intakter"], amount=-12_000_000
    )
    for month in range(1, 9):
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
    refresh_totals(m.pk, [2026])
    world.enhet_goal = make_goal(
        m, world.levels[5], world.eA, world.plan_a, adopted=True, title="Fler fasta kontakter"
    )
    world.indicator = make_indicator(world.plan_a, name="Kontinuitet", gender_split=True)
    periods = make_year(world, 2026)
    world.period = open_period(periods[8], user=world.finance)
    world.periods = periods
    world.groups = groups
    world.budget_year = budget_year
    world.sub_a = Submission.objects.get(period=world.period, unit=world.fA)
    world.sub_b = Submission.objects.get(period=world.period, unit=world.fB)
    return world
