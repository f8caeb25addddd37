"""python manage.py import_sie: the dry run judges the file alone (no municipality, not even a
migrated database); warnings are printed with their lines; only a refusal fails the command."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from budget.models import Outcome
from tests.budget.sie_builder import Objects, build_sie, header, record, voucher

ROOT = Path(__file__).resolve().parents[2]
SLIP_LINE = len(header()) + 1  # the #KONTO whose quote is left open


def _file(*extra):
    return build_sie(
        [
            '#KONTO 5011 "Löner',  # a quote left open: a warning, not a refusal
            *voucher(
                "A",
                1,
                "20260131",
                "Löner",
                [(5011, Objects((1, "400")), Decimal("5.00")), (1930, None, Decimal("-5.00"))],
            ),
            *extra,
        ]
    )


def test_dry_run_needs_no_municipality(db, tmp_path, capsys):
    path = tmp_path / "bok.se"
    path.write_bytes(_file())
    call_command("import_sie", str(path), "--dry-run")
    printed = json.loads(capsys.readouterr().out)
    row = {"object": "400", "period": "2026-01", "account": "5011", "amount": "5.00"}
    assert row in printed["rows"]


def test_import_prints_the_warnings_with_their_lines(world, budget, tmp_path, capsys):
    Outcome.objects.all().delete()
    path = tmp_path / "bok.se"
    path.write_bytes(_file())
    call_command("import_sie", str(path))
    out = capsys.readouterr().out
    assert f"rad {SLIP_LINE}: #KONTO: " in out
    assert Outcome.objects.get(unit=world.fA, month=1).amount == Decimal("5.00")


def test_json_keeps_stdout_json_and_prints_the_warnings_on_stderr(world, budget, tmp_path, capsys):
    Outcome.objects.all().delete()
    path = tmp_path / "bok.se"
    path.write_bytes(_file())
    call_command("import_sie", str(path), "--dry-run", "--json")
    captured = capsys.readouterr()
    assert any(f"rad {SLIP_LINE}:" in w for w in json.loads(captured.out)["warnings"])
    assert f"rad {SLIP_LINE}: #KONTO: " in captured.err
    call_command("import_sie", str(path), "--json")
    captured = capsys.readouterr()
    assert json.loads(captured.out)["outcomes_created"] == 1
    assert f"rad {SLIP_LINE}: #KONTO: " in captured.err


def test_year_option_reads_an_sie_4i_file(world, budget, tmp_path, capsys):
    Outcome.objects.all().delete()
    path = tmp_path / "bok.si"
    path.write_bytes(build_sie([record("#KONTO", 5011, "Löner")], years=()))
    with pytest.raises(CommandError, match="--year"):
        call_command("import_sie", str(path))
    call_command("import_sie", str(path), "--year", "2026")
    assert "2026" in capsys.readouterr().out


def test_year_option_must_match_the_files_year(world, budget, tmp_path):
    path = tmp_path / "bok.se"
    path.write_bytes(_file())
    for options in (["--dry-run", "--json"], []):
        with pytest.raises(CommandError, match="2026"):
            call_command("import_sie", str(path), "--year", "2025", *options)


def _run(path, *options, tmp_path):
    """The command as a shell runs it, on a database that is not even migrated."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "manage.py", "import_sie", str(path), *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_exit_status_is_zero_with_warnings_and_non_zero_only_on_refusal(tmp_path):
    good = tmp_path / "bok.se"
    good.write_bytes(_file())
    done = _run(good, "--dry-run", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"rad {SLIP_LINE}: #KONTO: " in done.stderr
    assert json.loads(done.stdout)["rows"]
    bad = tmp_path / "trasig.se"
    bad.write_bytes(_file("#PSALDO 0 202601 5011 {} tio"))
    refused = _run(bad, "--dry-run", tmp_path=tmp_path)
    assert refused.returncode != 0
    assert f"rad {len(header()) + 7}: #PSALDO: " in refused.stderr


def test_a_file_that_does_not_exist_is_named(db, tmp_path):
    from django.utils import translation

    with translation.override("sv"), pytest.raises(CommandError) as info:
        call_command("import_sie", str(tmp_path / "saknas.se"))
    assert str(info.value) == f"Det finns ingen fil {tmp_path / 'saknas.se'}."
