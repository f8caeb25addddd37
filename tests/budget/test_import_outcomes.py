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


def test_management_command_names_the_user_in_the_history(world, budget, tmp_path):
    path = tmp_path / "utfall.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("import_outcomes", str(path), "--user", "ekonomichef")
    history = Outcome.history.filter(month=7)
    assert history.count() == 3
    assert {h.history_user_id for h in history} == {world.finance.pk}
    with pytest.raises(CommandError, match="Det finns ingen användare okänd"):
        call_command("import_outcomes", str(path), "--user", "okänd")


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


# --- limits and encodings ------------------------------------------------------------------


def _xlsx_with(extra_part: bytes | None = None, workbook=True) -> bytes:
    """A real workbook (or only a zip) with an extra part that unpacks to ``extra_part``."""
    import zipfile

    buffer = io.BytesIO()
    if workbook:
        book = Workbook()
        book.active.append(["ansvar", "månad", "kontogrupp", "belopp"])
        book.active.append([400, "2026-08", "personal", 1])
        book.save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        if extra_part is not None:
            archive.writestr("xl/media/padding.bin", extra_part)
    return buffer.getvalue()


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_before_it_is_read(
    world, budget, settings
):
    settings.IMPORT_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    bomb = _xlsx_with(b"\0" * (3 * 1024 * 1024), workbook=False)  # not even a workbook
    assert len(bomb) < 10_000
    with pytest.raises(ImportFailed) as info:
        import_outcomes(world.m, bomb, "utfall.xlsx")
    assert info.value.errors == [
        "Arbetsboken packas upp till 3 MB, mer än de 2 MB som tillåts. Dela upp den eller "
        "spara den som CSV."
    ]
    # Below the limit the same workbook imports.
    import_outcomes(world.m, _xlsx_with(b"\0" * 1024), "utfall.xlsx")
    assert Outcome.objects.get(unit=world.fA, month=8).amount == 1


def test_a_cell_too_long_is_refused_naming_its_line(world, budget, settings):
    settings.IMPORT_MAX_CELL_CHARS = 200
    data = CSV + f"400;2026-07;{'x' * 201};1\n"
    with pytest.raises(ImportFailed) as info:
        import_outcomes(world.m, data.encode(), "utfall.csv")
    assert info.value.errors[-1] == (
        "rad 5: en cell är längre än 200 tecken, så filen kan inte läsas."
    )
    assert len("\n".join(info.value.errors)) < 1000
    assert not Outcome.objects.filter(month=7).exists()


def test_a_line_too_long_is_refused_naming_it(world, budget, settings):
    settings.IMPORT_MAX_LINE_CHARS = 2000
    data = CSV + "400;2026-07;personal;1" + ";" * 3000 + "\n"
    with pytest.raises(ImportFailed) as info:
        import_outcomes(world.m, data.encode(), "utfall.csv")
    assert info.value.errors == ["rad 5 är längre än 2000 tecken, så filen kan inte läsas."]


def test_windows_1252_from_swedish_excel_is_read(world, budget):
    import_outcomes(world.m, CSV.encode("cp1252"), "utfall.csv")
    assert Outcome.objects.get(unit=world.eB, month=7).group.code == "ovriga"


def test_utf8_broken_on_one_line_names_the_line_and_the_encoding(world, budget):
    data = CSV.encode() + b"400;2026-07;personal;1\x9f\n"
    with pytest.raises(ImportFailed) as info:
        import_outcomes(world.m, data, "utfall.csv")
    assert info.value.errors == [
        "rad 5: texten går inte att läsa som UTF-8 (byte 9F). Spara filen som ”CSV UTF-8” "
        "och ladda upp den igen."
    ]


def test_a_file_neither_utf8_nor_windows_1252_names_the_line_and_both(world, budget):
    data = b"ansvar;manad;kontogrupp;belopp\n400;2026-07;personal;1\n400;2026-07;pers\x81nal;1\n"
    with pytest.raises(ImportFailed) as info:
        import_outcomes(world.m, data, "utfall.csv")
    assert info.value.errors == [
        "rad 3: texten går varken att läsa som UTF-8 eller som Windows-1252. Spara filen som "
        "”CSV UTF-8” och ladda upp den igen."
    ]


