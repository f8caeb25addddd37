"""Read SIE files (SIE-Gruppen, "SIE filformat" utgåva 4B) without touching the database.

``parse_sie(source)`` turns an SIE file (type 1–4: its bytes, a binary stream or a path) into
a :class:`SieFile`, or raises :class:`SieErrors` listing every problem found (up to
``MAX_ERRORS``), each with its line number and a short machine ``code``. The file is read as a
stream: once in chunks for its encoding, then line by line, summing #TRANS per month, object
list and account as it goes, so with ``keep_vouchers=False`` (what the import uses) memory
does not grow with the number of vouchers. Most lines of a big file take a fast path (plain
#VER, {, } and #TRANS lines, matched by patterns that accept only what the full tokenizer
reads the same way); any other line, and every line while a checksum runs, takes the full
path with its errors and warnings. ``current_year_rows`` turns a parsed file into the
amounts Styrning stores: per object of one dimension, month and account of the current year
(#RAR 0), with the ledger's sign (debit +, credit −). ``summary_json`` is what
``import_sie FILE --dry-run --json`` prints.

Real exports depart from the spec, and this reader accepts what they do
(shared/specs/README.md):

* Encoding: the spec says CP437 ("#FORMAT PC8"), but many files are UTF-8, ISO-8859-15 or
  cp1252 whatever they declare. Valid UTF-8 with non-ASCII bytes is read as UTF-8; otherwise
  the encoding under which Swedish letters (åäöÅÄÖéü) appear wins, CP437 on a tie.
* Fields may be separated by tabs; "PC8" may be quoted; a decimal comma is accepted where it
  cannot be a thousands separator ("12,50"), with a warning.
* #PSALDO and #PBUDGET belong to the #RAR year that holds their period, whatever årsnr they
  state (some programs write last year's periods with årsnr 0).
* #RTRANS and #BTRANS are ignored, as §11 (#RTRANS item 5, #BTRANS item 4) says a reader that
  does not handle them must: every #RTRANS is followed by an identical #TRANS, which counts.
* A zero balance may be left out, so a period where an account has #PSALDO lines per object
  but none for the account as a whole has the total 0 (told as a warning).
* A file is refused only where an amount that would be imported cannot be read for sure
  (#TRANS, #PSALDO/#PBUDGET of the current year, its #IB/#UB of balance accounts, #RAR,
  #VER). Problems in records the import does not use (#SRU, #KTYP, #KONTO, #OBJEKT, #RES,
  another year's #PSALDO/#PBUDGET, unknown records …) skip the line with a warning, and slips
  whose meaning is plain are read as meant with a warning naming the line: a missing ``{``
  after #VER, a quote left open at the end of a line, a stray quote inside a text.
* SIE 4I has no #RAR: the year is the one the caller gives, or the one the vouchers are
  dated in; #PSALDO/#PBUDGET outside it are left out with a warning.
"""

from __future__ import annotations

import calendar
import codecs
import datetime as dt
import io
import re
import shutil
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath
from typing import NamedTuple

from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured
from django.utils.translation import gettext

MAX_ERRORS = 50
PROGRESS_EVERY = 1000
ENCODINGS = ("cp437", "utf-8", "iso-8859-15", "cp1252")
ZERO = Decimal("0")
CENT = Decimal("0.01")
BALANCE_TOLERANCE = Decimal("0.005")


def _(message: str) -> str:
    """gettext that also works where Django is not set up (plain scripts, bare pytest)."""
    try:
        return gettext(message)
    except (ImproperlyConfigured, AppRegistryNotReady):
        return message


# --- Errors, warnings and what a file holds ---------------------------------------------------


class SieError(Exception):
    """One problem in an SIE file.

    ``line`` is the 1-based line number, or None when the problem is the file as a whole;
    ``code`` is one of "encoding", "malformed", "date", "amount", "unbalanced", "year";
    ``problem`` is the translated description and ``message`` the same after the line
    ("line 812: …"; "rad 812: …" in Swedish). ``str(error)`` is the message.
    """

    def __init__(self, code: str, problem: str, line: int | None = None):
        self.code = code
        self.problem = problem
        self.line = line
        if line is None:
            self.message = problem
        else:
            self.message = _("line %(line)s: %(problem)s") % {"line": line, "problem": problem}
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class SieErrors(SieError):
    """Every problem found in a file, sorted by line (file-wide ones first): what parse_sie raises.

    ``errors`` is the list of :class:`SieError`; ``line`` and ``code`` are the first error's,
    ``message`` is all messages, one a line. ``truncated`` is true when reading stopped at
    ``MAX_ERRORS``. Being a SieError, ``except SieError`` catches it.
    """

    def __init__(self, errors: list[SieError], truncated: bool = False):
        self.errors = sorted(errors, key=lambda e: (e.line is not None, e.line or 0))
        self.truncated = truncated
        messages = [error.message for error in self.errors]
        if truncated:
            messages.append(_("Stopped after %(count)s errors.") % {"count": len(self.errors)})
        super().__init__(self.errors[0].code, "\n".join(messages))
        self.line = self.errors[0].line


class SieWarning(NamedTuple):
    """Something read leniently; repeated warnings of one code are counted into the first."""

    line: int | None
    code: str
    message: str


class Trans(NamedTuple):
    """A #TRANS line: amount with the ledger's sign, objects as ((dimension, code), …)."""

    account: str
    objects: tuple[tuple[int, str], ...]
    amount: Decimal
    date: dt.date | None  # the transaction's own date (transdat), if written
    line: int


@dataclass(slots=True)
class Voucher:
    """A #VER with its #TRANS lines (#RTRANS and #BTRANS are not kept)."""

    series: str
    number: str
    date: dt.date | None
    text: str
    line: int
    transactions: list[Trans] = field(default_factory=list)


class Balance(NamedTuple):
    """#IB, #UB or #RES (``kind``) for #RAR year ``rar``."""

    rar: int
    kind: str
    account: str
    amount: Decimal
    line: int


class ObjectBalance(NamedTuple):
    """#OIB or #OUB (``kind``): a balance for the objects in ``objects``."""

    rar: int
    kind: str
    account: str
    objects: tuple[tuple[int, str], ...]
    amount: Decimal
    line: int


class PeriodAmount(NamedTuple):
    """#PSALDO or #PBUDGET. ``rar`` is the year that holds ``period`` ("YYYY-MM");
    ``stated_rar`` is the årsnr the line wrote."""

    rar: int
    period: str
    account: str
    objects: tuple[tuple[int, str], ...]
    amount: Decimal
    line: int
    stated_rar: int


class Row(NamedTuple):
    """Summed amount per object (None: "ej fördelat på ansvar"), month and account."""

    object: str | None
    period: str
    account: str
    amount: Decimal


