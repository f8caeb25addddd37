"""The SIE reader as a stream: the fast path and the summing while reading give exactly what
the full tokenizer with every voucher kept gives, and memory does not grow with the file."""

from __future__ import annotations

import io
import tracemalloc
from collections import defaultdict
from decimal import Decimal

import pytest

from bench.sie_bench import write_sie
from budget.imports.sie import (
    SieErrors,
    _Parser,
    current_year_rows,
    current_year_sums,
    first_object_line,
    parse_sie,
    rows_source,
    summary_json,
)
from tests.budget import test_import_sie as import_files
from tests.budget.sie_builder import Objects, build_sie, checksum, encode, header, voucher

SHAPES = [
    # plain, as big exports write them
    '#VER A 1 20260115 "Löner"',
    "{",
    '   #TRANS 5011 {1 "400"} 650000.00',
    "   #TRANS 5011 {1 510} 120000.00 20260115",
    '   #TRANS 5011 {1 "410" 6 "P1"} 1000.00 20260116 "Löner, enhet" 2 X',
    '\t#TRANS\t3011\t{}\t-84000.50\t""\t"Avgift"',
    "   #TRANS 1930 {} -686999.50   ",
    "}",
    # shapes that take the full path, read the same
    '#VER "B" "2" 20260215 "Text med \\"citat\\""',
    "{",
    '   #TRANS 5011 {"1" "400"} +5',
    '   #TRANS 5011 {1 "400"} .5 20260215',
    '   #TRANS 5011 {1 "400"} 5. 20260215',
    "   #trans 6110 {} 30000.00",
    '   #TRANS "6110" {} 1000.00',
    '   #TRANS 6110 {} 1000.00 "20260215"',
    '   #RTRANS 6110 {1 "500"} 100.00',
    '   #TRANS 6110 {1 "500"} 100.00',
    '   #BTRANS 6110 {1 "500"} 100.00',
    '   #TRANS 1930 {} -32110.50 20260215 "Bank \\"X\\""',
    "}",
    '#VER C 3 20260301 "Med { på raden" {',
    '   #TRANS 5011 {1 "400"} 12,50',
    "   #TRANS 1930 {} -12.50",
    "}",
    '#VER C 4 20260302 "Saknar klammer"',
    '   #TRANS 5011 {1 "510"} 10.00',
    "   #TRANS 1930 {} -10.00",
    "}",
    '#VER C 5 20251231 "Förra året"',
    "{",
    '   #TRANS 5011 {1 "510"} 10.00',
    "   #TRANS 1930 {} -10.00",
    "}",
    '#VER D 6 20260401 "Öppet citat',
    "{",
    '   #TRANS 5011 {1 "400"} 99.00 20260401 "text utan slut',
    "   #TRANS 1930 {} -99.00\r",
    "}",
]

BROKEN = [
    '   #TRANS 5011 {1 "400"} 12x',  # not an amount
    '   #TRANS 5011 {1 "400"} 1.2.3',
    '   #TRANS 5011 {1 "400} 10.00',  # a quote not closed inside the objects
    "   #TRANS 5011 {1} 10.00",  # an object list without its object
    '   #TRANS 5011 {x "400"} 10.00',
    '   #TRANS 5011 {1 "400"} 10.00 20261340',  # not a date
    '   #TRANS 5011 {1 "400"} 10.00 "text"',  # a text where the date goes
    "   #TRANS 5x11 {} 10.00",
    '   #TRANS 5011 {1 "400"} 10.00\x01',  # a control character
    '   #TRANS 5011 {1 "400"} 10.00x',
]


def _shapes_file(extra=(), **kwargs):
    return build_sie(SHAPES + list(extra), dimensions=((1, "Ansvar"), (6, "Projekt")), **kwargs)


