"""/mal/: the chain as a tree, filters, and a query count independent of its size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Measurement
from goals.tree import tree_rows
from tests.factories import make_goal, make_indicator, make_perspective


def _grow(world, count):
    """Add nämndmål, plans and activities until the chain holds ``count`` more goals."""
    made = 0
    while made < count:
        goal = make_goal(world.m, world.levels[3], world.nA, world.top, title=f"Nämndmål {made}")
        indicator = make_indicator(goal, name=f"Indikator {made}")
        Measurement.objects.create(indicator=indicator, year=2025, value=52)
        made += 1
        for i in range(3):
            if made >= count:
                break
            plan = make_goal(world.m, world.levels[4], world.fA, goal, title=f"Plan {made}-{i}")
            made += 1
            if made < count:
                make_goal(world.m, world.levels[5], world.eA, plan, title=f"Aktivitet {made}")
                made += 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_same_number_of_queries_for_50_and_500_goals(client, world):
    client.force_login(world.finance)  # the grown goals are drafts: finance reads them
    _grow(world, 40)
    small, response = _queries(client, reverse("goals:tree"))
    assert "Nämndmål 0" in response.content.decode()
    _grow(world, 460)
    large, response = _queries(client, reverse("goals:tree"))
    assert world.m.goals.count() >= 500
    assert small == large
    assert large <= 15


def test_tree_shows_levels_owners_and_indicator_values(client, world):
    indicator = make_indicator(
        world.top, name="Trygghetsindex", baseline=(54, 2022), target=(60, 2026)
    )
    Measurement.objects.create(indicator=indicator, year=2025, value=57)
    client.force_login(world.politician)
    html = client.get(reverse("goals:tree")).content.decode()
    assert "Trygghetsindex" in html and "54 (2022)" in html and "60 (2026)" in html
    assert "57</strong> (2025)" in html
    assert "Inriktningsmål" in html and "Socialnämnden" in html


def test_filter_by_committee_keeps_the_path_and_drops_others(client, world):
    client.force_login(world.politician)
    html = client.get(reverse("goals:tree"), {"unit": world.nB.pk}).content.decode()
    assert "Trygga gator" in html and "Belysning" in html
    assert "Trygg kommun" in html  # the ancestor, for context
    assert "Trygg äldreomsorg" not in html


def test_filter_by_perspective_and_year(client, world):
    perspective = make_perspective(world.m, "Medarbetare")
    world.goal_b.perspectives.add(perspective)
    client.force_login(world.politician)
    html = client.get(reverse("goals:tree"), {"perspective": perspective.pk}).content.decode()
    assert "Trygga gator" in html and "Trygg äldreomsorg" not in html
    html = client.get(reverse("goals:tree"), {"year": 2030}).content.decode()
    assert "Trygg kommun" in html and "Trygga gator" not in html


def test_rows_nest_and_close_correctly(world):
    from goals.models import Goal

    goals = list(Goal.objects.filter(municipality=world.m).for_tree())
    rows = tree_rows(goals)
    opened = sum(1 for r in rows if r.has_children)
    closed = sum(len(r.closes) for r in rows)
    assert opened == closed
    assert rows[0].depth == 0 and rows[0].open
