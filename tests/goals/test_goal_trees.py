"""The stored trees: one per body, derived from the chain on save and by rebuild_goal_trees."""

import pytest
from django.core.exceptions import ValidationError
from mptt.exceptions import InvalidMove

from goals.models import Goal
from goals.tree import ancestor_ids, rebuild_goal_trees
from tests.factories import Kind, make_goal, make_unit

FIELDS = ("tree_parent_id", "lft", "rght", "mptt_level")


def _trees(municipality):
    """Each goal's tree fields, with tree ids as their rank (numbers differ, order not)."""
    rows = list(
        Goal.objects.filter(municipality=municipality)
        .order_by("pk")
        .values("pk", "tree_id", *FIELDS)
    )
    ranks = {t: i for i, t in enumerate(sorted({r["tree_id"] for r in rows}))}
    return {r["pk"]: (ranks[r["tree_id"]], *(r[f] for f in FIELDS)) for r in rows}


def _bigger_world(world):
    office = make_unit(
        world.m,
        "Bolaget",
        Kind.COMPANY,
        make_unit(world.m, "Styrelsen för Bolaget", Kind.BOARD, world.kf),
        "900",
    )
    board_goal = make_goal(world.m, world.levels[3], office.parent, world.top, adopted=True)
    make_goal(world.m, world.levels[4], office, board_goal, title="Bolagets plan")
    ks_goal = make_goal(world.m, world.levels[3], world.ks, world.top, title="KS mål")
    make_goal(world.m, world.levels[4], world.ksf, ks_goal, title="KSF plan")
    second = make_goal(
        world.m, world.levels[2], world.kf, world.vision, title="Andra", years=(2024, 2030)
    )
    make_goal(world.m, world.levels[3], world.nA, second, title="A under andra")


def test_each_body_roots_its_own_tree(world):
    _bigger_world(world)
    goals = {g.title: g for g in Goal.objects.filter(municipality=world.m)}
    # KF's vision and inriktningsmål share one tree.
    assert goals["Trygg kommun"].tree_parent_id == goals["Vision"].pk
    assert goals["Trygg kommun"].tree_id == goals["Vision"].tree_id
    # A nämndmål under KF's goal roots a tree; what is planned below it stays in it.
    for title in ("Trygg äldreomsorg", "Trygga gator", "KS mål", "A under andra"):
        assert goals[title].tree_parent_id is None
        assert goals[title].parent_id is not None
    assert goals["Kontinuitet"].tree_id == goals["Trygg äldreomsorg"].tree_id
    assert goals["Fast omsorgskontakt"].tree_id == goals["Trygg äldreomsorg"].tree_id
    assert goals["KSF plan"].tree_id == goals["KS mål"].tree_id
    assert goals["Bolagets plan"].tree_parent_id is not None
    trees = {g.tree_id for g in goals.values()}
    assert len(trees) == 1 + 5  # KF's, and one per nämndmål, styrelsemål and KS mål


def test_rebuild_gives_the_trees_that_saving_one_by_one_gives(world):
    _bigger_world(world)
    saved = _trees(world.m)
    Goal.objects.filter(municipality=world.m).update(
        tree_parent=None, tree_id=0, lft=0, rght=0, mptt_level=0
    )
    assert rebuild_goal_trees(world.m) == len(saved)
    assert _trees(world.m) == saved
    # The rebuilt trees take new goals as if nothing had happened.
    plan = make_goal(world.m, world.levels[4], world.fA, Goal.objects.get(pk=world.goal_a.pk))
    assert Goal.objects.get(pk=world.goal_a.pk).get_descendant_count() == 4
    assert plan.tree_id == Goal.objects.get(pk=world.goal_a.pk).tree_id


def test_rebuild_leaves_other_municipalities_trees_alone(world):
    from tests.factories import make_levels, make_municipality

    other = make_municipality("Annanby kommun", "9997")
    levels = make_levels(other)
    kf = make_unit(other, "KF", Kind.COUNCIL)
    vision = make_goal(other, levels[1], kf, years=(2024, 2038), adopted=True)
    before = Goal.objects.filter(pk=vision.pk).values_list("tree_id", "lft", "rght").get()
    rebuild_goal_trees(world.m)
    assert Goal.objects.filter(pk=vision.pk).values_list("tree_id", "lft", "rght").get() == before
    tree_ids = set(Goal.objects.filter(municipality=world.m).values_list("tree_id", flat=True))
    assert before[0] not in tree_ids


