"""Who carries a goal out and when (responsible person, start and end date) is asked only
on the levels whose data say their goals carry it (GoalLevel.has_activity_fields, or TAKT),
never by a level's name."""

import pytest
from django.urls import reverse

from goals.models import GoalLevel

ACTIVITY = ('name="responsible"', 'name="start_date"', 'name="end_date"')


def _form(client, user, goal, *, create):
    client.force_login(user)
    name = "goals:create" if create else "goals:edit"
    return client.get(reverse(name, args=[goal.pk])).content.decode()


def test_a_verksamhetsplan_goal_is_not_asked_who_and_when(client, world):
    html = _form(client, world.chef_a, world.goal_a, create=True)  # a new VP goal
    assert 'name="title"' in html
    assert not any(field in html for field in ACTIVITY)
    assert "Ansvarig person" not in html


def test_an_activity_is_asked_who_and_when(client, world):
    html = _form(client, world.unit_chef_a, world.plan_a, create=True)  # a new activity
    assert all(field in html for field in ACTIVITY)


def test_the_levels_data_decides_not_its_name(client, world):
    level = world.levels[4]
    level.has_activity_fields = True
    level.save()
    html = _form(client, world.chef_a, world.goal_a, create=True)
    assert all(field in html for field in ACTIVITY)
    GoalLevel.objects.filter(pk=world.levels[5].pk).update(has_activity_fields=False)
    html = _form(client, world.unit_chef_a, world.plan_a, create=True)
    assert not any(field in html for field in ACTIVITY)


@pytest.mark.parametrize("takt", [True])
def test_a_takt_level_always_asks_who_and_when(client, world, takt):
    level = world.levels[4]
    level.uses_takt = takt
    level.save()
    html = _form(client, world.chef_a, world.goal_a, create=True)
    assert 'name="responsible"' in html and 'name="end_date"' in html


def test_a_stored_responsible_person_stays_in_reach(client, world):
    world.draft_a.responsible = "Eva Ek"
    world.draft_a.save()
    html = _form(client, world.chef_a, world.draft_a, create=False)
    assert 'name="responsible"' in html and "Eva Ek" in html
    assert 'name="start_date"' not in html
