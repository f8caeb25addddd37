"""The budget table as XLSX and CSV, in table sign (intäkter +, kostnader −) and kronor.

Text cells that a spreadsheet could take for a formula (=, +, -, @ first) are
neutralised with a leading apostrophe; amounts are written as numbers.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from budget import signs

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _table(ov):
    header = [
        _("Committee or board"),
        _("Adopted frame"),
        _("Changes"),
        _("Current frame"),
        _("Budget to date"),
        _("Outcome to date"),
        _("Deviation to date"),
        _("Full-year forecast"),
        _("Deviation, forecast"),
        _("Action plan needed"),
    ]
    rows = []
    for row in ov.rows:
        rows.append(
            [
                row.unit.name,
                signs.frame_to_table(row.adopted),
                signs.frame_to_table(row.changes),
                signs.frame_to_table(row.current),
                signs.to_table(row.budget_to_date),
                signs.to_table(row.outcome),
                row.deviation_to_date,
                signs.to_table(row.forecast_or_frame),
                row.deviation_forecast,
                _("yes") if row.needs_action_plan else _("no"),
            ]
        )
    if ov.unallocated:
        rows.append(
            [
                _("Not allocated to a responsibility code"),
                None,
                None,
                None,
                None,
                signs.to_table(ov.unallocated),
                None,
                None,
                None,
                "",
            ]
        )
    return header, rows


def _filename(ov, suffix):
    return f"budget-{ov.budget_year.year}-{ov.month:02d}.{suffix}"


def overview_csv(ov) -> HttpResponse:
    header, rows = _table(ov)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([safe_text(h) for h in header])
    for row in rows:
        writer.writerow(
            [
                safe_text(cell)
                if isinstance(cell, str)
                else ("" if cell is None else f"{cell:.2f}".replace(".", ","))
                for cell in row
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(ov, "csv")}"'
    return response


def overview_xlsx(ov) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = _table(ov)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(ov.budget_year.year)
    sheet.append(
        [
            _("Budget %(year)s, outcome up to and including month %(month)s (kr)")
            % {"year": ov.budget_year.year, "month": ov.month}
        ]
    )
    sheet.append([safe_text(h) for h in header])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [safe_text(c) if isinstance(c, str) else (None if c is None else float(c)) for c in row]
        )
    for row in sheet.iter_rows(min_row=3, min_col=2, max_col=9):
        for cell in row:
            cell.number_format = "# ##0;-# ##0"
    sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(ov, "xlsx")}"'
    return response
