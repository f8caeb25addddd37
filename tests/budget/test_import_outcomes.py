"""Outcomes from CSV and XLSX: all or nothing, named lines, no doubling on re-import."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from budget.imports.service import ImportFailed, import_outcomes
from budget.models import Outcome

CSV = (
    "ansvar;månad;kontogrupp;belopp\n"
    "400;2026-07;personal;11 500 000,00\n"
    "400;2026-07;intakter;-1 200 000,50\n"
    "510;2026-07;Övriga kostnader;4 100 000\n"
)


def test_csv_with_decimal_comma_imports_and_reimport_changes_nothing(world, budget):
    result = import_outcomes(world.m, CSV.encode("utf-8-sig"), "utfall.csv")
    assert result.outcomes_created == 3
    row = Outcome.objects.get(unit=world.fA, month=7, group__code="intakter")
    assert row.amount == Decimal("-1200000.50")
    history = Outcome.history.count()
    again = import_outcomes(world.m, CSV.encode("utf-8-sig"), "utfall.csv")
    assert (again.outcomes_created, again.outcomes_changed) == (0, 0)
    assert Outcome.objects.filter(month=7).count() == 3
    assert Outcome.history.count() == history


def test_bad_lines_are_named_and_nothing_is_saved(world, budget):
    bad = CSV + "999;2026-07;personal;100\n400;2026-13;personal;5\n400;2026-08;personal;tio\n"
    with pytest.raises(ImportFailed) as info:
        import_outcomes(world.m, bad.encode(), "utfall.csv")
    text = "\n".join(info.value.errors)
    assert "rad 5" in text and "999" in text
    assert "rad 6" in text and "rad 7" in text
    assert not Outcome.objects.filter(month__in=(7, 8)).exists()


def test_a_year_without_a_budget_is_refused(world, budget):
    with pytest.raises(ImportFailed) as info:
        import_outcomes(
            world.m, b"ansvar;manad;kontogrupp;belopp\n400;2031-01;personal;1\n", "u.csv"
        )
    assert "2031" in info.value.errors[0]


def test_xlsx(world, budget):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Ansvar", "Månad", "Kontogrupp", "Belopp"])
    sheet.append([400, "2026-08", "personal", 11_800_000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    import_outcomes(world.m, buffer.getvalue(), "utfall.xlsx")
    assert Outcome.objects.get(unit=world.fA, month=8).amount == 11_800_000


def test_management_command(world, budget, tmp_path, capsys):
    path = tmp_path / "utfall.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("import_outcomes", str(path))
    assert Outcome.objects.filter(month=7).count() == 3
    path.write_text("ansvar;månad;kontogrupp;belopp\n400;2026-07;okänd;1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="rad 2"):
        call_command("import_outcomes", str(path))


def test_detail_budget_from_a_spreadsheet_never_changes_frames(world, budget):
    from budget.imports.service import import_detail_budget
    from budget.models import BudgetFrame, DetailBudget

    frames = list(BudgetFrame.objects.values_list("amount", flat=True))
    data = (
        "ansvar;år;kontogrupp;belopp\n"
        "400;2026;personal;130 000 000\n"
        "400;2026;intakter;-12 000 000\n"
        "410;2026-03;personal;1 000 000\n"
    ).encode()
    import_detail_budget(world.m, data, "detaljbudget.csv")
    yearly = DetailBudget.objects.get(unit=world.fA, group__code="personal", month=None)
    assert yearly.amount == 130_000_000
    assert DetailBudget.objects.get(unit=world.eA, month=3).amount == 1_000_000
    assert list(BudgetFrame.objects.values_list("amount", flat=True)) == frames
    again = import_detail_budget(world.m, data, "detaljbudget.csv")
    assert again.budgets_written == 0


def test_upload_page_refuses_wrong_file_types(client, world, budget):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(world.finance)
    response = client.post(
        reverse("budget:imports"),
        {
            "kind": "sie",
            "dimension": 1,
            "file": SimpleUploadedFile("utfall.exe", b"MZ\x90\x00", "application/octet-stream"),
        },
    )
    assert response.status_code == 200
    assert "måste ha någon av filändelserna .se, .si, .sie, .txt" in response.content.decode()


def test_upload_runs_the_import_and_shows_the_summary(client, world, budget, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from budget.models import ImportBatch

    settings.BACKGROUND_JOBS = "inline"
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(world.finance)
    response = client.post(
        reverse("budget:imports"),
        {
            "kind": "outcomes",
            "dimension": 1,
            "file": SimpleUploadedFile("utfall.csv", CSV.encode(), "text/csv"),
        },
        follow=True,
    )
    batch = ImportBatch.objects.get()
    assert batch.job.state == "done" and batch.created_by == world.finance
    html = response.content.decode()
    assert "Importen är klar." in html and "400 Socialförvaltningen" in html
    assert Outcome.objects.filter(month=7).count() == 3
