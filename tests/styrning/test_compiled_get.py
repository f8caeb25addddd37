"""permissions.get_compiled_for_user: the object, the 404 and the 403 of get_for_user, by
the same SQL, for every kind of reader (its statement kept per reader's visibility)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import RequestFactory

from goals.models import Goal
from styrning.permissions import get_compiled_for_user, get_for_user

pytestmark = pytest.mark.django_db

READERS = ["politician", "chef_a", "chef_b", "unit_chef_a", "finance", "hr", "admin"]


def _goal_for_page():
    return Goal.objects.select_related("level", "owner", "decided_by")


def _adopted_goal():
    return Goal.objects.filter(status=Goal.Status.ADOPTED).select_related("owner", "level")


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _outcome(call):
    """(the object's fields and related ones, or the exception's type; the SQL run)."""
    statements = []

    def wrapper(execute, sql, params, many, context):
        statements.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        try:
            obj = call()
        except (Http404, PermissionDenied) as refused:
            return type(refused), statements
    related = {
        name: vars(cached).copy() if cached is not None else None
        for name, cached in obj._state.fields_cache.items()
    }
    for values in related.values():
        if values:
            values.pop("_state")
    own = {k: v for k, v in vars(obj).items() if k != "_state"}
    return (own, related), statements


@pytest.mark.parametrize("who", READERS)
@pytest.mark.parametrize("base", [_goal_for_page, _adopted_goal])
@pytest.mark.parametrize("action", ["view", "change"])
def test_as_get_for_user_for_every_reader(world, who, base, action):
    user = getattr(world, who)
    for goal in (world.plan_a, world.plan_b, world.draft_a, world.draft_b):
        for _twice in range(2):  # compiled, then kept
            request = _request(user)  # a new request: the scope is read again
            orm = _outcome(lambda g=goal, r=request: get_for_user(r, base(), g.pk, action))
            request = _request(user)
            mine = _outcome(
                lambda g=goal, r=request: get_compiled_for_user(r, Goal, base, g.pk, action)
            )
            assert mine[0] == orm[0], (who, goal.title)
            # The goal's query is the same statement (the scope's own query before it).
            assert mine[1][-1] == orm[1][-1]


def test_a_missing_or_impossible_id_is_404(world):
    for pk in (999_999, 2**40):
        with pytest.raises(Http404):
            get_compiled_for_user(_request(world.admin), Goal, _goal_for_page, pk)


def _above_and_below(goal_id):
    from goals.tree import chain_up_sql

    return (
        Goal.objects.filter(status=Goal.Status.ADOPTED, end_year__gte=2026)
        .filter(pk__in=chain_up_sql([goal_id]))
        .exclude(pk=goal_id)
        .order_by("level__order")
        .values_list("pk", "level__name", "title", "end_year")
    )


def test_values_rows_are_the_orms(world):
    """request_rows.values_rows: a parameter used twice, constants and the array of one
    id that chain_up_sql passes on PostgreSQL, kept; the ORM's rows and statement."""
    from styrning.request_rows import values_rows

    for goal in (world.plan_a, world.plan_b, world.goal_a):
        for _twice in range(2):
            orm, orm_sql = _outcome_of(lambda g=goal: list(_above_and_below(g.pk)))
            mine, mine_sql = _outcome_of(lambda g=goal: values_rows(_above_and_below, g.pk))
            assert mine == orm and mine_sql == orm_sql
            assert orm, goal.title


def _outcome_of(call):
    statements = []

    def wrapper(execute, sql, params, many, context):
        statements.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        return call(), statements


@pytest.mark.parametrize("who", READERS)
def test_the_goals_around_a_goal_are_the_orms_for_every_reader(world, who):
    """goals.views._readable_rows: per reader's visibility, the rows and the statement of
    the queryset built on visible_to (in force in a year, or not)."""
    from goals import views

    user = getattr(world, who)
    for goal in (world.top, world.goal_a, world.goal_b):
        for year in (None, 2026):
            for name, rows_of in (("below", views._below), ("above", views._above)):
                visible = Goal.objects.visible_to(user)
                if year is not None:
                    visible = views.in_force(visible, year)
                orm, orm_sql = _outcome_of(lambda v=visible, g=goal, r=rows_of: list(r(v, g.pk)))
                mine, mine_sql = _outcome_of(
                    lambda g=goal, y=year, n=name, r=rows_of: views._readable_rows(
                        user, n, r, g.pk, y
                    )
                )
                assert mine == orm and mine_sql[-1] == orm_sql[-1], (who, goal.title, name)


def _titles_not(pk, lft):
    return Goal.objects.filter(pk__gte=pk).exclude(lft=lft).values_list("title")


def test_a_constant_equal_to_a_placeholder_is_not_taken_for_it(world):
    """A constant that happens to equal a placeholder (a unit's place in a tree of more
    than 16 000 nodes would) is told apart by a second compilation: that query runs
    through the ORM, with the ORM's rows, instead of passing the argument in its place."""
    from styrning import request_rows

    def build(pk):
        return _titles_not(pk, 32_001)

    rows = request_rows.values_rows(build, world.plan_a.pk)
    assert rows == [tuple(r) for r in _titles_not(world.plan_a.pk, 32_001)] and rows
    assert request_rows._compiled[(build, "default")] is None  # not compiled: the ORM ran
