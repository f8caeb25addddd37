"""Every change to governance data is in the history: who, when, what."""

from django.urls import reverse

from goals.models import Goal, Indicator, Perspective
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


# --- the change log reads the history as values: it says what diff_against says --------------


def _reference_log(obj, user):
    """The change log as it was written with django-simple-history's instances and
    ``diff_against`` (before it read values): what ``change_log`` must still say."""
    from goals.history import HIDDEN_FIELDS
    from styrning.history import display_value

    readable = set(Goal.objects.visible_to(user).values_list("pk", flat=True))

    def show(model, name, value):
        if isinstance(value, Goal) and value.pk not in readable:
            return "a draft you may not read"
        return display_value(model, name, value)

    def entries(records, subject):
        out, previous = [], None
        for record in records:
            user_ = record.history_user
            who = (user_.get_full_name() or user_.username) if user_ else "the system"
            action = {"+": "Created", "-": "Deleted"}.get(record.history_type, "Changed")
            changes = []
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous, foreign_keys_are_objs=True)
                model = record.instance_type
                for change in delta.changes:
                    if change.field in HIDDEN_FIELDS:
                        continue
                    label = str(model._meta.get_field(change.field).verbose_name).capitalize()
                    changes.append(
                        (
                            label,
                            show(model, change.field, change.old),
                            show(model, change.field, change.new),
                        )
                    )
                if not changes and not record.history_change_reason:
                    previous = record
                    continue
            reason = record.history_change_reason or ""
            out.append((record.history_date, who, subject, action, reason, changes))
            previous = record
        return out

    log = entries(
        obj.history.order_by("history_date", "history_id"),
        str(obj._meta.verbose_name).capitalize(),
    )
    by_indicator = {}
    for record in Indicator.history.filter(goal_id=obj.pk).order_by("history_date", "history_id"):
        by_indicator.setdefault(record.id, []).append(record)
    for records in by_indicator.values():
        log += entries(records, f"Indicator {records[-1].name}")
    log.sort(key=lambda e: e[0], reverse=True)
    return log


def test_change_log_says_what_diff_against_says(world, settings):
    from goals.history import change_log
    from tests.factories import make_indicator, make_perspective

    settings.LANGUAGE_CODE = "en"
    safe, open_ = (
        make_perspective(world.m, "Trygghet & <säkerhet>"),
        make_perspective(world.m, "Öppenhet"),
    )
    gone = make_perspective(world.m, "Nedlagd")
    goal = Goal.objects.get(pk=world.plan_a.pk)
    world.chef_a.first_name, world.chef_a.last_name = "Cecilia", "Chef"
    world.chef_a.save()
    goal.perspectives.set([safe, gone])
    goal.title = 'Kontinuitet "för alla" <b>'
    goal.description = "Lång text\n" * 30
    goal.responsible = "Anna Berg"
    goal._change_reason = "Ny text"
    goal.save()
    del goal._change_reason
    goal.perspectives.set([open_])
    goal.owner = world.eA
    goal.parent = world.draft_b  # another unit's draft: the chef may not read it
    goal.decided_by = None
    goal.save()
    goal.parent = world.goal_a
    goal.save()
    goal.save()  # nothing changed, no reason: not listed
    goal._change_reason = "Bara ett beslut"
    goal.save()  # nothing changed, a reason: listed
    indicator = make_indicator(goal, name="Andel", target=(80, 2026))
    indicator.target_value = "85.50"
    indicator.gender_split = True
    indicator.direction = "lower"
    indicator.save()
    indicator.name = "Andel nöjda"
    indicator.save()
    Perspective.objects.filter(pk=gone.pk).delete()  # the history still names it
    goal.perspectives.set([safe, open_])

    for user in (world.chef_a, world.politician, world.admin):
        got = [
            (
                e.when,
                e.who,
                e.subject,
                e.action,
                e.reason,
                [(c.label, c.old, c.new) for c in e.changes],
            )
            for e in change_log(goal, user=user)
        ]
        assert got == _reference_log(goal, user)
    log = change_log(goal, user=world.chef_a)
    assert any(c.new == "a draft you may not read" for e in log for c in e.changes)
    assert any("removed perspective" in c.old for e in log for c in e.changes)
