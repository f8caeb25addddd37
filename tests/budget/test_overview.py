"""The numbers of /budget/: frames with their changes, outcome to date, forecast, deviation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget import signs
from budget.models import BudgetChange, BudgetFrame, DetailBudget, Forecast
from budget.overview import budget_overview
from budget.totals import refresh_totals


def _row(ov, unit):
    return next(r for r in ov.rows if r.unit == unit)


def test_current_frame_is_adopted_plus_decided_changes(world, budget):
    BudgetChange.objects.create(
        budget_year=budget,
        kind="reallocation",
        from_unit=world.nB,
        to_unit=world.nA,
        amount=Decimal("2000000"),
        decided_by=world.kf,
        decided_on=dt.date(2026, 4, 22),
        decision_reference="KF 2026-04-22 § 45",
    )
    ov = budget_overview(budget, 6)
    a, b = _row(ov, world.nA), _row(ov, world.nB)
    assert (a.adopted, a.changes, a.current) == (120_000_000, 2_000_000, 122_000_000)
    assert (b.adopted, b.changes, b.current) == (60_000_000, -2_000_000, 58_000_000)


def test_outcome_and_linear_budget_to_date(world, budget):
    ov = budget_overview(budget, 6)
    a = _row(ov, world.nA)
    assert a.outcome == 60_000_000  # six months of 10 mnkr net cost
    assert a.budget_to_date == 60_000_000  # half of 120 mnkr
    assert a.deviation_to_date == 0
    b = _row(ov, world.nB)
    assert b.outcome == 24_000_000 and b.deviation_to_date == 6_000_000  # under budget: +


def test_forecast_deviation_flags_an_action_plan(world, budget):
    Forecast.objects.create(
        unit=world.fA,
        year=2026,
        month=3,
        group=world.groups["personal"],
        amount=Decimal("130000000"),
    )
    Forecast.objects.create(
        unit=world.fA,
        year=2026,
        month=6,
        group=world.groups["personal"],
        amount=Decimal("134000000"),
    )  # the latest counts
    Forecast.objects.create(
        unit=world.fA,
        year=2026,
        month=6,
        group=world.groups["intakter"],
        amount=Decimal("-12000000"),
    )
    ov = budget_overview(budget, 6)
    a = _row(ov, world.nA)
    assert a.forecast == 122_000_000
    assert a.deviation_forecast == -2_000_000
    assert a.needs_action_plan  # beyond 1 000 000 kr
    assert not _row(ov, world.nB).needs_action_plan
    # A forecast made later than the chosen month is not used yet.
    assert budget_overview(budget, 5).rows[0].forecast != 122_000_000


def test_percent_threshold(world, budget):
    budget.deviation_threshold_amount = Decimal("10000000")
    budget.deviation_threshold_percent = Decimal("1.00")
    budget.save()
    Forecast.objects.create(
        unit=world.fA,
        year=2026,
        month=6,
        group=world.groups["personal"],
        amount=Decimal("121500000"),
    )  # 1.25 % over
    assert _row(budget_overview(budget, 6), world.nA).needs_action_plan


def test_seasonal_share_from_a_monthly_detail_budget(world, budget):
    for month in range(1, 13):
        DetailBudget.objects.create(
            budget_year=budget,
            unit=world.fA,
            group=world.groups["personal"],
            month=month,
            amount=Decimal("20000000") if month <= 6 else Decimal("0"),
        )
    ov = budget_overview(budget, 6)
    assert ov.seasonal
    assert _row(ov, world.nA).budget_to_date == 120_000_000


def test_financing_and_result_against_the_target(world, budget):
    for code, amount in (
        ("skatter", -160_000_000),
        ("statsbidrag", -60_000_000),
        ("finansiella-kostnader", 5_000_000),
    ):
        DetailBudget.objects.create(
            budget_year=budget, unit=world.kf, group=world.groups[code], amount=Decimal(amount)
        )
    ov = budget_overview(budget, 6)
    # result = taxes and grants 220 − frames 210 − financial costs 5 = 5 mnkr
    assert ov.result_budget == 5_000_000
    assert ov.result_share_budget == Decimal("2.3")
    assert ov.meets_target_forecast


def test_signs_convert_in_one_place():
    assert signs.to_table(Decimal("100")) == -100  # a cost
    assert signs.to_table(Decimal("-40")) == 40  # a revenue
    assert signs.deviation(Decimal("90"), Decimal("100")) == 10  # spent less: better
    assert signs.deviation(Decimal("-50"), Decimal("-40")) == 10  # earned more: better


def test_change_without_decision_reference_is_refused(world, budget):
    change = BudgetChange(
        budget_year=budget,
        kind="reallocation",
        from_unit=world.nB,
        to_unit=world.nA,
        amount=Decimal("1000"),
        decided_by=world.kf,
        decided_on=dt.date(2026, 4, 22),
        decision_reference="",
    )
    with pytest.raises(ValidationError) as info:
        change.full_clean()
    assert "decision_reference" in info.value.message_dict


def test_move_between_committees_needs_the_council(world, budget):
    change = BudgetChange(
        budget_year=budget,
        kind="reallocation",
        from_unit=world.nB,
        to_unit=world.nA,
        amount=Decimal("1000"),
        decided_by=world.nA,
        decided_on=dt.date(2026, 4, 22),
        decision_reference="SN § 3",
    )
    with pytest.raises(ValidationError) as info:
        change.full_clean()
    assert "Kommunfullmäktige" in info.value.message_dict["decided_by"][0]
    inside = BudgetChange(
        budget_year=budget,
        kind="reallocation",
        from_unit=world.fA,
        to_unit=world.eA,
        amount=Decimal("1000"),
        decided_by=world.nA,
        decided_on=dt.date(2026, 4, 22),
        decision_reference="SN 2026 § 3",
    )
    inside.full_clean()


def test_supplementary_budget_says_where_the_money_comes_from(world, budget):
    change = BudgetChange(
        budget_year=budget,
        kind="supplementary",
        to_unit=world.nA,
        amount=Decimal("1000"),
        decided_by=world.kf,
        decided_on=dt.date(2026, 4, 22),
        decision_reference="KF § 9",
    )
    with pytest.raises(ValidationError) as info:
        change.full_clean()
    assert "funding" in info.value.message_dict


def test_adopted_frame_cannot_be_edited_in_place(world, budget):
    frame = BudgetFrame.objects.get(budget_year=budget, unit=world.nA, year=2026)
    frame.amount = Decimal("125000000")
    with pytest.raises(ValidationError) as info:
        frame.full_clean()
    assert "amount" in info.value.message_dict


def test_change_form_refuses_missing_reference_in_swedish(client, world, budget):
    client.force_login(world.finance)
    response = client.post(
        reverse("budget:change_create", args=[2026]),
        {
            "kind": "reallocation",
            "from_unit": world.nB.pk,
            "to_unit": world.nA.pk,
            "amount": "1 000 000",
            "decided_by": world.kf.pk,
            "decided_on": "2026-04-22",
            "decision_reference": "",
        },
    )
    assert response.status_code == 200
    assert "Detta fält måste fyllas i." in response.content.decode()
    assert not BudgetChange.objects.exists()
    response = client.post(
        reverse("budget:change_create", args=[2026]),
        {
            "kind": "reallocation",
            "from_unit": world.nB.pk,
            "to_unit": world.nA.pk,
            "amount": "1 000",  # tkr, as the changes list on /budget/
            "decided_by": world.kf.pk,
            "decided_on": "2026-04-22",
            "decision_reference": "KF 2026-04-22 § 45",
        },
    )
    assert response.status_code == 302
    change = BudgetChange.objects.get()
    assert change.amount == 1_000_000 and change.created_by == world.finance
    assert change.history.first().history_user == world.finance


def test_overview_page_queries_do_not_grow_with_units(
    client, world, budget, django_assert_max_num_queries
):
    client.force_login(world.politician)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 6})
    html = response.content.decode()
    assert "Socialnämnden" in html and ">120\xa0000</td>" in html


def test_overview_page_shows_the_numbers(client, world, budget):
    Forecast.objects.create(
        unit=world.fA,
        year=2026,
        month=6,
        group=world.groups["personal"],
        amount=Decimal("134000000"),
    )
    client.force_login(world.politician)
    html = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 6}).content.decode()
    assert "Åtgärdsplan krävs" in html
    assert "−134\xa0000</td>" in html  # forecast, costs negative
    assert "−14\xa0000</strong>" in html  # deviation
    assert "<svg" in html and 'role="img"' in html


def test_finance_sets_frames_adopts_and_then_frames_are_locked(client, world):
    from budget.models import BudgetYear

    client.force_login(world.finance)
    response = client.post(reverse("budget:year_create"))
    year = BudgetYear.objects.get()
    assert response.status_code == 302 and not year.is_adopted
    url = f"{reverse('budget:frames')}?ar={year.year}"
    field = f"frame_{world.nA.pk}_{year.year}"
    assert client.post(url, {field: "120 000"}).status_code == 302  # tkr
    assert year.frames.get(unit=world.nA, year=year.year).amount == 120_000_000
    response = client.post(
        reverse("budget:adopt", args=[year.year]),
        {
            "decided_on": "2025-11-24",
            "decision_reference": "KF 2025-11-24 § 123",
        },
    )
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.is_adopted
    assert client.post(url, {field: "1"}).status_code == 403
    assert year.frames.get(unit=world.nA, year=year.year).amount == 120_000_000


def test_finance_forecasts_the_financing_on_the_council(client, world, budget):
    client.force_login(world.finance)
    url = reverse("budget:forecast", args=[2026, world.kf.pk])
    html = client.get(url).content.decode()
    assert "Skatteintäkter" in html and "Personalkostnader" not in html
    data = {f"group_{g.pk}": "0" for g in world.groups.values() if g.kind == "financing"}
    data[f"group_{world.groups['skatter'].pk}"] = "161 000"  # tkr, revenue +
    assert client.post(url, {"month": 8, **data}).status_code == 302
    ov = budget_overview(budget, 8)
    taxes = next(r for r in ov.finance if r.group.code == "skatter")
    assert taxes.forecast == -161_000_000


def test_unit_page_shows_groups_net_and_units_below(client, world, budget):
    client.force_login(world.chef_a)
    response = client.get(reverse("budget:unit", args=[world.nA.pk]), {"ar": 2026, "manad": 6})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Personalkostnader" in html and "Netto" in html
    assert "−60\xa0000</td>" in html  # net outcome to date: six months of 10 mnkr
    assert "Socialförvaltningen" in html


def test_finance_registers_an_investment_project(client, world, budget):
    from budget.models import InvestmentProject

    client.force_login(world.finance)
    url = reverse("budget:investment_create", args=[2026])
    response = client.post(
        url,
        {
            "code": "P2601",
            "name": "Ny förskola",
            "unit": world.fA.pk,
            "budget": "tolv miljoner",
            "outcome": "0",
        },
    )
    assert response.status_code == 200 and not InvestmentProject.objects.exists()
    response = client.post(
        url,
        {
            "code": "P2601",
            "name": "Ny förskola",
            "unit": world.fA.pk,
            "budget": "12 000 000",
            "outcome": "3 500 000",
        },
    )
    assert response.status_code == 302
    project = InvestmentProject.objects.get()
    html = client.get(reverse("budget:investments"), {"ar": 2026}).content.decode()
    assert "P2601 Ny förskola" in html and "8\xa0500\xa0000" in html  # less spent: +
    assert project.history.first().history_user == world.finance


def test_the_deviations_add_up_to_the_total_with_unallocated_outcome(world, budget):
    """Found by the fresh-eyes test: outcome on no ansvar counted in the total, not its row."""
    from budget.models import Outcome
    from budget.overview import budget_overview

    Outcome.objects.create(
        municipality=world.m,
        unit=None,
        year=2026,
        month=3,
        group=world.groups["ovriga"],
        amount=Decimal("70000"),
    )
    refresh_totals(world.m.pk, [2026])
    ov = budget_overview(budget, 6)
    rows = [*ov.rows, ov.unallocated_row]
    assert ov.unallocated_row.deviation_to_date == Decimal("-70000")
    assert sum(r.deviation_to_date for r in rows) == ov.totals.deviation_to_date


def test_a_nämnds_columns_add_up_with_the_row_not_distributed_on_groups(world, budget):
    """The frame beyond the detaljbudget is a row of its own, with its deviations, so
    each column of the nämnd's page sums to its net row (a user test found they did not)."""
    from budget.overview import unit_detail

    detail = unit_detail(budget, world.nA, 6)
    assert detail.residual is not None
    for key in ("budget", "outcome", "forecast", "deviation", "deviation_to_date"):
        column = sum((row[key] for row in detail.groups), Decimal("0")) + detail.residual[key]
        assert column == detail.total[key], key
