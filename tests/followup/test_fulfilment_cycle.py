"""The whole cycle on Eskilstuna's model: åtaganden assessed at delår and årsbokslut,
sent, approved, and read by a politician as the fulfilment of each processmål."""

import datetime as dt

import pytest
import time_machine

from followup.calendar import close_period, lock_period, open_period
from followup.models import Submission
from followup.submissions import Parts, approve, save_draft, send
from tests.factories import Kind, Role, make_goal, make_levels, make_municipality, make_unit
from tests.factories import make_user as _user
from tests.followup.factories import make_year

ESKILSTUNA = [
    ("Strategisk inriktning", "Strategiska inriktningar", ["council"]),
    ("Processmål", "Processmål", ["executive", "committee", "board"]),
    ("Åtagande", "Åtaganden", ["executive", "committee", "administration", "company", "unit"]),
]
OVERVIEW = "/uppfoljning/maluppfyllelse/"


@pytest.fixture
def eskilstuna(db):
    m = make_municipality("Eskilstuna kommun", "0484")
    levels = make_levels(m, ESKILSTUNA)
    kf = make_unit(m, "Kommunfullmäktige", Kind.COUNCIL)
    ks = make_unit(m, "Kommunstyrelsen", Kind.EXECUTIVE, kf)
    klk = make_unit(m, "Kommunledningskontoret", Kind.ADMINISTRATION, ks, "100")
    nämnd = make_unit(m, "Vård- och omsorgsnämnden", Kind.COMMITTEE, kf)
    office = make_unit(m, "Vård- och omsorgsförvaltningen", Kind.ADMINISTRATION, nämnd, "500")
    enhet = make_unit(m, "Hemtjänst Väster", Kind.UNIT, office, "510")
    w = type("W", (), {})()
    w.m, w.office = m, office
    w.politician = _user("politiker", Role.POLITICIAN, kf)
    w.chef = _user("vardchef", Role.MANAGER, office)
    w.finance = _user("ekonomichef", Role.FINANCE, klk)
    strategy = make_goal(
        m, levels[1], kf, years=(2023, 2026), adopted=True, title="Eskilstuna – den stolta"
    )
    w.process = make_goal(
        m, levels[2], nämnd, strategy, years=(2023, 2026), adopted=True, title="Trygg omsorg"
    )
    w.commitments = [
        make_goal(m, levels[3], office, w.process, adopted=True, title="Färre vårdskador"),
        make_goal(m, levels[3], enhet, w.process, adopted=True, title="Fast omsorgskontakt"),
        make_goal(m, levels[3], nämnd, w.process, adopted=True, title="Digital tillsyn"),
    ]
    w.periods = make_year(w, 2026)
    return w


def _fill(submission, statuses, prognosis=True):
    goals = {g.pk: g for g in statuses}
    parts = Parts(
        fields={"economic_comment": "Budgeten hålls."},
        assessments={
            pk: {
                "status": statuses[goal],
                "prognosis": statuses[goal] if prognosis else "",
                "analysis": f"Åtagandet {goal.title}: {statuses[goal]}.",
            }
            for pk, goal in goals.items()
        },
    )
    return save_draft(submission, parts)


def _card(client, period):
    response = client.get(OVERVIEW, {"period": period.pk})
    assert response.status_code == 200
    (card,) = response.context["cards"]
    return card, {item.status: item.count for item in card.counts}


def test_commitments_assessed_at_interim_and_year_end(client, eskilstuna, request):
    w = eskilstuna
    c1, c2, c3 = w.commitments
    client.force_login(w.politician)

    # Delår: the förvaltning assesses its processmål and every åtagande, sends, is approved.
    delar = open_period(w.periods[8], user=w.finance)
    sub = Submission.objects.get(period=delar, unit=w.office)
    _fill(sub, {w.process: "partly", c1: "fulfilled", c2: "partly", c3: "not_fulfilled"})
    send(sub, user=w.chef)
    card, counts = _card(client, delar)
    assert counts["not_assessed"] == 3  # sent, not yet approved: politicians wait
    approve(sub, user=w.finance)
    card, counts = _card(client, delar)
    assert card.title == "Trygg omsorg"
    assert counts == {"fulfilled": 1, "partly": 1, "not_fulfilled": 1, "not_assessed": 0}
    assert card.status == "partly"  # the nämnd's own assessment of its processmål
    html = client.get(OVERVIEW, {"period": delar.pk}).content.decode()
    assert "processmål" in html and "(åtaganden)" in html  # the level names are data

    # Årsbokslut: the delår is adopted; the form is pre-filled and only what changed moves.
    close_period(delar, user=w.finance)
    lock_period(delar, "KF 2026-11-24 § 140", user=w.finance)
    bokslut = open_period(w.periods[12], user=w.finance)
    sub = Submission.objects.get(period=bokslut, unit=w.office)
    assert sub.assessments.count() == 4  # copied forward from the delår
    _fill(sub, {w.process: "fulfilled", c2: "fulfilled"}, prognosis=False)
    # Sent, and read, once the year is over.
    new_year = time_machine.travel(dt.date(2027, 1, 20), tick=False)
    new_year.start()
    request.addfinalizer(new_year.stop)
    client.force_login(w.politician)
    send(sub, user=w.chef)
    approve(sub, user=w.finance)
    card, counts = _card(client, bokslut)
    assert counts == {"fulfilled": 2, "partly": 0, "not_fulfilled": 1, "not_assessed": 0}
    assert card.status == "fulfilled"
    assert "Delår 2026: delvis uppfyllt; Bokslut 2026: uppfyllt" in str(card.trend)

    # Drill down: each åtagande with its unit's own text.
    drill = client.get(card.drill_url).content.decode()
    for goal in w.commitments:
        assert goal.title in drill
    assert "Åtagandet Fast omsorgskontakt: fulfilled." in drill
