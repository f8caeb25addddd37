"""The budget pages as people use them: the year asked for, the way back, forms that keep rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from budget.forms import AdoptBudgetForm, InvestmentForm
from budget.models import (
    BalanceAmount,
    BudgetFrame,
    BudgetYear,
    DetailBudget,
    Forecast,
    InvestmentProject,
    Outcome,
)
from budget.overview import budget_overview, default_year
from budget.totals import refresh_totals
from styrning import formatting


def _draft_year(world, year):
    return BudgetYear.objects.create(municipality=world.m, year=year)


# 1. The year asked for, and the default ------------------------------------------------


def test_the_year_asked_for_is_shown_even_when_a_newer_draft_exists(client, world, budget):
    _draft_year(world, 2027)
    client.force_login(world.politician)
    html = client.get(reverse("budget:overview"), {"ar": 2026}).content.decode()
    assert "<h1>Budget 2026</h1>" in html
    assert ">120\xa0000</td>" in html  # Socialnämnden's frame of 2026, in tkr
    html = client.get(reverse("budget:overview"), {"ar": 2027}).content.decode()
    assert "<h1>Budget 2027</h1>" in html


@pytest.mark.parametrize(
    ("years", "today", "expected"),
    [
        ({2025: "adopted", 2026: "draft", 2027: "draft"}, dt.date(2026, 5, 1), 2026),
        ({2025: "adopted", 2026: "draft", 2027: "draft"}, dt.date(2031, 5, 1), 2025),
        ({2026: "draft", 2027: "draft"}, dt.date(2031, 5, 1), 2027),
        ({}, dt.date(2026, 5, 1), None),
    ],
)
def test_default_year(years, today, expected):
    rows = [BudgetYear(year=y, status=s) for y, s in years.items()]
    chosen = default_year(rows, today=today)
    assert (chosen.year if chosen else None) == expected


def test_default_is_the_current_year_not_the_newest_draft(client, world, budget):
    this_year = dt.date.today().year
    budget.year = this_year
    budget.save()
    _draft_year(world, this_year + 1)
    client.force_login(world.hr)
    html = client.get(reverse("budget:overview")).content.decode()
    assert f"<h1>Budget {this_year}</h1>" in html


@pytest.mark.parametrize("asked", ["0", "1899", "2101", "abc", "99999999999999999999", "2030"])
def test_a_year_without_budget_falls_back_to_the_default_with_a_message(
    client, world, budget, asked
):
    client.force_login(world.politician)
    response = client.get(reverse("budget:overview"), {"ar": asked, "manad": "13"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Budget 2026</h1>" in html
    assert "Det finns ingen budget för år" in html


# 1. Every redirect returns to the year and month the user came from ----------------------


def test_detail_budget_returns_to_the_unit_at_the_same_month(client, world, budget):
    client.force_login(world.finance)
    url = reverse("budget:detail_budget", args=[2026, world.fA.pk]) + "?ar=2026&manad=4"
    field = f"group_{world.groups['personal'].pk}"
    response = client.post(url, {field: "−130 000"})  # tkr, costs −
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:unit", args=[world.fA.pk]) + "?ar=2026&manad=4"
    page = client.get(url).content.decode()
    assert f'href="/budget/enhet/{world.fA.pk}/?ar=2026&amp;manad=4"' in page  # Cancel


def test_investment_and_frames_return_to_the_same_year_and_month(client, world, budget):
    _draft_year(world, 2027)
    client.force_login(world.finance)
    response = client.post(
        reverse("budget:investment_create", args=[2026]) + "?ar=2026&manad=5",
        {"code": "P1", "name": "Förskola", "unit": world.fA.pk, "budget": "1", "outcome": "0"},
    )
    assert response["Location"] == reverse("budget:investments") + "?ar=2026&manad=5"
    response = client.post(
        reverse("budget:frames") + "?ar=2027&manad=2",
        {f"frame_{world.nA.pk}_2027": "100"},
    )
    assert response["Location"] == reverse("budget:frames") + "?ar=2027&manad=2"
    response = client.post(
        reverse("budget:adopt", args=[2027]) + "?ar=2027&manad=2",
        {"decided_on": "2026-11-23", "decision_reference": "KF 2026-11-23 § 99"},
    )
    assert response["Location"] == reverse("budget:overview") + "?ar=2027&manad=2"


def test_links_from_the_overview_carry_the_period(client, world, budget):
    client.force_login(world.finance)
    html = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 3}).content.decode()
    assert f'href="/budget/enhet/{world.nA.pk}/?ar=2026&amp;manad=3"' in html
    assert 'href="/budget/ramar/?ar=2026&amp;manad=3"' in html


# 2. One deviation: the overview's row and the drill-down's net agree ---------------------


@pytest.fixture
def uneven(world, budget):
    """Detaljbudget that does not add up to the frames, forecasts for some groups only."""
    from budget.models import BudgetChange

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
    DetailBudget.objects.create(
        budget_year=budget, unit=world.fA, group=world.groups["personal"], amount=100_000_000
    )
    DetailBudget.objects.create(
        budget_year=budget, unit=world.eA, group=world.groups["intakter"], amount=-7_000_000
    )
    DetailBudget.objects.create(
        budget_year=budget, unit=world.eB, group=world.groups["ovriga"], amount=50_000_000
    )
    Forecast.objects.create(
        unit=world.fA, year=2026, month=5, group=world.groups["personal"], amount=125_000_000
    )
    Forecast.objects.create(
        unit=world.ksf, year=2026, month=6, group=world.groups["ovriga"], amount=31_000_000
    )
    return budget


@pytest.mark.parametrize("month", [3, 6, 9])
def test_every_body_shows_the_same_deviation_on_both_pages(world, uneven, month):
    from budget.overview import budget_overview, unit_detail

    ov = budget_overview(uneven, month)
    assert len(ov.rows) == 3
    for row in ov.rows:
        detail = unit_detail(uneven, row.unit, month)
        assert detail.total["deviation"] == row.deviation_forecast, row.unit.name
        assert detail.total["deviation_to_date"] == row.deviation_to_date, row.unit.name
        assert detail.total["budget"] == row.current and detail.frame == row.current
        assert detail.total["forecast"] == row.forecast_or_frame


def test_drill_down_page_shows_the_overview_figures(client, world, uneven):
    client.force_login(world.chef_b)
    overview = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 6}).content.decode()
    page = client.get(
        reverse("budget:unit", args=[world.nB.pk]), {"ar": 2026, "manad": 6}
    ).content.decode()
    # Samhällsbyggnadsnämnden: frame 60 − 2 mnkr = 58 mnkr, outcome 24 mnkr,
    # budget to date 29 mnkr: +5 000 tkr to date, forecast = frame: 0.
    assert ">5\xa0000</td>" in overview and ">5\xa0000</td>" in page
    assert ">58\xa0000</td>" in overview and "Ram (nettokostnad): 58\xa0000 tkr" in page
    assert "−58\xa0000</td>" in page  # the net budget, in table sign
    assert "Ej fördelat på kontogrupper" in page  # the frame beyond the detaljbudget


def test_a_month_without_bookings_says_so(client, world, budget):
    client.force_login(world.politician)
    html = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 8}).content.decode()
    assert "Inga bokningar för augusti ännu" in html
    html = client.get(
        reverse("budget:unit", args=[world.nA.pk]), {"ar": 2026, "manad": 8}
    ).content.decode()
    assert "Inga bokningar för augusti ännu" in html
    html = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 6}).content.decode()
    assert "Inga bokningar" not in html


def test_units_are_tkr_in_tables_chart_and_headings(client, world, budget):
    client.force_login(world.politician)
    html = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 6}).content.decode()
    assert "Ram: 120\xa0000\xa0tkr" in html or "Ram: 120\xa0000 tkr" in html  # the chart
    assert "mnkr" not in html
    assert "Per nämnd och styrelse (tkr)" in html
    unit = client.get(reverse("budget:unit", args=[world.nA.pk]), {"ar": 2026, "manad": 6})
    text = unit.content.decode()
    assert (
        "Per kontogrupp (tkr)" in text and "Ram (nettokostnad): 120\xa0000 tkr" in text
    )  # the frame line


# 3. One column specification for the page and the exports --------------------------------


def test_page_and_exports_use_the_same_columns(client, world, budget):
    from budget.tables import DRIFT_COLUMNS, PAGE_COLUMNS, export_header

    client.force_login(world.politician)
    html = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 6}).content.decode()
    head = html[html.index('<table class="budget-table">') :]
    head = head[: head.index("</thead>")]
    assert head.count('<th scope="col"') == len(PAGE_COLUMNS)
    for column in PAGE_COLUMNS:
        assert f">{column.heading}</th>" in head
    assert [c.key for c in DRIFT_COLUMNS if not c.on_page] == ["action_plan"]
    csv_text = client.get(
        reverse("budget:export", args=["csv"]), {"ar": 2026, "manad": 6}
    ).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == ";".join(export_header(budget_overview(budget, 6)))
    assert "Beslutad ram (kr)" in csv_text.splitlines()[0]


def test_a_draft_years_frames_are_proposals_on_the_page_and_in_the_exports(client, world, budget):
    """Found by the second fresh-eyes pass: a draft year's column said "Beslutad ram"."""
    _draft_year(world, 2027)
    client.force_login(world.politician)
    html = client.get(reverse("budget:overview"), {"ar": 2027}).content.decode()
    assert ">Föreslagen ram</th>" in html and "Beslutad ram" not in html
    csv_text = client.get(reverse("budget:export", args=["csv"]), {"ar": 2027}).content
    assert "Föreslagen ram (kr)" in csv_text.decode("utf-8-sig").splitlines()[0]


