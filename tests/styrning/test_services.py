"""The one upsert-if-changed: created, changed, unchanged and removed rows, with their history."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from styrning.models import MandatePeriod
from styrning.services import RowSync, save_if_changed
from tests.factories import make_municipality


@pytest.fixture
def municipality(db):
    return make_municipality()


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("ekonom")


def _sync(municipality, user):
    return RowSync(
        MandatePeriod,
        MandatePeriod.objects.filter(municipality=municipality),
        key=lambda p: p.start_year,
        user=user,
        reason="test",
    )


def test_row_sync_creates_changes_and_removes_with_history(municipality, user):
    sync = _sync(municipality, user)
    for start in (2019, 2023):
        sync.put(
            start, {"municipality": municipality, "start_year": start}, {"end_year": start + 3}
        )
    assert sync.finish().created == 2

    sync = _sync(municipality, user)
    sync.put(2023, {}, {"end_year": 2027})
    sync.put(2027, {"municipality": municipality, "start_year": 2027}, {"end_year": 2030})
    assert sync.counts(remove_missing=True).__dict__ == {"created": 1, "changed": 1, "removed": 1}
    counts = sync.finish(remove_missing=True)
    assert (counts.created, counts.changed, counts.removed) == (1, 1, 1)

    assert sorted(MandatePeriod.objects.values_list("start_year", "end_year")) == [
        (2023, 2027),
        (2027, 2030),
    ]
    history = MandatePeriod.history.order_by("history_id")
    assert [h.history_type for h in history] == ["+", "+", "+", "~", "-"]
    assert {h.history_user_id for h in history} == {user.pk}
    assert history.last().start_year == 2019


def test_row_sync_writes_nothing_when_nothing_changed(municipality, user):
    sync = _sync(municipality, user)
    sync.put(2023, {"municipality": municipality, "start_year": 2023}, {"end_year": 2026})
    sync.finish()
    before = MandatePeriod.history.count()
    sync = _sync(municipality, user)
    sync.put(2023, {}, {"end_year": 2026})
    assert sync.finish(remove_missing=True).__dict__ == {"created": 0, "changed": 0, "removed": 0}
    assert MandatePeriod.history.count() == before


def test_row_sync_validates_each_row(municipality, user):
    sync = _sync(municipality, user)
    with pytest.raises(ValidationError):
        sync.put(2023, {"municipality": municipality, "start_year": 2023}, {"end_year": 0})


def test_save_if_changed_saves_only_a_difference(municipality, user):
    lookup = {"municipality": municipality, "start_year": 2023}
    _obj, state = save_if_changed(MandatePeriod, lookup, {"end_year": 2026}, user=user)
    assert state == "created"
    assert save_if_changed(MandatePeriod, lookup, {"end_year": 2026})[1] == "unchanged"
    obj, state = save_if_changed(MandatePeriod, lookup, {"end_year": 2027}, user=user)
    assert state == "changed"
    assert obj.history.first().history_user == user
    assert MandatePeriod.history.count() == 2


def test_row_sync_removes_only_what_it_is_told(municipality, user):
    sync = _sync(municipality, user)
    for start in (2019, 2023):
        sync.put(
            start, {"municipality": municipality, "start_year": start}, {"end_year": start + 3}
        )
    sync.finish()
    sync = _sync(municipality, user)
    sync.remove(2019)
    sync.remove(2031)  # no such row: nothing to do
    assert sync.finish().removed == 1
    assert list(MandatePeriod.objects.values_list("start_year", flat=True)) == [2023]
    assert MandatePeriod.history.filter(history_type="-").get().history_user == user


@pytest.mark.parametrize("path", ["set-based", "by row"])
def test_sync_rows_either_path_writes_the_same_rows_counts_and_history(path, user):
    """sync_rows is set-based on PostgreSQL and goes through RowSync elsewhere (SQLite under
    `make run`); both must leave the same rows, counts and history."""
    from styrning import services

    def sync(m, rows, **kw):
        run = services.sync_rows if path == "set-based" else services._sync_rows_by_row
        defaults = dict(constants={"municipality_id": m.pk}, extra=None, user=user)
        defaults.update(reason="test", remove_missing=False, dry_run=False, progress=None)
        defaults.update(kw)
        return run(
            MandatePeriod,
            MandatePeriod.objects.filter(municipality=m),
            ["start_year"],
            ["end_year"],
            rows,
            **defaults,
        )

    m = make_municipality()
    first = sync(m, [(2019, 2022), (2023, 2026)])
    assert (first.created, first.changed, first.removed) == (2, 0, 0)
    dry = sync(m, [(2023, 2027), (2027, 2030)], remove_missing=True, dry_run=True)
    assert (dry.created, dry.changed, dry.removed) == (1, 1, 1)
    assert MandatePeriod.objects.filter(municipality=m).count() == 2  # the dry run wrote nothing
    real = sync(m, [(2023, 2027), (2027, 2030)], remove_missing=True)
    assert (real.created, real.changed, real.removed) == (1, 1, 1)
    again = sync(m, [(2023, 2027), (2027, 2030)], remove_missing=True)
    assert (again.created, again.changed, again.removed) == (0, 0, 0)
    assert sorted(
        MandatePeriod.objects.filter(municipality=m).values_list("start_year", "end_year")
    ) == [
        (2023, 2027),
        (2027, 2030),
    ]
    history = MandatePeriod.history.filter(municipality=m).order_by("history_date", "history_id")
    assert sorted(h.history_type for h in history) == ["+", "+", "+", "-", "~"]
    assert {h.history_user_id for h in history} == {user.pk}
    assert {h.history_change_reason for h in history} == {"test"}
