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


def _sheet(workbook, title):
    """A write-only sheet that is given each row as cells (see _CellSheet)."""
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    class _CellSheet(WriteOnlyWorksheet):
        """openpyxl's write-only sheet first tries every appended cell as a value, which
        raises and catches a ValueError per formatted cell; here rows are cells already."""

        def _values_to_row(self, cells, row_idx):
            for cell in cells:
                cell.row = row_idx
                yield cell

    sheet = _CellSheet(parent=workbook, title=title)
    workbook._add_sheet(sheet)
    return sheet


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
    sheet.append([WriteOnlyCell(sheet, value=safe_text(title))])
    bold = Font(bold=True)
    heading = []
    for column, text in enumerate(header, 1):
        cell = WriteOnlyCell(sheet, value=safe_text(text))
        cell.font = bold
        cell.column = column
        heading.append(cell)
    sheet.append(heading)
    # One cell per column, given each row's value: the sheet writes a row out as it is
    # appended, so the cells are free again for the next one. An empty text cell is left
    # out; an empty amount cell is written with its format.
    cells = []
    for column in range(1, len(header) + 1):
        cell = WriteOnlyCell(sheet)
        cell.column = column
        if column - 1 in amount_columns:
            cell.number_format = "#,##0;-#,##0"  # Excel shows the reader's own separator
        cells.append(cell)
    for row in rows:
        written = []
        for cell, value in zip(cells, row, strict=False):
            value = _xlsx_value(value)
            if value is not None or cell.has_style:
                cell.value = value
                written.append(cell)
        sheet.append(written)


def overview_xlsx(ov) -> HttpResponse:
    from openpyxl import Workbook

    header, rows = _table(ov)
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, str(ov.budget_year.year))
    amounts = [i for i, c in enumerate(tables.DRIFT_COLUMNS) if c.is_amount]
    _append_table(sheet, _title(ov), header, rows, amounts)
    changes = _sheet(workbook, str(_("Budget changes"))[:31])
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
