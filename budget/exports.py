"""The budget table as XLSX and CSV, in table sign (intäkter +, kostnader −) and kronor.

The columns are those of the page (``budget.tables``); the year's decided
budget changes follow the table (CSV) or on a second sheet (XLSX).

Text cells that a spreadsheet could take for a formula (=, +, -, @ first) are
neutralised with a leading apostrophe; amounts are written as numbers.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from budget import tables
from styrning import formatting

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _table(ov):
    """Header and rows from the one column specification (budget.tables), in kronor."""
    return tables.export_header(ov), tables.export_rows(ov)


def _changes(ov):
    header = [
        f"{c.heading} ({c.unit})" if c.unit else str(c.heading) for c in tables.CHANGE_COLUMNS
    ]
    rows = [[c.value(change) for c in tables.CHANGE_COLUMNS] for change in tables.change_list(ov)]
    return header, rows


def _title(ov):
    return _("Budget %(year)s, outcome up to and including %(month)s (kr)") % {
        "year": ov.budget_year.year,
        "month": formatting.month_name(ov.month),
    }


def _csv_cell(cell):
    if isinstance(cell, str):
        return safe_text(cell)
    return "" if cell is None else f"{cell:.2f}".replace(".", ",")


def _filename(ov, suffix):
    return f"budget-{ov.budget_year.year}-{ov.month:02d}.{suffix}"


def overview_csv(ov) -> HttpResponse:
    header, rows = _table(ov)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([safe_text(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    change_header, changes = _changes(ov)
    writer.writerow([])
    writer.writerow([safe_text(_("Decided budget changes"))])
    writer.writerow([safe_text(h) for h in change_header])
    for row in changes:
        writer.writerow([_csv_cell(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(ov, "csv")}"'
    return response


def _xlsx_value(cell):
    if isinstance(cell, str):
        return safe_text(cell)
    return None if cell is None else float(cell)


def _append_table(sheet, title, header, rows, amount_columns):
    """Title, bold header and rows on a write-only sheet (openpyxl streams the rows out
    instead of keeping a cell object per value: the export's largest cost)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # Wide enough for the names and for amounts in the billions, which would otherwise show
    # as #####; the header row and the name column stay in view while scrolling.
    for index in range(len(header)):
        width = 40 if index == 0 else (16 if index in amount_columns else 14)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "B3"  # below the title and the header
    bold = Font(bold=True)
    sheet.append([safe_text(title)])
    heading = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=safe_text(text))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    # One formatted cell per amount column, given each row's value: the sheet writes a row
    # out as it is appended, so the cell is free again for the next one.
    amounts = []
    for index in amount_columns:
        cell = WriteOnlyCell(sheet)
        cell.number_format = "#,##0;-#,##0"  # Excel shows the reader's own separator
        amounts.append((index, cell))
    for row in rows:
        values = [_xlsx_value(value) for value in row]
        count = len(values)
        for index, cell in amounts:
            if index < count:
                cell.value = values[index]
                values[index] = cell
        sheet.append(values)


def overview_xlsx(ov) -> HttpResponse:
    from openpyxl import Workbook

    header, rows = _table(ov)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(ov.budget_year.year))
    amounts = [i for i, c in enumerate(tables.DRIFT_COLUMNS) if c.is_amount]
    _append_table(sheet, _title(ov), header, rows, amounts)
    changes = workbook.create_sheet(str(_("Budget changes"))[:31])
    change_header, change_rows = _changes(ov)
    amounts = [i for i, c in enumerate(tables.CHANGE_COLUMNS) if c.is_amount]
    _append_table(changes, _("Decided budget changes"), change_header, change_rows, amounts)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(ov, "xlsx")}"'
    return response
