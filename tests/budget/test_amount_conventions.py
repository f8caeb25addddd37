"""Every budget form speaks /budget/'s language: tkr, intäkter +, kostnader −; frames and
budget changes as the money a nämnd may spend (+), as the frame columns show them.

A new user's trial found the detaljbudget form in kronor with costs positive and the
frames in kronor, beside pages in tkr with costs negative.
"""

from decimal import Decimal

from django.urls import reverse

from budget.models import BudgetChange, BudgetFrame, BudgetYear, DetailBudget


def _draft_year(world, year):
    return BudgetYear.objects.create(municipality=world.m, year=year)


# The detaljbudget --------------------------------------------------------------------------


def test_detail_budget_is_typed_in_tkr_with_costs_negative(client, world, budget):
    personal, revenue = world.groups["personal"], world.groups["intakter"]
    client.force_login(world.finance)
    url = reverse("budget:detail_budget", args=[2026, world.fA.pk])
    html = client.get(url).content.decode()
    assert "tusen kronor (tkr) som på budgetsidorna: intäkter +, kostnader −" in html
    response = client.post(
        url, {f"group_{personal.pk}": "−130 000", f"group_{revenue.pk}": "12 000,5"}
    )
    assert response.status_code == 302
    stored = dict(DetailBudget.objects.filter(unit=world.fA).values_list("group__code", "amount"))
    # Stored as the ledger has it: costs +, revenue −, in kronor.
    assert stored == {"personal": Decimal("130000000"), "intakter": Decimal("-12000500")}
    # The unit page's budget column reads what was typed.
    page = client.get(reverse("budget:unit", args=[world.fA.pk]), {"ar": 2026}).content.decode()
    assert "−130\xa0000" in page


def test_detail_budget_shows_stored_amounts_as_the_unit_page_does(client, world, budget):
    personal = world.groups["personal"]
    DetailBudget.objects.create(
        budget_year=budget, unit=world.fA, group=personal, amount=Decimal("1234567.89")
    )
    client.force_login(world.finance)
    url = reverse("budget:detail_budget", args=[2026, world.fA.pk])
    html = client.get(url).content.decode()
    assert 'value="−1\xa0235"' in html
    # Posted back as shown, the exact stored figure stays and no history row is written.
    assert client.post(url, {f"group_{personal.pk}": "−1\xa0235"}).status_code == 302
    row = DetailBudget.objects.get(unit=world.fA, group=personal)
    assert row.amount == Decimal("1234567.89") and row.history.count() == 1


def test_detail_budget_refuses_a_cost_without_its_minus_naming_the_group(client, world, budget):
    personal = world.groups["personal"]
    client.force_login(world.finance)
    url = reverse("budget:detail_budget", args=[2026, world.fA.pk])
    response = client.post(url, {f"group_{personal.pk}": "130 000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{personal.name} är en kostnad: skriv den med minustecken, −130\xa0000." in html
    assert f'href="#id_group_{personal.pk}"' in html
    assert not DetailBudget.objects.exists()


# The frames --------------------------------------------------------------------------------


def test_frames_are_typed_in_tkr_as_a_positive_net_cost(client, world, budget):
    year = _draft_year(world, 2027)
    client.force_login(world.finance)
    url = reverse("budget:frames") + "?ar=2027"
    html = client.get(url).content.decode()
    assert "skriv den i tusen kronor (tkr) som ett positivt belopp" in html
    assert "Ram (nettokostnad) per nämnd och styrelse (tkr)" in html
    field = f"frame_{world.nA.pk}_2027"
    assert client.post(url, {field: "121 500,5"}).status_code == 302
    assert year.frames.get(unit=world.nA, year=2027).amount == Decimal("121500500")
    html = client.get(url).content.decode()
    assert 'value="121\xa0500,5"' in html
    # A negative frame is refused, and nothing changes.
    response = client.post(url, {field: "−5"})
    assert response.status_code == 200
    assert year.frames.get(unit=world.nA, year=2027).amount == Decimal("121500500")


def test_an_adopted_years_frames_show_in_tkr(client, world, budget):
    client.force_login(world.finance)
    html = client.get(reverse("budget:frames"), {"ar": 2026}).content.decode()
    frame = BudgetFrame.objects.get(budget_year=budget, unit=world.nA, year=2026)
    assert frame.amount == 120_000_000
    assert 'value="120\xa0000"' in html


# Budget changes ----------------------------------------------------------------------------


def test_a_budget_change_is_typed_in_tkr_as_the_changes_list_shows_it(client, world, budget):
    client.force_login(world.finance)
    url = reverse("budget:change_create", args=[2026])
    html = client.get(url).content.decode()
    assert "Belopp (tkr)" in html
    response = client.post(
        url,
        {
            "kind": "reallocation",
            "from_unit": world.nB.pk,
            "to_unit": world.nA.pk,
            "amount": "2 000",
            "decided_by": world.kf.pk,
            "decided_on": "2026-04-22",
            "decision_reference": "KF 2026-04-22 § 45",
        },
    )
    assert response.status_code == 302
    assert BudgetChange.objects.get().amount == Decimal("2000000")
    overview = client.get(reverse("budget:overview"), {"ar": 2026}).content.decode()
    assert '<td class="num">2\xa0000</td>' in overview