def test_moving_a_plan_across_committees_moves_it_between_trees(world):
    # A förvaltning's plan may move only under its own nämnd's goal: move the
    # nämndmål's owner instead — a KF inriktningsmål moves between trees and back.
    second = make_goal(
        world.m,
        world.levels[2],
        world.kf,
        world.vision,
        title="Andra",
        years=(2024, 2038),
        adopted=True,
    )
    draft = make_goal(world.m, world.levels[3], world.nB, world.top, title="Flyttas")
    plan = make_goal(world.m, world.levels[4], world.fB, draft, title="Under den")
    Goal.objects.move_node(draft, second, "last-child")
    draft.refresh_from_db()
    plan.refresh_from_db()
    assert draft.parent_id == second.pk and draft.tree_parent_id is None
    assert plan.tree_id == draft.tree_id and plan.lft > draft.lft
    assert draft.history.first().history_change_reason == "Flyttat i målkedjan"
    # A plan between two of nämnd B's goals changes tree, and its history says so.
    target = make_goal(world.m, world.levels[3], world.nB, world.top, title="Mål 2")
    Goal.objects.move_node(plan, target, "last-child")
    plan.refresh_from_db()
    assert plan.parent_id == target.pk and plan.tree_id == target.tree_id
    assert plan.tree_parent_id == target.pk
    assert Goal.objects.get(pk=draft.pk).get_descendant_count() == 0
    # Rules still hold: not under another nämnd's goal, not below itself.
    with pytest.raises(InvalidMove):
        Goal.objects.move_node(plan, Goal.objects.get(pk=world.goal_a.pk), "last-child")
    saved = _trees(world.m)
    rebuild_goal_trees(world.m)
    assert {pk: t[1:] for pk, t in _trees(world.m).items()} == {
        pk: t[1:] for pk, t in saved.items()
    }


def test_a_goal_cannot_be_placed_below_itself_across_trees(world):
    top = Goal.objects.get(pk=world.top.pk)
    top.parent = Goal.objects.get(pk=world.activity_a.pk)
    with pytest.raises(ValidationError):
        top.full_clean()
    assert ancestor_ids(world.activity_a) == [
        world.vision.pk,
        world.top.pk,
        world.goal_a.pk,
        world.plan_a.pk,
    ]


def test_adding_a_goal_touches_only_its_own_tree(world):
    other_tree = list(
        Goal.objects.filter(tree_id=world.goal_b.tree_id).values_list("pk", "lft", "rght")
    )
    make_goal(world.m, world.levels[5], world.eA, world.plan_a, title="Ny")
    assert (
        list(Goal.objects.filter(tree_id=world.goal_b.tree_id).values_list("pk", "lft", "rght"))
        == other_tree
    )


def test_admin_lists_goals_in_the_chains_order(client, world):
    second = make_goal(
        world.m, world.levels[2], world.kf, world.vision, title="Andra", years=(2024, 2038)
    )
    make_goal(world.m, world.levels[3], world.nA, second, title="Under andra")
    client.force_login(world.admin)
    html = client.get("/admin/goals/goal/").content.decode()
    order = [
        "Vision",
        "Trygg kommun",
        "Trygg äldreomsorg",
        "Kontinuitet",
        "Fast omsorgskontakt",
        "Trygga gator",
        "Andra",
        "Under andra",
    ]
    positions = [html.index(f">{title}<") for title in order]
    assert positions == sorted(positions)
    assert list(Goal.objects.in_chain_order().values_list("title", flat=True)[:3]) == order[:3]


@pytest.mark.parametrize("model", ["hedemora", "katrineholm", "karlskrona", "eskilstuna"])
def test_every_demo_model_gets_one_tree_per_body(db, model):
    from django.core.management import call_command

    from goals.tree import governing_bodies
    from styrning.models import Municipality, OrgUnit

    call_command("load_demo", model=model, verbosity=0)
    municipality = Municipality.objects.get()
    bodies = governing_bodies(OrgUnit.objects.values_list("pk", "kind", "parent_id"))
    goals = {g.pk: g for g in Goal.objects.filter(municipality=municipality)}
    for goal in goals.values():
        parent = goals.get(goal.parent_id)
        crosses = parent is None or bodies[goal.owner_id] != bodies[parent.owner_id]
        assert goal.tree_parent_id == (None if crosses else goal.parent_id), goal
    # Each tree holds one body's goals (KF's own have none).
    per_tree = {}
    for goal in goals.values():
        per_tree.setdefault(goal.tree_id, set()).add(bodies[goal.owner_id])
    assert all(len(owners) == 1 for owners in per_tree.values())
    assert len(per_tree) > 3
    saved = _trees(municipality)
    rebuild_goal_trees(municipality)
    assert _trees(municipality) == saved
