"""Years outside 1900–2100 (year 0 included) and dates outside that range are refused everywhere."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from goals.models import Assignment, Goal, Measurement
from styrning.concurrency import current_version
from styrning.models import MandatePeriod
from tests.factories import make_indicator

YEAR_MESSAGE = "Ange ett år från 1900 till 2100."


def _goal_data(world, **changes):
    data = {
        "title": "Utkast A",
        "owner": world.fA.pk,
        "start_year": 2026,
        "end_year": 2026,
        "version": current_version(world.draft_a),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("year", ["0", "1899", "2101", "20266", "99999"])
def test_goal_form_refuses_a_year_outside_the_range(client, world, year):
    client.force_login(world.chef_a)
    url = reverse("goals:edit", args=[world.draft_a.pk])
    response = client.post(url, _goal_data(world, start_year=year))
    assert response.status_code == 200
    assert YEAR_MESSAGE in response.content.decode()
    world.draft_a.refresh_from_db()
    assert world.draft_a.start_year == 2026


def test_goal_form_refuses_a_date_outside_the_range(client, world):
    level = world.draft_a.level  # a level whose goals carry dates (GoalLevel data)
    level.has_activity_fields = True
    level.save()
    client.force_login(world.chef_a)
    url = reverse("goals:edit", args=[world.draft_a.pk])
    response = client.post(url, _goal_data(world, end_date="0201-05-01"))
    assert response.status_code == 200
    assert "Ange ett datum från 1900-01-01 till 2100-12-31." in response.content.decode()


def test_decision_date_outside_the_range_is_refused(client, world):
    client.force_login(world.chef_a)
    url = reverse("goals:decide", args=[world.draft_a.pk])
    data = {
        "decided_on": "2202-01-15",
        "decision_reference": "Beslut",
        "version": current_version(world.draft_a),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Ange ett datum från 1900-01-01 till 2100-12-31." in response.content.decode()
    world.draft_a.refresh_from_db()
    assert not world.draft_a.is_adopted


def test_indicator_form_refuses_year_zero(client, world):
    client.force_login(world.chef_a)
    url = reverse("goals:indicator_create", args=[world.draft_a.pk])
    data = {
        "name": "Kontinuitet",
        "direction": "higher",
        "baseline_value": "51",
        "baseline_year": "0",
        "target_value": "60",
        "target_year": "2026",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert YEAR_MESSAGE in response.content.decode()
    assert not world.draft_a.indicators.exists()


def test_model_rules_refuse_bad_years(world):
    indicator = make_indicator(world.goal_a)
    with pytest.raises(ValidationError) as error:
        Measurement(indicator=indicator, year=0, value=1).full_clean()
    assert YEAR_MESSAGE in error.value.message_dict["year"]
    with pytest.raises(ValidationError) as error:
        MandatePeriod(municipality=world.m, start_year=2023, end_year=20266).full_clean()
    assert YEAR_MESSAGE in error.value.message_dict["end_year"]
    goal = Goal.objects.get(pk=world.draft_a.pk)
    goal.end_year = 0
    with pytest.raises(ValidationError) as error:
        goal.full_clean()
    assert YEAR_MESSAGE in error.value.message_dict["end_year"]
    assignment = Assignment(
        municipality=world.m,
        title="Utred",
        given_by=world.kf,
        decision_reference="KF § 1",
        decided_on=dt.date(2025, 11, 24),
        unit=world.fA,
        due_date=dt.date(2202, 6, 30),
    )
    with pytest.raises(ValidationError) as error:
        assignment.full_clean()
    assert "due_date" in error.value.message_dict


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Measurement, {"year": 0, "value": 1}),
        (MandatePeriod, {"start_year": 0, "end_year": 2026}),
    ],
)
def test_database_refuses_bad_years(world, model, values):
    if model is Measurement:
        values = {**values, "indicator": make_indicator(world.goal_a)}
    else:
        values = {**values, "municipality": world.m}
    with pytest.raises(IntegrityError, match="year_range"), transaction.atomic():
        model.objects.create(**values)


def test_database_refuses_a_goal_in_year_zero(world):
    with pytest.raises(IntegrityError, match="goals_goal_year_range"), transaction.atomic():
        Goal.objects.filter(pk=world.draft_a.pk).update(start_year=0)


def test_database_refuses_an_assignment_due_in_year_one(world):
    with pytest.raises(IntegrityError, match="goals_assignment_date_range"), transaction.atomic():
        Assignment.objects.create(
            municipality=world.m,
            title="Utred",
            given_by=world.kf,
            decision_reference="KF § 1",
            decided_on=dt.date(2025, 11, 24),
            unit=world.fA,
            due_date=dt.date(1, 6, 30),
        )


@pytest.mark.parametrize("year", ["0", "abc", "-1", "99999999999999999999", "2026.5"])
def test_goal_tree_year_filter_with_a_bad_year_is_a_form_error(client, world, year):
    client.force_login(world.politician)
    response = client.get(reverse("goals:tree"), {"year": year})
    assert response.status_code == 200
    assert "Välj ett av åren i listan." in response.content.decode()


def test_indicator_values_are_written_as_swedes_write_them(client, world):
    """A text input that reads "12,5" as 12,5: the browser's number input sent 125."""
    client.force_login(world.chef_a)
    url = reverse("goals:indicator_create", args=[world.draft_a.pk])
    html = client.get(url).content.decode()
    assert 'name="baseline_value"' in html and 'type="number" name="baseline_value"' not in html
    data = {
        "name": "Kontinuitet",
        "direction": "higher",
        "baseline_value": "12,5",
        "baseline_year": "2025",
        "target_value": "1 250,75",
        "target_year": "2026",
    }
    assert client.post(url, data).status_code == 302
    indicator = world.draft_a.indicators.get()
    assert (indicator.baseline_value, indicator.target_value) == (
        Decimal("12.5"),
        Decimal("1250.75"),
    )
    data.update(name="Annan", baseline_value="1e1")
    assert client.post(url, data).status_code == 200
