"""Exports of the budget table: XLSX and CSV, formulas neutralised, numbers as numbers."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from budget.exports import safe_text


def test_formula_like_text_is_neutralised():
    assert safe_text('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("+1") == "'+1" and safe_text("-2+3") == "'-2+3"
    assert safe_text("Socialnämnden") == "Socialnämnden"


def test_xlsx_export(client, world, budget):
    world.nA.name = "=cmd|' /C calc'!A0"
    world.nA.save()
    client.force_login(world.politician)
    response = client.get(reverse("budget:export", args=["xlsx"]), {"ar": 2026, "manad": 6})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=3)]
    assert "'=cmd|' /C calc'!A0" in names
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value.startswith("'="))
    assert row[1].value == 120_000_000  # adopted frame: money to spend is + (signs.frame_to_table)


def test_csv_export(client, world, budget):
    client.force_login(world.politician)
    response = client.get(reverse("budget:export", args=["csv"]), {"ar": 2026, "manad": 6})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    social = next(r for r in rows if r[0] == "Socialnämnden")
    assert social[1] == "120000000,00" and social[5] == "-60000000,00"
