"""Måluppfyllelse (/uppfoljning/maluppfyllelse/): the politicians' overview and drill-down.

A known tree: KF's "Trygg kommun" with two nämndmål, each with a verksamhetsplan goal of
its förvaltning. Socialförvaltningen's submission is approved; Samhällsbyggnads-
förvaltningen's is only sent, so politicians must not see what it says.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from followup.calendar import open_period
from followup.models import Assessment, Submission
from tests.factories import make_goal
from tests.followup.factories import make_submission, make_year

State = Submission.State
OVERVIEW = "/uppfoljning/maluppfyllelse/"


def _assess(submission, goal, status, analysis, prognosis=""):
    return Assessment.objects.create(
        submission=submission, goal=goal, status=status, analysis=analysis, prognosis=prognosis
    )


@pytest.fixture
def assessed(world):
    periods = make_year(world, 2026)
    period = open_period(periods[8], user=world.finance)
    sub_a = make_submission(period, world.fA, State.APPROVED, economic_comment="Ok.")
    sub_b = make_submission(period, world.fB, State.SENT, economic_comment="Ok.")
    _assess(sub_a, world.goal_a, "fulfilled", "Fast omsorgskontakt för alla.", "fulfilled")
    _assess(sub_a, world.plan_a, "partly", "Kontinuiteten ökar långsamt.", "partly")
    _assess(sub_b, world.goal_b, "not_fulfilled", "Hemlig analys före granskning.", "partly")
    _assess(sub_b, world.plan_b, "fulfilled", "Belysningen är utbytt.", "fulfilled")
    world.period = period
    world.periods = periods
    world.sub_a, world.sub_b = sub_a, sub_b
    return world


def _card_text(html, title):
    start = html.index(f">{title}</h2>")
    end = html.find("</article>", start)
    return html[start:end]


def test_politician_sees_decided_counts_and_never_a_sent_submissions_text(client, assessed):
    client.force_login(assessed.politician)
    response = client.get(OVERVIEW, {"period": assessed.period.pk})
    assert response.status_code == 200
    cards = response.context["cards"]
    assert [c.title for c in cards] == ["Trygg kommun"]
    card = cards[0]
    counts = {item.status: item.count for item in card.counts}
    # Nämndmål A fulfilled (approved); nämndmål B's submission is only sent: not assessed.
    assert counts == {"fulfilled": 1, "partly": 0, "not_fulfilled": 0, "not_assessed": 1}
    assert card.below == 2
    html = response.content.decode()
    text = _card_text(html, "Trygg kommun")
    assert "1 av 2 nämndmål uppfyllda" in text
    # Text, symbol and a link to how it was made; never colour alone.
    assert "status--fulfilment-" in text and 'aria-hidden="true">' in text
    assert reverse("followup:fulfilment_goal", args=[assessed.top.pk]) in text
    assert reverse("followup:rollup", args=[assessed.top.pk]) in text  # hur bedömningen gjordes
    assert "Hemlig analys" not in html
    # How many follow-ups the figures stand on.
    assert "1 av 3 uppföljningar godkända." in html  # fA of fA, fB and the bolag
    # The drill-down to the nämndmål: only the approved unit's text.
    drill = client.get(card.drill_url)
    assert drill.status_code == 200
    page = drill.content.decode()
    assert "Fast omsorgskontakt för alla." in page
    assert "Hemlig analys" not in page
    assert [row.title for row in drill.context["rows"]] == ["Trygg äldreomsorg", "Trygga gator"]


def test_the_ekonomichef_may_include_follow_ups_in_progress(client, assessed):
    client.force_login(assessed.finance)
    decided = client.get(OVERVIEW, {"period": assessed.period.pk})
    assert {i.status: i.count for i in decided.context["cards"][0].counts}["not_fulfilled"] == 0
    response = client.get(OVERVIEW, {"period": assessed.period.pk, "pagaende": "1"})
    card = response.context["cards"][0]
    counts = {item.status: item.count for item in card.counts}
    assert counts == {"fulfilled": 1, "partly": 0, "not_fulfilled": 1, "not_assessed": 0}
    assert "pagaende=1" in card.drill_url
    drill = client.get(card.drill_url).content.decode()
    assert "Hemlig analys före granskning." in drill
    assert "inte godkänd" in drill  # marked as not yet approved


def test_a_politician_asking_for_follow_ups_in_progress_still_sees_decided_only(client, assessed):
    client.force_login(assessed.politician)
    response = client.get(OVERVIEW, {"period": assessed.period.pk, "pagaende": "1"})
    assert response.context["decided_only"] is True
    assert (
        "Hemlig analys" not in client.get(response.context["cards"][0].drill_url).content.decode()
    )


def test_drill_down_of_a_goal_below_shows_its_units_comment_and_the_way_back(client, assessed):
    client.force_login(assessed.politician)
    url = reverse("followup:fulfilment_goal", args=[assessed.goal_a.pk])
    response = client.get(url, {"period": assessed.period.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kontinuiteten ökar långsamt." in html  # the förvaltning's own text on its goal
    assert f'href="{OVERVIEW}?period={assessed.period.pk}"' in html
    above = response.context["above"]
    assert [a["title"] for a in above] == ["Trygg kommun"]


def test_a_drill_down_with_no_goal_below_in_the_period_says_so(client, assessed):
    """A trial opened a goal whose goals below were not valid that year: the page showed
    only the goal's own card and said nothing of the level below."""
    client.force_login(assessed.politician)
    url = reverse("followup:fulfilment_goal", args=[assessed.plan_a.pk])
    response = client.get(url, {"period": assessed.period.pk})
    assert response.status_code == 200 and not response.context["rows"]
    html = response.content.decode()
    assert "Inget antaget mål under det här målet gäller 2026." in html
    assert 'id="below-heading"' in html


