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
    # Excel's grouping code (","), which Excel and LibreOffice show with the reader's own
    # separator: "120 000 000" in Swedish. A literal space would not group at all.
    assert row[1].number_format == "#,##0;-#,##0"
    # Every column is wide enough for billions (no #####), and the header stays in view.
    assert sheet.column_dimensions["A"].width == 40
    assert all(sheet.column_dimensions[c].width >= 14 for c in "BCDEFGH")
    assert sheet.freeze_panes == "B3"


def test_csv_export(client, world, budget):
    client.force_login(world.politician)
    response = client.get(reverse("budget:export", args=["csv"]), {"ar": 2026, "manad": 6})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    social = next(r for r in rows if r[0] == "Socialnämnden")
    assert social[1] == "120000000,00" and social[5] == "-60000000,00"


def _csv(client, **period):
    response = client.get(reverse("budget:export", args=["csv"]), period)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _change(world, budget):
    import datetime as dt
    from decimal import Decimal

    from budget.models import BudgetChange

    return BudgetChange.objects.create(
        budget_year=budget,
        kind="reallocation",
        from_unit=world.nB,
        to_unit=world.nA,
        amount=Decimal("2000000"),
        decided_by=world.kf,
        decided_on=dt.date(2026, 4, 22),
        decision_reference="KF 2026-04-22 § 45",
    )


def test_exports_carry_the_years_budget_changes(client, world, budget):
    _change(world, budget)
    client.force_login(world.hr)
    rows = _csv(client, ar=2026, manad=6)
    start = rows.index(["Beslutade budgetförändringar"])
    assert rows[start + 1] == [
        "Beslutsdatum",
        "Beslut",
        "Typ",
        "Från",
        "Till",
        "Belopp (kr)",
    ]
    assert rows[start + 2] == [
        "2026-04-22",
        "Kommunfullmäktige, KF 2026-04-22 § 45",
        "Omfördelning",
        "Samhällsbyggnadsnämnden",
        "Socialnämnden",
        "2000000,00",
    ]
    response = client.get(reverse("budget:export", args=["xlsx"]), {"ar": 2026, "manad": 6})
    sheet = load_workbook(io.BytesIO(response.content))["Budgetförändringar"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[2] == [
        "2026-04-22",
        "Kommunfullmäktige, KF 2026-04-22 § 45",
        "Omfördelning",
        "Samhällsbyggnadsnämnden",
        "Socialnämnden",
        2_000_000,
    ]


def test_export_figures_are_the_pages_figures_in_kr(client, world, budget):
    import re
    from decimal import Decimal

    from styrning import formatting

    _change(world, budget)
    client.force_login(world.politician)
    rows = _csv(client, ar=2026, manad=6)
    assert rows[0][1] == "Beslutad ram (kr)" and rows[0][0] == "Nämnd eller styrelse"
    html = client.get(reverse("budget:overview"), {"ar": 2026, "manad": 6}).content.decode()
    for name in ("Socialnämnden", "Samhällsbyggnadsnämnden", "Totalt"):
        exported = next(r for r in rows if r[0] == name)
        page_row = re.search(rf">{name}(?:</a>)?\s*</th>(.*?)</tr>", html, re.S).group(1)
        cells = [
            re.sub(
                r"<[^>]+>|\*", "", re.sub(r'<span class="visually-hidden">.*?</span>', "", c)
            ).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", page_row, re.S)
        ]
        amounts = [
            formatting.in_tkr(Decimal(v.replace(",", "."))) if v else "–" for v in exported[1:9]
        ]
        assert cells[:8] == amounts, name
    total = next(r for r in rows if r[0] == "Totalt")
    assert total[1] == "210000000,00"


def test_xlsx_rows_hold_each_rows_own_figures(client, world, budget):
    """The sheet reuses one formatted cell per amount column (budget.exports): every row
    still holds its own figures, those of the one column specification, each formatted."""
    from budget.overview import budget_overview
    from budget.tables import DRIFT_COLUMNS, export_rows

    client.force_login(world.finance)
    response = client.get(reverse("budget:export", args=["xlsx"]), {"ar": 2026, "manad": 6})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3))
    expected = export_rows(budget_overview(budget, 6))
    assert len(rows) == len(expected) >= 3
    amounts = [i for i, column in enumerate(DRIFT_COLUMNS) if column.is_amount]
    for row, values in zip(rows, expected, strict=True):
        figures = [None if values[i] is None else float(values[i]) for i in amounts]
        assert [row[i].value for i in amounts] == figures
        assert {row[i].number_format for i in amounts} == {"#,##0;-#,##0"}
    assert len({tuple(row[i].value for i in amounts) for row in rows}) > 1
