"""The kept sums of outcome (budget.totals) equal a full computation from Outcome.

After imports, re-imports that change and remove rows, a dry run, a failed import,
across years and with rows on no ansvar; and the readers give what summing Outcome
gives, for every month.
"""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budget import totals
from budget.imports import service
from budget.imports.service import import_outcomes, import_sie
from budget.models import BudgetYear, Outcome, OutcomeTotal
from budget.overview import OPERATING
from budget.totals import refresh_totals
from tests.budget.sie_builder import Objects, build_sie, record, voucher

Scope = OutcomeTotal.Scope


def expected(municipality) -> dict:
    """The kept sums as a full computation from Outcome gives them, in Python."""
    months = defaultdict(Decimal)
    booked = defaultdict(int)
    for o in Outcome.objects.filter(municipality=municipality):
        scope = Scope.UNIT if o.unit_id else Scope.UNALLOCATED
        for key in ((scope, o.unit_id), (Scope.MUNICIPALITY, None)):
            months[(*key, o.year, o.group_id, o.month)] += o.amount
            booked[(*key, o.year, o.group_id, o.month)] += 1
    first = {}
    for scope, unit, year, group, month in months:
        key = (scope, unit, year, group)
        first[key] = min(month, first.get(key, 13))
    rows = {}
    for (scope, unit, year, group), start in first.items():
        to_date, bookings = Decimal(0), 0
        for month in range(start, 13):
            amount = months.get((scope, unit, year, group, month), Decimal(0))
            to_date += amount
            bookings += booked.get((scope, unit, year, group, month), 0)
            rows[(scope, unit, year, month, group)] = (amount, to_date, bookings)
    return rows


def kept(municipality) -> dict:
    return {
        (t.scope, t.unit_id, t.year, t.month, t.group_id): (t.amount, t.to_date, t.bookings)
        for t in OutcomeTotal.objects.filter(municipality=municipality)
    }


def test_the_fixture_s_sums_equal_a_full_computation(world, budget):
    rows = kept(world.m)
    assert rows == expected(world.m)
    personal = world.groups["personal"].pk
    # Socialförvaltningen books 11 mnkr a month January to June: June holds half a year.
    assert rows[(Scope.UNIT, world.fA.pk, 2026, 6, personal)][1:] == (66_000_000, 6)
    assert rows[(Scope.UNIT, world.fA.pk, 2026, 12, personal)] == (0, 66_000_000, 6)


CSV = (
    "ansvar;månad;kontogrupp;belopp\n"
    "400;2026-07;personal;11 500 000,00\n"
    "510;2026-07;Övriga kostnader;4 100 000\n"
    "410;2027-02;personal;300\n"
)


@pytest.fixture
def two_years(world, budget):
    BudgetYear.objects.create(municipality=world.m, year=2027)
    return world


def test_an_import_of_two_years_keeps_both_years_sums(two_years):
    world = two_years
    import_outcomes(world.m, CSV.encode(), "utfall.csv")
    rows = kept(world.m)
    assert rows == expected(world.m)
    assert rows[(Scope.UNIT, world.eA.pk, 2027, 12, world.groups["personal"].pk)][1] == 300


def test_a_re_import_that_changes_a_row_changes_the_months_after_it(two_years):
    world = two_years
    import_outcomes(world.m, CSV.encode(), "utfall.csv")
    changed = CSV.replace("11 500 000,00", "11 000 000,00")
    import_outcomes(world.m, changed.encode(), "utfall.csv")
    rows = kept(world.m)
    assert rows == expected(world.m)
    key = (Scope.UNIT, world.fA.pk, 2026, 9, world.groups["personal"].pk)
    assert rows[key][1] == 6 * 11_000_000 + 11_000_000


def test_a_dry_run_writes_no_sums(two_years):
    world = two_years
    before = kept(world.m)
    result = import_outcomes(world.m, CSV.encode(), "utfall.csv", dry_run=True)
    assert result.outcomes_created == 3
    assert kept(world.m) == before


def test_a_failed_import_leaves_outcomes_and_sums_as_they_were(two_years, monkeypatch):
    """The sums are written in the import's transaction: when it fails, both roll back."""
    world = two_years
    before, outcomes = kept(world.m), Outcome.objects.count()

    def refresh_then_fail(municipality_id, years):
        refresh_totals(municipality_id, years)
        assert kept(world.m) != before  # written, inside the transaction
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "refresh_totals", refresh_then_fail)
    with pytest.raises(RuntimeError):
        import_outcomes(world.m, CSV.encode(), "utfall.csv")
    assert Outcome.objects.count() == outcomes
    assert kept(world.m) == before