def test_a_draft_goal_is_404_to_a_politician(client, assessed):
    client.force_login(assessed.politician)
    url = reverse("followup:fulfilment_goal", args=[assessed.draft_a.pk])
    assert client.get(url).status_code == 404
    client.force_login(assessed.chef_a)
    assert client.get(url).status_code == 200


def test_default_period_is_the_newest_closed_one_and_a_wrong_one_is_said(client, assessed):
    client.force_login(assessed.politician)
    response = client.get(OVERVIEW, {"period": "987654"})
    assert response.status_code == 200
    assert response.context["period"] == assessed.period  # the only goal period opened
    assert "Det finns ingen sådan uppföljning" in response.content.decode()


def test_trend_over_earlier_periods_has_a_text_alternative(client, assessed):
    # The delårsrapport's roll-up, then the årsbokslut: two points on the trend.
    from followup.calendar import close_period

    close_period(assessed.period, user=assessed.finance)
    bokslut = open_period(assessed.periods[12], user=assessed.finance)
    sub = Submission.objects.get(period=bokslut, unit=assessed.fA)
    Assessment.objects.filter(submission=sub, goal=assessed.goal_a).update(status="partly")
    make_submission(bokslut, assessed.fA, State.APPROVED)
    with time_machine.travel(dt.date(2027, 1, 20), tick=False):  # once the year has ended
        client.force_login(assessed.politician)
        response = client.get(OVERVIEW, {"period": bokslut.pk})
    svg = str(response.context["cards"][0].trend)
    assert 'role="img"' in svg
    assert "Delår 2026: uppfyllt; Bokslut 2026: delvis uppfyllt" in svg


def test_a_period_opened_before_it_has_ended_is_not_offered_to_politicians(client, assessed):
    """An årsbokslut opened on 7 December holds no result of the year (a trial read its
    "Bokslut 2026", built from last year's indicator values, as the year's result)."""
    from followup.calendar import close_period

    close_period(assessed.period, user=assessed.finance)
    bokslut = open_period(assessed.periods[12], user=assessed.finance)
    client.force_login(assessed.politician)
    response = client.get(OVERVIEW, {"period": bokslut.pk})
    assert response.context["period"] == assessed.period
    html = response.content.decode()
    assert f'<option value="{bokslut.pk}"' not in html
    assert "Bokslut 2026" not in str(response.context["cards"][0].trend)
    # The ekonomichef, who follows the work in progress, is offered it.
    client.force_login(assessed.finance)
    response = client.get(OVERVIEW, {"period": bokslut.pk, "pagaende": "1"})
    assert response.context["period"] == bokslut


def test_politicians_start_on_the_overview_and_find_it_in_the_menu(client, assessed):
    client.force_login(assessed.politician)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == OVERVIEW
    assert f'href="{OVERVIEW}" aria-current="page"' in response.content.decode()


def test_the_overview_without_any_goal_period_says_so(client, world):
    client.force_login(world.politician)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert "Ingen uppföljning av målen har öppnat" in response.content.decode()


def test_level_names_come_from_the_municipalitys_model(client, three_level_world):
    w = three_level_world
    periods = make_year(w, 2026)
    period = open_period(periods[8], user=w.finance)
    sub = make_submission(period, w.fA, State.APPROVED)
    _assess(sub, w.goal_a, "fulfilled", "Bra.")
    extra = make_goal(w.m, w.levels[3], w.nA, w.top, adopted=True, title="Fler i arbete")
    _assess(sub, extra, "not_fulfilled", "Inte än.")
    client.force_login(w.politician)
    html = client.get(OVERVIEW, {"period": period.pk}).content.decode()
    assert "övergripande mål" in html.lower()
    assert "1 av 3 nämndmål uppfyllda, 1 ej uppfyllt, 1 ej bedömt" in html
