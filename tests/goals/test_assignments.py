"""Särskilda uppdrag: overdue ones are flagged in words; a draft goal's title stays hidden."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from goals.models import Assignment


def _assignment(world, **extra):
    values = {
        "municipality": world.m,
        "title": "Utred hemtjänstens tider",
        "given_by": world.kf,
        "decision_reference": "KF 2025-11-24 § 130",
        "decided_on": dt.date(2025, 11, 24),
        "unit": world.fA,
        "due_date": timezone.localdate() - dt.timedelta(days=10),
    }
    values.update(extra)
    return Assignment.objects.create(**values)


def test_overdue_assignment_is_flagged_in_words_on_list_and_page(client, world):
    late = _assignment(world)
    _assignment(world, title="Klart i tid", status="done", comment="Klart.")
    _assignment(world, title="Inte förfallet", due_date=timezone.localdate())
    client.force_login(world.politician)
    html = client.get(reverse("goals:assignments")).content.decode()
    assert html.count("Försenat") == 1
    row = html[html.index("Utred hemtjänstens tider") :].split("</tr>")[0]
    assert "Försenat" in row and late.due_date.isoformat() in row
    page = client.get(reverse("goals:assignment", args=[late.pk])).content.decode()
    assert f"Försenat, skulle ha varit klart {late.due_date.isoformat()}" in page


def test_assignment_for_a_draft_goal_hides_its_title_from_outsiders(client, world):
    assignment = _assignment(world, goal=world.draft_a)
    client.force_login(world.chef_b)  # may not read Socialförvaltningen's drafts
    assert "Utkast A" not in client.get(reverse("goals:assignments")).content.decode()
    page = client.get(reverse("goals:assignment", args=[assignment.pk])).content.decode()
    assert "Utkast A" not in page
    client.force_login(world.chef_a)  # may read them
    assert "Utkast A" in client.get(reverse("goals:assignments")).content.decode()


def test_assignment_history_hides_a_draft_goal(client, world):
    assignment = _assignment(world, goal=world.draft_a)
    assignment.goal = world.plan_a
    assignment.save()
    client.force_login(world.chef_b)
    page = client.get(reverse("goals:assignment", args=[assignment.pk])).content.decode()
    assert "Utkast A" not in page
    assert "ett utkast som du inte kan läsa" in page
