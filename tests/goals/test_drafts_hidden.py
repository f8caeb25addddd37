"""Titles of drafts a user may not read never reach them: breadcrumbs, history, the tree."""

from django.urls import reverse

from goals.models import Goal
from tests.factories import make_goal


def test_breadcrumbs_leave_out_a_draft_ancestor(client, world):
    # An enhet's own draft activity below its förvaltning's draft plan.
    activity = make_goal(world.m, world.levels[5], world.eA, world.draft_a, title="Egen aktivitet")
    client.force_login(world.unit_chef_a)  # reads Hemtjänst Norr, not the förvaltning's drafts
    response = client.get(reverse("goals:detail", args=[activity.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Utkast A" not in html
    assert "Trygg äldreomsorg" in html  # the adopted ancestors are still shown
    client.force_login(world.chef_a)
    assert "Utkast A" in client.get(reverse("goals:detail", args=[activity.pk])).content.decode()


def test_history_hides_a_parent_changed_from_a_draft(client, world):
    activity = make_goal(world.m, world.levels[5], world.eA, world.draft_a, title="Egen aktivitet")
    moved = Goal.objects.get(pk=activity.pk)
    moved.parent = world.plan_a
    moved.save()
    client.force_login(world.unit_chef_a)
    html = client.get(reverse("goals:detail", args=[activity.pk])).content.decode()
    assert "Utkast A" not in html
    assert "ett utkast som du inte kan läsa" in html
    assert "Kontinuitet" in html  # the adopted plan it moved to


def test_history_never_reads_pk_none(client, world):
    goal = Goal.objects.get(pk=world.draft_a.pk)
    goal.decided_by = world.fA
    goal.save()
    client.force_login(world.chef_a)
    html = client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert "pk=None" not in html and "Deleted" not in html
    assert "Beslutat av: <del>–</del> → <ins>Socialförvaltningen</ins>" in html