def _corpus():
    files = {
        "trans": import_files._file(),
        "psaldo": import_files._file(psaldo=True),
        "remainder": import_files._remainder_file(),
        "slipshod": import_files._slipshod_file(),
        "4i": import_files._4i_file(),
        "shapes": _shapes_file(),
        "shapes-utf8-bom": _shapes_file(encoding="utf-8", bom=True),
        "shapes-latin": _shapes_file(encoding="iso-8859-15", newline="\n"),
        "shapes-4i": _shapes_file(years=()),
    }
    for number, line in enumerate(BROKEN):
        files[f"broken-{number}"] = _shapes_file(['#VER E 9 20260501 ""', "{", line, "}"])
    for name, years, dates in (
        (
            "rar-after",
            (("20260101", "20261231"), ("20250101", "20251231")),
            ("20250720", "20260110", "20260714", "20260720"),
        ),
        (  # July 2025 lies in both years: the sums by month are read again by date
            "rar-after-split-month",
            (("20250715", "20260714"), ("20240715", "20250714")),
            ("20240720", "20250710", "20250720", "20260714"),
        ),
    ):
        body = []
        for number, date in enumerate(dates, 1):
            amount = Decimal(number)
            trans = [(5011, Objects((1, "400")), amount), (1930, None, -amount)]
            body += voucher("A", number, date, "x", trans)
        rar = [f"#RAR {-i} {start} {end}" for i, (start, end) in enumerate(years)]
        files[name] = encode(header(years=()) + body + rar)
    lines = voucher("A", 1, "20260131", "x", [(5011, Objects((1, "400")), Decimal("1.00"))])
    lines += voucher("A", 2, "20260131", "x", [(5011, None, Decimal("-1.00"))])
    records = [("#VER", "A", 1, 20260131, "x"), ("#TRANS", 5011, Objects((1, "400")), "1.00")]
    records += [("#VER", "A", 2, 20260131, "x"), ("#TRANS", 5011, Objects(), "-1.00")]
    files["ksumma"] = encode(header() + ["#KSUMMA", *lines, f"#KSUMMA {checksum(records)}"])
    return files


CORPUS = _corpus()


def _old_trans_sums(sie, dimension):
    """#TRANS summed from the kept vouchers, as the reader did before it summed while reading."""
    sums = defaultdict(Decimal)
    start, end = sie.years[0]
    for v in sie.vouchers:
        if v.date is None or not start <= v.date <= end:
            continue
        for t in v.transactions:
            code = next((c for d, c in t.objects if d == dimension), None)
            sums[(code, f"{v.date:%Y-%m}", t.account)] += t.amount
    return {key: amount for key, amount in sums.items() if amount}


def _read(data, **kwargs):
    try:
        return parse_sie(data, **kwargs)
    except SieErrors as errors:
        return [e.message for e in errors.errors]


@pytest.mark.parametrize("name", sorted(CORPUS))
@pytest.mark.parametrize("year", [None, 2026])
def test_the_stream_reads_every_file_as_the_full_reader_does(name, year):
    data = CORPUS[name]
    full = _read(data, year=year, fast=False)  # every line through the tokenizer
    kept = _read(data, year=year)  # the fast path, vouchers kept
    stream = _read(io.BytesIO(data), year=year, keep_vouchers=False)
    if isinstance(full, list):  # refused: the same lines, the same words
        assert kept == full and stream == full
        return
    assert kept.vouchers == full.vouchers
    assert stream.vouchers == []
    for sie in (kept, stream):
        assert sie.warnings == full.warnings
        assert (sie.years, sie.year_source, sie.line_count) == (
            full.years,
            full.year_source,
            full.line_count,
        )
        assert sie.account_lines == full.account_lines
        assert sie.unknown_accounts == full.unknown_accounts
        assert rows_source(sie) == rows_source(full)
        assert summary_json(sie) == summary_json(full)
        for dimension in (1, 6):
            assert {
                key: amount
                for key, amount in current_year_sums(sie, dimension, "trans").items()
                if amount
            } == _old_trans_sums(full, dimension)
            for source in ("psaldo", "pbudget", "trans"):
                assert current_year_rows(sie, dimension, source) == current_year_rows(
                    full, dimension, source
                )
            for code in ("400", "410", "500", "510", "P1"):
                assert first_object_line(sie, dimension, code) == _old_first_line(
                    full, dimension, code
                )