def test_many_bad_lines_are_reported_as_the_first_fifty_and_a_count(world, budget):
    data = "ansvar;månad;kontogrupp;belopp\n" + "999;2026-07;personal;1\n" * 80
    with pytest.raises(ImportFailed) as info:
        import_outcomes(world.m, data.encode(), "utfall.csv")
    assert len(info.value.errors) == 50
    assert info.value.errors[0].startswith("rad 2:")
    assert info.value.errors[-1] == "…och 31 fel till."


def test_a_dry_run_counts_new_changed_and_removed_like_the_real_run(world, budget):
    first = import_outcomes(world.m, CSV.encode(), "utfall.csv", dry_run=True)
    assert (first.outcomes_created, first.outcomes_changed) == (3, 0)
    assert not Outcome.objects.filter(month=7).exists()
    real = import_outcomes(world.m, CSV.encode(), "utfall.csv")
    assert (real.outcomes_created, real.outcomes_changed) == (3, 0)
    changed = CSV.replace("4 100 000", "4 000 000")
    dry = import_outcomes(world.m, changed.encode(), "utfall.csv", dry_run=True)
    real = import_outcomes(world.m, changed.encode(), "utfall.csv")
    assert (dry.outcomes_created, dry.outcomes_changed) == (0, 1)
    assert (real.outcomes_created, real.outcomes_changed) == (0, 1)


def test_a_latin1_file_names_the_line_of_the_byte_no_encoding_reads(world, budget):
    """Found by the fresh-eyes test: "månad" on line 1 is not UTF-8, but line 3 is the problem."""
    data = "ansvar;månad;kontogrupp;belopp\n400;2026-07;personal;1\n".encode("latin-1")
    data += b"400;2026-07;pers\x81nal;1\n"
    with pytest.raises(ImportFailed) as info:
        import_outcomes(world.m, data, "utfall.csv")
    assert info.value.errors[0].startswith("rad 3: texten går varken att läsa som UTF-8")


def test_utf16_without_a_byte_order_mark_is_read(world, budget):
    import_outcomes(world.m, CSV.encode("utf-16-le"), "utfall.csv")
    assert Outcome.objects.get(unit=world.eB, month=7).group.code == "ovriga"


def test_a_detail_budget_dry_run_shows_its_amounts_and_warns_when_a_frame_stops_adding_up(
    world, budget
):
    """Found by the fresh-eyes test: a dry run showed no amounts, the import no warning."""
    from budget.imports.service import import_detail_budget
    from budget.models import DetailBudget

    data = "ansvar;år;kontogrupp;belopp\n400;2026;personal;130 000 000\n".encode()
    result = import_detail_budget(world.m, data, "detaljbudget.csv", dry_run=True)
    assert not DetailBudget.objects.exists()
    summary = result.as_dict()
    assert summary["months"] == ["2026"]
    assert summary["units"][0]["amounts"] == ["-130000000"]
    assert result.warnings == [
        "Socialnämnden: detaljbudgeten summerar till 130\xa0000 tkr, ramen är 120\xa0000 tkr "
        "(en skillnad på 10\xa0000 tkr)."
    ]
    real = import_detail_budget(world.m, data, "detaljbudget.csv")
    assert real.warnings == result.warnings and real.budgets_written == 1


def test_a_year_outside_1900_to_2100_is_a_bad_month_on_its_line(world, budget):
    """Found by the fresh-eyes test: year 0 was told to set up budget year 0."""
    data = "ansvar;månad;kontogrupp;belopp\n400;0000-07;personal;1\n".encode()
    with pytest.raises(ImportFailed) as info:
        import_outcomes(world.m, data, "utfall.csv")
    assert info.value.errors[0].startswith("rad 2:")
    assert "budgetåret" not in info.value.errors[0]


def test_the_frame_check_costs_the_same_for_one_unit_as_for_many(world, budget):
    """One query for the tree, then per nämnd: never per unit of the file."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from budget.imports.service import _frame_mismatches

    with CaptureQueriesContext(connection) as one:
        _frame_mismatches(budget, {world.fA})
    with CaptureQueriesContext(connection) as many:
        _frame_mismatches(budget, {world.nA, world.fA, world.eA})
    assert len(many.captured_queries) == len(one.captured_queries)
