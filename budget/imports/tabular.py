"""Outcomes from CSV (semicolon, decimal comma, as Swedish Excel writes it) or XLSX.

Columns, found by their header (case and order do not matter):
ansvar/enhet (the unit's ansvarskod), månad (YYYY-MM), kontogrupp (code or
name) and belopp (the ledger's sign: costs positive, revenue negative).
Parsing needs no database; ``TabularRow.line`` is the file's own line number so
that every message can say "rad 12: …".
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from styrning.validators import FIRST_YEAR, LAST_YEAR

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


@dataclass(slots=True)
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
        if not FIRST_YEAR <= int(text) <= LAST_YEAR:
            raise ValueError(value)
        return int(text), None
    match = re.fullmatch(r"(\d{4})-?(\d{2})(-\d{2})?", text)
    if not match:
        raise ValueError(value)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not FIRST_YEAR <= year <= LAST_YEAR:
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


MAX_INTEGER_DIGITS = 14  # the database keeps 16 digits, 2 of them decimals


class Table:
    """The rows of a file, read one at a time: ``total`` is the line count (for progress).

    Iterating yields ``TabularRow``s and ``TabularError``s (a line that cannot be
    read) in file order; a problem with the file as a whole raises ``TabularError``.
    """

    def __init__(self, records, total, whole_year=False):
        self.records = records
        self.total = total
        self.whole_year = whole_year

    def __iter__(self):
        return _rows(self.records, self.whole_year)


def _too_long(line):
    return TabularError(
        line,
        _("line %(line)s: a cell is longer than %(max)s characters; the file cannot be read.")
        % {"line": line, "max": settings.IMPORT_MAX_CELL_CHARS},
    )


def _rows(records, whole_year=False):
    """records: iterable of (line number, list of cells); the first is the header."""
    columns = None
    limit = settings.IMPORT_MAX_CELL_CHARS
    for line, cells in records:
        if not any(str(c or "").strip() for c in cells):
            continue
        if any(isinstance(c, str) and len(c) > limit for c in cells):
            raise _too_long(line)
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
            yield TabularError(
                line,
                _("line %(line)s: the month “%(value)s” is not a month like 2026-03.")
                % {"line": line, "value": cell("month") or ""},
            )
            continue
        try:
            amount = parse_amount(cell("amount"))
            if amount.adjusted() >= MAX_INTEGER_DIGITS:
                raise ValueError(amount)
        except ValueError:
            yield TabularError(
                line,
                _("line %(line)s: the amount “%(value)s” is not a number.")
                % {"line": line, "value": cell("amount") or ""},
            )
            continue
        if not unit or not group:
            yield TabularError(
                line,
                _("line %(line)s: a responsibility code and an account group are needed.")
                % {"line": line},
            )
            continue
        yield TabularRow(line, unit, year, month, group, amount)
    if columns is None:
        yield TabularError(1, _("line 1: the file is empty."))


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 (Swedish Excel).

    A file that is UTF-8 but broken on one line, or that neither encoding reads,
    is refused naming the line and the encodings tried.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _undecodable(data, error, "UTF-16") from error
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as error:
            raise _undecodable(data, error, "UTF-16") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(data, 0, error.start):
            # Å, ä and ö read as UTF-8 before the bad byte: a broken UTF-8 file, not cp1252.
            raise _undecodable(data, error, "UTF-8") from error
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        # Not UTF-8 from the first special character on: the line is where cp1252 fails.
        line = _line_of(data, error.start)
        raise TabularError(
            line,
            _(
                "line %(line)s: the text cannot be read as UTF-8 or as Windows-1252. Save the "
                "file as “CSV UTF-8” and upload it again."
            )
            % {"line": line},
        ) from error


def _utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be" when the text has a NUL byte beside every ASCII character."""
    sample = data[:400]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) > len(odd) * 0.6:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.6:
        return "utf-16-be"
    return None


def _undecodable(data, error, encoding):
    line = _line_of(data, error.start)
    return TabularError(
        line,
        _(
            "line %(line)s: the text cannot be read as %(encoding)s (byte %(byte)s). Save the "
            "file as “CSV UTF-8” and upload it again."
        )
        % {
            "line": line,
            "encoding": encoding,
            "byte": data[error.start : error.start + 1].hex().upper(),
        },
    )


def csv_table(data: bytes, whole_year=False) -> Table:
    """Semicolon-separated (comma accepted), in the encodings ``decode_text`` reads."""
    text = decode_text(data)
    limit = settings.IMPORT_MAX_LINE_CHARS
    total = 0
    for number, line in enumerate(io.StringIO(text), 1):
        if len(line) > limit:
            raise TabularError(
                number,
                _("line %(line)s is longer than %(max)s characters; the file cannot be read.")
                % {"line": number, "max": limit},
            )
        total = number
    sample = text[:2000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)

    def records():
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as error:
            raise TabularError(
                reader.line_num + 1,
                _("line %(line)s cannot be read: %(error)s")
                % {"line": reader.line_num + 1, "error": str(error)[:100]},
            ) from error

    return Table(records(), total, whole_year)


def check_unpacked_size(data: bytes) -> None:
    """Refuse an XLSX whose parts unpack beyond IMPORT_MAX_UNPACKED_BYTES, before reading it.

    zipfile never inflates a part beyond the size its directory declares, so the
    declared sizes bound what openpyxl can be made to read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        message = _("The file is not a readable Excel workbook (.xlsx).")
        raise TabularError(None, message) from error
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    if unpacked > limit:
        raise TabularError(
            None,
            _(
                "The workbook unpacks to %(size)s MB, more than the %(max)s MB allowed; split it "
                "or save it as CSV."
            )
            % {"size": unpacked // (1024 * 1024), "max": limit // (1024 * 1024)},
        )


def xlsx_table(data: bytes, whole_year=False) -> Table:
    from openpyxl import load_workbook

    check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a broken file
        message = _("The file is not a readable Excel workbook (.xlsx).")
        raise TabularError(None, message) from error
    total = sheet.max_row or 0

    def records():
        try:
            for index, values in enumerate(sheet.iter_rows(values_only=True), 1):
                yield index, list(values)
        finally:
            workbook.close()

    return Table(records(), total, whole_year)


def open_table(data: bytes, filename: str, whole_year=False) -> Table:
    """The rows of a .csv or .xlsx file; ``whole_year`` lets månad be a year."""
    if filename.lower().endswith(".xlsx"):
        return xlsx_table(data, whole_year)
    return csv_table(data, whole_year)
