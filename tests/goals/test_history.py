"""Every change to governance data is in the history: who, when, what."""

from django.urls import reverse

from goals.models import Goal, Indicator
from styrning.concurrency import current_version


def test_form_edit_writes_history_with_the_user(client, world):
    client.force_login(world.chef_a)
    client.post(
        reverse("goals:edit", args=[world.draft_a.pk]),
        {
            "title": "Utkast A, version 2",
            "owner": world.fA.pk,
            "start_year": 2026,
            "end_year": 2026,
            "version": current_version(world.draft_a),
        },
    )
    record = world.draft_a.history.first()
    assert record.history_user == world.chef_a
    assert record.title == "Utkast A, version 2"
    assert record.prev_record.title == "Utkast A"


def test_goal_page_shows_who_and_what_changed(client, world):
    client.force_login(world.chef_a)
    client.post(
        reverse("goals:edit", args=[world.draft_a.pk]),
        {
            "title": "Utkast A, version 2",
            "owner": world.fA.pk,
            "start_year": 2026,
            "end_year": 2026,
            "version": current_version(world.draft_a),
        },
    )
    client.force_login(world.politician)
    world.draft_a.refresh_from_db()
    client.force_login(world.chef_a)
    html = client.get(reverse("goals:detail", args=[world.draft_a.pk])).content.decode()
    assert "chef_a" in html
    assert "Utkast A" in html and "Utkast A, version 2" in html
    assert "<del>Utkast A</del>" in html


def test_indicator_target_change_on_adopted_goal_needs_a_decision(client, world):
    indicator = Indicator.objects.create(
        goal=world.goal_a, name="Nöjdhet", target_value=80, target_year=2026
    )
    client.force_login(world.finance)
    url = reverse("goals:indicator_edit", args=[indicator.pk])
    data = {
        "name": "Nöjdhet",
        "direction": "higher",
        "target_value": "85",
        "target_year": "2026",
        "version": current_version(indicator),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    indicator.refresh_from_db()
    assert indicator.target_value == 80
    data["decision"] = "SN 2026-03-18 § 31"
    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.target_value == 85
    assert indicator.history.first().history_change_reason.endswith("SN 2026-03-18 § 31")


def test_admin_move_obeys_the_chain_and_is_recorded(client, world):
    client.force_login(world.admin)
    url = reverse("admin:goals_goal_changelist")
    # Moving a plan directly under the vision breaks the one-level rule: refused.
    client.post(
        url,
        {
            "cmd": "move_node",
            "cut_item": world.draft_a.pk,
            "pasted_on": world.vision.pk,
            "position": "last-child",
        },
    )
    world.draft_a.refresh_from_db()
    assert world.draft_a.parent == world.goal_a
    # Moving a draft plan to the other nämnd's goal is allowed by the rules.
    draft = Goal.objects.get(pk=world.draft_a.pk)
    draft.owner = world.fB
    draft.save()
    client.post(
        url,
        {
            "cmd": "move_node",
            "cut_item": world.draft_a.pk,
            "pasted_on": world.goal_b.pk,
            "position": "last-child",
        },
    )
    world.draft_a.refresh_from_db()
    assert world.draft_a.parent == world.goal_b
    assert world.draft_a.history.first().history_change_reason
