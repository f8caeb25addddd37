"""The roll-up of the prognoses for the year-end (delår): the same rule as the
assessments, shown beside them and never instead of them — on the overview's cards,
on "hur bedömningen gjordes" and in the delårsrapport's måluppfyllelse.

The known tree of test_fulfilment: Socialförvaltningen's submission is approved
(nämndmål A fulfilled now, prognosis fulfilled; its verksamhetsplan partly, prognosis
partly); Samhällsbyggnadsförvaltningen's is only sent (nämndmål B: prognosis partly).
"""

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import translation

from followup.calendar import close_period, open_period
from followup.models import Assessment, RollupOverride
from followup.rollup import rollup_for_period
from reports.context import interim
from tests.followup import test_fulfilment

assessed = test_fulfilment.assessed  # the fixture
OVERVIEW = "/uppfoljning/maluppfyllelse/"


def test_prognoses_roll_up_by_the_same_rule_apart_from_the_assessments(assessed):
    w = assessed
    Assessment.objects.filter(goal=w.goal_a).update(status="partly")  # now: partly
    now = rollup_for_period(w.m, w.period, decided_only=True)
    year_end = rollup_for_period(w.m, w.period, decided_only=True, prognosis=True)
    assert now[w.goal_a.pk].final == "partly"
    assert year_end[w.goal_a.pk].own == "fulfilled"
    # B's submission is only sent: its prognosis takes no part for politicians.
    assert year_end[w.top.pk].counts == {
        "fulfilled": 1,
        "partly": 0,
        "not_fulfilled": 0,
        "not_assessed": 1,
    }
    assert year_end[w.top.pk].final == "fulfilled"
    everything = rollup_for_period(w.m, w.period, prognosis=True)
    assert everything[w.top.pk].counts["partly"] == 1
    assert everything[w.plan_b.pk].own == "fulfilled"


def test_an_owners_changed_assessment_is_not_a_prognosis(assessed):
    w = assessed
    RollupOverride.objects.create(
        goal=w.top, period=w.period, status="not_fulfilled", reason="Vi ser annorlunda på det."
    )
    assert rollup_for_period(w.m, w.period, decided_only=True)[w.top.pk].final == "not_fulfilled"
    prognosis = rollup_for_period(w.m, w.period, decided_only=True, prognosis=True)
    assert prognosis[w.top.pk].final == "fulfilled"


def test_the_overview_card_shows_the_prognosis_at_delar_only(client, assessed):
    w = assessed
    Assessment.objects.filter(goal=w.goal_a).update(status="partly")
    client.force_login(w.politician)
    response = client.get(OVERVIEW, {"period": w.period.pk})
    card = response.context["cards"][0]
    assert card.status == "partly" and card.prognosis == "fulfilled"
    html = response.content.decode()
    assert "Prognos helår" in html
    assert "status--fulfilment-fulfilled" in html.split("Prognos helår", 1)[1][:400]
    # The årsbokslut asks for no prognosis.
    close_period(w.period, user=w.finance)
    bokslut = open_period(w.periods[12], user=w.finance)
    with time_machine.travel(dt.date(2027, 1, 12), tick=False):  # offered once the year is over
        client.force_login(w.politician)
        response = client.get(OVERVIEW, {"period": bokslut.pk})
    assert response.context["period"] == bokslut
    assert response.context["cards"][0].prognosis == ""
    assert "Prognos helår" not in response.content.decode()


def test_how_the_assessment_was_made_shows_the_prognosis_apart(client, assessed):
    w = assessed
    client.force_login(w.politician)
    url = reverse("followup:rollup", args=[w.top.pk])
    response = client.get(url, {"period": w.period.pk})
    assert response.context["prognosis"].final == "fulfilled"
    rows = {row.pk: row for row in response.context["children"]}
    assert rows[w.goal_a.pk].prognosis == "fulfilled"
    assert rows[w.goal_b.pk].prognosis == "not_assessed"  # only sent
    assert "Prognos helår" in response.content.decode()


def test_the_interim_report_gives_the_prognosis_per_goal_under_the_vision(assessed):
    w = assessed
    Assessment.objects.filter(goal=w.goal_a).update(status="not_fulfilled")
    with translation.override("sv"):
        context = interim(w.period)
    (row,) = context["goals"]["rows"]
    assert row["title"] == "Trygg kommun"
    assert row["final"]["key"] == "not_fulfilled"
    assert row["prognosis"]["key"] == "fulfilled"
    assert row["prognosis"]["label"] == "uppfyllt"
