"""The budget's history on the pages: who, when, what, old → new, newest first."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import BudgetChange, BudgetFrame, BudgetYear, DetailBudget, Forecast


def _url(year=2026, **params):
    query = "&".join(f"{k}={v}" for k, v in {"ar": year, **params}.items())
    return f"{reverse('budget:history')}?{query}"


def _save(obj, user):
    obj._history_user = user
    obj.full_clean()
    obj.save()
    return obj


def test_finance_reads_who_changed_what_newest_first(client, world, budget):
    world.finance.first_name, world.finance.last_name = "Karin", "Berglund"
    world.finance.save()
    _save(
        Forecast(
            unit=world.fA, year=2026, month=6, group=world.groups["personal"], amount=1_000_000
        ),
        world.chef_a,
    )
    forecast = Forecast.objects.get()
    forecast.amount = Decimal("2500000")
    _save(forecast, world.finance)
    _save(
        BudgetChange(
            budget_year=budget,
            kind="supplementary",
            to_unit=world.nA,
            amount=Decimal("4500000"),
            funding="Oförutsedda medel",
            decided_by=world.kf,
            decided_on=dt.date(2026, 9, 29),
            decision_reference="KF 2026-09-29 § 112",
        ),
        world.finance,
    )
    client.force_login(world.finance)
    response = client.get(_url())
    assert response.status_code == 200
    html = response.content.decode()
    change = html.index("Budgetförändring KF 2026-09-29 § 112")
    edited = html.index("Karin Berglund · Prognos: Socialförvaltningen, Personalkostnader")
    created = html.index("chef_a · Prognos: Socialförvaltningen, Personalkostnader")
    assert change < edited < created  # newest first
    # tkr and the forecast form's sign: a cost is negative.
    assert re.search(r"−1\xa0000 tkr</del> → <ins>−2\xa0500 tkr", html)
    assert "Helårsprognos (tkr, intäkter +, kostnader −)" in html  # Swedish labels
    assert "tilläggsbudget" in html and "Socialnämnden" in html


def test_amounts_read_as_on_the_page_they_came_from(client, world, budget):
    """Frames and changes as the money a nämnd may spend, the detaljbudget in table sign,
    all in tkr; a change smaller than a tkr is shown exactly, not as two equal figures."""
    budget.status = BudgetYear.Status.DRAFT  # a draft's frames change without a decision
    budget.save()
    frame = BudgetFrame.objects.get(budget_year=budget, unit=world.nA, year=2026)
    frame.amount = Decimal("125000000")
    _save(frame, world.finance)
    _save(
        DetailBudget(
            budget_year=budget, unit=world.fA, group=world.groups["intakter"], amount=-12_000_000
        ),
        world.finance,
    )
    forecast = _save(
        Forecast(
            unit=world.fA,
            year=2026,
            month=6,
            group=world.groups["personal"],
            amount=Decimal("22466503"),
        ),
        world.finance,
    )
    forecast.amount = Decimal("22466700")
    _save(forecast, world.finance)
    client.force_login(world.finance)
    html = client.get(_url()).content.decode()
    assert "Ram (tkr): <del>120\xa0000 tkr</del> → <ins>125\xa0000 tkr</ins>" in html
    assert "12\xa0000 tkr" in html and "−12\xa0000 tkr" not in html  # revenue +
    assert "<del>−22\xa0466,503 tkr</del> → <ins>−22\xa0466,7 tkr</ins>" in html
    assert "förtecken som i redovisningen" not in html


def test_other_years_are_not_listed_and_long_logs_are_paged(client, world, budget):
    other = BudgetYear.objects.create(municipality=world.m, year=2027)
    BudgetFrame.objects.create(budget_year=other, unit=world.nA, year=2027, amount=1)
    for month in range(1, 13):
        for code in ("personal", "intakter", "ovriga", "lokaler", "kapital"):
            Forecast.objects.create(
                unit=world.fA, year=2026, month=month, group=world.groups[code], amount=month
            )
    client.force_login(world.finance)
    first = client.get(_url()).content.decode()
    assert "Ram: Socialnämnden 2027" not in first  # budget 2027's frame, not 2026's plan
    assert "sida=2" in first
    second = client.get(_url(sida=2)).content.decode()
    assert "Prognos" in second
    assert "Ram: Socialnämnden 2027" in client.get(_url(2027)).content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("politician", 403), ("chef_a", 403), ("hr", 403), ("finance", 200), ("admin", 200)],
)
def test_finance_and_admins_read_the_history(client, world, budget, role, status):
    client.force_login(getattr(world, role))
    assert client.get(_url()).status_code == status


def test_history_is_linked_from_the_overview_for_finance_only(client, world, budget):
    client.force_login(world.finance)
    overview = client.get(reverse("budget:overview"), {"ar": 2026}).content.decode()
    assert reverse("budget:history") in overview
    client.force_login(world.politician)
    overview = client.get(reverse("budget:overview"), {"ar": 2026}).content.decode()
    assert reverse("budget:history") not in overview


def _forecasts(world, n):
    for month in range(1, n + 1):
        Forecast.objects.create(
            unit=world.eA, year=2026, month=month, group=world.groups["ovriga"], amount=month
        )


@pytest.mark.parametrize("size", [3, 12])
def test_a_page_of_history_costs_a_fixed_number_of_queries(
    client, world, budget, size, django_assert_num_queries
):
    _forecasts(world, size)
    client.force_login(world.finance)
    client.get(_url())  # warm the session
    # Session, user, memberships, municipality, years, the count and the page, two per
    # kind on the page (its rows, their earlier versions) and the names they refer to.
    with django_assert_num_queries(16):
        response = client.get(_url())
    assert response.status_code == 200
