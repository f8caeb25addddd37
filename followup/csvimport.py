"""Reading the follow-up's small CSV files: semicolon-separated, Swedish decimal comma.

Shared by the personnel figures' and the indicator values' imports. The files are a few
hundred lines, read in the request; every problem is collected and reported by its line
("rad 12: …"), and nothing is written unless every line is right.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from budget.imports.tabular import TabularError, decode_text, parse_amount

MAX_MESSAGES = 50
# The files are typed or exported by hand; a megabyte is tens of thousands of lines.
MAX_BYTES = 1024 * 1024
MAX_DIGITS = 12


class ImportFailed(Exception):
    """The file cannot be imported; ``errors`` are Swedish messages naming the line."""

    def __init__(self, errors):
        self.errors = list(errors)[:MAX_MESSAGES]
        super().__init__("\n".join(self.errors))


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    pending: int = 0  # of those, the values kept with a follow-up until it is approved
    # The lines that would write something, for the check before saving: dicts of
    # line, what (the row's name), period, gender, old and new (an import fills it in).
    preview: list = field(default_factory=list)

    @property
    def lines(self) -> int:
        return self.created + self.changed + self.unchanged


def line_error(line: int, message: str) -> str:
    return _("line %(line)s: %(message)s") % {"line": line, "message": message}


def column_count_error(line: int, cells: list[str], columns: list[str]) -> str | None:
    """The error for a line without exactly the expected columns, else None."""
    if len(cells) == len(columns):
        return None
    return line_error(
        line,
        _("expected %(n)s columns (%(header)s), found %(found)s.")
        % {"n": len(columns), "header": ";".join(columns), "found": len(cells)},
    )


def read_lines(data: bytes, columns: list[str]) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-empty line but the header, or ImportFailed.

    ``columns`` are the expected column names in order; a first line that starts with the
    first of them is the header (and must name them all, in that order). Cells are stripped.
    """
    if len(data) > MAX_BYTES:
        raise ImportFailed([_("The file is larger than 1 MB.")])
    try:
        text = decode_text(data)
    except TabularError as error:
        raise ImportFailed([error.message]) from error
    reader = csv.reader(io.StringIO(text), delimiter=";")
    rows = []
    try:
        for cells in reader:
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            line = reader.line_num
            if not rows and line_is_header(cells, columns):
                names = [cell.lower() for cell in cells]
                if names[: len(columns)] != columns:
                    raise ImportFailed(
                        [
                            line_error(
                                line,
                                _("the header must be %(header)s.") % {"header": ";".join(columns)},
                            )
                        ]
                    )
                rows.append((line, None))
                continue
            rows.append((line, cells))
    except csv.Error as error:
        message = _("the line cannot be read (%(error)s).") % {"error": error}
        raise ImportFailed([line_error(reader.line_num + 1, message)]) from error
    rows = [(line, cells) for line, cells in rows if cells is not None]
    if not rows:
        raise ImportFailed([_("The file has no lines to import.")])
    return rows


def line_is_header(cells, columns) -> bool:
    return bool(cells) and cells[0].lower() == columns[0]


class TooManyDecimals(ValueError):
    """A number with more decimals than the database keeps (two): a number all the same,
    so the message says what is wrong with it."""


def parse_decimal(text: str) -> Decimal:
    """'1 234,5', '1234.5', '4,25 %' → Decimal; ValueError for anything else (also for
    more than two decimals)."""
    cleaned = re.sub(r"\s*%$", "", text.strip())
    value = parse_amount(cleaned)
    if not value.is_finite() or abs(value) >= Decimal(10) ** MAX_DIGITS:
        raise ValueError(text)
    if value.as_tuple().exponent < -2:
        raise TooManyDecimals(text)  # the database keeps two
    return value