# 4. Everyone logged in reads every unit's budget ------------------------------------------


@pytest.mark.parametrize("who", ["politician", "chef_a", "chef_b", "unit_chef_a", "hr", "finance"])
def test_every_role_reads_every_drill_down_and_the_investments(client, world, budget, who):
    client.force_login(getattr(world, who))
    for unit in (world.nA, world.fB, world.eA, world.kf):
        response = client.get(reverse("budget:unit", args=[unit.pk]), {"ar": 2026})
        assert response.status_code == 200, unit.name
    assert client.get(reverse("budget:investments"), {"ar": 2026}).status_code == 200


def test_anonymous_is_sent_to_login_from_the_drill_down(client, world, budget):
    response = client.get(reverse("budget:unit", args=[world.nA.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.get(reverse("budget:investments"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_readers_may_not_change_the_budget(client, world, budget):
    client.force_login(world.chef_b)
    url = reverse("budget:detail_budget", args=[2026, world.fA.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("budget:investment_create", args=[2026])).status_code == 403
    assert client.get(reverse("budget:detail_budget", args=[2026, 987654])).status_code == 404


# 6. An empty POST never deletes rows ------------------------------------------------------


def test_empty_post_keeps_the_detail_budget(client, world, budget):
    personal, revenue = world.groups["personal"], world.groups["intakter"]
    DetailBudget.objects.create(budget_year=budget, unit=world.fA, group=personal, amount=1000)
    DetailBudget.objects.create(budget_year=budget, unit=world.fA, group=revenue, amount=-50)
    client.force_login(world.finance)
    url = reverse("budget:detail_budget", args=[2026, world.fA.pk])
    assert client.post(url, {}).status_code == 302
    assert DetailBudget.objects.filter(unit=world.fA).count() == 2
    # A field posted empty on purpose clears its row, and only that one.
    assert client.post(url, {f"group_{personal.pk}": ""}).status_code == 302
    assert list(DetailBudget.objects.filter(unit=world.fA).values_list("group", flat=True)) == [
        revenue.pk
    ]


def test_empty_post_keeps_the_frames(client, world):
    year = _draft_year(world, 2027)
    BudgetFrame.objects.create(budget_year=year, unit=world.nA, year=2027, amount=5)
    BudgetFrame.objects.create(budget_year=year, unit=world.nB, year=2028, amount=6)
    client.force_login(world.finance)
    url = reverse("budget:frames") + "?ar=2027"
    assert client.post(url, {}).status_code == 302
    assert year.frames.count() == 2
    assert client.post(url, {f"frame_{world.nA.pk}_2027": ""}).status_code == 302
    assert list(year.frames.values_list("unit", flat=True)) == [world.nB.pk]


# 7. A duplicate investment code is a form error -------------------------------------------


def test_duplicate_investment_code_is_a_form_error_in_swedish(client, world, budget):
    InvestmentProject.objects.create(
        budget_year=budget, unit=world.fA, code="P2601", name="Förskola", budget=1
    )
    client.force_login(world.finance)
    response = client.post(
        reverse("budget:investment_create", args=[2026]),
        {"code": "P2601", "name": "Skola", "unit": world.fB.pk, "budget": "5", "outcome": "0"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Projektkoden P2601 används redan" in html
    assert InvestmentProject.objects.count() == 1


# 8. Years and dates in range ----------------------------------------------------------------


@pytest.mark.parametrize("year", [0, 1899, 2101])
def test_years_outside_1900_2100_are_refused_by_every_model(world, budget, year):
    group = world.groups["personal"]
    rows = [
        BudgetYear(municipality=world.m, year=year),
        BudgetFrame(budget_year=budget, unit=world.nA, year=year, amount=1),
        Outcome(municipality=world.m, unit=world.fA, year=year, month=1, group=group, amount=1),
        Forecast(unit=world.fA, year=year, month=1, group=group, amount=1),
        BalanceAmount(municipality=world.m, year=year, kind="IB", account="1910", amount=1),
    ]
    for row in rows:
        with pytest.raises(ValidationError) as info:
            row.full_clean()
        assert "year" in info.value.message_dict, type(row).__name__


def test_the_database_refuses_year_zero(world, budget):
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(
            municipality=world.m, year=0, month=1, group=world.groups["personal"], amount=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetYear.objects.create(municipality=world.m, year=0)


@pytest.mark.parametrize("date", ["1899-12-31", "2101-01-01", "0001-01-01"])
def test_adoption_date_out_of_range_is_a_form_error(world, date):
    year = _draft_year(world, 2027)
    form = AdoptBudgetForm({"decided_on": date, "decision_reference": "KF § 1"}, instance=year)
    assert not form.is_valid()
    assert "decided_on" in form.errors


def test_url_years_out_of_range_answer_404(client, world, budget):
    client.force_login(world.finance)
    for year in (0, 99999):
        assert client.get(reverse("budget:adopt", args=[year])).status_code == 404
        assert client.get(reverse("budget:investment_create", args=[year])).status_code == 404


# 9. Swedish selects, single years ---------------------------------------------------------


def test_no_dashes_in_budget_selects(world, budget):
    html = str(InvestmentForm(municipality=world.m, instance=InvestmentProject()))
    assert "---------" not in html and "Välj enhet" in html


def test_single_years_are_shown_as_one_year(client, world, budget):
    client.force_login(world.finance)
    for url in (
        reverse("budget:overview") + "?ar=2026",
        reverse("budget:unit", args=[world.nA.pk]) + "?ar=2026",
        reverse("budget:frames") + "?ar=2026",
        reverse("budget:investments") + "?ar=2026",
    ):
        assert "2026–2026" not in client.get(url).content.decode()


# Query counts: the drill-down and the overview do not grow with units ---------------------


def _add_units(world, budget, count, first=0):
    from tests.factories import make_unit

    for index in range(first, first + count):
        unit = make_unit(world.m, f"Enhet {index}", "unit", world.fA, f"49{index}")
        Outcome.objects.create(
            municipality=world.m,
            unit=unit,
            year=2026,
            month=1,
            group=world.groups["personal"],
            amount=1000,
        )
        DetailBudget.objects.create(
            budget_year=budget, unit=unit, group=world.groups["personal"], amount=12000
        )
        Forecast.objects.create(
            unit=unit, year=2026, month=1, group=world.groups["personal"], amount=13000
        )
    refresh_totals(world.m.pk, [2026])


def _count(client, url, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["nämnd", "förvaltning", "overview"])
def test_page_queries_are_the_same_at_two_sizes(client, world, budget, page):
    client.force_login(world.politician)
    unit = {"nämnd": world.nA, "förvaltning": world.fA}.get(page)
    url = reverse("budget:unit", args=[unit.pk]) if unit else reverse("budget:overview")
    _add_units(world, budget, 1)
    small = _count(client, url, {"ar": 2026, "manad": 6})
    _add_units(world, budget, 4, first=1)
    assert _count(client, url, {"ar": 2026, "manad": 6}) == small


def test_frames_show_amounts_as_people_write_them(client, world, budget):
    """Found by the fresh-eyes test: frames read "441800000.00" in their fields."""
    from budget.models import BudgetFrame

    client.force_login(world.finance)
    frame = BudgetFrame.objects.filter(budget_year=budget).first()
    html = client.get(reverse("budget:frames"), {"ar": budget.year}).content.decode()
    written = formatting.number(frame.amount / 1000)  # tkr, as /budget/ shows frames
    assert f'value="{written}"' in html
    assert f'value="{frame.amount}"' not in html


def test_the_second_of_two_saves_of_an_investment_is_refused_and_keeps_what_was_typed(
    client, world, budget
):
    """A version check on the investment form, as on the goal forms (styrning.concurrency)."""
    from styrning.concurrency import current_version

    project = InvestmentProject.objects.create(
        budget_year=budget, unit=world.fA, code="P1", name="Förskola", budget=1
    )
    opened = current_version(project)
    url = reverse("budget:investment_edit", args=[2026, project.pk])
    client.force_login(world.finance)
    fields = {"code": "P1", "unit": world.fA.pk, "budget": "1", "outcome": "0"}
    first = client.post(url, {**fields, "name": "Förskola Norr", "version": opened})
    assert first.status_code == 302
    second = client.post(url, {**fields, "name": "Förskola Söder", "version": opened})
    assert second.status_code == 200
    project.refresh_from_db()
    assert project.name == "Förskola Norr"
    html = second.content.decode()
    assert "Förskola Söder" in html and "Förskola Norr" in html


def test_a_month_that_does_not_exist_says_which_month_is_shown(client, world, budget):
    """Found by the fresh-eyes test: ?manad=13 silently showed another month."""
    client.force_login(world.politician)
    html = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 13}).content.decode()
    assert "Det finns ingen månad 13: visar juni." in html


@pytest.mark.parametrize("month", [2, 6])
def test_a_nämnds_net_row_is_its_overview_row_with_a_body_inside_it(world, uneven, month):
    """The unit page computes the net row from its own units' figures (budget.overview
    ._body_row): the same as the overview's row, also with a styrelse inside the nämnd,
    a change between them, a monthly detaljbudget and a forecast of the styrelse."""
    from budget.models import BudgetChange, BudgetFrame
    from budget.overview import budget_overview, unit_detail
    from tests.factories import Kind, make_unit

    inner = make_unit(world.m, "Styrelsen för Hemtjänst AB", Kind.BOARD, world.fA, "490")
    world.nA.refresh_from_db()
    BudgetFrame.objects.create(budget_year=uneven, unit=inner, year=2026, amount=5_000_000)
    BudgetChange.objects.create(
        budget_year=uneven,
        kind="reallocation",
        from_unit=world.eA,
        to_unit=inner,
        amount=Decimal("1000000"),
        decided_by=world.kf,
        decided_on=dt.date(2026, 5, 2),
        decision_reference="KF 2026-05-02 § 50",
    )
    for m in range(1, 13):
        DetailBudget.objects.create(
            budget_year=uneven,
            unit=world.eA,
            group=world.groups["personal"],
            month=m,
            amount=1_000_000 * m,
        )
    Forecast.objects.create(
        unit=inner, year=2026, month=1, group=world.groups["ovriga"], amount=9_000_000
    )
    ov = budget_overview(uneven, month)
    for unit in (world.nA, inner, world.nB):
        row = ov.row_for(unit)
        detail = unit_detail(uneven, unit, month)
        assert detail.frame == row.current, unit.name
        assert detail.total["budget_to_date"] == row.budget_to_date, unit.name
        assert detail.total["outcome"] == row.outcome, unit.name
        assert detail.total["forecast"] == row.forecast_or_frame, unit.name
        assert detail.total["deviation"] == row.deviation_forecast, unit.name
        assert detail.total["deviation_to_date"] == row.deviation_to_date, unit.name
    # 2 mnkr in from Samhällsbyggnadsnämnden, 1 mnkr out to the styrelse inside it.
    assert ov.row_for(world.nA).changes == Decimal("1000000")
    assert ov.row_for(inner).changes == Decimal("1000000")


def test_outcome_on_no_committee_is_explained_under_the_table(client, world, budget):
    """The "Ej fördelat på ansvar" row says what it is, on /budget/ and in the reports'
    driftredovisning alike (one text, from the overview)."""
    from reports.context import drift_table

    client.force_login(world.finance)
    url = reverse("budget:overview") + "?ar=2026&manad=6"
    note = "Ej fördelat på ansvar: verksamhetens intäkter och kostnader som bokförts utan ansvar"
    assert note not in client.get(url).content.decode()
    Outcome.objects.create(
        municipality=world.m,
        unit=None,
        year=2026,
        month=3,
        group=world.groups["ovriga"],
        amount=Decimal("70000"),
    )
    refresh_totals(world.m.pk, [2026])
    assert note in client.get(url).content.decode()
    from django.utils import translation

    with translation.override("sv"):
        assert drift_table(budget_overview(budget, 6), False)["note"].startswith(note)
