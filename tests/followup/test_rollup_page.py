"""/uppfoljning/bedomning/<goal>/: how a goal's assessment was made, and its override."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followup.calendar import open_period
from followup.models import Assessment, RollupOverride, Submission
from followup.rollup import set_override
from tests.factories import make_goal, make_indicator
from tests.followup.factories import make_year, set_state


@pytest.fixture
def page(world):
    """The delårsrapport open: Socialförvaltningen's draft assesses the nämndmål
    "Trygg äldreomsorg" (partly, with an analysis); Samhällsbyggnadsförvaltningen's
    approved one assesses "Trygga gator" (fulfilled)."""
    periods = make_year(world, 2026)
    world.period = open_period(periods[8], user=world.finance)
    world.sub_a = Submission.objects.get(period=world.period, unit=world.fA)
    world.sub_b = Submission.objects.get(period=world.period, unit=world.fB)
    Assessment.objects.create(
        submission=world.sub_a, goal=world.goal_a, status="partly", analysis="Utkasttext A."
    )
    Assessment.objects.create(
        submission=world.sub_b, goal=world.goal_b, status="fulfilled", analysis="Godkänd text B."
    )
    Submission.objects.filter(pk=world.sub_b.pk).update(
        state="approved", sent_at=dt.datetime(2026, 9, 10, 12, tzinfo=dt.UTC)
    )
    world.url = f"/uppfoljning/bedomning/{world.top.pk}/?period={world.period.pk}"
    world.url_a = f"/uppfoljning/bedomning/{world.goal_a.pk}/?period={world.period.pk}"
    return world


def test_politician_sees_the_decided_rollup_and_the_units_texts(client, page):
    client.force_login(page.politician)
    response = client.get(page.url)
    assert response.status_code == 200
    text = response.content.decode()
    # Only the approved submission counts for a politician: the draft's goal is not assessed.
    assert "1 av 2 nämndmål uppfyllda, 1 ej bedömt → uppfyllt" in text
    assert "Godkänd text B." in text
    assert "Utkasttext A." not in text
    assert "Bara godkända uppföljningar räknas." in text
    assert f'href="/uppfoljning/bedomning/{page.goal_b.pk}/?period={page.period.pk}"' in text
    assert "Ändra målets bedömning" not in text and "Spara bedömningen" not in text


def test_chef_sees_drafts_of_their_own_units(client, page):
    client.force_login(page.chef_a)
    text = client.get(page.url_a).content.decode()
    assert "Utkasttext A." in text
    assert "Spara bedömningen" in text  # the owner's form
    # The top goal is KF's: chef A may not read every unit's drafts there.
    text = client.get(page.url).content.decode()
    assert "Utkasttext A." not in text


def test_finance_sees_drafts_everywhere(client, page):
    client.force_login(page.finance)
    text = client.get(page.url).content.decode()
    assert "Utkasttext A." in text and "Godkänd text B." in text
    assert "1 av 2 nämndmål uppfyllda, 1 delvis uppfyllt → delvis uppfyllt" in text


def test_owner_sets_an_override_with_a_reason(client, page):
    client.force_login(page.chef_a)
    response = client.post(page.url_a, {"assessment": "fulfilled", "reason": "Nått i september."})
    assert response.status_code == 302
    assert response["Location"] == page.url_a
    override = RollupOverride.objects.get(goal=page.goal_a, period=page.period)
    assert (override.status, override.reason, override.set_by) == (
        "fulfilled",
        "Nått i september.",
        page.chef_a,
    )
    text = client.get(page.url_a).content.decode()
    assert "Nått i september." in text
    response = client.post(page.url_a, {"action": "clear"})
    assert response.status_code == 302
    assert not RollupOverride.objects.exists()
    assert RollupOverride.history.count() == 2


def test_override_without_reason_is_refused_on_the_page(client, page):
    client.force_login(page.chef_a)
    response = client.post(page.url_a, {"assessment": "fulfilled", "reason": " "})
    assert response.status_code == 200
    assert "Formuläret kunde inte sparas" in response.content.decode()
    assert not RollupOverride.objects.exists()


def test_others_may_read_but_not_override(client, page):
    for user in (page.chef_b, page.politician, page.finance, page.hr):
        client.force_login(user)
        assert client.get(page.url_a).status_code == 200
        assert (
            client.post(page.url_a, {"assessment": "fulfilled", "reason": "x"}).status_code == 403
        )
    assert not RollupOverride.objects.exists()


def test_locked_period_refuses_the_override(client, page):
    set_state(page.period, "locked")
    client.force_login(page.chef_a)
    assert "Spara bedömningen" not in client.get(page.url_a).content.decode()
    assert client.post(page.url_a, {"assessment": "fulfilled", "reason": "x"}).status_code == 403


def test_draft_goal_and_foreign_period_are_not_found(client, page):
    client.force_login(page.chef_a)
    assert client.get(f"/uppfoljning/bedomning/{page.draft_a.pk}/").status_code == 404
    monthly = page.period.municipality.reporting_periods.get(year=2026, month=2)
    url = f"/uppfoljning/bedomning/{page.goal_a.pk}/?period={monthly.pk}"
    assert client.get(url).status_code == 404
    # Without ?period= the latest goal period that has opened.
    response = client.get(f"/uppfoljning/bedomning/{page.goal_a.pk}/")
    assert response.status_code == 200
    assert "Utkasttext A." in response.content.decode()


def test_override_by_a_removed_user_is_shown(client, page):
    gone = get_user_model().objects.create_user("borta", password="pw")
    set_override(page.goal_b, page.period, "not_fulfilled", "Skäl.", gone)
    gone.delete()
    client.force_login(page.politician)
    text = client.get(f"/uppfoljning/bedomning/{page.goal_b.pk}/?period={page.period.pk}")
    assert "en borttagen användare" in text.content.decode()


def _grow(world, n):
    for i in range(n):
        goal = make_goal(world.m, world.levels[3], world.nA, world.top, adopted=True, title=f"N{i}")
        make_indicator(goal, name=f"I{i}")
        Assessment.objects.create(
            submission=world.sub_a, goal=goal, status="fulfilled", analysis=f"Text {i}"
        )


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_page_queries_do_not_grow_with_the_tree(client, page):
    client.force_login(page.finance)
    _grow(page, 3)
    small = _count(client, page.url)
    _grow(page, 12)
    assert _count(client, page.url) == small


def test_a_goal_of_an_earlier_year_opens_on_its_own_years_follow_up(rf):
    """Without ?period= the page shows the latest goal period within the goal's years (a
    2025 nämndmål opened on Delår 2026 said only "Målet gäller inte 2026": a trial's dead
    end); a goal with no period in its years gets the latest."""
    from types import SimpleNamespace as Row

    from followup.rollup_views import _period

    periods = [Row(pk=3, year=2026), Row(pk=2, year=2025), Row(pk=1, year=2025)]
    request = rf.get("/")
    assert _period(request, Row(start_year=2025, end_year=2025), periods).pk == 2
    assert _period(request, Row(start_year=2024, end_year=2038), periods).pk == 3
    assert _period(request, Row(start_year=2020, end_year=2020), periods).pk == 3
    assert _period(request, Row(start_year=2025, end_year=2025), []) is None


def test_the_linked_assignments_are_named_with_their_status(client, page):
    """The trial saw "Ej påbörjat: 1" and could not tell which uppdrag it was. The
    page's queries are the same with and without uppdrag (make bench found 14 and 13)."""
    from tests.followup.factories import make_assignment

    client.force_login(page.politician)
    without = _count(client, page.url)
    uppdrag = make_assignment(
        page,
        title="Utreda trygghetsvandringar",
        goal=page.top,
        status="not_started",
        comment="Väntar på polisens statistik.",
    )
    assert _count(client, page.url) == without
    text = client.get(page.url).content.decode()
    assert "Ej påbörjat: 1" in text
    assert f'<a href="/mal/uppdrag/{uppdrag.pk}/">Utreda trygghetsvandringar</a>' in text
    assert "Väntar på polisens statistik." in text
    # A goal without uppdrag has no such section.
    assert "Särskilda uppdrag som hör till målet" not in client.get(page.url_a).content.decode()
