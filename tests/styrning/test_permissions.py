"""Who may read and change goals: 404 for what one may not read, 403 for read-only."""

import pytest
from django.urls import reverse

from goals.models import Goal
from styrning.concurrency import current_version


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "who", ["politician", "chef_a", "chef_b", "unit_chef_a", "finance", "hr", "admin"]
)
def test_every_role_reads_adopted_goals(client, world, who):
    _login(client, getattr(world, who))
    assert client.get(reverse("goals:detail", args=[world.plan_a.pk])).status_code == 200


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("goals:detail", args=[world.plan_a.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_politician_cannot_change_anything(client, world):
    _login(client, world.politician)
    assert client.get(reverse("goals:edit", args=[world.plan_a.pk])).status_code == 403
    assert client.get(reverse("goals:create", args=[world.plan_a.pk])).status_code == 403
    response = client.post(reverse("goals:edit", args=[world.plan_a.pk]), {"title": "Nej"})
    assert response.status_code == 403
    world.plan_a.refresh_from_db()
    assert world.plan_a.title == "Kontinuitet"


def test_chef_edits_own_draft(client, world):
    _login(client, world.chef_a)
    response = client.post(
        reverse("goals:edit", args=[world.draft_a.pk]),
        {
            "title": "Utkast A, omarbetat",
            "description": "",
            "owner": world.fA.pk,
            "start_year": 2026,
            "end_year": 2026,
            "responsible": "",
            "version": current_version(world.draft_a),
        },
    )
    assert response.status_code == 302, response.content
    world.draft_a.refresh_from_db()
    assert world.draft_a.title == "Utkast A, omarbetat"


def test_other_units_adopted_goal_form_is_403(client, world):
    _login(client, world.chef_a)
    assert client.get(reverse("goals:edit", args=[world.plan_b.pk])).status_code == 403
    response = client.post(reverse("goals:edit", args=[world.plan_b.pk]), {"title": "Kapat"})
    assert response.status_code == 403
    world.plan_b.refresh_from_db()
    assert world.plan_b.title == "Belysning"


def test_other_units_draft_is_404_even_with_a_guessed_id(client, world):
    _login(client, world.chef_a)
    for name in ("goals:detail", "goals:edit", "goals:decide", "goals:create"):
        assert client.get(reverse(name, args=[world.draft_b.pk])).status_code == 404
    assert client.get(reverse("goals:detail", args=[999999])).status_code == 404


def test_draft_hidden_from_the_tree_of_others(client, world):
    _login(client, world.chef_b)
    content = client.get(reverse("goals:tree"), {"oppna": world.goal_b.pk}).content.decode()
    assert "Utkast B" in content
    # The level below A's nämndmål, as the tree loads it: A's draft is not there.
    content = client.get(reverse("goals:children", args=[world.goal_a.pk])).content.decode()
    assert "Kontinuitet" in content and "Utkast A" not in content


def test_chef_adds_activity_for_unit_below(client, world):
    _login(client, world.chef_a)
    url = reverse("goals:create", args=[world.plan_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Hemtjänst Norr" in page.content.decode()
    response = client.post(
        url,
        {
            "title": "Introduktion för nyanställda",
            "description": "Två veckors bredvidgång.",
            "owner": world.eA.pk,
            "start_year": 2026,
            "end_year": 2026,
            "responsible": "Karin Lund, enhetschef",
            "start_date": "2026-02-01",
            "end_date": "2026-06-30",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(title="Introduktion för nyanställda")
    assert goal.owner == world.eA and goal.level.order == 5 and not goal.is_adopted


def test_chef_cannot_pick_another_units_owner(client, world):
    _login(client, world.chef_a)
    response = client.post(
        reverse("goals:create", args=[world.plan_a.pk]),
        {
            "title": "Smuggel",
            "owner": world.eB.pk,
            "start_year": 2026,
            "end_year": 2026,
        },
    )
    assert response.status_code == 200
    assert not Goal.objects.filter(title="Smuggel").exists()


def test_chef_drafts_the_committees_goals_but_cannot_adopt_them(client, world):
    _login(client, world.chef_a)
    url = reverse("goals:create", args=[world.top.pk])
    response = client.post(
        url,
        {
            "title": "Fler i egen försörjning",
            "owner": world.nA.pk,
            "start_year": 2027,
            "end_year": 2027,
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(title="Fler i egen försörjning")
    assert goal.owner == world.nA
    assert client.get(reverse("goals:decide", args=[goal.pk])).status_code == 403
    # …and the neighbouring committee's goals are not theirs to draft.
    assert client.get(reverse("goals:edit", args=[world.goal_b.pk])).status_code == 403


def test_unit_chef_cannot_edit_the_administrations_plan(client, world):
    _login(client, world.unit_chef_a)
    assert client.get(reverse("goals:edit", args=[world.plan_a.pk])).status_code == 403
    assert client.get(reverse("goals:edit", args=[world.activity_a.pk])).status_code == 200


def test_chef_records_adoption_of_own_plan(client, world):
    _login(client, world.chef_a)
    response = client.post(
        reverse("goals:decide", args=[world.draft_a.pk]),
        {
            "decided_on": "2026-01-15",
            "decision_reference": "Förvaltningschefens beslut, dnr 12",
            "version": current_version(world.draft_a),
        },
    )
    assert response.status_code == 302
    world.draft_a.refresh_from_db()
    assert world.draft_a.is_adopted and world.draft_a.decided_by == world.fA


def test_adoption_without_reference_is_refused_in_swedish(client, world):
    _login(client, world.chef_a)
    response = client.post(
        reverse("goals:decide", args=[world.draft_a.pk]),
        {
            "decided_on": "2026-01-15",
            "decision_reference": "",
        },
    )
    assert response.status_code == 200
    assert "Detta fält måste fyllas i." in response.content.decode()
    world.draft_a.refresh_from_db()
    assert not world.draft_a.is_adopted


def test_finance_edits_council_goals_with_a_new_decision(client, world):
    _login(client, world.finance)
    url = reverse("goals:edit", args=[world.top.pk])
    data = {
        "title": "Trygg och säker kommun",
        "owner": world.kf.pk,
        "start_year": 2024,
        "end_year": 2038,
        "decided_on": "2025-11-24",
        "decision_reference": "KF 2025-11-24 § 123",
        "version": current_version(world.top),
    }
    response = client.post(url, data)
    assert response.status_code == 200  # same decision: refused
    world.top.refresh_from_db()
    assert world.top.title == "Trygg kommun"
    data.update(decided_on="2026-04-22", decision_reference="KF 2026-04-22 § 45")
    assert client.post(url, data).status_code == 302
    world.top.refresh_from_db()
    assert world.top.title == "Trygg och säker kommun"
    assert world.top.history.first().history_change_reason.endswith("KF 2026-04-22 § 45")


def test_hr_and_politician_cannot_update_assignment_status(client, world):
    from goals.models import Assignment

    assignment = Assignment.objects.create(
        municipality=world.m,
        title="Utred hemtjänstens tider",
        given_by=world.kf,
        decision_reference="KF 2025-11-24 § 130",
        decided_on="2025-11-24",
        unit=world.fA,
        due_date="2026-06-30",
    )
    url = reverse("goals:assignment", args=[assignment.pk])
    for user in (world.hr, world.politician, world.chef_b):
        _login(client, user)
        assert client.get(url).status_code == 200
        assert client.post(url, {"status": "done"}).status_code == 403
    _login(client, world.chef_a)
    data = {"status": "in_progress", "comment": "Pågår.", "version": current_version(assignment)}
    assert client.post(url, data).status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "in_progress"


@pytest.mark.parametrize(
    ("who", "target"),
    [
        # Måluppfyllelse: the overview of the goals first.
        ("politician", "/uppfoljning/maluppfyllelse/"),
        # "Min uppföljning", which sends a chef with nothing due on to /mal/?unit=.
        ("chef_a", "/uppfoljning/?start=1"),
        # The review list; with nothing sent to review, that page goes on to /budget/.
        ("finance", "/uppfoljning/?start=1"),
        ("admin", "/admin/"),
    ],
)
def test_home_sends_each_role_to_its_start(client, world, who, target):
    _login(client, getattr(world, who))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(target)


# The budget's part of the one permission path -------------------------------------------


def test_units_are_visible_to_every_logged_in_user_and_none_to_anonymous(world):
    from django.contrib.auth.models import AnonymousUser

    from styrning.models import OrgUnit

    everything = set(OrgUnit.objects.values_list("pk", flat=True))
    for user in (world.chef_b, world.hr, world.unit_chef_a, world.politician):
        assert set(OrgUnit.objects.visible_to(user).values_list("pk", flat=True)) == everything
    assert not OrgUnit.objects.visible_to(AnonymousUser()).exists()


def test_import_batches_are_the_ekonomichefs_only(client, world):
    from budget.models import ImportBatch

    ImportBatch.objects.create(municipality=world.m, kind="sie", filename="a.se", checksum="0")
    assert ImportBatch.objects.visible_to(world.finance).count() == 1
    assert ImportBatch.objects.visible_to(world.admin).count() == 1
    for user in (world.chef_a, world.politician, world.hr):
        assert not ImportBatch.objects.visible_to(user).exists()


def test_budget_objects_say_who_changes_them(world):
    from budget.models import BudgetFrame, BudgetYear, DetailBudget, Forecast, InvestmentProject
    from styrning.permissions import can_change

    year = BudgetYear(municipality=world.m, year=2026)
    for obj in (
        year,
        BudgetFrame(budget_year=year, unit=world.nA),
        DetailBudget(budget_year=year, unit=world.fA),
        InvestmentProject(budget_year=year, unit=world.fA),
    ):
        assert can_change(world.finance, obj) and can_change(world.admin, obj)
        for user in (world.chef_a, world.politician, world.hr):
            assert not can_change(user, obj), (type(obj).__name__, user)
    forecast = Forecast(unit=type(world.eA).objects.get(pk=world.eA.pk))  # fresh lft/rght
    assert can_change(world.chef_a, forecast) and can_change(world.unit_chef_a, forecast)
    assert can_change(world.finance, forecast)
    assert not can_change(world.chef_b, forecast) and not can_change(world.hr, forecast)


def test_politician_never_reads_drafts(client, world):
    """A seat in KF reads what has been adopted: a draft answers 404, and its title stays out."""
    draft = Goal.objects.filter(status=Goal.Status.DRAFT).first()
    assert draft is not None
    _login(client, world.politician)
    assert client.get(reverse("goals:detail", args=[draft.pk])).status_code == 404
    assert draft.title not in client.get(reverse("goals:tree")).content.decode()


def test_scope_reads_memberships_in_one_query_without_sorting(world, django_assert_num_queries):
    """The scope's query has no ORDER BY (nor the join to auth_user it needed); the roots
    keep the order the units' names give."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from styrning.permissions import scope_for

    with CaptureQueriesContext(connection) as queries:
        scope = scope_for(world.admin)
        scope_for(world.admin)  # cached on the user
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert "ORDER BY" not in sql and "auth_user" not in sql
    names = [unit.name for unit in scope.read_roots]
    assert names == sorted(names)
