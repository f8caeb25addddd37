"""The dry run judges the file alone: it needs no municipality, not even a migrated database."""

import json

from django.core.management import call_command

from tests.budget.sie_builder import Objects, build_sie, record, voucher


def test_dry_run_needs_no_municipality(db, tmp_path, capsys):
    from decimal import Decimal

    path = tmp_path / "bok.se"
    path.write_bytes(
        build_sie(
            [
                record("#KONTO", 5011, "Löner"),
                *voucher(
                    "A",
                    1,
                    "20260131",
                    "Löner",
                    [(5011, Objects((1, "400")), Decimal("5.00")), (1930, None, Decimal("-5.00"))],
                ),
            ]
        )
    )
    call_command("import_sie", str(path), "--dry-run")
    printed = json.loads(capsys.readouterr().out)
    assert {"object": "400", "period": "2026-01", "account": "5011", "amount": "5.00"} in printed[
        "rows"
    ]
