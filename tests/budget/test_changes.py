"""Budget changes: the sign in the tables, changes inside a nämnd, reversal by decision."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from budget.models import BudgetChange
from budget.overview import budget_overview


def _change(world, budget, **fields):
    values = {
        "budget_year": budget,
        "kind": BudgetChange.Kind.REALLOCATION,
        "from_unit": world.nB,
        "to_unit": world.nA,
        "amount": Decimal("2000000"),
        "decided_by": world.kf,
        "decided_on": dt.date(2026, 4, 22),
        "decision_reference": "KF 2026-04-22 § 45",
    }
    values.update(fields)
    change = BudgetChange(**values)
    change.full_clean()
    change.save()
    return change


def _frame_cells(html, name):
    """Adopted frame, changes and current frame of a nämnd's row on /budget/."""
    row = re.search(rf">{name}</a>.*?</th>(.*?)</tr>", html, re.S)
    assert row, f"no row {name}"
    return re.findall(r'<td class="num">(.*?)</td>', row.group(1), re.S)[:3]


def _overview(client, world):
    client.force_login(world.politician)
    return client.get(reverse("budget:overview"), {"ar": 2026, "manad": 6}).content.decode()


def test_a_nämnd_that_received_money_shows_a_positive_change(client, world, budget):
    _change(world, budget)
    html = _overview(client, world)
    assert _frame_cells(html, "Socialnämnden") == ["120\xa0000", "2\xa0000", "122\xa0000"]
    assert _frame_cells(html, "Samhällsbyggnadsnämnden") == ["60\xa0000", "−2\xa0000", "58\xa0000"]
    response = client.get(reverse("budget:export", args=["csv"]), {"ar": 2026, "manad": 6})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    social = next(r for r in rows if r[0] == "Socialnämnden")
    assert social[1:4] == ["120000000,00", "2000000,00", "122000000,00"]


def test_a_change_inside_a_nämnd_is_listed_on_its_page_and_in_the_overview(client, world, budget):
    _change(
        world,
        budget,
        from_unit=world.fA,
        to_unit=world.eA,
        amount=Decimal("1200000"),
        decided_by=world.nA,
        decision_reference="SN 2026-03-18 § 27",
    )
    ov = budget_overview(budget, 6)
    social = next(r for r in ov.rows if r.unit == world.nA)
    assert social.changes == 0  # the nämnd's frame stays as it is
    entries = [e for e in ov.changes if e.change.decision_reference == "SN 2026-03-18 § 27"]
    assert [(e.unit, e.inside, e.effect) for e in entries] == [(world.nA, True, 0)]
    assert "SN 2026-03-18 § 27" in _overview(client, world)
    for unit in (world.nA, world.fA, world.eA):
        page = client.get(reverse("budget:unit", args=[unit.pk]), {"ar": 2026, "manad": 6})
        assert "SN 2026-03-18 § 27" in page.content.decode()
    # A unit outside the nämnd does not list it.
    page = client.get(reverse("budget:unit", args=[world.nB.pk]), {"ar": 2026, "manad": 6})
    assert "SN 2026-03-18 § 27" not in page.content.decode()


def _reverse(client, change, reference="KF 2026-05-20 § 60", decided_on="2026-05-20"):
    return client.post(
        reverse("budget:change_reverse", args=[2026, change.pk]),
        {
            "decided_on": decided_on,
            "decision_reference": reference,
            "description": "Registrerades av misstag på fel nämnd.",
        },
    )


def test_a_change_is_reversed_by_a_new_decision_and_the_list_shows_both(client, world, budget):
    change = _change(world, budget)
    client.force_login(world.finance)
    assert client.get(reverse("budget:change_reverse", args=[2026, change.pk])).status_code == 200
    response = _reverse(client, change)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('budget:overview')}?ar=2026"
    counter = BudgetChange.objects.get(reverses=change)
    assert (counter.amount, counter.from_unit, counter.to_unit) == (-2_000_000, world.nB, world.nA)
    assert counter.decision_reference == "KF 2026-05-20 § 60" and counter.decided_by == world.kf
    assert counter.created_by == world.finance
    assert counter.history.get().history_user == world.finance
    assert BudgetChange.objects.filter(pk=change.pk).exists()  # never deleted
    social = next(r for r in budget_overview(budget, 6).rows if r.unit == world.nA)
    assert (social.changes, social.current) == (0, 120_000_000)
    html = _overview(client, world)
    assert "Reverserad genom KF 2026-05-20 § 60" in html
    assert "Reverserar KF 2026-04-22 § 45" in html


def test_a_change_is_reversed_only_once(client, world, budget):
    change = _change(world, budget)
    client.force_login(world.finance)
    assert _reverse(client, change).status_code == 302
    assert _reverse(client, change, "KF 2026-05-21 § 61").status_code == 302
    assert BudgetChange.objects.filter(reverses=change).count() == 1
    counter = BudgetChange.objects.get(reverses=change)
    assert _reverse(client, counter, "KF 2026-05-22 § 62").status_code == 302
    assert BudgetChange.objects.count() == 2
    with pytest.raises(ValidationError):
        counter.counter_change(
            decided_on=dt.date(2026, 6, 1), decision_reference="KF 2026-06-01 § 1"
        ).full_clean()


def test_a_reversal_needs_its_decision_and_a_date_after_the_change(client, world, budget):
    change = _change(world, budget)
    client.force_login(world.finance)
    response = _reverse(client, change, reference="", decided_on="2026-01-10")
    assert response.status_code == 200
    assert not BudgetChange.objects.filter(reverses=change).exists()
    response = _reverse(client, change, decided_on="2026-01-10")
    assert response.status_code == 200
    assert "2026-04-22" in response.content.decode()
    assert not BudgetChange.objects.filter(reverses=change).exists()


