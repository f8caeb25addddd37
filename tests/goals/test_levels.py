"""The chain's rules hold in model validation, for five levels and for three."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from goals.models import Goal
from tests.factories import make_goal, make_indicator


def _errors(goal):
    with pytest.raises(ValidationError) as info:
        goal.full_clean()
    return info.value.message_dict


def test_child_must_be_exactly_one_level_below(world):
    goal = Goal(
        municipality=world.m,
        level=world.levels[4],
        owner=world.fA,
        parent=world.top,
        title="Hoppar över nämndmålet",
        start_year=2026,
        end_year=2026,
    )
    assert "parent" in _errors(goal)


def test_only_the_top_level_may_lack_a_parent(world):
    goal = Goal(
        municipality=world.m,
        level=world.levels[3],
        owner=world.nA,
        title="Föräldralös",
        start_year=2026,
        end_year=2026,
    )
    assert "parent" in _errors(goal)


def test_owner_kind_must_be_allowed_by_the_level(world):
    goal = Goal(
        municipality=world.m,
        level=world.levels[4],
        owner=world.eA,
        parent=world.goal_a,
        title="En enhet äger inte verksamhetsplanen",
        start_year=2026,
        end_year=2026,
    )
    errors = _errors(goal)
    assert "owner" in errors
    assert "Hemtjänst Norr" in errors["owner"][0]


def test_child_years_lie_within_the_parents(world):
    goal = Goal(
        municipality=world.m,
        level=world.levels[4],
        owner=world.fA,
        parent=world.goal_a,
        title="För lång",
        start_year=2026,
        end_year=2027,
    )
    assert "start_year" in _errors(goal)


def test_valid_child_passes(world):
    goal = make_goal(world.m, world.levels[5], world.eA, world.plan_a, title="Ny aktivitet")
    assert goal.parent == world.plan_a and goal.level.order == 5


def test_goal_cannot_move_below_its_own_descendant(world):
    world.goal_a.parent = world.plan_a
    assert "parent" in _errors(world.goal_a)


def test_three_level_model_stops_at_the_third_level(three_level_world):
    w = three_level_world
    assert w.goal_a.level.name == "Nämndmål"
    # A committee cannot own the council's övergripande mål.
    goal = Goal(
        municipality=w.m,
        level=w.levels[2],
        owner=w.nA,
        parent=w.vision,
        title="Fel ägare",
        start_year=2026,
        end_year=2026,
    )
    assert "owner" in _errors(goal)
    # There is no level four in this model: nothing may be created under a nämndmål.
    assert not w.m.goal_levels.filter(order=4).exists()


def test_adopted_goal_needs_a_decision(world):
    world.draft_a.status = Goal.Status.ADOPTED
    errors = _errors(world.draft_a)
    assert "decided_on" in errors and "decision_reference" in errors


def test_adopted_goal_text_changes_only_with_a_new_decision(world):
    world.goal_a.title = "Ny formulering utan beslut"
    assert "decision_reference" in _errors(world.goal_a)
    world.goal_a.decision_reference = "SN 2026-04-22 § 45"
    world.goal_a.full_clean()


def test_takt_level_refuses_adoption_until_all_four_criteria(world):
    level = world.levels[5]
    level.uses_takt = True
    level.save()
    activity = world.activity_a
    activity.status = Goal.Status.ADOPTED
    activity.decided_on = activity.decided_on or dt.date(2026, 2, 1)
    activity.decision_reference = "Enhetschefens beslut 2026-02-01"
    errors = _errors(activity)
    assert "status" in errors
    message = errors["status"][0]
    assert "kvantifierbar" in message or "quantifiable" in message
    activity.description = "Varje brukare får en fast kontaktperson."
    activity.end_date = dt.date(2026, 12, 31)
    make_indicator(
        activity, name="Antal personal per brukare", baseline=(15, 2025), target=(10, 2026)
    )
    activity.full_clean()


def test_child_owner_lies_within_the_parents_owner(world):
    goal = Goal(
        municipality=world.m,
        level=world.levels[4],
        owner=world.fB,
        parent=world.goal_a,
        title="Fel förvaltning",
        start_year=2026,
        end_year=2026,
    )
    assert "Socialnämnden" in _errors(goal)["owner"][0]


def test_adoption_needs_an_adopted_parent(world):
    activity = make_goal(world.m, world.levels[5], world.eA, world.draft_a, title="Under utkast")
    activity.status = Goal.Status.ADOPTED
    activity.decided_on = dt.date(2026, 2, 1)
    activity.decision_reference = "Enhetschefens beslut 2026-02-01"
    assert "status" in _errors(activity)
