"""How an SIE import writes: only what changed, set-based, each change with its history
(who, when, what: the batch's user and reason), vanished rows removed in one statement,
and nothing at all when a big file is refused late."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.sie_bench import write_sie
from budget.imports.service import ImportFailed, import_sie
from budget.models import ImportBatch, Outcome
from tests.budget.sie_builder import Objects, build_sie, record, voucher

WRITES = ("INSERT INTO", "UPDATE", "DELETE FROM")


@pytest.fixture(autouse=True)
def _no_outcomes_yet(budget):
    Outcome.objects.all().delete()


def _ledger(*, social=Decimal("650000.00"), streets=Decimal("120000.00"), march=True):
    """Salaries per month on Socialförvaltningen (400) and Gata och park (510)."""
    body = [record("#KONTO", 1930, "Bank"), record("#KONTO", 5011, "Löner")]
    months = ("20260131", "20260228", "20260331") if march else ("20260131", "20260228")
    for number, date in enumerate(months, start=1):
        trans = [(5011, Objects((1, "400")), social)]
        if streets is not None:
            trans.append((5011, Objects((1, "510")), streets))
        trans.append((1930, None, -sum(amount for _a, _o, amount in trans)))
        body += voucher("A", number, date, "Löner", trans)
    return build_sie(body)


def _batch(world, name="huvudbok.se"):
    return ImportBatch.objects.create(
        municipality=world.m,
        kind=ImportBatch.Kind.SIE,
        filename=name,
        checksum="0" * 64,
        created_by=world.finance,
    )


def _outcome_writes(queries):
    tables = (Outcome._meta.db_table, Outcome.history.model._meta.db_table)
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().startswith(("WITH", *WRITES))
        and any(re.search(rf"\b{t}\b", q["sql"]) for t in tables)
    ]


def test_a_reimport_that_changes_nothing_writes_no_rows_and_no_history(world, budget):
    import_sie(world.m, _ledger(), batch=_batch(world))
    rows = list(Outcome.objects.values_list("pk", "amount", "batch_id").order_by("pk"))
    history = Outcome.history.count()
    with CaptureQueriesContext(connection) as queries:
        result = import_sie(world.m, _ledger(), batch=_batch(world))
    assert (result.outcomes_created, result.outcomes_changed, result.outcomes_removed) == (0, 0, 0)
    assert _outcome_writes(queries.captured_queries) == []
    assert list(Outcome.objects.values_list("pk", "amount", "batch_id").order_by("pk")) == rows
    assert Outcome.history.count() == history


def test_changed_rows_get_history_with_the_batchs_user_and_reason(world, budget):
    first = _batch(world)
    import_sie(world.m, _ledger(), batch=first)
    second = _batch(world, "huvudbok-2.se")
    result = import_sie(world.m, _ledger(social=Decimal("651000.00")), batch=second)
    assert (result.outcomes_created, result.outcomes_changed, result.outcomes_removed) == (0, 3, 0)
    changed = Outcome.history.filter(history_type="~").order_by("month")
    assert [h.amount for h in changed] == [Decimal("651000.00")] * 3
    assert {(h.unit_id, h.history_user_id, h.batch_id) for h in changed} == {
        (world.fA.pk, world.finance.pk, second.pk)
    }
    assert {h.history_change_reason for h in changed} == {f"Import {second.pk}: huvudbok-2.se"}
    assert Outcome.objects.get(unit=world.fA, month=2).amount == Decimal("651000.00")
    assert Outcome.objects.get(unit=world.fA, month=2).batch == second
    created = Outcome.history.filter(history_type="+", batch=first)
    assert created.count() == 6 and {h.history_user_id for h in created} == {world.finance.pk}


def test_vanished_rows_are_removed_in_one_statement_with_their_history(world, budget):
    import_sie(world.m, _ledger(), batch=_batch(world))
    third = _batch(world, "utan-gata.se")
    with CaptureQueriesContext(connection) as queries:
        result = import_sie(world.m, _ledger(streets=None), batch=third)
    assert (result.outcomes_created, result.outcomes_changed, result.outcomes_removed) == (0, 0, 3)
    deletes = [q for q in _outcome_writes(queries.captured_queries) if "DELETE FROM" in q]
    assert len(deletes) == 1
    assert not Outcome.objects.filter(unit=world.eB).exists()
    removed = Outcome.history.filter(history_type="-", batch__isnull=False).order_by("month")
    assert [(h.unit_id, h.month, h.amount) for h in removed] == [
        (world.eB.pk, month, Decimal("120000.00")) for month in (1, 2, 3)
    ]
    assert {(h.history_user_id, h.history_change_reason) for h in removed} == {
        (world.finance.pk, f"Import {third.pk}: utan-gata.se")
    }


def test_rows_of_months_the_file_does_not_hold_are_left_alone(world, budget):
    import_sie(world.m, _ledger())
    result = import_sie(world.m, _ledger(march=False))
    assert result.outcomes_removed == 0
    assert Outcome.objects.filter(month=3).count() == 2


def test_the_dry_run_counts_the_same_and_writes_nothing(world, budget):
    import_sie(world.m, _ledger(), batch=_batch(world))
    history = Outcome.history.count()
    changed = _ledger(social=Decimal("1.00"), streets=None)
    with CaptureQueriesContext(connection) as queries:
        dry = import_sie(world.m, changed, dry_run=True)
    assert _outcome_writes(queries.captured_queries) == []
    assert Outcome.history.count() == history
    real = import_sie(world.m, changed)
    counts = ("outcomes_created", "outcomes_changed", "outcomes_removed")
    assert [getattr(dry, c) for c in counts] == [getattr(real, c) for c in counts] == [0, 3, 3]


def test_a_bad_line_late_in_a_big_file_leaves_the_database_untouched(world, budget, tmp_path):
    import_sie(world.m, _ledger(), batch=_batch(world))
    before = list(Outcome.objects.values_list("pk", "amount").order_by("pk"))
    history = Outcome.history.count()
    path = tmp_path / "stor.se"
    write_sie(path, 30_000, ["400", "410", "500", "510"], ["3011", "5011", "6110"], 2026)
    lines = path.read_bytes().split(b"\r\n")
    bad = len(lines) - 4  # the third line from the end: a #TRANS of the last voucher
    assert lines[bad - 1].lstrip().startswith(b"#TRANS")
    lines[bad - 1] = lines[bad - 1].rsplit(b" ", 1)[0] + b" 12,3x"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ImportFailed) as info, open(path, "rb") as stream:
        import_sie(world.m, stream, batch=_batch(world))
    assert info.value.errors[0].startswith(f"rad {bad}:") or info.value.errors[0].startswith(
        f"line {bad}:"
    )
    assert list(Outcome.objects.values_list("pk", "amount").order_by("pk")) == before
    assert Outcome.history.count() == history


def test_a_big_file_is_imported_in_a_fixed_number_of_queries(
    world, budget, tmp_path, django_assert_num_queries
):
    """The writes are set-based: a file's lookups, its COPY, the comparison and one statement
    per kind of write (each with its history), whatever the number of rows."""
    codes, accounts = ["400", "410", "500", "510"], ["3011", "5011", "6110"]
    path, changed = tmp_path / "stor.se", tmp_path / "andrad.se"
    write_sie(path, 20_000, codes, accounts, 2026)
    write_sie(changed, 20_000, codes, accounts, 2026, changed=True)
    first, second = _batch(world), _batch(world, "andrad.se")
    # Each set-based step sets its transaction's work memory first (one query each).
    with django_assert_num_queries(21):  # created: one INSERT; the kept sums: two
        result = import_sie(world.m, path, batch=first)
    assert result.outcomes_created == 4 * 12 * 3
    with django_assert_num_queries(22):  # one UPDATE, one DELETE; the kept sums: two
        result = import_sie(world.m, changed, batch=second)
    assert result.outcomes_changed > 0 and result.outcomes_removed > 0
    assert result.outcomes_created == 0
    removed = Outcome.history.filter(history_type="-", batch__isnull=False)
    assert removed.count() == result.outcomes_removed
    with django_assert_num_queries(17):  # nothing changed: nothing written
        result = import_sie(world.m, changed, batch=second)
    assert (result.outcomes_created, result.outcomes_changed, result.outcomes_removed) == (0, 0, 0)


def test_pbudget_rows_are_written_with_the_batchs_history_and_only_once(world, budget):
    from budget.models import DetailBudget

    body = [
        record("#KONTO", 5011, "Löner"),
        "#PBUDGET 0 202603 5011 {} 800000.00",
        '#PBUDGET 0 202603 5011 {1 "400"} 800000.00',
    ]
    batch = _batch(world, "budget.se")
    result = import_sie(world.m, build_sie(body), batch=batch)
    assert result.budgets_written == 1
    row = DetailBudget.objects.get(unit=world.fA, month=3)
    assert row.amount == Decimal("800000.00")
    [created] = DetailBudget.history.filter(unit=world.fA, month=3)
    assert (created.history_type, created.history_user_id, created.history_change_reason) == (
        "+",
        world.finance.pk,
        f"Import {batch.pk}: budget.se",
    )
    assert import_sie(world.m, build_sie(body), batch=_batch(world)).budgets_written == 0
    assert DetailBudget.history.filter(unit=world.fA, month=3).count() == 1