def _old_first_line(sie, dimension, code):
    amounts = [*sie.period_balances, *sie.period_budgets]
    transactions = (t for v in sie.vouchers for t in v.transactions)
    for item in (*amounts, *transactions):
        if (dimension, code) in item.objects:
            return item.line
    return "?"


def test_the_shapes_file_takes_both_paths(monkeypatch):
    """The corpus is worth its name: the plain lines take the fast path and the others the
    full one (a corpus the fast path never read would prove nothing)."""
    fed = []
    feed = _Parser.feed
    monkeypatch.setattr(_Parser, "feed", lambda self, n, raw: fed.append(n) or feed(self, n, raw))
    sie = parse_sie(_shapes_file(), year=2026)
    assert sie.warnings  # the slips were read by the full path, with their warnings
    assert len(sie.vouchers) == 6 and sum(len(v.transactions) for v in sie.vouchers) == 21
    first = len(header(dimensions=((1, "Ansvar"), (6, "Projekt")))) + 1
    full = sorted(number - first for number in fed if number >= first)
    # A #VER or #TRANS with a date not read before, lower case, quotes where the fast path
    # reads none, escaped quotes, an #RTRANS and the #TRANS after it, a { on the #VER line,
    # a decimal comma, a missing {, a quote never closed: the full path. The rest: fast.
    assert full == [0, 4, 8, 13, 14, 15, 16, 17, 18, 19, 21, 22, 25, 26, 34, 36]


def _big_file(tmp_path, lines):
    path = tmp_path / f"big-{lines}.se"
    write_sie(path, lines, ["400", "410", "500", "510"], ["3011", "5011", "6110"], 2026)
    return path


def _peak(path) -> int:
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            sie = parse_sie(stream, keep_vouchers=False)
        current_year_rows(sie)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(tmp_path):
    small, big = _peak(_big_file(tmp_path, 20_000)), _peak(_big_file(tmp_path, 200_000))
    assert big < 8 * 1024 * 1024, big  # a 9 MB file, read in 1 MB chunks
    assert big < small * 1.5 + 1024 * 1024, (small, big)


def test_a_big_file_sums_to_its_vouchers(tmp_path):
    path = _big_file(tmp_path, 50_000)
    full = parse_sie(path.read_bytes(), fast=False)
    with open(path, "rb") as stream:
        stream_read = parse_sie(stream, keep_vouchers=False)
    assert current_year_rows(stream_read) == current_year_rows(full)
    assert sum(len(v.transactions) for v in full.vouchers) == 50_000


def test_progress_counts_lines_in_the_stream():
    calls = []
    data = _shapes_file()
    parse_sie(io.BytesIO(data), progress=lambda done, total: calls.append((done, total)))
    total = data.count(b"\n")
    assert calls[-1] == (total, total)


def test_a_stream_that_cannot_seek_is_read_too():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, buffer):
            data = self.inner.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)

    data = import_files._file()
    assert current_year_rows(parse_sie(Pipe(data), keep_vouchers=False)) == current_year_rows(
        parse_sie(data)
    )


def test_a_bad_byte_far_into_a_utf8_file_is_named_by_its_line():
    line = "#KONTO 3011 Försäljning åäö\n".encode()
    data = line * 100_000 + b"#KONTO 3012 Fel \xe5\n" + line  # 3 MB of UTF-8, then a Latin-1 å
    with pytest.raises(SieErrors) as info:
        parse_sie(io.BytesIO(data), keep_vouchers=False)
    assert [(e.code, e.line) for e in info.value.errors] == [("encoding", 100_001)]
