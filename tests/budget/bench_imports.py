"""Time a 1 000 000-row outcome import (CSV and XLSX) through the real job path.

Not part of the test suite (no wall-clock assertions). Run against a scratch
PostgreSQL database; it creates its own municipality there:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/styrning_bench \\
        .venv/bin/python -m tests.budget.bench_imports [--rows 1000000] [--xlsx]
"""

from __future__ import annotations

import argparse
import io
import os
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrning.settings")
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from budget.accounts import ensure_account_groups
    from budget.imports.service import run_batch
    from budget.models import BudgetYear, ImportBatch, Outcome
    from styrning.models import Job, Municipality, OrgUnit

    with connection.cursor() as cursor:  # a scratch database: no history of the cleanup
        cursor.execute(
            f"TRUNCATE {Outcome._meta.db_table}, {Outcome.history.model._meta.db_table}, "
            f"{ImportBatch._meta.db_table}, {Job._meta.db_table} CASCADE"
        )
    m = Municipality.objects.first() or Municipality.objects.create(name="Bänkby", code="0001")
    ensure_account_groups(m)
    BudgetYear.objects.get_or_create(municipality=m, year=2026)
    groups = [g.code for g in m.account_groups.exclude(kind="balance")]
    months = 12
    units_needed = -(-args.rows // (months * len(groups)))
    root = OrgUnit.objects.filter(municipality=m, parent=None).first()
    if root is None:
        root = OrgUnit.objects.create(municipality=m, name="KF", kind="council")
    have = OrgUnit.objects.filter(municipality=m).exclude(ansvarskod="").count()
    if have < units_needed:
        OrgUnit.objects.bulk_create(
            [
                OrgUnit(
                    municipality=m,
                    name=f"Enhet {code}",
                    kind="unit",
                    parent=root,
                    ansvarskod=str(code),
                    tree_id=root.tree_id,
                    lft=0,
                    rght=0,
                    mptt_level=1,
                )
                for code in range(100000 + have, 100000 + units_needed)
            ],
            batch_size=2000,
        )
        OrgUnit.objects.rebuild()
    codes = list(
        OrgUnit.objects.filter(municipality=m)
        .exclude(ansvarskod="")
        .values_list("ansvarskod", flat=True)[:units_needed]
    )

    def rows():
        count = 0
        for code in codes:
            for month in range(1, months + 1):
                for group in groups:
                    if count == args.rows:
                        return
                    count += 1
                    yield code, f"2026-{month:02d}", group, f"{count % 997 * 1000},50"

    started = time.monotonic()
    if args.xlsx:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(["ansvar", "månad", "kontogrupp", "belopp"])
        for code, month, group, amount in rows():
            sheet.append([code, month, group, float(amount.replace(",", "."))])
        buffer = io.BytesIO()
        book.save(buffer)
        data, name = buffer.getvalue(), "utfall.xlsx"
    else:
        lines = ["ansvar;månad;kontogrupp;belopp"]
        lines += [";".join(row) for row in rows()]
        data, name = ("\n".join(lines) + "\n").encode(), "utfall.csv"
    print(
        f"file: {name}, {args.rows} rows, {len(data) / 1e6:.1f} MB, "
        f"built in {time.monotonic() - started:.1f} s"
    )

    for label in ("first import", "same file again"):
        batch = ImportBatch(municipality=m, kind="outcomes", filename=name, checksum="0" * 64)
        batch.save()
        batch.file.save(f"bench-{batch.pk}-{name}", ContentFile(data), save=True)
        started = time.monotonic()
        run_batch(batch.pk)
        elapsed = time.monotonic() - started
        batch.refresh_from_db()
        job = batch.job
        print(
            f"{label}: {job.state} {job.reason} in {elapsed:.1f} s = "
            f"{args.rows / elapsed:,.0f} rows/s; created {batch.result.get('outcomes_created')}, "
            f"changed {batch.result.get('outcomes_changed')}"
        )
        batch.file.delete()


if __name__ == "__main__":
    main()
