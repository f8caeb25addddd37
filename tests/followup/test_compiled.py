"""Queries compiled once (followup.worklist.compiled_rows, compiled_count, compiled_values)
run the ORM's SQL with the ORM's parameters, and give the instances the ORM gives: the
same values, annotations and select_related instances."""

import datetime as dt

from django.db import connection
from django.utils import timezone

from followup import worklist
from followup.models import ReportingPeriod, Submission
from reports.models import ReportText


def _run(function):
    """``function()`` and the queries it ran: (sql, parameters with their types)."""
    queries = []

    def record(execute, sql, params, many, context):
        queries.append((sql, [(type(p), p) for p in params or ()]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        result = function()
    return result, queries


def _values(instance) -> dict:
    values = {k: v for k, v in vars(instance).items() if k != "_state"}
    for name, related in instance._state.fields_cache.items():
        values[name] = None if related is None else _values(related)
    return values


def _same_rows(key, build, *args):
    expected, orm_queries = _run(lambda: list(build(*args)))
    for _ in range(2):  # compiling, then compiled
        got, queries = _run(lambda: worklist.compiled_rows(key, build, *args))
        assert queries == orm_queries
        assert [type(g) for g in got] == [type(e) for e in expected]
        assert [_values(g) for g in got] == [_values(e) for e in expected]
        assert all(not g._state.adding and g._state.db == "default" for g in got)
    return got


def test_the_review_page_and_its_count(delar):
    w = delar
    today = dt.date(2026, 9, 30)
    for period in (None, w.period.pk):
        args = (w.m.pk, today) if period is None else (w.m.pk, today, period)
        rows = _same_rows(
            ("test review", period is None),
            lambda *a: worklist.review_queryset(*a)[0:50],
            *args,
        )
        assert rows and all(hasattr(r, "review_overdue") for r in rows)
        count_args = (w.m.pk,) if period is None else (w.m.pk, period)
        expected, orm_queries = _run(
            lambda count_args=count_args: worklist._review_submissions(*count_args).count()
        )
        key = ("test count", period is None)
        for _ in range(2):
            got, queries = _run(
                lambda key=key, count_args=count_args: worklist.compiled_count(
                    key, worklist._review_submissions, *count_args
                )
            )
            assert (got, queries) == (expected, orm_queries)


def test_the_chefs_rows_of_every_shape(delar):
    w = delar
    Submission.objects.filter(pk=w.sub_a.pk).update(delegate=w.unit_chef_a)
    for parts, user, bounds in (
        ((), w.finance, []),
        ((False,), w.chef_a, [w.fA.tree_id, w.fA.lft, w.fA.rght]),
        ((True,), w.unit_chef_a, [w.eA.tree_id, w.eA.lft, w.eA.rght]),
        (
            (False, True),
            w.unit_chef_a,
            [w.fA.tree_id, w.fA.lft, w.fA.rght, w.eA.tree_id, w.eA.lft, w.eA.rght],
        ),
    ):
        _same_rows(
            ("test chef", parts),
            lambda *a, parts=parts: worklist._chef_queryset(parts, *a),
            user.pk,
            *bounds,
        )


def test_the_approved_follow_ups_and_their_periods(delar):
    w = delar
    Submission.objects.filter(pk=w.sub_a.pk).update(
        state=Submission.State.APPROVED, sent_at=timezone.now(), decided_at=timezone.now()
    )
    for user in (w.politician, w.chef_a, w.unit_chef_a, w.admin):
        decided = worklist.decided_for(user)
        periods = _same_rows(
            ("test decided periods", *decided.key),
            lambda m, *b, decided=decided: worklist._decided_periods(m, decided, *b),
            w.m.pk,
            *decided.bounds,
        )
        assert periods
        for period in periods:
            _same_rows(
                ("test decided rows", *decided.key),
                lambda p, *b, decided=decided: worklist._decided_rows(decided, p, *b),
                period.pk,
                *decided.bounds,
            )


def test_values_and_report_texts(delar):
    w = delar

    def build(m):
        return (
            ReportingPeriod.objects.filter(municipality=m)
            .values_list("year", flat=True)
            .distinct()
            .order_by()
        )

    expected, orm_queries = _run(lambda: sorted(build(w.m.pk)))
    got, queries = _run(lambda: sorted(y for (y,) in worklist.compiled_values("t", build, w.m.pk)))
    assert (got, queries) == (expected, orm_queries)
    _same_rows(
        "test texts",
        lambda owner, m: ReportText.objects.filter(owner=owner, period__municipality=m).for_page(),
        w.finance.pk,
        w.m.pk,
    )