def _sie(january_400):
    body = [
        record("#KONTO", 5011, "Löner"),
        record("#KONTO", 6110, "Lokalhyror"),
        record("#KONTO", 1930, "Bank"),
        record("#OBJEKT", 1, "400", "Socialförvaltningen"),
        record("#OBJEKT", 1, "510", "Gata och park"),
    ]
    lines = [(5011, Objects((1, "510")), Decimal("120000.00"))]
    if january_400:
        lines.append((5011, Objects((1, "400")), Decimal(january_400)))
    lines.append((6110, None, Decimal("30000.00")))  # on no ansvar
    lines.append((1930, None, -sum(amount for _a, _o, amount in lines)))
    return build_sie(body + voucher("A", 1, "20260131", "Januari", lines))


def test_sie_re_imports_that_change_and_remove_rows_and_its_dry_run(world, budget):
    import_sie(world.m, _sie("650000.00"))
    assert kept(world.m) == expected(world.m)
    import_sie(world.m, _sie("700000.00"))  # changed
    assert kept(world.m) == expected(world.m)
    before = kept(world.m)
    dry = import_sie(world.m, _sie(None), dry_run=True)
    assert dry.outcomes_removed == 1
    assert kept(world.m) == before
    result = import_sie(world.m, _sie(None))  # January of 400 no longer in the file
    assert result.outcomes_removed == 1
    rows = kept(world.m)
    assert rows == expected(world.m)
    personal = world.groups["personal"].pk
    # The fixture's February–June stay; January's 700 000 is gone from every month, and
    # the key starts in February (no row before a key's first booking: zero).
    assert (Scope.UNIT, world.fA.pk, 2026, 1, personal) not in rows
    assert rows[(Scope.UNIT, world.fA.pk, 2026, 6, personal)][1] == 5 * 11_000_000
    assert rows[(Scope.UNALLOCATED, None, 2026, 1, world.groups["lokaler"].pk)][1] == 30000


def _outcome_sum(municipality, year, month, **filters):
    rows = Outcome.objects.filter(municipality=municipality, year=year, month__lte=month)
    return rows.filter(**filters).aggregate(total=Sum("amount"))["total"] or Decimal(0)


# Random outcome sets: keys over three units and no ansvar, two years, a few groups.
UNITS = ["fA", "eB", "eA", None]
GROUPS = ["personal", "intakter", "ovriga", "skatter"]
outcome_sets = st.dictionaries(
    keys=st.tuples(
        st.sampled_from(UNITS),
        st.sampled_from([2025, 2026]),
        st.integers(1, 12),
        st.sampled_from(GROUPS),
    ),
    values=st.decimals(min_value=-(10**9), max_value=10**9, places=2),
    max_size=30,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=outcome_sets, second=outcome_sets, month=st.integers(1, 12))
def test_random_outcomes_and_their_rewrite_keep_exact_sums(world, budget, first, second, month):
    """Write a random set, refresh; write another over it (changed, new, removed rows),
    refresh; the kept sums and every reader equal summing Outcome."""
    with transaction.atomic():
        Outcome.objects.filter(municipality=world.m).delete()
        for rows in (first, second):
            gone = [
                o.pk
                for o in Outcome.objects.filter(municipality=world.m).select_related("group")
                if (_name(world, o.unit_id), o.year, o.month, o.group.code) not in rows
            ]
            Outcome.objects.filter(pk__in=gone).delete()
            for (unit, year, m, group), amount in rows.items():
                Outcome.objects.update_or_create(
                    municipality=world.m,
                    unit=getattr(world, unit) if unit else None,
                    year=year,
                    month=m,
                    group=world.groups[group],
                    defaults={"amount": amount},
                )
            refresh_totals(world.m.pk, [2025, 2026])
            assert kept(world.m) == expected(world.m)
        _readers_equal_outcome(world, 2026, month)
        transaction.set_rollback(True)


def _name(world, unit_id):
    if unit_id is None:
        return None
    return next(name for name in UNITS if name and getattr(world, name).pk == unit_id)