@dataclass
class SieFile:
    """What an SIE file holds, as read. ``program`` is #PROGRAM's name and version together."""

    encoding: str = "cp437"
    flag: str = ""
    program: str = ""
    program_name: str = ""
    program_version: str = ""
    format: str = ""
    sie_type: str = ""
    generated: dt.date | None = None
    company: str = ""
    orgnr: str = ""
    currency: str = "SEK"
    scope_end: dt.date | None = None  # #OMFATTN
    years: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    year_source: str = "rar"  # "rar"; without #RAR (SIE 4I) "given" or "vouchers"
    dimensions: dict[int, str] = field(default_factory=dict)
    parent_dimensions: dict[int, int] = field(default_factory=dict)
    objects: dict[tuple[int, str], str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    account_types: dict[str, str] = field(default_factory=dict)
    sru: dict[str, list[str]] = field(default_factory=dict)
    balances: list[Balance] = field(default_factory=list)
    object_balances: list[ObjectBalance] = field(default_factory=list)
    period_balances: list[PeriodAmount] = field(default_factory=list)
    period_budgets: list[PeriodAmount] = field(default_factory=list)
    vouchers: list[Voucher] = field(default_factory=list)  # only when read with keep_vouchers
    # #TRANS summed while reading: {(bucket, objects, account): amount}, where bucket is the
    # voucher's month "YYYY-MM" in #RAR 0, or its date when #RAR 0 was not known yet, and
    # objects the object list, or on the fast path its text (read in ``object_texts``).
    trans_sums: dict = field(default_factory=dict)
    object_texts: dict[str, tuple] = field(default_factory=dict)
    voucher_dates: dict[dt.date, list[int]] = field(default_factory=dict)  # first lines per date
    object_lines: dict[tuple[int, str], int] = field(default_factory=dict)  # first #TRANS line
    ignored_corrections: int = 0  # #RTRANS and #BTRANS lines
    account_lines: dict[str, int] = field(default_factory=dict)  # first amount line per account
    unknown_accounts: list[str] = field(default_factory=list)  # used but without #KONTO
    warnings: list[SieWarning] = field(default_factory=list)
    line_count: int = 0

    def year_of(self, day: dt.date) -> int | None:
        """The #RAR index of the year that holds ``day``."""
        for index, (start, end) in self.years.items():
            if start <= day <= end:
                return index
        return None

    def year_of_period(self, period: str, prefer: int | None = None) -> int | None:
        """The #RAR index of the year that holds the month ``period`` ("YYYY-MM")."""
        year, month = int(period[:4]), int(period[5:7])
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        matches = [i for i, (start, end) in self.years.items() if first <= end and last >= start]
        if not matches:
            return None
        if prefer in matches:
            return prefer
        holding_first = [i for i in matches if self.years[i][0] <= first <= self.years[i][1]]
        return (holding_first or matches)[0]


# --- Encoding ---------------------------------------------------------------------------------

_CP437_LETTERS = bytes([0x86, 0x84, 0x94, 0x8F, 0x8E, 0x99, 0x82, 0x90, 0x81, 0x9A])
_LATIN_LETTERS = bytes([0xE5, 0xE4, 0xF6, 0xC5, 0xC4, 0xD6, 0xE9, 0xC9, 0xFC, 0xDC])
_UTF8_LETTERS = [chr(c).encode() for c in (0xE5, 0xE4, 0xF6, 0xC5, 0xC4, 0xD6, 0xE9, 0xFC)]
_FORMAT_RE = re.compile(rb'(?m)^[ \t]*#FORMAT[ \t]+"?([^"\s]*)')
_CHUNK = 1 << 20


def _chunks(stream, size: int = _CHUNK):
    while chunk := stream.read(size):
        yield chunk


def _first_undecodable(chunks, encoding: str) -> int | None:
    """Offset of the first byte ``encoding`` cannot decode, reading ``chunks`` in turn."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    for chunk in chunks:
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return max(0, offset - pending + exc.start)
        offset += len(chunk)
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return max(0, offset - pending)
    return None


class _Scan(NamedTuple):
    encoding: str
    lines: int


def _scan(stream) -> _Scan:
    """Read a seekable binary stream once, in chunks: its encoding and its number of lines.

    Raises SieErrors for an empty file, UTF-16 and broken UTF-8 (as detect_encoding);
    leaves the stream where it started.
    """
    start = stream.tell()
    newlines, last, empty, ascii_only = 0, b"", True, True
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_bad: int | None = None
    letters = {"utf8": 0, "cp437": 0, "latin": 0}
    c1 = False
    head = b""
    offset = 0
    carry = b""  # the last byte of the chunk before: a UTF-8 letter may straddle two chunks
    for chunk in _chunks(stream):
        if not head:
            head = chunk[:65536]
        newlines += chunk.count(b"\n")
        last = chunk[-1:]
        if empty and not chunk.isspace():
            empty = False
        plain = chunk.isascii()
        if not plain:
            ascii_only = False
            window = carry + chunk
            letters["utf8"] += sum(window.count(letter) for letter in _UTF8_LETTERS)
            letters["cp437"] += sum(chunk.count(bytes([b])) for b in _CP437_LETTERS)
            letters["latin"] += sum(chunk.count(bytes([b])) for b in _LATIN_LETTERS)
            c1 = c1 or re.search(rb"[\x80-\x9f]", chunk) is not None
        if utf8_bad is None and not (plain and not utf8.getstate()[0]):
            pending = len(utf8.getstate()[0])
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError as exc:
                utf8_bad = max(0, offset - pending + exc.start)
        carry = chunk[-1:]
        offset += len(chunk)
    if empty:
        raise SieErrors([SieError("malformed", _("the file is empty"))])
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        problem = _("the file is saved as UTF-16; save it as PC8 (CP437) or UTF-8 and try again")
        raise SieErrors([SieError("encoding", problem, 1)])
    if utf8_bad is None and utf8.getstate()[0]:
        utf8_bad = offset - len(utf8.getstate()[0])  # the file ends inside a character
    lines = newlines + (0 if last == b"\n" else 1)
    if ascii_only:
        declared = _FORMAT_RE.search(head)
        utf8_declared = declared and declared.group(1).upper() in (b"UTF-8", b"UTF8")
        encoding = "utf-8" if utf8_declared else "cp437"
    elif utf8_bad is None:
        encoding = "utf-8"
    elif letters["utf8"] > max(letters["cp437"], letters["latin"]):
        stream.seek(start)
        line, left = 1, utf8_bad
        while left >= _CHUNK:  # count the lines before the byte, a chunk at a time
            line += stream.read(_CHUNK).count(b"\n")
            left -= _CHUNK
        before = stream.read(left + 1)
        problem = _(
            "the file is UTF-8 but this line has a byte (0x%(byte)02X) that is not UTF-8: "
            "the file mixes encodings or is damaged"
        ) % {"byte": before[left]}
        raise SieErrors([SieError("encoding", problem, line + before.count(b"\n", 0, left))])
    elif letters["cp437"] >= letters["latin"]:
        encoding = "cp437"
    else:
        encoding = "iso-8859-15"
        if c1:
            stream.seek(start)
            if _first_undecodable(_chunks(stream), "cp1252") is None:
                encoding = "cp1252"
    stream.seek(start)
    return _Scan(encoding, lines)


def detect_encoding(data: bytes) -> str:
    """One of ENCODINGS; raises SieErrors (code "encoding") for UTF-16 and broken UTF-8."""
    return _scan(io.BytesIO(data)).encoding


# --- Fields -----------------------------------------------------------------------------------

# A quoted field ends at a quote followed by a separator; any other quote sends the line to
# tokenize_lenient.
_TOKEN_RE = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"(?![^ \t{}])|([{}])|([^ \t{}"]+)|(")')
_LABEL_RE = re.compile(r'#[^ \t{}"]*')
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_AMOUNT_RE = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_COMMA_AMOUNT_RE = re.compile(r"-?[0-9]+,[0-9]{1,2}")
_DATE_RE = re.compile(r"[0-9]{8}")
_PERIOD_RE = re.compile(r"[0-9]{4}(?:0[1-9]|1[0-2])")
_INTEGER_RE = re.compile(r"-?[0-9]+")
_ACCOUNT_RE = re.compile(r"[0-9]+")


# Records whose problems always refuse the file: they carry the years, the vouchers and their
# amounts. Problems in the amount records below refuse it only where the line could hold an
# amount that is imported; problems in any other record are warnings (the line is skipped).
_HARD_RECORDS = frozenset({"", "#RAR", "#VER", "#TRANS", "#KSUMMA"})
_AMOUNT_RECORDS = frozenset(
    {"#PSALDO", "#PBUDGET", "#IB", "#UB", "#RES", "#OIB", "#OUB", "#RTRANS", "#BTRANS"}
)
MAX_LINE_WARNINGS = 20  # per kind; the rest are counted


class _LineError(Exception):
    def __init__(self, code: str, problem: str):
        super().__init__(problem)
        self.code = code
        self.problem = problem


class _Stop(Exception):
    """MAX_ERRORS reached."""


def tokenize(text: str) -> list[str | list[str]]:
    """Split one line into fields (§5.7): strings, and lists of strings for ``{…}``."""
    tokens: list = []
    current = tokens
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastindex
        if kind == 1:
            value = match.group(1)
            current.append(value.replace('\\"', '"') if "\\" in value else value)
        elif kind == 3:
            current.append(match.group(3))
        elif kind == 4:
            raise _LineError("malformed", _('a quoted text is not closed (a " is missing)'))
        elif match.group(2) == "{":
            if current is not tokens:
                raise _LineError("malformed", _("a { inside an object list"))
            current = []
            tokens.append(current)
        else:
            if current is tokens:
                raise _LineError("malformed", _("a } without a { before it"))
            current = tokens
    if current is not tokens:
        raise _LineError("malformed", _("an object list is not closed (a } is missing)"))
    return tokens


class Lenient(NamedTuple):
    """What tokenize_lenient read: the fields, the first field it had to guess (its index
    among the line's fields; an object list counts as one), that field's text, and how:
    "open" (a quote never closed) or "stray" (a quote inside a quoted text)."""

    tokens: list
    index: int
    value: str
    how: str


def _unescaped_quotes(text: str) -> int:
    return text.count('"') - text.count('\\"')


def tokenize_lenient(text: str) -> Lenient:
    """Split a line whose quotes ``tokenize`` refused, reading them as a person would.

    First as a quote inside a text: a quote closes a quoted text only where a field can end
    (a separator, a brace or the end of the line follows) and an even number of quotes is
    left after it; any other quote is part of the text (``"Förskola "Ängen""`` is
    ``Förskola "Ängen"``), and a text never closed runs to the end of the line. If that does
    not make sense of the line, as a quote left open: fields as ``tokenize`` reads them up to
    the lone quote, whose text runs to the end of the line. Raises _LineError when neither
    reading does.
    """
    try:
        return _tokenize_stray(text)
    except _LineError:
        return _tokenize_open(text)


def _tokenize_stray(text: str) -> Lenient:
    tokens: list = []
    current = tokens
    guessed: tuple[int, str, str] | None = None
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in " \t":
            i += 1
        elif char == '"':
            i += 1
            value: list[str] = []
            how, stray = "open", False
            while i < n:
                char = text[i]
                if char == "\\" and text.startswith('"', i + 1):
                    value.append('"')
                    i += 2
                    continue
                if char == '"':
                    ends = i + 1 == n or text[i + 1] in " \t{}"
                    if ends and _unescaped_quotes(text[i + 1 :]) % 2 == 0:
                        how = "stray" if stray else ""
                        i += 1
                        break
                    stray = True
                value.append(char)
                i += 1
            text_value = "".join(value)
            if how and guessed is None:
                guessed = (len(tokens) if current is tokens else len(tokens) - 1, text_value, how)
            current.append(text_value.rstrip() if how == "open" else text_value)
        elif char == "{":
            if current is not tokens:
                raise _LineError("malformed", _("a { inside an object list"))
            current = []
            tokens.append(current)
            i += 1
        elif char == "}":
            if current is tokens:
                raise _LineError("malformed", _("a } without a { before it"))
            current = tokens
            i += 1
        else:
            start = i
            while i < n and text[i] not in ' \t{}"':
                i += 1
            current.append(text[start:i])
    if current is not tokens:
        raise _LineError("malformed", _("an object list is not closed (a } is missing)"))
    if guessed is None:
        raise _LineError("malformed", _('a quoted text is not closed (a " is missing)'))
    return Lenient(tokens, *guessed)


def _tokenize_open(text: str) -> Lenient:
    for match in _TOKEN_RE.finditer(text):
        if match.lastindex == 4:
            head = tokenize(text[: match.start()])
            if head and isinstance(head[-1], list):  # the lone quote came after a "{"
                break
            value = text[match.end() :].rstrip()
            return Lenient([*head, value], len(head), value, "open")
    raise _LineError("malformed", _('a quoted text is not closed (a " is missing)'))


def _guessed_field_is_safe(label: str, lenient: Lenient) -> bool:
    """Whether a field tokenize_lenient had to guess lies where no amount, account, object,
    date or year is read: a voucher's or a transaction's text, or any field of a record
    that holds no amount (a name in #KONTO, #OBJEKT, #FNAMN …)."""
    if label in ("#TRANS", "#RTRANS", "#BTRANS"):
        tokens = lenient.tokens
        amount_index = 3 if len(tokens) > 2 and isinstance(tokens[2], list) else 2
        return lenient.index > amount_index
    if label == "#VER":
        return lenient.index >= 4
    return label not in _HARD_RECORDS and label not in _AMOUNT_RECORDS


def _text(tokens: list, index: int) -> str:
    if index >= len(tokens):
        return ""
    value = tokens[index]
    if isinstance(value, list):
        raise _LineError("malformed", _("an object list {…} where a field was expected"))
    return value


def _objects_at(tokens: list, index: int) -> tuple[list[str], int]:
    """The object list at ``index`` if there is one, and the index of the next field."""
    if index < len(tokens) and isinstance(tokens[index], list):
        return tokens[index], index + 1
    return [], index


def format_amount(amount: Decimal) -> str:
    """Two decimals, "." as decimal point, never "-0.00": "-1234.50"."""
    value = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return "0.00" if value == 0 else f"{value:.2f}"


# --- The fast path ---------------------------------------------------------------------------

# Most lines of a big file are #TRANS in the plain shape exporters write, e.g.
#     #TRANS 5010 {1 "1234"} -1234.50 20260115 "text"
# These patterns match only lines the full tokenizer reads the same way (fields separated by
# blanks, quoted texts without quotes, backslashes or braces inside, no control characters),
# so a match is read directly and anything else takes the full path with its errors and
# warnings. They never decide that a line is wrong.
_PLAIN = r'[^\x00-\x20\x7f-\x9f"{}\\]+'  # an unquoted field
_QUOTED = r'"[^\x00-\x1f\x7f-\x9f"{}\\]*"'  # a quoted field
_FIELD = f"(?:{_PLAIN}|{_QUOTED})"
_END = r"[ \t]*\r*\n?\Z"
_FAST_TRANS = re.compile(
    r"[ \t]*#TRANS[ \t]+([0-9]+)[ \t]+\{([^{}\x00-\x1f\x7f-\x9f]*)\}[ \t]+([-+]?[0-9.]+)\r?\n?"
)
# What may follow a fast #TRANS's amount: nothing, or its date and plain fields.
_FAST_TRANS_TAIL = re.compile(rf'(?:[ \t]+([0-9]{{8}}|"")(?:[ \t]+{_FIELD})*)?{_END}')
_FAST_VER = re.compile(
    rf'[ \t]*#VER[ \t]+(?:({_PLAIN})|"([^\x00-\x1f\x7f-\x9f"{{}}\\]*)")'
    rf'[ \t]+(?:({_PLAIN})|"([^\x00-\x1f\x7f-\x9f"{{}}\\]*)")'
    r"[ \t]+([0-9]{8})"
    rf'(?:[ \t]+(?:({_PLAIN})|"([^\x00-\x1f\x7f-\x9f"{{}}\\]*)")(?:[ \t]+{_FIELD})*)?{_END}'
)
_OPEN_LINES = frozenset({"{\n", "{\r\n", "{", "   {\n", "   {\r\n", "\t{\n", "\t{\r\n"})
_CLOSE_LINES = frozenset({"}\n", "}\r\n", "}", "   }\n", "   }\r\n", "\t}\n", "\t}\r\n"})


# --- The reader -------------------------------------------------------------------------------


class _Parser:
    """Reads lines one at a time into a SieFile, collecting errors and warnings."""

    def __init__(
        self,
        encoding: str,
        year: int | None = None,
        keep_vouchers: bool = True,
        day_buckets: bool = False,
    ):
        self.sie = SieFile(encoding=encoding)
        self.year = year
        self.keep_vouchers = keep_vouchers
        self.day_buckets = day_buckets
        self.pending_months = False  # #TRANS summed by month before #RAR 0 was known
        self.bucket: str | dt.date | None = None  # where the open voucher's #TRANS are summed
        self._buckets: dict[dt.date, str | bool] = {}
        self._trans_objects: set = set()
        self._fast_objects = self.sie.object_texts
        self._fast_objects[""] = ()
        self.errors: list[SieError] = []
        self.line = 0
        self.voucher: Voucher | None = None
        self.block: str | None = None  # None, "expect" (after #VER) or "open" (after "{")
        self.voucher_sum = ZERO
        self.voucher_damaged = False
        self.pending_rtrans: tuple[list, int] | None = None
        self.ksumma_line: int | None = None
        self.ksumma_done = False
        self.crc = 0
        self._warnings: dict[str, list] = {}
        self._line_warnings: dict[str, list[tuple[int, str]]] = {}
        self._line_warning_counts: dict[str, int] = defaultdict(int)
        self._dates: dict[str, dt.date] = {}
        self._periods: dict[str, str] = {}
        self._accounts: dict[str, str] = {}
        self._object_lists: dict[tuple[str, ...], tuple[tuple[int, str], ...]] = {}
        self.handlers: dict[str, Callable[[list], None]] = {
            "#FLAGGA": lambda t: setattr(self.sie, "flag", _text(t, 1)),
            "#PROGRAM": self._program,
            "#FORMAT": lambda t: setattr(self.sie, "format", _text(t, 1)),
            "#GEN": lambda t: setattr(self.sie, "generated", self._optional_date(_text(t, 1))),
            "#SIETYP": lambda t: setattr(self.sie, "sie_type", _text(t, 1)),
            "#FNAMN": lambda t: setattr(self.sie, "company", _text(t, 1)),
            "#ORGNR": lambda t: setattr(self.sie, "orgnr", _text(t, 1)),
            "#VALUTA": lambda t: setattr(self.sie, "currency", _text(t, 1) or "SEK"),
            "#OMFATTN": lambda t: setattr(self.sie, "scope_end", self._optional_date(_text(t, 1))),
            "#RAR": self._rar,
            "#DIM": self._dim,
            "#UNDERDIM": self._dim,
            "#OBJEKT": self._objekt,
            "#KONTO": self._konto,
            "#KTYP": self._ktyp,
            "#SRU": lambda t: self.sie.sru.setdefault(self._account(t, 1), []).append(_text(t, 2)),
            "#IB": lambda t: self._balance(t, "IB"),
            "#UB": lambda t: self._balance(t, "UB"),
            "#RES": lambda t: self._balance(t, "RES"),
            "#OIB": lambda t: self._object_balance(t, "OIB"),
            "#OUB": lambda t: self._object_balance(t, "OUB"),
            "#PSALDO": lambda t: self._period_amount(t, self.sie.period_balances),
            "#PBUDGET": lambda t: self._period_amount(t, self.sie.period_budgets),
            "#VER": self._ver,
            "#TRANS": self._trans,
            "#RTRANS": self._correction,
            "#BTRANS": self._correction,
            "#KSUMMA": self._ksumma,
        }

    def read(self, lines, total: int, progress, fast: bool = True) -> None:
        """Read every line of ``lines`` (text lines with their ends): the plain #VER, {, }
        and #TRANS lines on the fast path, the rest (and every line when the state asks for
        more: a checksum running, an #RTRANS to match) through ``feed``.

        The state of the open voucher (block, sum, bucket) is kept in locals here and
        handed to ``self`` around every call that reads or changes it."""
        trans_match, ver_match = _FAST_TRANS.match, _FAST_VER.match
        tail_match = _FAST_TRANS_TAIL.match
        feed, dates, objects_cache = self.feed, self._dates, self._fast_objects
        account_lines, keep = self.sie.account_lines, self.keep_vouchers
        vouchers, voucher_dates, buckets = self.sie.vouchers, self.sie.voucher_dates, self._buckets
        sums = self.sie.trans_sums
        sums_get = sums.get
        report = PROGRESS_EVERY + 1 if progress is not None else -1  # the line after which
        plain = fast and self._plain()
        block, voucher_sum, bucket = self.block, self.voucher_sum, self.bucket
        number = 0
        for number, raw in enumerate(lines, start=1):
            if number == report:
                progress(number - 1, total)  # the lines before this one are read
                report += PROGRESS_EVERY
            if plain:
                if block == "open":
                    match = trans_match(raw)
                    if match is not None:
                        account, items, amount_text = match.groups()
                        day_text = None
                        if match.end() != len(raw):
                            tail = tail_match(raw, match.end(3))
                            day_text = tail.group(1) if tail is not None else "-"
                        if (
                            items not in objects_cache
                            and self._fast_object_list(items, number) is None
                        ):
                            items = None
                        try:
                            amount = Decimal(amount_text)  # as _AMOUNT_RE, given [-+]?[0-9.]+
                        except InvalidOperation:
                            items = None  # not an amount: the full path tells why
                        if items is not None and (
                            day_text is None or day_text == '""' or day_text in dates
                        ):
                            voucher_sum += amount
                            if account not in account_lines:
                                account_lines[account] = number
                            if keep:
                                day = dates[day_text] if day_text and day_text != '""' else None
                                trans = Trans(account, objects_cache[items], amount, day, number)
                                self.voucher.transactions.append(trans)
                            if bucket is not None:
                                # Keyed by the object list's text, whose hash is kept.
                                key = (bucket, items, account)
                                sums[key] = sums_get(key, ZERO) + amount
                            continue
                    elif raw in _CLOSE_LINES:
                        self.voucher_sum = voucher_sum
                        if voucher_sum and abs(voucher_sum) > BALANCE_TOLERANCE:
                            self.line = number
                            self._finish_voucher()  # tells that it does not balance
                        else:
                            self.voucher = self.block = None
                        block = None
                        continue
                elif block is None:
                    match = ver_match(raw)
                    if match is not None and match.group(5) in dates:
                        series, series_quoted, voucher_number, number_quoted, day_text, *text = (
                            match.groups()
                        )
                        day = dates[day_text]
                        voucher = Voucher(
                            series or series_quoted or "",
                            voucher_number or number_quoted or "",
                            day,
                            text[0] or text[1] or "",
                            number,
                        )
                        if keep:
                            vouchers.append(voucher)
                        self.voucher, self.voucher_damaged = voucher, False
                        block = self.block = "expect"
                        voucher_sum = ZERO
                        seen = voucher_dates.get(day)
                        if seen is None:
                            voucher_dates[day] = [number]
                        elif len(seen) < MAX_ERRORS:
                            seen.append(number)
                        bucket = self.bucket = buckets.get(day) or self._bucket_of(day)
                        continue
                elif block == "expect" and raw in _OPEN_LINES:
                    block = self.block = "open"
                    continue
            self.voucher_sum = voucher_sum
            feed(number, raw)
            block, voucher_sum, bucket = self.block, self.voucher_sum, self.bucket
            plain = fast and self._plain()
        self.voucher_sum = voucher_sum
        if progress is not None and number and number % PROGRESS_EVERY == 0:
            progress(number, total)

    def _plain(self) -> bool:
        """Whether the next line may take the fast path: no checksum is running and no
        #RTRANS waits for its #TRANS."""
        return self.pending_rtrans is None and (self.ksumma_line is None or self.ksumma_done)

    def _fast_object_list(self, items: str, line: int) -> tuple | None:
        """The object list of a plain #TRANS (the text between its braces), or None when
        it must be read by the full path (which tells what is wrong with it)."""
        try:
            objects = self._object_list(tokenize(items))
        except _LineError:
            return None
        self._fast_objects[items] = objects
        self._note_objects(objects, line)
        return objects

    def _note_objects(self, objects: tuple, line: int) -> None:
        """The first #TRANS line of each object (for the messages that name one)."""
        if objects and objects not in self._trans_objects:
            self._trans_objects.add(objects)
            for pair in objects:
                self.sie.object_lines.setdefault(pair, line)

    # Errors and warnings

    def error(self, code: str, problem: str, line: int | None) -> None:
        self.errors.append(SieError(code, problem, line))
        if len(self.errors) >= MAX_ERRORS:
            raise _Stop

    def warn(self, code: str, line: int | None, problem: str) -> None:
        """A warning of a kind that is told once, with its first line and a count."""
        entry = self._warnings.get(code)
        if entry is None:
            self._warnings[code] = [line, problem, 1]
        else:
            entry[2] += 1

    def warn_line(self, code: str, line: int, problem: str) -> None:
        """A warning told for each line, up to MAX_LINE_WARNINGS of a kind."""
        self._line_warning_counts[code] += 1
        entry = self._line_warnings.setdefault(code, [])
        if len(entry) < MAX_LINE_WARNINGS:
            entry.append((line, problem))

    # Lines

    def feed(self, number: int, raw: str) -> None:
        """Read line ``number``; errors in it are collected, an encoding error stops at once."""
        self.line = number
        text = raw.rstrip("\r\n\x1a")
        stripped = text.strip(" \t")
        if not stripped:
            return
        bad = _CONTROL_RE.search(text)
        if bad:
            problem = _(
                "unexpected control character U+%(code)04X: the file is not a text file in "
                "%(encoding)s, or it is damaged"
            ) % {"code": ord(bad.group()), "encoding": self.sie.encoding}
            raise SieErrors([SieError("encoding", problem, number)])
        label = ""
        try:
            if stripped == "{":
                if self.block != "expect":
                    raise _LineError("malformed", _("a { that does not follow a #VER"))
                self.block = "open"
                return
            if stripped == "}":
                if self.block != "open":
                    raise _LineError("malformed", _("a } without a voucher to close"))
                self._finish_voucher()
                return
            if stripped[0] != "#":
                raise _LineError("malformed", _("not an SIE record (it should start with #)"))
            opens_block = False
            try:
                tokens = tokenize(stripped)
                label = tokens[0].upper()
            except _LineError as exc:
                label = _LABEL_RE.match(stripped).group().upper()
                opens_block = label == "#VER" and stripped.endswith("{")
                if opens_block:  # the voucher's { at the end of its #VER line
                    stripped = stripped[:-1].rstrip(" \t")
                tokens = self._lenient_tokens(label, stripped, exc)
            if self.ksumma_line is not None and not self.ksumma_done and label != "#KSUMMA":
                self._checksum(tokens)
            handler = self.handlers.get(label)
            if handler is None:
                return  # records we do not read are ignored (§7.1)
            if self.block == "expect":
                if label in ("#TRANS", "#RTRANS", "#BTRANS"):
                    problem = _(
                        "the { that opens the voucher's transactions is missing; the "
                        "transactions that follow are read as the voucher's"
                    )
                    self.warn_line("brace", number, f"#VER: {problem}")
                    self.block = "open"
                else:
                    self.block = None
                    no_block = _("the voucher has no { } block with transactions")
                    self.error("malformed", "#VER: " + no_block, self.voucher.line)
            if self.pending_rtrans is not None:
                self._match_rtrans(label, tokens)
            handler(tokens)
            if opens_block:
                problem = _(
                    "the { that opens the voucher's transactions stands at the end of the "
                    "#VER line, not on a line of its own; read as if it did"
                )
                self.warn_line("brace", number, f"#VER: {problem}")
                self.block = "open"
        except _LineError as exc:
            self._line_error(label, exc, stripped)

    def _lenient_tokens(self, label: str, text: str, exc: _LineError) -> list:
        """The fields of a line ``tokenize`` refused: a quote slip is read as meant, with a
        warning, where it cannot touch an amount that is imported (_guessed_field_is_safe);
        otherwise ``exc`` stands. A line that was only a #VER with its { is read as such."""
        try:
            return tokenize(text)
        except _LineError:
            try:
                lenient = tokenize_lenient(text)
            except _LineError:
                raise exc from None
            if not _guessed_field_is_safe(label, lenient):
                raise exc from None
            values = {"value": lenient.value}
            if lenient.how == "open":
                problem = _("the quote before “%(value)s” is not closed; read to the line's end")
            else:
                problem = _("a quote inside the text “%(value)s” is read as part of the text")
            self.warn_line("quote", self.line, f"{label}: " + problem % values)
            return lenient.tokens

    def _line_error(self, label: str, exc: _LineError, text: str) -> None:
        """An error where the line could hold an amount that is imported; else a warning."""
        if label == "#TRANS" and self.voucher is not None:
            self.voucher_damaged = True  # its balance cannot be checked: one error is enough
        problem = f"{label}: {exc.problem}" if label else exc.problem
        if label in _HARD_RECORDS or (label in _AMOUNT_RECORDS and self._may_be_imported(text)):
            self.error(exc.code, problem, self.line)
        else:
            skipped = _("%(problem)s; the line was skipped (the import takes no amount from it)")
            self.warn_line("skipped", self.line, skipped % {"problem": problem})

    def _may_be_imported(self, text: str) -> bool:
        """Whether the unreadable amount record ``text`` could be one the import uses: #IB/#UB
        of the current year for a balance account, #PSALDO/#PBUDGET of a period in the
        current year. Unsure (a field that names the year cannot be read) means yes."""
        fields = text.split()
        label = fields[0].upper()
        if label in ("#RES", "#OIB", "#OUB", "#RTRANS", "#BTRANS"):
            return False
        rar = fields[1] if len(fields) > 1 else ""
        if not _INTEGER_RE.fullmatch(rar):
            return True
        if label in ("#IB", "#UB"):
            account = fields[2].strip('"') if len(fields) > 2 else ""
            balance = _ACCOUNT_RE.fullmatch(account) is None or is_balance_account(account)
            return int(rar) == 0 and balance
        period = fields[2].strip('"') if len(fields) > 2 else ""
        if not _PERIOD_RE.fullmatch(period) or not self.sie.years:
            return True
        year = self.sie.year_of_period(f"{period[:4]}-{period[4:]}", prefer=int(rar))
        return year is None or year == 0

    # Field readers

    def _date(self, value: str) -> dt.date:
        day = self._dates.get(value)
        if day is None:
            if not value:
                raise _LineError("date", _("the date is missing"))
            if not _DATE_RE.fullmatch(value):
                problem = _("%(value)s is not a date (write YYYYMMDD)") % {"value": value}
                raise _LineError("date", problem)
            try:
                day = dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
            except ValueError:
                problem = _("%(value)s is not a real date") % {"value": value}
                raise _LineError("date", problem) from None
            self._dates[value] = day
        return day

    def _optional_date(self, value: str) -> dt.date | None:
        return self._date(value) if value else None

    def _period(self, value: str) -> str:
        period = self._periods.get(value)
        if period is None:
            if not _PERIOD_RE.fullmatch(value):
                problem = _("%(value)s is not a period (write YYYYMM)") % {"value": value}
                raise _LineError("date", problem)
            period = self._periods[value] = f"{value[:4]}-{value[4:]}"
        return period

    def _int(self, value: str, what: str) -> int:
        if not _INTEGER_RE.fullmatch(value):
            values = {"what": what, "value": value or '""'}
            problem = _("%(what)s %(value)s is not a whole number") % values
            raise _LineError("malformed", problem)
        return int(value)

    def _account(self, tokens: list, index: int) -> str:
        value = _text(tokens, index)
        account = self._accounts.get(value)
        if account is None:
            if not _ACCOUNT_RE.fullmatch(value):
                problem = _("the account %(value)s is not a number") % {"value": value or '""'}
                raise _LineError("malformed", problem)
            account = self._accounts[value] = value
        return account

    def _used(self, account: str) -> str:
        if account not in self.sie.account_lines:
            self.sie.account_lines[account] = self.line
        return account

    def _amount(self, value: str) -> Decimal:
        if _AMOUNT_RE.fullmatch(value):
            return Decimal(value)
        if _COMMA_AMOUNT_RE.fullmatch(value):
            problem = _("the amount %(value)s has a decimal comma; read as %(amount)s")
            amount = Decimal(value.replace(",", "."))
            self.warn("comma", self.line, problem % {"value": value, "amount": amount})
            return amount
        if not value:
            raise _LineError("amount", _("the amount is missing"))
        problem = _("%(value)s is not an amount (write it like -1234.50)") % {"value": value}
        raise _LineError("amount", problem)

    def _object_list(self, items: list[str]) -> tuple[tuple[int, str], ...]:
        key = tuple(items)
        objects = self._object_lists.get(key)
        if objects is None:
            if len(items) % 2:
                problem = _("the object list must hold pairs of dimension and object")
                raise _LineError("malformed", problem)
            dims = [self._int(dim, _("dimension")) for dim in items[::2]]
            objects = self._object_lists[key] = tuple(zip(dims, items[1::2], strict=True))
        return objects

    # Records

    def _program(self, tokens: list) -> None:
        self.sie.program_name, self.sie.program_version = _text(tokens, 1), _text(tokens, 2)
        self.sie.program = f"{self.sie.program_name} {self.sie.program_version}".strip()

    def _rar(self, tokens: list) -> None:
        index = self._int(_text(tokens, 1), _("year index"))
        start, end = self._date(_text(tokens, 2)), self._date(_text(tokens, 3))
        if end < start:
            raise _LineError("date", _("the year ends before it starts"))
        if index in self.sie.years:
            raise _LineError("year", _("year %(index)s is declared twice") % {"index": index})
        self.sie.years[index] = (start, end)

    def _dim(self, tokens: list) -> None:
        number = self._int(_text(tokens, 1), _("dimension"))
        self.sie.dimensions[number] = _text(tokens, 2)
        if tokens[0].upper() == "#UNDERDIM" and _text(tokens, 3):
            self.sie.parent_dimensions[number] = self._int(_text(tokens, 3), _("dimension"))

    def _objekt(self, tokens: list) -> None:
        dimension = self._int(_text(tokens, 1), _("dimension"))
        self.sie.objects[(dimension, _text(tokens, 2))] = _text(tokens, 3)

    def _konto(self, tokens: list) -> None:
        self.sie.accounts[self._account(tokens, 1)] = _text(tokens, 2)

    def _ktyp(self, tokens: list) -> None:
        account, kind = self._account(tokens, 1), _text(tokens, 2).upper()
        if kind in ("T", "S", "K", "I"):
            self.sie.account_types[account] = kind
        else:
            problem = _("#KTYP %(kind)s is not T, S, K or I; ignored") % {"kind": kind}
            self.warn("ktyp", self.line, problem)

    def _balance(self, tokens: list, kind: str) -> None:
        rar = self._int(_text(tokens, 1), _("year index"))
        account = self._account(tokens, 2)
        amount = self._amount(_text(tokens, 3))
        self.sie.balances.append(Balance(rar, kind, self._used(account), amount, self.line))

    def _object_balance(self, tokens: list, kind: str) -> None:
        rar = self._int(_text(tokens, 1), _("year index"))
        account = self._account(tokens, 2)
        items, index = _objects_at(tokens, 3)
        objects, amount = self._object_list(items), self._amount(_text(tokens, index))
        row = ObjectBalance(rar, kind, self._used(account), objects, amount, self.line)
        self.sie.object_balances.append(row)

    def _period_amount(self, tokens: list, target: list) -> None:
        rar = self._int(_text(tokens, 1), _("year index"))
        period = self._period(_text(tokens, 2))
        account = self._account(tokens, 3)
        items, index = _objects_at(tokens, 4)
        objects, amount = self._object_list(items), self._amount(_text(tokens, index))
        self._used(account)
        target.append(PeriodAmount(rar, period, account, objects, amount, self.line, rar))

    def _ver(self, tokens: list) -> None:
        if self.block == "open":
            not_closed = _("the voucher's { } block is not closed (a } is missing)")
            self.error("malformed", "#VER: " + not_closed, self.voucher.line)
            self._finish_voucher()
        voucher = Voucher(_text(tokens, 1), _text(tokens, 2), None, _text(tokens, 4), self.line)
        self._open_voucher(voucher)
        if not _text(tokens, 3):
            raise _LineError("date", _("the voucher has no date"))
        self._date_voucher(voucher, self._date(_text(tokens, 3)))

    def _open_voucher(self, voucher: Voucher) -> None:
        if self.keep_vouchers:
            self.sie.vouchers.append(voucher)
        self.voucher, self.block = voucher, "expect"
        self.voucher_sum, self.voucher_damaged = ZERO, False
        self.bucket = None

    def _date_voucher(self, voucher: Voucher, day: dt.date) -> None:
        """Set the voucher's date: its lines are kept per date (the year checks) and its
        #TRANS go to the month's bucket, or to the date's while #RAR 0 is not known."""
        voucher.date = day
        lines = self.sie.voucher_dates.get(day)
        if lines is None:
            lines = self.sie.voucher_dates[day] = []
        if len(lines) < MAX_ERRORS:
            lines.append(voucher.line)
        self.bucket = self._bucket_of(day)

    def _bucket_of(self, day: dt.date) -> str | tuple | dt.date | None:
        """Where #TRANS of a voucher dated ``day`` are summed: its month "YYYY-MM" when it
        lies in #RAR 0, None when it lies outside. While #RAR 0 is not known (SIE 4I, or
        #RAR after the vouchers) the month as (year, month), which ``_trans_sums`` places
        when the file is read; if the year then found does not begin and end with a month,
        parse_sie reads the file again with ``day_buckets``, summing by the date itself."""
        bucket = self._buckets.get(day)
        if bucket is None:
            years = self.sie.years
            if 0 not in years:
                if self.day_buckets:
                    return day
                self.pending_months = True
                return (day.year, day.month)
            start, end = years[0]
            bucket = f"{day.year:04d}-{day.month:02d}" if start <= day <= end else False
            self._buckets[day] = bucket
        return bucket or None

    def _sum_trans(self, account: str, objects: tuple, amount: Decimal, line: int) -> None:
        """Add a #TRANS of the open voucher to the sums (the fast path does the same inline)."""
        self._note_objects(objects, line)
        if self.bucket is not None:
            key = (self.bucket, objects, account)
            sums = self.sie.trans_sums
            sums[key] = sums.get(key, ZERO) + amount

    def _trans(self, tokens: list) -> None:
        if self.block != "open":
            raise _LineError("malformed", _("a transaction outside a voucher's { } block"))
        try:
            account = self._account(tokens, 1)
            items, index = _objects_at(tokens, 2)
            objects, amount = self._object_list(items), self._amount(_text(tokens, index))
            day = self._optional_date(_text(tokens, index + 1))
        except _LineError:
            self.voucher_damaged = True
            raise
        if self.keep_vouchers:
            self.voucher.transactions.append(
                Trans(self._used(account), objects, amount, day, self.line)
            )
        else:
            self._used(account)
        self.voucher_sum += amount
        self._sum_trans(account, objects, amount, self.line)

    def _correction(self, tokens: list) -> None:
        """#RTRANS/#BTRANS: counted and otherwise ignored (§11, #RTRANS 5, #BTRANS 4)."""
        if self.block != "open":
            raise _LineError("malformed", _("a transaction outside a voucher's { } block"))
        self.sie.ignored_corrections += 1
        if tokens[0].upper() == "#RTRANS":
            self.pending_rtrans = (tokens[1:], self.line)

    def _match_rtrans(self, label: str, tokens: list) -> None:
        fields, line = self.pending_rtrans
        self.pending_rtrans = None
        if label != "#TRANS" or tokens[1:] != fields:
            problem = _("#RTRANS is not followed by an identical #TRANS; it was not counted")
            self.warn("rtrans", line, problem)

    def _finish_voucher(self) -> None:
        if self.pending_rtrans is not None:
            self._match_rtrans("}", [])
        voucher, total = self.voucher, self.voucher_sum
        self.voucher, self.block = None, None
        if not self.voucher_damaged and abs(total) > BALANCE_TOLERANCE:
            name = f"{voucher.series} {voucher.number}".strip()
            values = {"voucher": name, "sum": format_amount(total)}
            if name:
                problem = _("voucher %(voucher)s does not balance: its transactions sum to %(sum)s")
            else:
                problem = _("the voucher does not balance: its transactions sum to %(sum)s")
            self.error("unbalanced", "#VER: " + problem % values, voucher.line)

    def _ksumma(self, tokens: list) -> None:
        """§10: the first #KSUMMA opens the checksum, the second one closes it."""
        value = _text(tokens, 1)
        if not value:
            if self.ksumma_line is None:
                self.ksumma_line = self.line
            return
        if self.ksumma_line is None or self.ksumma_done:
            return
        self.ksumma_done = True
        if not _INTEGER_RE.fullmatch(value) or int(value) & 0xFFFFFFFF != self.crc:
            problem = _("the checksum (#KSUMMA) does not match the file; it may have been altered")
            self.warn("checksum", self.line, problem)

    def _checksum(self, tokens: list) -> None:
        """CRC-32 of labels and fields, without separators, quotes and braces (§10.14)."""
        parts: list[str] = []
        for token in tokens:
            if isinstance(token, list):
                parts.extend(token)
            else:
                parts.append(token)
        self.crc = zlib.crc32("".join(parts).encode("cp437", "replace"), self.crc)

    # The file as a whole

    def finish(self) -> SieFile:
        """Checks that need the whole file; returns the SieFile or raises SieErrors."""
        sie = self.sie
        if self.block == "expect":
            no_block = _("the voucher has no { } block with transactions")
            self.error("malformed", "#VER: " + no_block, self.voucher.line)
        elif self.block == "open":
            not_closed = _("the voucher's { } block is not closed (a } is missing)")
            self.error("malformed", "#VER: " + not_closed, self.voucher.line)
        if self.ksumma_line is not None and not self.ksumma_done:
            problem = _("#KSUMMA announces a checksum but the file ends without one: truncated?")
            self.error("malformed", problem, self.ksumma_line)
        self._check_years()
        self._check_totals()
        used = sie.account_lines
        sie.unknown_accounts = sorted(a for a in used if a not in sie.accounts)
        for code, (line, problem, count) in self._warnings.items():
            message = problem
            if line is not None:
                message = _("line %(line)s: %(problem)s") % {"line": line, "problem": problem}
            if count > 1:
                message += " " + _("(%(count)s lines in all)") % {"count": count}
            sie.warnings.append(SieWarning(line, code, message))
        for code, entries in self._line_warnings.items():
            for line, problem in entries:
                message = _("line %(line)s: %(problem)s") % {"line": line, "problem": problem}
                sie.warnings.append(SieWarning(line, code, message))
            more = self._line_warning_counts[code] - len(entries)
            if more:
                last = entries[-1][0]
                message = _("… and %(count)s more lines after line %(line)s like the one before")
                values = {"count": more, "line": last}
                sie.warnings.append(SieWarning(last, code, message % values))
        sie.warnings.sort(key=lambda w: (w.line is not None, w.line or 0))
        if self.errors:
            raise SieErrors(self.errors)
        return sie

    def _check_years(self) -> None:
        sie = self.sie
        if not sie.years:
            if self._year_without_rar():
                self._check_year_without_rar()
            return
        if 0 not in sie.years:
            self.error("year", _("the file has no #RAR 0 (the current fiscal year)"), None)
        elif self.year is not None and sie.years[0][0].year != self.year:
            problem = _("The file's current year is %(file)s, not %(year)s.")
            self.error("year", problem % {"file": sie.years[0][0].year, "year": self.year}, None)
        not_declared = _("year %(index)s is not declared by any #RAR line")
        for row in sie.balances + sie.object_balances:
            if row.rar not in sie.years:
                problem = f"#{row.kind}: " + not_declared % {"index": row.rar}
                self.error("year", problem, row.line)
        for label, rows in (("#PSALDO", sie.period_balances), ("#PBUDGET", sie.period_budgets)):
            kept = []
            for row in rows:
                if row.stated_rar not in sie.years:
                    self.error("year", label + ": " + not_declared % {"index": row.rar}, row.line)
                    continue
                actual = sie.year_of_period(row.period, prefer=row.stated_rar)
                if actual is None:
                    outside = _("the period %(period)s lies outside every #RAR year")
                    self.error("year", label + ": " + outside % {"period": row.period}, row.line)
                    continue
                if actual != row.stated_rar:
                    problem = _(
                        "%(label)s says year %(stated)s but its period %(period)s lies in "
                        "year %(actual)s; read as year %(actual)s"
                    )
                    values = {"label": label, "stated": row.stated_rar, "actual": actual}
                    self.warn("period_year", row.line, problem % {**values, "period": row.period})
                    row = row._replace(rar=actual)
                kept.append(row)
            rows[:] = kept
        outside = [day for day in sie.voucher_dates if sie.year_of(day) is None]
        for line, day in self._voucher_lines(outside):
            problem = _("the voucher date %(date)s lies outside every #RAR year")
            problem = "#VER: " + problem % {"date": day.strftime("%Y%m%d")}
            self.error("date", problem, line)

    def _voucher_lines(self, days) -> list[tuple[int, dt.date]]:
        """(line, date) of the vouchers dated on ``days``, in file order (the first
        MAX_ERRORS of each date: no more errors are told)."""
        dates = self.sie.voucher_dates
        return sorted((line, day) for day in days for line in dates[day])

    def _check_totals(self) -> None:
        """Tell where an account's #PSALDO of the current year has lines per object but none
        for the account as a whole: its total is read as 0 (a zero balance may be left out),
        so the objects' sum comes back as minus on "ej fördelat på ansvar"."""
        totals, objects = set(), {}
        for row in self.sie.period_balances:
            if row.rar != 0:
                continue
            key = (row.period, row.account)
            if not row.objects:
                totals.add(key)
            elif row.amount and key not in objects:
                objects[key] = row.line
        for (period, account), line in sorted(objects.items(), key=lambda item: item[1]):
            if (period, account) not in totals:
                problem = _(
                    "#PSALDO: the account %(account)s has lines per object for %(period)s but "
                    "none for the account as a whole; its total is read as 0, as a zero "
                    "balance may be left out, and the objects' sum as not allocated"
                )
                self.warn("no_total", line, problem % {"account": account, "period": period})

    def _year_without_rar(self) -> bool:
        """An SIE 4I file has no #RAR: its year is the one given (``year``), or else the one
        its vouchers are dated in. Sets ``years`` and ``year_source``; False (with an error)
        when there is no year to take."""
        sie = self.sie
        give = _("give the year (--year, or the year of the upload)")
        if self.year is not None:
            year, sie.year_source = self.year, "given"
            told = _("The file has no #RAR line (SIE 4I); it is read as the year %(year)s given.")
        else:
            found = sorted({day.year for day in sie.voucher_dates})
            if not found:
                problem = _("the file has no #RAR line and no vouchers, so its year is unknown")
                self.error("year", f"{problem}: {give}", None)
                return False
            if len(found) > 1:
                problem = _(
                    "the file has no #RAR line and its vouchers are dated in %(years)s, "
                    "so its year is not plain"
                ) % {"years": ", ".join(str(y) for y in found)}
                self.error("year", f"{problem}: {give}", None)
                return False
            year, sie.year_source = found[0], "vouchers"
            told = _(
                "The file has no #RAR line (SIE 4I); it is read as the year %(year)s, in which "
                "its vouchers are dated."
            )
        if not 1900 <= year <= 2100:
            self.error("year", _("the year %(year)s lies outside 1900–2100") % {"year": year}, None)
            return False
        sie.years = {0: (dt.date(year, 1, 1), dt.date(year, 12, 31))}
        self.warn("no_rar", None, told % {"year": year})
        return True

    def _check_year_without_rar(self) -> None:
        """No #RAR to check against: #PSALDO and #PBUDGET of the year are the year's,
        others are left out with a warning; vouchers outside the year are refused."""
        sie = self.sie
        start, end = sie.years[0]
        for label, rows in (("#PSALDO", sie.period_balances), ("#PBUDGET", sie.period_budgets)):
            kept = []
            for row in rows:
                if sie.year_of_period(row.period) == 0:
                    kept.append(row._replace(rar=0))
                else:
                    problem = _("the period %(period)s lies outside the year %(year)s; left out")
                    values = {"period": row.period, "year": start.year}
                    self.warn("outside_year", row.line, f"{label}: " + problem % values)
            rows[:] = kept
        outside = [day for day in sie.voucher_dates if not start <= day <= end]
        for line, day in self._voucher_lines(outside):
            problem = _("the voucher date %(date)s lies outside the year %(year)s")
            values = {"date": day.strftime("%Y%m%d"), "year": start.year}
            self.error("date", "#VER: " + problem % values, line)


def parse_sie(
    source,
    *,
    year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_vouchers: bool = True,
    fast: bool = True,
) -> SieFile:
    """Read an SIE file; raise SieErrors naming every bad line (up to MAX_ERRORS).

    ``source`` is the file's bytes, a binary file object (read as a stream, in chunks; one
    that cannot seek is first spooled to a temporary file) or a ``pathlib.Path``. The file is
    read twice: once for its encoding and number of lines, once line by line. #TRANS are
    summed per month, object list and account while reading; with ``keep_vouchers=False``
    the vouchers themselves are not kept, so memory does not grow with the file.
    ``year`` is the year of a file without #RAR (SIE 4I); without it, such a file's year is
    the one its vouchers are dated in. A file with #RAR must have it as its #RAR 0.
    ``progress(lines_done, lines_total)`` is called every PROGRESS_EVERY lines and at the end.
    ``fast=False`` reads every line with the full tokenizer (the tests compare the two).
    """
    if isinstance(source, bytes | bytearray | memoryview):
        with io.BytesIO(source) as stream:
            return _parse_stream(stream, year, progress, keep_vouchers, fast)
    if isinstance(source, PurePath):
        with open(source, "rb") as stream:
            return _parse_stream(stream, year, progress, keep_vouchers, fast)
    if isinstance(source, str) or not hasattr(source, "read"):
        raise TypeError("parse_sie reads bytes: open the file in binary mode")
    if not _seekable(source):
        with tempfile.SpooledTemporaryFile(max_size=_CHUNK) as spooled:
            shutil.copyfileobj(source, spooled, _CHUNK)
            spooled.seek(0)
            return _parse_stream(spooled, year, progress, keep_vouchers, fast)
    return _parse_stream(source, year, progress, keep_vouchers, fast)


def _seekable(stream) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):
        return False


class _Binary(io.RawIOBase):
    """A file-like object (e.g. Django's File) as a raw stream TextIOWrapper can read."""

    def __init__(self, stream):
        self.stream = stream

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _parse_stream(stream, year, progress, keep_vouchers, fast) -> SieFile:
    start = stream.tell()
    encoding, total = _scan(stream)
    sie, parser = _read(stream, encoding, total, year, progress, keep_vouchers, fast, False)
    if parser.pending_months and not _whole_months(*sie.years[0]):
        # #TRANS were summed by month before the year was known, and it splits a month.
        stream.seek(start)
        sie, parser = _read(stream, encoding, total, year, progress, keep_vouchers, fast, True)
    if sie.format.upper() == "PC8" and encoding != "cp437":
        problem = _("the file says #FORMAT PC8 (CP437) but is %(encoding)s; read as %(encoding)s")
        sie.warnings.insert(0, SieWarning(None, "encoding", problem % {"encoding": encoding}))
    if progress is not None:
        progress(total, total)
    return sie


def _read(stream, encoding, total, year, progress, keep_vouchers, fast, day_buckets):
    parser = _Parser(encoding, year, keep_vouchers, day_buckets)
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    binary = stream if isinstance(stream, io.BufferedIOBase | io.BytesIO) else None
    if binary is None:
        binary = io.BufferedReader(_Binary(stream), _CHUNK)
    text = io.TextIOWrapper(binary, encoding=codec, newline="\n")
    try:
        parser.read(text, total, progress, fast)
        parser.sie.line_count = total
        return parser.finish(), parser
    except _Stop:
        raise SieErrors(parser.errors, truncated=True) from None
    finally:
        if binary is stream:
            text.detach()  # the caller's stream stays open


def _whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1


def _in_year(bucket, start: dt.date, end: dt.date) -> bool:
    """Whether a bucket of the sums lies in the year [start, end]: a month "YYYY-MM" always
    (it was placed so), a (year, month) if the month does (the year is whole months then),
    a date if it does."""
    if bucket.__class__ is str:
        return True
    if bucket.__class__ is tuple:
        return start <= dt.date(bucket[0], bucket[1], 1) <= end
    return start <= bucket <= end


# --- What is imported -------------------------------------------------------------------------


def is_balance_account(account: str) -> bool:
    """Classes 1–2 (tillgångar, skulder och eget kapital)."""
    return account[:1] in ("1", "2")


def _current_lines(rows: list[PeriodAmount]) -> list[PeriodAmount]:
    """Lines of #RAR 0, without the all-zero lines some programs write for balance accounts."""
    return [r for r in rows if r.rar == 0 and (r.amount or not is_balance_account(r.account))]


def _code(objects: tuple[tuple[int, str], ...], dimension: int) -> str | None:
    return next((code for dim, code in objects if dim == dimension), None)


def _period_sums(rows: list[PeriodAmount], dimension: int) -> dict:
    """The #PSALDO/#PBUDGET rule: objects get the lines naming ``dimension`` (alone, where
    such lines exist for the account and period); the object None ("ej fördelat på ansvar")
    gets the account's total (its ``{}`` line) minus what the objects got. A period with
    object lines but no ``{}`` line has the total 0 (the table of records: "saldoposter med
    nollsaldon kan dock utelämnas"), so None gets minus the objects' sum. The rows of an
    account and period always add up to the account's total."""
    groups: dict[tuple[str, str], list[PeriodAmount]] = defaultdict(list)
    for row in rows:
        groups[(row.period, row.account)].append(row)
    sums: dict[tuple[str | None, str, str], Decimal] = defaultdict(Decimal)
    for (period, account), lines in groups.items():
        total, alone, together = None, [], []
        for row in lines:
            if not row.objects:
                total = (total or ZERO) + row.amount
            elif len(row.objects) == 1 and row.objects[0][0] == dimension:
                alone.append((row.objects[0][1], row.amount))
            elif (code := _code(row.objects, dimension)) is not None:
                together.append((code, row.amount))
        allocated = ZERO
        for code, amount in alone or together:
            sums[(code, period, account)] += amount
            allocated += amount
        if total is not None or alone or together:
            sums[(None, period, account)] += (total or ZERO) - allocated
    return sums


def _trans_sums(sie: SieFile, dimension: int) -> dict:
    """#TRANS of vouchers dated in #RAR 0, by the voucher's month and the transaction's object
    (from the sums the reader kept per month, object list and account)."""
    sums: dict[tuple[str | None, str, str], Decimal] = defaultdict(Decimal)
    if 0 not in sie.years:
        return sums
    start, end = sie.years[0]
    codes: dict = {}  # object list (or its text) → the object of the dimension
    texts = sie.object_texts
    for (bucket, objects, account), amount in sie.trans_sums.items():
        if bucket.__class__ is not str:  # read before #RAR 0 was known
            if not _in_year(bucket, start, end):
                continue
            year, month = bucket if bucket.__class__ is tuple else (bucket.year, bucket.month)
            bucket = f"{year:04d}-{month:02d}"
        code = codes.get(objects, False)
        if code is False:
            pairs = texts[objects] if objects.__class__ is str else objects
            code = codes[objects] = _code(pairs, dimension) if pairs else None
        sums[(code, bucket, account)] += amount
    return sums


def first_object_line(sie: SieFile, dimension: int, code: str) -> int | str:
    """The first line that books on this object of the dimension ("?" when none does):
    #PSALDO, then #PBUDGET, then #TRANS."""
    for item in (*sie.period_balances, *sie.period_budgets):
        if (dimension, code) in item.objects:
            return item.line
    return sie.object_lines.get((dimension, code), "?")


def rows_source(sie: SieFile) -> str | None:
    """Where outcomes come from: "psaldo", "trans", or None when the file has neither."""
    if _current_lines(sie.period_balances):
        return "psaldo"
    if 0 in sie.years:
        start, end = sie.years[0]
        # A voucher of the year with #TRANS has its key, whatever they sum to.
        buckets = {bucket for bucket, _objects, _account in sie.trans_sums}
        if any(_in_year(bucket, start, end) for bucket in buckets):
            return "trans"
    return None


def current_year_sums(sie: SieFile, dimension: int = 1, source: str = "psaldo") -> dict:
    """{(object, period, account): amount} of #RAR 0, as ``current_year_rows`` reads them
    (unsorted, zero sums included): what an import of a big file uses."""
    if source == "psaldo":
        lines = _current_lines(sie.period_balances)
        return _period_sums(lines, dimension) if lines else _trans_sums(sie, dimension)
    if source == "pbudget":
        return _period_sums(_current_lines(sie.period_budgets), dimension)
    if source == "trans":
        return _trans_sums(sie, dimension)
    raise ValueError(f"unknown source {source!r}")


def current_year_rows(sie: SieFile, dimension: int = 1, source: str = "psaldo") -> list[Row]:
    """Summed amounts of #RAR 0 per (object, period, account), ledger sign, zero sums left out.

    ``source="psaldo"`` reads #PSALDO where the file has it for periods of #RAR 0 and #TRANS
    otherwise; ``"pbudget"`` reads #PBUDGET by the same rule; ``"trans"`` reads #TRANS only.
    Sorted by object (None first), period and account.
    """
    sums = current_year_sums(sie, dimension, source)
    rows = [Row(obj, period, acc, amount) for (obj, period, acc), amount in sums.items() if amount]
    rows.sort(key=lambda r: (r.object is not None, r.object or "", r.period, r.account))
    return rows


def current_year_balances(sie: SieFile) -> list[Balance]:
    """#IB and #UB of #RAR 0 for balance accounts (classes 1–2), by account."""
    rows = [
        b
        for b in sie.balances
        if b.rar == 0 and b.kind in ("IB", "UB") and is_balance_account(b.account)
    ]
    return sorted(rows, key=lambda b: (b.account, b.kind))


def summary_json(sie: SieFile, dimension: int = 1) -> dict:
    """What ``import_sie FILE --dry-run --json`` prints; amounts are strings like "-1234.50"."""

    def rows_json(rows: list[Row]) -> list[dict]:
        return [
            {
                "object": r.object,
                "period": r.period,
                "account": r.account,
                "amount": format_amount(r.amount),
            }
            for r in rows
        ]

    rows = current_year_rows(sie, dimension, source="psaldo")
    return {
        "program": sie.program,
        "encoding": sie.encoding,
        "format": sie.format,
        "sie_type": sie.sie_type,
        "company": sie.company,
        "orgnr": sie.orgnr,
        "years": {
            str(index): [start.isoformat(), end.isoformat()]
            for index, (start, end) in sorted(sie.years.items(), reverse=True)
        },
        "dimension": dimension,
        "source": rows_source(sie),
        "rows": rows_json(rows),
        "budget_rows": rows_json(current_year_rows(sie, dimension, source="pbudget")),
        "balances": [
            {"kind": b.kind, "account": b.account, "amount": format_amount(b.amount)}
            for b in current_year_balances(sie)
        ],
        "unknown_accounts": sie.unknown_accounts,
        "warnings": [w.message for w in sie.warnings],
    }
