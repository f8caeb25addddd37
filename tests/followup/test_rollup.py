"""The roll-up (sammanvägd bedömning) of a known tree: counts, suggestions, explanations,
drafts against decided submissions, and a fixed number of queries however big the tree."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from followup.calendar import open_period
from followup.models import (
    Assessment,
    AssignmentReport,
    AssignmentStatusMapping,
    RollupOverride,
    RollupRule,
    Submission,
)
from followup.rollup import (
    DEFAULT_RULE,
    Rule,
    assignment_mapping,
    clear_override,
    indicator_status,
    rollup_for_period,
    set_override,
    suggest,
    with_assignments,
)
from goals.models import Assignment, Measurement
from styrning.permissions import may_override_rollup
from tests.factories import make_goal, make_indicator
from tests.followup.factories import make_year, set_state

F = "fulfilled"
P = "partly"
N = "not_fulfilled"
X = "not_assessed"


@pytest.fixture
def tree(world):
    """Five nämndmål under "Trygg kommun": three of Socialnämnden (goal_a and two more),
    two of Samhällsbyggnadsnämnden (goal_b and one more), with the delårsrapport open."""
    m, levels = world.m, world.levels
    world.goal_a2 = make_goal(m, levels[3], world.nA, world.top, adopted=True, title="A2")
    world.goal_a3 = make_goal(m, levels[3], world.nA, world.top, adopted=True, title="A3")
    world.goal_b2 = make_goal(m, levels[3], world.nB, world.top, adopted=True, title="B2")
    periods = make_year(world, 2026)
    world.period = open_period(periods[8], user=world.finance)
    world.sub_a = Submission.objects.get(period=world.period, unit=world.fA)
    world.sub_b = Submission.objects.get(period=world.period, unit=world.fB)
    return world


def assess(submission, goal, status, analysis=""):
    return Assessment.objects.create(
        submission=submission, goal=goal, status=status, analysis=analysis
    )


def test_known_tree_gives_known_counts_and_suggestion(tree):
    w = tree
    assess(w.sub_a, w.goal_a, F)
    assess(w.sub_a, w.goal_a2, F)
    assess(w.sub_a, w.goal_a3, P)
    assess(w.sub_b, w.goal_b, F)
    assess(w.sub_b, w.goal_b2, P)
    with translation.override("sv"):
        rollup = rollup_for_period(w.m, w.period)
    top = rollup[w.top.pk]
    assert top.counts == {F: 3, P: 2, N: 0, X: 0}
    assert top.own is None
    # 3 of 5 = 60 % fulfilled (< 75 %), 5 of 5 at least partly (≥ 50 %): partly.
    assert top.suggested == P
    assert top.final == P
    assert top.explanation == "3 av 5 nämndmål uppfyllda, 2 delvis uppfyllda → delvis uppfyllt"
    # The vision counts its one inriktningsmål by that goal's final assessment.
    assert rollup[w.vision.pk].counts == {F: 0, P: 1, N: 0, X: 0}
    assert rollup[w.vision.pk].suggested == P
    # A nämndmål's own assessment is its final one; its verksamhetsplan has none.
    assert rollup[w.goal_a.pk].own == F
    assert rollup[w.goal_a.pk].counts == {F: 0, P: 0, N: 0, X: 1}
    assert rollup[w.goal_a.pk].suggested == X
    # Drafts are never rolled up.
    assert w.draft_a.pk not in rollup


def test_missing_assessments_count_as_not_assessed_and_take_no_part(tree):
    w = tree
    assess(w.sub_a, w.goal_a, F)
    assess(w.sub_a, w.goal_a2, F)
    assess(w.sub_a, w.goal_a3, F)
    assess(w.sub_b, w.goal_b, N)
    rollup = rollup_for_period(w.m, w.period)
    top = rollup[w.top.pk]
    assert top.counts == {F: 3, P: 0, N: 1, X: 1}
    # 3 of the 4 assessed = 75 %: fulfilled.
    assert top.suggested == F


def test_decided_only_counts_approved_submissions(tree):
    w = tree
    assess(w.sub_a, w.goal_a, F)
    assess(w.sub_b, w.goal_b, N)
    Submission.objects.filter(pk=w.sub_b.pk).update(
        state=Submission.State.APPROVED, sent_at=dt.datetime(2026, 9, 10, tzinfo=dt.UTC)
    )
    everything = rollup_for_period(w.m, w.period)
    decided = rollup_for_period(w.m, w.period, decided_only=True)
    assert everything[w.top.pk].counts == {F: 1, P: 0, N: 1, X: 3}
    assert decided[w.top.pk].counts == {F: 0, P: 0, N: 1, X: 4}
    assert decided[w.goal_a.pk].own is None
    assert decided[w.goal_b.pk].own == N


def test_root_limits_the_result_to_its_subtree(tree):
    w = tree
    assess(w.sub_a, w.goal_a, P)
    rollup = rollup_for_period(w.m, w.period, root=w.goal_a)
    assert set(rollup) == {w.goal_a.pk, w.plan_a.pk}
    assert rollup[w.goal_a.pk].own == P
    assert rollup_for_period(w.m, w.period, root=w.top.pk)[w.top.pk].total == 5


def test_indicators_feed_the_suggestion_with_their_latest_value(tree):
    w = tree
    # 51 (2022) → 55 (2026); values must not be summed across periods.
    reached = make_indicator(w.goal_a, name="Nöjdhet")
    Measurement.objects.create(indicator=reached, year=2025, value=Decimal("54"))
    Measurement.objects.create(indicator=reached, year=2026, month=7, value=Decimal("56"))
    # A value after the period (September) is not seen by the August period.
    Measurement.objects.create(indicator=reached, year=2026, month=9, value=Decimal("40"))
    moving = make_indicator(w.goal_a, name="Kontinuitet")
    Measurement.objects.create(indicator=moving, year=2025, value=Decimal("52"))
    with translation.override("sv"):
        rollup = rollup_for_period(w.m, w.period)
    goal = rollup[w.goal_a.pk]
    assert [(p.name, p.value, p.status) for p in goal.indicators] == [
        ("Kontinuitet", Decimal("52.00"), P),
        ("Nöjdhet", Decimal("56.00"), F),
    ]
    # One of two indicators fulfilled = 50 %: partly.
    assert goal.suggested == P
    assert "1 av 2 indikatorer har nått målvärdet" in goal.explanation


def test_assignments_are_counted_by_their_status_in_the_period(tree):
    w = tree
    made = {}
    for title, status in [("U1", "done"), ("U2", "in_progress"), ("U3", "in_progress")]:
        made[title] = Assignment.objects.create(
            municipality=w.m,
            title=title,
            given_by=w.kf,
            decision_reference="KF 2025-11-24 § 1",
            decided_on=dt.date(2025, 11, 24),
            unit=w.nA,
            goal=w.top,
            due_date=dt.date(2026, 12, 31),
            status=status,
            comment="klart" if status == "done" else "",
        )
    AssignmentReport.objects.create(
        submission=w.sub_a, assignment=made["U3"], status="done", comment="klart"
    )
    rollup = rollup_for_period(w.m, w.period)
    assert rollup[w.top.pk].assignment_counts == {"done": 2, "in_progress": 1}
    # Katrineholm's halvtid: the goals below and the uppdrag summed by the mapping.
    summed = with_assignments(rollup[w.top.pk], assignment_mapping(w.m))
    assert summed == {F: 2, P: 1, N: 0, X: 5}
    # Used by a rule that counts uppdrag: 2 fulfilled, 1 partly of 3.
    # A rule that counts uppdrag: 2 of 3 fulfilled (67 % < 75 %), all at least partly.
    assert suggest(Rule(use_assignments=True), {}, (), [F, F, P]) == P


@pytest.mark.parametrize(
    ("rule", "counts", "expected"),
    [
        (DEFAULT_RULE, {F: 3, P: 1}, F),
        (DEFAULT_RULE, {F: 2, P: 1, N: 1}, P),
        (DEFAULT_RULE, {F: 1, N: 3}, N),
        (DEFAULT_RULE, {X: 4}, X),
        (Rule(kind="worst"), {F: 9, P: 1}, P),
        (Rule(kind="worst"), {F: 9, N: 1}, N),
        (Rule(kind="worst"), {F: 2, X: 1}, F),
        # Weighted: scores 1, 0.5, 0; the mean against 0.75 and 0.5.
        (Rule(kind="weighted"), {F: 2, P: 2}, F),  # (2 + 1) / 4 = 0.75
        (Rule(kind="weighted"), {F: 1, P: 1, N: 2}, N),  # 1.5 / 4 = 0.375
        (Rule(kind="weighted"), {P: 4}, P),  # 0.5
    ],
)
def test_each_rule_kind(rule, counts, expected):
    assert suggest(rule, counts) == expected


def test_indicator_status_follows_direction():
    assert indicator_status(Decimal(51), Decimal(55), Decimal(55)) == F
    assert indicator_status(Decimal(51), Decimal(55), Decimal(53)) == P
    assert indicator_status(Decimal(51), Decimal(55), Decimal(50)) == N
    assert indicator_status(Decimal(10), Decimal(5), Decimal(7), "lower") == P
    assert indicator_status(Decimal(10), Decimal(5), Decimal(4), "lower") == F
    assert indicator_status(None, Decimal(5), None) == X
    # A baseline that already met the target, fallen below it since: not on its way
    # (the result's share: 3,1 % at the start, at least 2 % wanted, 0,6 % now).
    assert indicator_status(Decimal("3.1"), Decimal(2), Decimal("0.6")) == N
    assert indicator_status(Decimal(5), Decimal(10), Decimal(12), "lower") == N


def _grow(world, period, n):
    """n more nämndmål, each with a verksamhetsplan, an indicator with two values, an
    uppdrag and assessments in the open period."""
    m, levels = world.m, world.levels
    sub_a = Submission.objects.get(period=period, unit=world.fA)
    for i in range(n):
        goal = make_goal(m, levels[3], world.nA, world.top, adopted=True, title=f"N{i}")
        plan = make_goal(m, levels[4], world.fA, goal, adopted=True, title=f"V{i}")
        indicator = make_indicator(plan, name=f"I{i}")
        Measurement.objects.create(indicator=indicator, year=2025, value=52)
        Measurement.objects.create(indicator=indicator, year=2026, month=6, value=53)
        Assignment.objects.create(
            municipality=m,
            title=f"U{i}",
            given_by=world.kf,
            decision_reference="KF 2025-11-24 § 1",
            decided_on=dt.date(2025, 11, 24),
            unit=world.nA,
            goal=goal,
            due_date=dt.date(2026, 12, 31),
        )
        assess(sub_a, goal, [F, P, N][i % 3])
        assess(sub_a, plan, [F, P][i % 2])


def _queries(world, period):
    with CaptureQueriesContext(connection) as captured:
        rollup = rollup_for_period(world.m, period)
    return len(captured), rollup


def test_whole_tree_in_a_fixed_number_of_queries(tree):
    w = tree
    _grow(w, w.period, 2)
    small, rollup = _queries(w, w.period)
    assert rollup[w.top.pk].total == 7
    _grow(w, w.period, 20)
    large, rollup = _queries(w, w.period)
    assert rollup[w.top.pk].total == 27
    assert small == large
    assert large <= 7


def test_fulfilment_is_shown_as_words_and_symbol():
    with translation.override("sv"):
        html = Template(
            '{% load rollup_tags %}{% fulfilment "partly" %}|{% fulfilment "" %}'
        ).render(Context())
    assert "◐</span> Delvis uppfyllt" in html
    assert "status--fulfilment-not_assessed" in html and "Ej bedömt" in html


# Rules as data ------------------------------------------------------------------------------


def test_every_level_has_a_default_rule_and_the_rule_is_read_from_data(tree):
    w = tree
    # Levels made after the migration get their rule from the signal.
    assert RollupRule.objects.filter(level__municipality=w.m).count() == len(w.levels)
    assert AssignmentStatusMapping.objects.filter(municipality=w.m).count() == 4
    assess(w.sub_a, w.goal_a, F)
    assess(w.sub_a, w.goal_a2, F)
    assess(w.sub_a, w.goal_a3, F)
    assess(w.sub_b, w.goal_b, F)
    assess(w.sub_b, w.goal_b2, N)
    assert rollup_for_period(w.m, w.period)[w.top.pk].suggested == F  # 80 % ≥ 75 %
    rule = w.levels[2].rollup_rule
    rule.kind = RollupRule.Kind.WORST
    rule.full_clean()
    rule.save()
    with translation.override("sv"):
        top = rollup_for_period(w.m, w.period)[w.top.pk]
    assert top.suggested == N
    assert top.explanation == "4 av 5 nämndmål uppfyllda, 1 ej uppfyllt → ej uppfyllt"
    rule.kind = RollupRule.Kind.WEIGHTED
    rule.fulfilled_share = Decimal("0.85")
    rule.save()
    assert rollup_for_period(w.m, w.period)[w.top.pk].suggested == P  # 4 / 5 = 0.8
    assert rule.history.count() == 3


def test_a_rule_refuses_thresholds_out_of_order(world):
    rule = world.levels[2].rollup_rule
    rule.partly_share = Decimal("0.9")
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_cumulative_indicator_sums_the_year_only(tree):
    w = tree
    new_firms = make_indicator(w.goal_a, name="Nya företag", baseline=(0, 2025), target=(40, 2026))
    new_firms.cumulative = True
    new_firms.save()
    Measurement.objects.create(indicator=new_firms, year=2025, month=12, value=30)  # last year
    for month, value in [(3, 10), (6, 15), (8, 10), (10, 20)]:
        Measurement.objects.create(indicator=new_firms, year=2026, month=month, value=value)
    progress = rollup_for_period(w.m, w.period)[w.goal_a.pk].indicators[0]
    # January–August 2026 only: 35 of 40, not 30 + 35 nor the October value.
    assert progress.value == Decimal("35.00")
    assert progress.status == P


def test_the_uppdrag_mapping_is_data(tree):
    w = tree
    AssignmentStatusMapping.objects.filter(municipality=w.m, assignment_status="cancelled").update(
        fulfilment=X
    )
    assert assignment_mapping(w.m)["cancelled"] == X
    assert assignment_mapping(w.m)["done"] == F


# Overrides ----------------------------------------------------------------------------------


def test_override_is_final_and_history_names_who(tree):
    w = tree
    assess(w.sub_a, w.goal_a, P)
    set_override(w.goal_a, w.period, F, "Målet nåddes i september.", w.chef_a)
    result = rollup_for_period(w.m, w.period)
    assert result[w.goal_a.pk].override == F
    assert result[w.goal_a.pk].override_reason == "Målet nåddes i september."
    assert result[w.goal_a.pk].final == F
    assert result[w.top.pk].counts[F] == 1  # the parent counts the final assessment
    set_override(w.goal_a, w.period, N, "Nya siffror.", w.chef_a)
    override = RollupOverride.objects.get(goal=w.goal_a, period=w.period)
    assert [h.history_user for h in override.history.order_by("history_id")] == [
        w.chef_a,
        w.chef_a,
    ]
    assert clear_override(w.goal_a, w.period, w.chef_a)
    assert RollupOverride.history.filter(history_type="-").get().history_user == w.chef_a
    assert rollup_for_period(w.m, w.period)[w.goal_a.pk].final == P


def test_override_needs_a_reason(tree):
    with pytest.raises(ValidationError):
        set_override(tree.goal_a, tree.period, F, "  ", tree.chef_a)
    assert not RollupOverride.objects.exists()


def test_override_is_refused_in_a_locked_period(tree):
    w = tree
    set_override(w.goal_a, w.period, F, "Skäl.", w.chef_a)
    set_state(w.period, "locked")
    with pytest.raises(ValidationError):
        set_override(w.goal_a, w.period, N, "Ändrat.", w.chef_a)
    with pytest.raises(ValidationError):
        clear_override(w.goal_a, w.period, w.chef_a)
    assert RollupOverride.objects.get().status == F
    assert not may_override_rollup(w.chef_a, w.goal_a, w.period)
    assert not may_override_rollup(w.admin, w.goal_a, w.period)


def test_only_the_goals_owner_may_override(tree):
    w = tree
    # The nämnd's goal: the förvaltningschef who serves it, administrators.
    assert may_override_rollup(w.chef_a, w.goal_a, w.period)
    assert may_override_rollup(w.admin, w.goal_a, w.period)
    for user in (w.chef_b, w.politician, w.hr, w.finance, w.unit_chef_a):
        assert not may_override_rollup(user, w.goal_a, w.period), user
    # KF's inriktningsmål: the ekonomichef, who records KF's decisions.
    assert may_override_rollup(w.finance, w.top, w.period)
    assert not may_override_rollup(w.chef_a, w.top, w.period)


def test_the_data_migration_gives_existing_levels_and_municipalities_their_defaults(world):
    from importlib import import_module

    from django.apps import apps

    RollupRule.objects.all().delete()
    AssignmentStatusMapping.objects.all().delete()
    import_module("followup.migrations.0004_rollup").defaults(apps, None)
    rules = RollupRule.objects.filter(level__municipality=world.m)
    assert rules.count() == len(world.levels)
    assert {r.kind for r in rules} == {"share"}
    assert assignment_mapping(world.m) == {
        "done": F,
        "in_progress": P,
        "not_started": N,
        "cancelled": N,
    }
    assert AssignmentStatusMapping.objects.filter(municipality=world.m).count() == 4


def test_one_goal_below_is_named_in_the_singular():
    """ "1 aktivitet: delvis uppfyllt", never "0 av 1 aktiviteter uppfyllda"."""
    from followup.rollup import LevelNames, _count_words

    names = LevelNames("Aktivitet", "Aktiviteter")
    assert _count_words({"partly": 1}, names) == "1 aktivitet: delvis uppfyllt"
    assert _count_words({"fulfilled": 1, "partly": 1}, names).startswith("1 av 2 aktiviteter")
