"""The forecast form speaks the pages' language: tkr, intäkter +, kostnader −."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget.models import DetailBudget, Forecast


def _inputs(html):
    """The group fields of the form as the page fills them in: name → value."""
    return dict(re.findall(r'name="(group_\d+)" value="([^"]*)"', html))


def _row_cells(html, label):
    """The cells of the table row headed ``label`` on a budget page."""
    row = re.search(
        rf'<th scope="row">(?:<label[^>]*>)?{label}(?:</label>)?</th>(.*?)</tr>', html, re.S
    )
    assert row, f"no row {label}"
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)


def _url(world, unit=None):
    return reverse("budget:forecast", args=[2026, (unit or world.fA).pk])


def test_saved_forecast_is_what_the_page_shows_in_the_same_row(client, world, budget):
    client.force_login(world.chef_a)
    html = client.get(_url(world)).content.decode()
    data = _inputs(html)
    personal = f"group_{world.groups['personal'].pk}"
    data.update({personal: "−140 000", "month": "6", "comment": "Fler vikarier"})
    response = client.post(_url(world), data)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('budget:unit', args=[world.fA.pk])}?ar=2026&manad=6"
    saved = Forecast.objects.get(unit=world.fA, month=6, group=world.groups["personal"])
    assert saved.amount == Decimal("140000000")  # a cost: positive in the ledger
    page = client.get(response["Location"]).content.decode()
    # Budget, to date, outcome, deviation to date, then the full-year forecast.
    assert _row_cells(page, "Personalkostnader")[4] == "−140\xa0000"


def test_units_below_keep_their_forecasts_and_the_total_is_what_was_entered(client, world, budget):
    Forecast.objects.create(
        unit=world.eA, year=2026, month=6, group=world.groups["personal"], amount=20_000_000
    )
    client.force_login(world.chef_a)
    data = _inputs(client.get(_url(world)).content.decode())
    data.update({f"group_{world.groups['personal'].pk}": "-140 000", "month": "6"})
    response = client.post(_url(world), data)
    assert response.status_code == 302
    own = Forecast.objects.get(unit=world.fA, month=6, group=world.groups["personal"])
    assert own.amount == 120_000_000  # the rest beside Hemtjänst Norr's 20 mnkr
    page = client.get(response["Location"]).content.decode()
    assert _row_cells(page, "Personalkostnader")[4] == "−140\xa0000"


def test_form_is_prefilled_with_the_last_forecast_in_table_sign_and_tkr(client, world, budget):
    Forecast.objects.create(
        unit=world.fA, year=2026, month=3, group=world.groups["personal"], amount=130_000_000
    )
    client.force_login(world.chef_a)
    response = client.get(_url(world), {"manad": 6})
    html = response.content.decode()
    values = _inputs(html)
    assert values[f"group_{world.groups['personal'].pk}"] == "−130\xa0000"
    # No forecast of revenue yet: six months of 1 mnkr revenue, linearly → 12 000 tkr.
    assert values[f"group_{world.groups['intakter'].pk}"] == "12\xa0000"
    cells = _row_cells(html, "Personalkostnader")
    assert cells[1] == "−66\xa0000"  # outcome to date beside the row, table sign
    assert "−130\xa0000" not in cells[0]


def test_without_a_forecast_outcome_is_extrapolated_by_the_monthly_profile(client, world, budget):
    group = world.groups["personal"]
    for month in range(1, 13):
        amount = 1_000_000 if month <= 6 else 3_000_000  # a quarter of the year by June
        DetailBudget.objects.create(
            budget_year=budget, unit=world.fA, group=group, month=month, amount=amount
        )
    client.force_login(world.chef_a)
    values = _inputs(client.get(_url(world), {"manad": 6}).content.decode())
    assert values[f"group_{group.pk}"] == "−264\xa0000"  # 66 mnkr to date / 0.25


def test_the_month_defaults_to_the_latest_month_with_bookings(client, world, budget):
    client.force_login(world.chef_a)
    html = client.get(_url(world)).content.decode()
    assert 'name="month" value="6"' in html  # the fixture books January to June


def test_deviation_beside_each_row_follows_the_entered_forecast(client, world, budget):
    client.force_login(world.chef_a)
    data = _inputs(client.get(_url(world)).content.decode())
    personal = f"group_{world.groups['personal'].pk}"
    data.update({personal: "-140 000", f"group_{world.groups['intakter'].pk}": "", "month": "6"})
    response = client.post(_url(world), data)
    assert response.status_code == 200
    html = response.content.decode()
    # No detail budget: the budget is 0, so the deviation is the forecast itself.
    assert "−140\xa0000</output>" in html
    assert "Ange en prognos för Intäkter" in html
    assert not Forecast.objects.exists()


def test_year_outside_the_range_is_refused(world, budget):
    forecast = Forecast(
        unit=world.fA, year=0, month=6, group=world.groups["personal"], amount=Decimal(1)
    )
    with pytest.raises(ValidationError) as error:
        forecast.full_clean()
    assert "year" in error.value.message_dict


def test_council_forecast_of_taxes_in_table_sign(client, world, budget):
    client.force_login(world.finance)
    url = _url(world, world.kf)
    data = _inputs(client.get(url, {"manad": 8}).content.decode())
    data.update({f"group_{world.groups['skatter'].pk}": "161 000", "month": "8"})
    assert client.post(url, data).status_code == 302
    saved = Forecast.objects.get(unit=world.kf, month=8, group=world.groups["skatter"])
    assert saved.amount == -161_000_000  # revenue: negative in the ledger


def test_saving_the_months_forecast_again_keeps_its_comment(client, world, budget):
    Forecast.objects.create(
        unit=world.fA,
        year=2026,
        month=6,
        group=world.groups["personal"],
        amount=130_000_000,
        comment="Vikarier under sommaren",
    )
    client.force_login(world.chef_a)
    html = client.get(_url(world)).content.decode()
    assert "Vikarier under sommaren</textarea>" in html


def _stored_forecasts(world, amounts, comment=""):
    """A forecast made in June of every group the form shows (kronor, ledger sign)."""
    for group in world.m.account_groups.filter(kind__in=("revenue", "cost")):
        Forecast.objects.create(
            unit=world.fA,
            year=2026,
            month=6,
            group=group,
            amount=amounts.get(group.code, 0),
            comment=comment,
        )


def _form(html):
    """What a browser posts from the page: the amounts, the month and the comment (its
    line breaks as CRLF, as browsers send a textarea)."""
    data = _inputs(html)
    data["month"] = re.search(r'<option value="(\d+)" selected>', html).group(1)
    comment = re.search(r'<textarea name="comment"[^>]*>\n?(.*?)</textarea>', html, re.S)
    data["comment"] = unescape(comment.group(1)).replace("\n", "\r\n")
    return data


def _june(world):
    return dict(
        Forecast.objects.filter(unit=world.fA, year=2026, month=6).values_list(
            "group__code", "amount"
        )
    )


def test_saving_the_form_unchanged_keeps_amounts_that_are_not_whole_tkr(client, world, budget):
    _stored_forecasts(
        world,
        {"personal": Decimal("86210500.00"), "intakter": Decimal("-12345678.90")},
        comment="Vikarier under sommaren.\nSe åtgärdsplanen.",
    )
    client.force_login(world.chef_a)
    data = _form(client.get(_url(world)).content.decode())
    assert data[f"group_{world.groups['personal'].pk}"] == "−86\xa0211"  # whole tkr, table sign
    assert data[f"group_{world.groups['intakter'].pk}"] == "12\xa0346"
    stored, records = _june(world), Forecast.history.count()
    assert client.post(_url(world), data).status_code == 302
    assert _june(world) == stored
    assert stored["personal"] == Decimal("86210500.00")
    assert Forecast.history.count() == records  # nothing written, nothing in the history


def test_only_the_changed_forecast_is_written_as_typed(client, world, budget):
    _stored_forecasts(
        world, {"personal": Decimal("86210500.00"), "intakter": Decimal("-12345678.90")}
    )
    client.force_login(world.chef_a)
    data = _form(client.get(_url(world)).content.decode())
    stored, records = _june(world), Forecast.history.count()
    data[f"group_{world.groups['intakter'].pk}"] = "13 000,5"
    response = client.post(_url(world), data)
    assert response.status_code == 302
    assert _june(world) == {**stored, "intakter": Decimal("-13000500.00")}  # revenue: − in ledger
    assert Forecast.history.count() == records + 1
    page = client.get(response["Location"]).content.decode()
    assert _row_cells(page, "Intäkter")[4] == "13\xa0001"  # 13 000,5 tkr shown whole, as typed
    assert _row_cells(page, "Personalkostnader")[4] == "−86\xa0211"


def test_a_month_whose_report_is_adopted_keeps_its_forecast(client, world, budget):
    """Nothing in a locked period changes: the forecast made in its month is refused,
    with the reason, and the form has nothing to save."""
    from tests.followup.factories import make_year, set_state

    set_state(make_year(world, 2026)[8], "locked", "KS 2026-09-01 § 7")
    Forecast.objects.create(
        unit=world.fA, year=2026, month=8, group=world.groups["personal"], amount=100_000_000
    )
    client.force_login(world.finance)
    html = client.get(_url(world) + "?manad=8").content.decode()
    assert "KS 2026-09-01 § 7" in html and ">Spara</button>" not in html
    data = _inputs(html)
    data.update({f"group_{world.groups['personal'].pk}": "−1", "month": "8"})
    response = client.post(_url(world), data, follow=True)
    assert "Inget sparades" in response.content.decode()
    saved = Forecast.objects.get(unit=world.fA, month=8, group=world.groups["personal"])
    assert saved.amount == Decimal("100000000")
    # Another month is open as before.
    assert ">Spara</button>" in client.get(_url(world) + "?manad=9").content.decode()


def test_a_cost_without_its_minus_and_a_dotted_thousand_are_read_right(client, world, budget):
    """45 150 in a cost group is refused, naming the group and the figure it should be
    (it turned a deficit into a surplus); "22.580" is 22 580 tkr, not 22,58."""
    client.force_login(world.chef_a)
    data = _inputs(client.get(_url(world)).content.decode())
    personal = f"group_{world.groups['personal'].pk}"
    revenue = f"group_{world.groups['intakter'].pk}"
    data.update({personal: "140 000", revenue: "-12 000", "month": "6"})
    html = unescape(client.post(_url(world), data).content.decode())
    assert "Personalkostnader är en kostnad: skriv den med minustecken, −140\xa0000." in html
    assert "är en intäkt: skriv den utan minustecken, 12\xa0000." in html
    assert not Forecast.objects.exists()
    data.update({personal: "−140.000", revenue: "22.580"})
    assert client.post(_url(world), data).status_code == 302
    saved = dict(Forecast.objects.filter(unit=world.fA, month=6).values_list("group", "amount"))
    assert saved[world.groups["personal"].pk] == Decimal("140000000")
    assert saved[world.groups["intakter"].pk] == Decimal("-22580000")


def test_a_figure_in_exponent_notation_is_refused(client, world, budget):
    """ "1e5" is no way to write an amount: Python read it as 100 000 tkr."""
    client.force_login(world.chef_a)
    data = _inputs(client.get(_url(world)).content.decode())
    revenue = f"group_{world.groups['intakter'].pk}"
    data.update({revenue: "1e5", "month": "6"})
    html = unescape(client.post(_url(world), data).content.decode())
    assert "Fyll i ett tal." in html
    assert not Forecast.objects.exists()


def test_a_figure_too_large_to_store_is_refused_naming_the_group(client, world, budget):
    """A trillion tkr answered 500 (the database's numeric overflowed); now the field
    says which group and how large a figure may be, on /budget/ and in the follow-up."""
    client.force_login(world.chef_a)
    data = _inputs(client.get(_url(world)).content.decode())
    personal = f"group_{world.groups['personal'].pk}"
    for typed in ("-1000000000000", "-9999999999999", "-99999999999999999"):
        data.update({personal: typed, "month": "6"})
        response = client.post(_url(world), data)
        assert response.status_code == 200
        html = unescape(response.content.decode())
        assert (
            "Personalkostnader: beloppet är för stort (högst 99\xa0999\xa0999\xa0999 tkr)." in html
        )
    data.update({personal: "-99999999999"})  # the largest that fits
    assert client.post(_url(world), data).status_code == 302
    saved = Forecast.objects.get(unit=world.fA, month=6, group=world.groups["personal"])
    assert saved.amount == Decimal("99999999999000")  # a cost, in the ledger's sign and kr


def test_a_forecast_below_what_is_already_booked_is_saved_with_a_warning(client, world, budget):
    """−1 tkr of personnel costs beside what the ledger has booked so far is likely a
    typing error: it is saved (a figure can be meant) and the page says so."""
    client.force_login(world.chef_a)
    data = _inputs(client.get(_url(world)).content.decode())
    personal = f"group_{world.groups['personal'].pk}"
    data.update({"month": "6"})
    response = client.post(_url(world), data, follow=True)
    assert "mindre än utfallet hittills" not in unescape(response.content.decode())
    data.update({personal: "-1"})
    html = unescape(client.post(_url(world), data, follow=True).content.decode())
    assert "Personalkostnader: helårsprognosen (−1 tkr) är mindre än utfallet hittills" in html
    saved = Forecast.objects.get(unit=world.fA, month=6, group=world.groups["personal"])
    assert saved.amount == Decimal("1000")


def test_a_namnds_form_shows_of_which_units_below_only_beside_a_part_of_its_own(
    client, world, budget
):
    """Found in a trial: on a nämnd's form every figure is its förvaltning's, so "Varav
    underliggande enheter" repeated each field. It shows once the nämnd holds a part."""
    personal = world.groups["personal"]
    Forecast.objects.create(unit=world.fA, year=2026, month=6, group=personal, amount=90_000_000)
    client.force_login(world.finance)
    url = _url(world, world.nA) + "?manad=6"
    html = client.get(url).content.decode()
    assert "Varav underliggande enheter" not in html
    assert "Beloppen är prognoserna för enheterna under." in html
    assert "sparas som Socialnämndens egen del av prognosen" in html
    # The nämnd's own part (e.g. its politicians' fees): now the split says something.
    Forecast.objects.create(unit=world.nA, year=2026, month=6, group=personal, amount=500_000)
    html = client.get(url).content.decode()
    assert "Varav underliggande enheter" in html
    assert _row_cells(html, "Personalkostnader")[2] == "−90\xa0000"  # after budget, outcome
