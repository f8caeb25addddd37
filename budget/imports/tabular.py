"""Outcomes from CSV (semicolon, decimal comma, as Swedish Excel writes it) or XLSX.

Columns, found by their header (case and order do not matter):
ansvar/enhet (the unit's ansvarskod), månad (YYYY-MM), kontogrupp (code or
name) and belopp (the ledger's sign: costs positive, revenue negative).
Parsing needs no database; ``TabularRow.line`` is the file's own line number so
that every message can say "rad 12: …".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

HEADERS = {
    "unit": {"ansvar", "ansvarskod", "enhet", "enhetskod", "unit", "kod"},
    "month": {"månad", "manad", "period", "month", "år", "ar", "year"},
    "group": {"kontogrupp", "grupp", "account group", "group"},
    "amount": {"belopp", "utfall", "amount", "kr"},
}


class TabularError(Exception):
    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class TabularRow:
    line: int
    unit_code: str
    year: int
    month: int | None
    group: str
    amount: Decimal


def parse_amount(text) -> Decimal:
    """'−1 234,50' or '1234.50' or a number from Excel → Decimal; ValueError if not a number."""
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        return Decimal(str(text))
    cleaned = str(text).strip().replace("\u2212", "-").replace("\xa0", "").replace(" ", "")
    if re.fullmatch(r"-?\d+(,\d+)?", cleaned):
        cleaned = cleaned.replace(",", ".")
    elif not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error


def parse_month(value, whole_year=False) -> tuple[int, int | None]:
    """ "2026-03" → (2026, 3); with ``whole_year`` also "2026" → (2026, None)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year, value.month
    text = str(value).strip()
    if text.endswith(".0"):  # Excel made the year a number
        text = text[:-2]
    if whole_year and re.fullmatch(r"\d{4}", text):
        return int(text), None
    match = re.fullmatch(r"(\d{4})-?(\d{2})(-\d{2})?", text)
    if not match:
        raise ValueError(value)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(value)
    return year, month


def _columns(header, line):
    found = {}
    for index, name in enumerate(header):
        key = str(name or "").strip().lower()
        for field, aliases in HEADERS.items():
            if key in aliases:
                found[field] = index
    missing = [f for f in HEADERS if f not in found]
    if missing:
        names = {"unit": "ansvar", "month": "månad", "group": "kontogrupp", "amount": "belopp"}
        raise TabularError(
            line,
            _(
                "line %(line)s: the header must name the columns ansvar, månad, kontogrupp and "
                "belopp; missing: %(missing)s."
            )
            % {"line": line, "missing": ", ".join(names[m] for m in missing)},
        )
    return found


def _rows(records, whole_year=False):
    """records: iterable of (line number, list of cells); the first is the header."""
    errors: list[TabularError] = []
    rows: list[TabularRow] = []
    columns = None
    for line, cells in records:
        if not any(str(c or "").strip() for c in cells):
            continue
        if columns is None:
            columns = _columns(cells, line)
            continue

        def cell(field, cells=cells, columns=columns):
            index = columns[field]
            return cells[index] if index < len(cells) else None

        unit = str(cell("unit") or "").strip()
        group = str(cell("group") or "").strip()
        if unit.endswith(".0"):  # Excel turned the code into a number
            unit = unit[:-2]
        try:
            year, month = parse_month(cell("month"), whole_year)
        except ValueError:
            errors.append(
                TabularError(
                    line,
                    _("line %(line)s: the month “%(value)s” is not a month like 2026-03.")
                    % {"line": line, "value": cell("month") or ""},
                )
            )
            continue
        try:
            amount = parse_amount(cell("amount"))
        except ValueError:
            errors.append(
                TabularError(
                    line,
                    _("line %(line)s: the amount “%(value)s” is not a number.")
                    % {"line": line, "value": cell("amount") or ""},
                )
            )
            continue
        if not unit or not group:
            errors.append(
                TabularError(
                    line,
                    _("line %(line)s: a responsibility code and an account group are needed.")
                    % {"line": line},
                )
            )
            continue
        rows.append(TabularRow(line, unit, year, month, group, amount))
    if columns is None:
        errors.append(TabularError(1, _("line 1: the file is empty.")))
    return rows, errors


def read_csv(data: bytes, whole_year=False):
    """Semicolon-separated (comma accepted), UTF-8 with or without BOM, else cp1252."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    sample = text[:2000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return _rows(((reader.line_num, row) for row in reader), whole_year)


def read_xlsx(data: bytes, whole_year=False):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        message = _("The file is not a readable Excel workbook (.xlsx).")
        raise TabularError(None, message) from error
    sheet = workbook.worksheets[0]
    rows = enumerate(sheet.iter_rows(values_only=True), 1)
    return _rows(((index, list(values)) for index, values in rows), whole_year)


def read_table(data: bytes, filename: str, whole_year=False):
    """(rows, errors) from a .csv or .xlsx file; ``whole_year`` lets månad be a year."""
    if filename.lower().endswith(".xlsx"):
        return read_xlsx(data, whole_year)
    return read_csv(data, whole_year)