def _readers_equal_outcome(world, year, month):
    m = world.m
    by_unit = totals.outcome_to_date_by_unit(m.pk, year, month, OPERATING)
    for name in UNITS:
        unit = getattr(world, name) if name else None
        want = _outcome_sum(m, year, month, unit=unit, group__kind__in=OPERATING)
        assert by_unit.get(unit.pk if unit else None, Decimal(0)) == want
    ids = [world.fA.pk, world.eA.pk]
    of_units = totals.outcome_to_date_of_units(ids, year, month, OPERATING)
    assert sum(of_units.values(), Decimal(0)) == _outcome_sum(
        m, year, month, unit_id__in=ids, group__kind__in=OPERATING
    )
    groups = [g.pk for g in world.groups.values()]
    for units, filters in (
        (totals.EVERYTHING, {}),
        (ids, {"unit_id__in": ids}),
    ):
        by_group = totals.outcome_to_date_by_group(m.pk, year, month, units, groups)
        for group in world.groups.values():
            want = _outcome_sum(m, year, month, group=group, **filters)
            booked = Outcome.objects.filter(
                municipality=m, year=year, month__lte=month, group=group, **filters
            ).count()
            assert by_group.get(group.pk, (Decimal(0), 0)) == (want, booked)
    for units, filters in (
        (totals.ALLOCATED, {"unit__isnull": False}),
        (totals.EVERYTHING, {}),
        (ids, {"unit_id__in": ids}),
    ):
        by_month = totals.outcome_by_group_and_month(m.pk, year, month, units, OPERATING)
        for group in world.groups.values():
            for mm in range(1, month + 1):
                rows = Outcome.objects.filter(municipality=m, year=year, month=mm, **filters)
                want = _outcome_sum(m, year, 12, pk__in=rows.filter(group=group).values("pk"))
                want = want if group.kind in OPERATING else Decimal(0)
                assert by_month.get((group.pk, mm), Decimal(0)) == want
    latest = Outcome.objects.filter(municipality=m, year=year).order_by("-month").first()
    assert totals.latest_booked_month(m.pk, year) == (latest.month if latest else None)
    assert totals.month_has_bookings(m.pk, year, month) == (
        Outcome.objects.filter(municipality=m, year=year, month=month).exists()
    )


def test_a_row_corrected_or_deleted_in_the_admin_keeps_the_sums(client, world, budget):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    client.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    row = Outcome.objects.get(unit=world.fA, month=3, group=world.groups["personal"])
    form = {
        "municipality": world.m.pk,
        "unit": world.fA.pk,
        "year": 2027,  # moved to another year: both years' sums change
        "month": 3,
        "group": row.group_id,
        "amount": "12000000",
        "batch": "",
    }
    url = reverse("admin:budget_outcome_change", args=[row.pk])
    assert client.post(url, form).status_code == 302
    assert kept(world.m) == expected(world.m)
    key = (Scope.UNIT, world.fA.pk, 2027, 12, row.group_id)
    assert kept(world.m)[key][1] == 12_000_000
    delete = reverse("admin:budget_outcome_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert kept(world.m) == expected(world.m)
    assert key not in kept(world.m)
    changelist = reverse("admin:budget_outcome_changelist")
    chosen = Outcome.objects.filter(month__in=[1, 2]).values_list("pk", flat=True)
    action = {"action": "delete_selected", "_selected_action": list(chosen), "post": "yes"}
    assert client.post(changelist, action).status_code == 302
    assert not Outcome.objects.filter(month__in=[1, 2]).exists()
    assert kept(world.m) == expected(world.m)


def test_the_council_s_page_reads_the_municipality_s_sums_less_those_on_no_ansvar(world, budget):
    """The root's subtree is every unit: its page reads the whole municipality's rows
    less those on no ansvar, and shows what summing its units' outcome gives."""
    from budget.overview import unit_detail

    Outcome.objects.create(
        municipality=world.m,
        unit=None,
        year=2026,
        month=2,
        group=world.groups["ovriga"],
        amount=Decimal("70000"),
    )
    refresh_totals(world.m.pk, [2026])
    detail = unit_detail(budget, world.kf, 6)
    for row in detail.groups:
        for month, shown in enumerate(row["by_month"], start=1):
            want = Outcome.objects.filter(
                year=2026, month=month, group=row["group"], unit__isnull=False
            ).aggregate(total=Sum("amount"))["total"]
            assert shown == (want or 0)
    assert detail.total["outcome"] == _outcome_sum(
        world.m, 2026, 6, unit__isnull=False, group__kind__in=OPERATING
    )
    children = {c["unit"].pk: c["outcome"] for c in detail.children}
    assert children[world.nA.pk] == 6 * 10_000_000