@pytest.mark.parametrize(("role", "status"), [("politician", 403), ("chef_a", 403), ("hr", 403)])
def test_only_finance_reverses(client, world, budget, role, status):
    change = _change(world, budget)
    client.force_login(getattr(world, role))
    assert _reverse(client, change).status_code == status
    assert BudgetChange.objects.count() == 1


def test_reversing_an_unknown_change_is_404(client, world, budget):
    client.force_login(world.finance)
    url = reverse("budget:change_reverse", args=[2026, 987654])
    assert client.get(url).status_code == 404


def test_decision_date_and_amount_rules(world, budget):
    with pytest.raises(ValidationError) as error:
        _change(world, budget, decided_on=dt.date(1850, 1, 1))
    assert "decided_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _change(world, budget, amount=Decimal(0))
    assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _change(world, budget, amount=Decimal(-5))  # a reallocation goes from → to
    assert "amount" in error.value.message_dict
    reduction = _change(
        world,
        budget,
        kind=BudgetChange.Kind.SUPPLEMENTARY,
        from_unit=None,
        amount=Decimal(-500_000),
        funding="Återförs till resultatet",
    )
    social = next(r for r in budget_overview(budget, 6).rows if r.unit == world.nA)
    assert reduction.pk and social.changes == -500_000


def test_the_database_refuses_a_zero_change(world, budget):
    with pytest.raises(IntegrityError):
        BudgetChange.objects.create(
            budget_year=budget,
            kind=BudgetChange.Kind.SUPPLEMENTARY,
            to_unit=world.nA,
            amount=0,
            decided_by=world.kf,
            decided_on=dt.date(2026, 4, 22),
            decision_reference="KF 2026-04-22 § 45",
        )


def test_change_form_refuses_a_year_out_of_range(client, world, budget):
    client.force_login(world.finance)
    response = client.post(
        reverse("budget:change_create", args=[2026]),
        {
            "kind": "supplementary",
            "to_unit": world.nA.pk,
            "amount": "1 000 000",
            "funding": "Reserven",
            "decided_by": world.kf.pk,
            "decided_on": "2226-04-22",
            "decision_reference": "KF 2026-04-22 § 45",
        },
    )
    assert response.status_code == 200
    assert not BudgetChange.objects.exists()


def test_the_admin_cannot_delete_a_decided_change(client, world, budget):
    change = _change(world, budget)
    client.force_login(world.admin)
    url = reverse("admin:budget_budgetchange_delete", args=[change.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert BudgetChange.objects.filter(pk=change.pk).exists()


def test_year_changes_are_the_querysets_changes_with_their_relations(world, budget):
    """year_changes runs the ORM's own query on a plain cursor and builds the instances
    itself: the same changes, in the same order, with the same related rows loaded."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from budget.overview import CHANGE_RELATIONS, year_changes, year_changes_queryset

    change = _change(world, budget, description="Flytt <b>av</b> medel", funding="")
    counter = change.counter_change()
    counter.decided_on = dt.date(2026, 5, 20)
    counter.decision_reference = "KF 2026-05-20 § 60"
    counter.save()
    _change(
        world,
        budget,
        kind=BudgetChange.Kind.SUPPLEMENTARY,
        from_unit=None,
        funding="KF:s reserv",
        amount=Decimal("-500000.50"),
        decided_on=dt.date(2026, 4, 22),
        decision_reference="KF 2026-04-22 § 46",
    )
    with CaptureQueriesContext(connection) as ours:
        mine = year_changes(budget)
    with CaptureQueriesContext(connection) as orms:
        theirs = list(year_changes_queryset(budget))
    assert [q["sql"] for q in ours] == [q["sql"] for q in orms]
    assert [c.pk for c in mine] == [c.pk for c in theirs] and len(mine) == 3

    def fields(instance):
        return [getattr(instance, f.attname) for f in instance._meta.concrete_fields]

    for a, b in zip(mine, theirs, strict=True):
        assert fields(a) == fields(b) and a._state.db == b._state.db and not a._state.adding
        for name in CHANGE_RELATIONS:
            assert BudgetChange._meta.get_field(name).is_cached(a)
            related_a, related_b = getattr(a, name), getattr(b, name)
            assert (related_a is None) == (related_b is None)
            if related_a is not None:
                assert type(related_a) is type(related_b)
                assert fields(related_a) == fields(related_b)
    assert next(c for c in mine if c.pk == counter.pk).reverses.decision_reference == (
        "KF 2026-04-22 § 45"
    )
    assert year_changes(budget.__class__.objects.create(municipality=world.m, year=2031)) == []


def test_frames_with_units_are_the_querysets_frames(world, budget):
    """The overview's frames, read as year_changes reads its changes (select_related_rows):
    the same frames in the same order, each with its unit, from the same query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from budget.overview import _frames_with_units
    from styrning import request_rows

    world.nA.name = "Social<&>nämnden"
    world.nA.save()
    with CaptureQueriesContext(connection) as ours:
        mine = request_rows.select_related_rows(_frames_with_units, budget.pk, 2026)
    with CaptureQueriesContext(connection) as orms:
        theirs = list(_frames_with_units(budget, 2026))
    assert [q["sql"] for q in ours] == [q["sql"] for q in orms]
    assert len(mine) >= 3
    for a, b in zip(mine, theirs, strict=True):
        assert (a.pk, a.unit_id, a.year, a.amount) == (b.pk, b.unit_id, b.year, b.amount)
        assert (a.unit.pk, a.unit.name, a.unit.lft, a.unit.tree_id) == (
            b.unit.pk,
            b.unit.name,
            b.unit.lft,
            b.unit.tree_id,
        )
    assert request_rows.select_related_rows(_frames_with_units, budget.pk, 2040) == []
