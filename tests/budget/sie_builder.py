"""Build SIE files for tests, as SIE filformat 4B §5 writes them.

``record("#KONTO", 3011, "Försäljning")`` renders one line (strings quoted, ``\\"`` escaped,
``Objects`` as ``{1 "120"}``); ``header()`` gives the identification lines with #RAR;
``voucher()`` gives a #VER with its ``{ }`` block; ``encode()`` joins lines and encodes them
(CP437 by default, as the spec says); ``build_sie()`` does all of that at once.
"""

from __future__ import annotations

import codecs
import zlib
from decimal import Decimal

YEARS = ((0, "20260101", "20261231"), (-1, "20250101", "20251231"))


class Objects(tuple):
    """An object list: pairs of (dimension, code), rendered as ``{1 "120" 6 "P1"}``."""

    def __new__(cls, *pairs):
        return super().__new__(cls, pairs)


def quote(value: str) -> str:
    return '"' + value.replace('"', '\\"') + '"'


def field(value) -> str:
    """One field: numbers as they are, strings quoted, Objects in braces, None as ``""``."""
    if value is None:
        return '""'
    if isinstance(value, Objects):
        return "{" + " ".join(f"{dim} {quote(str(code))}" for dim, code in value) + "}"
    if isinstance(value, int | Decimal):
        return str(value)
    return quote(value)


def record(label: str, *fields, sep: str = " ") -> str:
    return sep.join([label, *(field(value) for value in fields)])


def header(
    *,
    program: str = "Testprogram",
    version: str = "1.0",
    format_: str | None = "PC8",
    company: str = "Åkerby kommun",
    years=YEARS,
    dimensions=((1, "Ansvar"),),
    sep: str = " ",
) -> list[str]:
    """#FLAGGA, #PROGRAM, #FORMAT, #GEN, #SIETYP, #FNAMN, #RAR and #DIM lines."""
    lines = [f"#FLAGGA{sep}0", record("#PROGRAM", program, version, sep=sep)]
    if format_ is not None:
        lines.append(f"#FORMAT{sep}{format_}")
    lines += [
        f"#GEN{sep}20260410",
        f"#SIETYP{sep}4",
        record("#FNAMN", company, sep=sep),
        f"#ORGNR{sep}212000-0000",
    ]
    lines += [f"#RAR{sep}{index}{sep}{start}{sep}{end}" for index, start, end in years]
    lines += [record("#DIM", number, name, sep=sep) for number, name in dimensions]
    return lines


def voucher(series, number, date: str, text: str, transactions, sep: str = " ") -> list[str]:
    """A #VER and its block; each transaction is (account, Objects or None, amount)."""
    lines = [sep.join(["#VER", field(series), field(number), date, field(text)]), "{"]
    for account, objects, amount in transactions:
        lines.append(record("   #TRANS", account, objects or Objects(), amount, sep=sep))
    lines.append("}")
    return lines


def encode(lines: list[str], *, encoding="cp437", newline="\r\n", bom=False) -> bytes:
    data = (newline.join(lines) + newline).encode(encoding)
    return codecs.BOM_UTF8 + data if bom else data


def build_sie(body: list[str], *, encoding="cp437", newline="\r\n", bom=False, **kwargs) -> bytes:
    """``header(**kwargs)`` followed by ``body``, encoded."""
    return encode(header(**kwargs) + body, encoding=encoding, newline=newline, bom=bom)


def checksum(records: list[tuple]) -> int:
    """§10: CRC-32 of each record's label and fields (no spaces, quotes or braces)."""
    crc = 0
    for label, *fields in records:
        parts = [label]
        for value in fields:
            if isinstance(value, Objects):
                parts += [str(part) for pair in value for part in pair]
            elif value is not None:
                parts.append(str(value))
        crc = zlib.crc32("".join(parts).encode("cp437"), crc)
    return crc
