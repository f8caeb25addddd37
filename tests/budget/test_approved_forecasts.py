"""A förvaltning's forecast reaches /budget/ for politicians, other förvaltningar and the
reports when its follow-up is approved; the ekonomichef, and the chef who works on it,
see it in progress too."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from budget.models import Forecast
from budget.overview import budget_overview
from followup.models import Submission
from tests.followup.factories import make_submission, make_year, set_state

pytestmark = pytest.mark.django_db


def _row(client, name):
    """The nämnd's row of /budget/ at August."""
    html = client.get("/budget/?ar=2026&manad=8").content.decode()
    row = re.search(rf"{re.escape(name)}</a>.*?</tr>", html, re.S)
    assert row, name
    return row.group(0).replace("\xa0", " ")


def test_a_draft_forecast_is_seen_by_the_ekonomichef_only(client, world, budget):
    period = set_state(make_year(world, 2026)[8], "open")
    sub = make_submission(period, world.fA, Submission.State.DRAFT)
    group = world.groups["personal"]
    Forecast.objects.create(unit=world.fA, year=2026, month=8, group=group, amount=-99_999_000)

    shown = budget_overview(budget, 8)
    approved = budget_overview(budget, 8, approved_only=True)
    row = {r.unit.pk: r for r in shown.rows}[world.nA.pk]
    row_approved = {r.unit.pk: r for r in approved.rows}[world.nA.pk]
    assert row.forecast != row_approved.forecast

    # The page shows the forecast in tkr in the table's sign: 99 999.
    client.force_login(world.politician)
    assert "99 999" not in _row(client, world.nA.name)
    client.force_login(world.finance)
    assert "99 999" in _row(client, world.nA.name)
    # The förvaltning's own chef sees the forecast they work on; another chef does not.
    client.force_login(world.chef_a)
    assert "99 999" in _row(client, world.nA.name)
    client.force_login(world.chef_b)
    assert "99 999" not in _row(client, world.nA.name)
    # Those who see it are told the page is not what politicians see; the others are not.
    note = "Prognosen omfattar uppföljningar som ännu inte godkänts"
    for user, told in ((world.finance, True), (world.chef_a, True), (world.chef_b, False)):
        client.force_login(user)
        page = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 8})
        assert (note in page.content.decode()) is told, user

    # Approved: everyone sees it.
    Submission.objects.filter(pk=sub.pk).update(state="approved", sent_at=timezone.now())
    client.force_login(world.politician)
    assert "99 999" in _row(client, world.nA.name)


def test_the_star_note_shows_only_when_a_row_has_no_forecast(client, world, budget):
    """The note under /budget/'s table explains the "*"; it is there exactly when a row
    shows its frame for want of a forecast."""
    client.force_login(world.finance)
    html = client.get("/budget/?ar=2026&manad=8").content.decode()
    assert "ramen visas" in html and "Ingen prognos ännu" in html
    ov = budget_overview(budget, 8)
    for row in ov.rows:
        unit = row.unit.children.first() or row.unit
        Forecast.objects.create(
            unit=unit, year=2026, month=8, group=world.groups["personal"], amount=-1_000
        )
    html = client.get("/budget/?ar=2026&manad=8").content.decode()
    assert "ramen visas" not in html and "Ingen prognos ännu" not in html
