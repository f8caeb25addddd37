"""followup.fulfilment_queries: a query compiled once a process runs the statement the
ORM runs, with the same parameters, and gives the rows the ORM gives."""

import pytest
from django.db import connection
from django.db.models import Q

from followup.fulfilment_queries import CompiledQuery
from goals.models import Goal, GoalLevel

pytestmark = pytest.mark.django_db


def _statements(call):
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        result = call()
    return result, seen


def _kept(query) -> bool:
    """Is the query's SQL kept (not run through the ORM)?"""
    return [value is not None for value in query.compiled.values()] == [True]


def _same(query, *args):
    orm, orm_sql = _statements(lambda: list(query.build(*args)))
    mine, mine_sql = _statements(lambda: query(*args))
    assert mine == orm
    assert mine_sql == orm_sql
    return mine


def test_instances_and_values_are_the_orms(three_level_world):
    w = three_level_world
    levels = CompiledQuery(lambda m: GoalLevel.objects.filter(municipality_id=m))
    assert len(_same(levels, w.m.pk)) == len(w.levels)
    _same(levels, w.m.pk + 1000)  # none
    first = _same(levels, w.m.pk)[0]
    assert first.pk and not first._state.adding and first._state.db == "default"
    goals = CompiledQuery(
        lambda last, level, m, first: (
            Goal.objects.filter(
                municipality=m, level=level, start_year__lte=first, end_year__gte=last
            )
            .order_by("tree_id", "lft")
            .values_list("pk", "title", "owner__name")
        )
    )
    level = w.levels[3]
    assert _same(goals, 2026, level.pk, w.m.pk, 2026)
    assert _kept(levels) and _kept(goals)


def test_a_list_of_ids_is_written_as_the_orm_writes_it(three_level_world):
    w = three_level_world
    query = CompiledQuery(
        lambda m, ids: (
            Goal.objects.filter(pk__in=ids, municipality=m)
            .order_by("pk")
            .values_list("pk", "title")
        ),
        in_list=1,  # filter() sorts its keywords: the municipality comes first
    )
    ids = list(Goal.objects.values_list("pk", flat=True))
    assert len(_same(query, w.m.pk, ids)) == len(ids)
    _same(query, w.m.pk, [ids[0], None, ids[0], ids[-1]])  # duplicates and None dropped
    assert _kept(query)
    assert _same(query, w.m.pk, []) == []  # no query, as the ORM
    # A list in an OR: empty, the ORM still runs the query (without it), and so do we.
    either = CompiledQuery(
        lambda m, ids: (
            Goal.objects.filter(Q(pk__in=ids) | Q(municipality=m)).order_by("pk").values_list("pk")
        ),
        in_list=1,
    )
    assert _same(either, w.m.pk, ids[:1]) == _same(either, w.m.pk, []) != []
    assert _kept(either)


def test_a_parameter_used_twice_is_kept(three_level_world):
    w = three_level_world
    twice = CompiledQuery(
        lambda m: GoalLevel.objects.filter(municipality_id=m).exclude(municipality_id=m)
    )
    assert _same(twice, w.m.pk) == []
    assert _kept(twice)


def test_a_query_it_cannot_keep_goes_through_the_orm(three_level_world):
    w = three_level_world
    # An argument the statement does not take as given: run by the ORM, still right.
    changed = CompiledQuery(lambda m: GoalLevel.objects.filter(municipality_id=m + 1))
    assert _same(changed, w.m.pk - 1) == list(GoalLevel.objects.filter(municipality_id=w.m.pk))
    assert not _kept(changed)


def test_the_fulfilment_pages_count_of_follow_ups_is_counts_fors(delar):
    """The overview's "n of m follow-ups approved": counts_for's two queries, kept."""
    from followup import fulfilment_views, overview
    from followup.models import ReportingPeriod, Submission

    for period in ReportingPeriod.objects.all():
        expected = Submission.objects.counts_for([period])[period.pk]
        found, statements = _statements(lambda p=period: fulfilment_views._submitted(p))
        assert found == expected
        _, orm_statements = _statements(lambda p=period: Submission.objects.counts_for([p]))
        assert statements == orm_statements
    assert _kept(overview.PERIOD_COUNTS) and _kept(overview.EXPECTED_COUNTS)


def test_the_calendars_counts_of_follow_ups_are_counts_fors(delar):
    """The årshjul's counts of all the periods at once: counts_for's, the same SQL."""
    from followup import overview
    from followup.models import ReportingPeriod, Submission

    periods = list(ReportingPeriod.objects.all())
    assert len(periods) > 1
    expected, orm_statements = _statements(lambda: Submission.objects.counts_for(periods))
    found, statements = _statements(lambda: overview.submission_counts(periods))
    assert found == expected
    assert statements == orm_statements
    assert overview.submission_counts([]) == {}
