"""Swedish formats for numbers, amounts, percentages and dates: the one place they are made.

Template filters, exports and (next) the PDF reports call these functions, so a
figure reads the same everywhere: "1 234 567 kr", "1 235 tkr", "−2,3 mnkr",
"12,5 %", "2026-08-31", "31 augusti 2026". No queries, no access checks.

Amounts given here are already in the sign to show (budget.signs converts);
negatives get a real minus sign (U+2212), thousands a non-breaking space.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache, partial

from django.utils.formats import get_format
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext as django_pgettext

EMPTY = "–"
MINUS = "−"

MONTHS = [
    "",
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
]


def _decimal(value) -> Decimal | None:
    if isinstance(value, Decimal):  # first: Decimal == "" asks the numbers ABCs
        return value
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number(
    value, decimals: int | None = None, separators: tuple | None = None, language=None
) -> str:
    """1234567.50 → "1 234 567,5"; trailing zeros dropped unless ``decimals`` is given.

    ``separators``: the language's, when the caller has looked them up
    (``number_formatter``); else ``language`` (``get_language()``, looked up once by a
    table of many figures) saves looking up the active language again for each.
    """
    if not isinstance(value, Decimal):
        value = _decimal(value)
        if value is None:
            return EMPTY
    if decimals is None:
        # Without trailing zeros: the normalised value written out ("150", "71.5") has the
        # decimals it needs (its exponent's, read without as_tuple's named tuple).
        value = value.normalize()
        if value.is_finite():
            text = _grouped_digits(f"{abs(value):f}", separators, language)
            return f"{MINUS}{text}" if value < 0 else text
        decimals = 0
    else:
        value = value.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)
    text = _grouped(abs(value), int(decimals), separators, language)
    return f"{MINUS}{text}" if value < 0 else text


def _grouped(
    value: Decimal, decimals: int, separators: tuple | None = None, language: str | None = None
) -> str:
    """The active language's separators and grouping (Django's formats, cached per
    language), without ``number_format``'s general machinery: pages format hundreds of
    figures, and this is several times faster."""
    return _grouped_digits(f"{value:.{decimals}f}", separators, language)


def _grouped_digits(digits: str, separators: tuple | None, language: str | None) -> str:
    """``_grouped`` of a value already written with its decimals ("1234567.50")."""
    decimal_sep, thousand_sep, grouping = separators or _separators(language or get_language())
    integer, _sep, fraction = digits.partition(".")
    if isinstance(grouping, int) and grouping > 0 and len(integer) > grouping:
        head = len(integer) % grouping or grouping
        parts = [integer[:head]] + [
            integer[i : i + grouping] for i in range(head, len(integer), grouping)
        ]
        integer = thousand_sep.join(parts)
    elif not isinstance(grouping, int):  # a sequence of group sizes (e.g. India)
        from django.utils.formats import number_format

        return number_format(
            Decimal(digits), decimal_pos=len(fraction), use_l10n=True, force_grouping=True
        )
    return f"{integer}{decimal_sep}{fraction}" if fraction else integer


def number_formatter():
    """``number`` with the active language's separators looked up once, for a table of
    hundreds of figures (asking for the active language costs more than the grouping)."""
    return partial(number, separators=_separators(get_language()))


@lru_cache(maxsize=16)
def _separators(language) -> tuple:
    """(decimal separator, thousands separator, grouping) of a language."""
    return tuple(
        get_format(name, language)
        for name in ("DECIMAL_SEPARATOR", "THOUSAND_SEPARATOR", "NUMBER_GROUPING")
    )


_ONE = Decimal(1)


def rounded(value) -> Decimal | None:
    """An amount rounded to whole units as ``whole`` shows it (half away from zero):
    −86 210,5 → −86 211. Forms compare a posted figure with it (budget.forms.ShownAmountField)."""
    value = _decimal(value)
    return None if value is None else value.quantize(_ONE, rounding=ROUND_HALF_UP)


def whole(value) -> str:
    """An amount rounded to whole units: 1234567.4 → "1 234 567", −5 → "−5".

    The tables' most frequent call (a budget page formats hundreds of cells), so it
    rounds to an int and groups with Python's own grouping when the language groups
    by threes, as Swedish does. A table formats its cells with ``whole_formatter()``.
    """
    _decimal_sep, thousand_sep, grouping = _separators(get_language())
    return _whole(value, thousand_sep, grouping)


def whole_formatter():
    """``whole`` for one table's cells: the language and its separators looked up once,
    not once a cell."""
    _decimal_sep, thousand_sep, grouping = _separators(get_language())
    return partial(_whole, thousand_sep=thousand_sep, grouping=grouping)


def _whole(value, thousand_sep, grouping) -> str:
    value = _decimal(value)
    if value is None:
        return EMPTY
    if grouping != 3:
        return number(value, 0)
    integer = int(value.quantize(_ONE, rounding=ROUND_HALF_UP))
    text = f"{abs(integer):,}".replace(",", thousand_sep)
    return f"{MINUS}{text}" if integer < 0 else text


def kr(value) -> str:
    """Kronor with the unit: "1 234 567 kr"."""
    return EMPTY if _decimal(value) is None else f"{whole(value)} kr"


def in_tkr(value) -> str:
    """Thousands of kronor without the unit (for table cells): 1 234 567 → "1 235"."""
    value = _decimal(value)
    return EMPTY if value is None else whole(value / 1000)


def tkr_formatter(unit: bool = False):
    """``in_tkr`` (``tkr`` with ``unit``) for one table's or chart's cells: the language
    and its separators looked up once, not once a cell (see ``whole_formatter``)."""
    whole_ = whole_formatter()

    def format_tkr(value) -> str:
        value = _decimal(value)
        if value is None:
            return EMPTY
        return f"{whole_(value / 1000)} tkr" if unit else whole_(value / 1000)

    return format_tkr


def tkr(value) -> str:
    """Thousands of kronor with the unit: "1 235 tkr"."""
    return EMPTY if _decimal(value) is None else f"{in_tkr(value)} tkr"


def in_mnkr(value, decimals: int = 1) -> str:
    """Millions of kronor without the unit: −2 345 678 → "−2,3"."""
    value = _decimal(value)
    return EMPTY if value is None else number(value / 1_000_000, decimals)


def mnkr(value, decimals: int = 1) -> str:
    """Millions of kronor with the unit: "−2,3 mnkr"."""
    return EMPTY if _decimal(value) is None else f"{in_mnkr(value, decimals)} mnkr"


def percent(value, decimals: int = 1) -> str:
    """A percentage already in per cent: 12.46 → "12,5 %"."""
    return EMPTY if _decimal(value) is None else f"{number(value, decimals)}\u00a0%"


def iso_date(value) -> str:
    """2026-08-31 (the Swedish numeric date)."""
    if value is None:
        return EMPTY
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def decision(reference: str, day) -> str:
    """A decision's reference and day: "KF 2025-11-24 § 123" alone when it names its day
    (Swedish references mostly do), else "KF § 123, 2025-11-24"; either alone without
    the other."""
    when = iso_date(day) if day else ""
    reference = (reference or "").strip()
    if not reference or not when:
        return reference or when or EMPTY
    return reference if when in reference else f"{reference}, {when}"


# Å, Ä and Ö after Z, in that order (and their Danish and Norwegian neighbours with
# them); ü as y and accented vowels as their letter, as Swedish dictionaries sort.
_SWEDISH_LETTERS = str.maketrans(
    {"å": "z\U0010fff0", "ä": "z\U0010fff1", "æ": "z\U0010fff1", "ö": "z\U0010fff2",
     "ø": "z\U0010fff2", "ü": "y", "é": "e", "è": "e", "á": "a", "à": "a"}
)  # fmt: skip


def swedish_key(text: str) -> tuple[str, str]:
    """A sort key for Swedish text in Python (the database's ICU collation does the same
    for units' names): case only breaks ties."""
    return (text.casefold().translate(_SWEDISH_LETTERS), text)


def month_name(month) -> str:
    """3 → "mars" (lower case, as in running text)."""
    try:
        return str(MONTHS[int(month)]).lower() if int(month) > 0 else ""
    except (ValueError, IndexError, TypeError):
        return ""


def long_date(value) -> str:
    """31 augusti 2026."""
    if value is None:
        return EMPTY
    return f"{value.day} {month_name(value.month)} {value.year}"


def year_month(year, month=None) -> str:
    """A measurement's period: 2026 and 3 → "2026-03"; a whole year (no month) → "2026"."""
    return f"{year}-{month:02d}" if month else str(year)


def year_span(first, last) -> str:
    """2026 for a single year, 2023–2026 for several."""
    if first is None and last is None:
        return EMPTY
    if last is None or first == last:
        return str(first)
    if first is None:
        return str(last)
    return f"{first}–{last}"


def truncator(length: int, ending: str | None = None):
    """A function that shortens text as ``Truncator(text).chars(length, ending)`` does.

    For lists that shorten a title on every row: the ending and its length are worked
    out once, and a text with no combining characters (every Swedish title once in NFC)
    is sliced directly instead of being walked a character at a time. Text with
    combining characters goes to Django's own Truncator. tests/styrning/test_formatting.py
    compares the two.
    """
    length = int(length)
    if ending is None:  # Django's message and translation (the alias keeps makemessages off it)
        ending = django_pgettext("String to return when truncating text", "%(truncated_text)s…")
    keep = calculate_truncate_chars_length(length, ending)

    def truncate(text) -> str:
        if length <= 0:
            return ""
        text = str(text)
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
            if any(map(unicodedata.combining, text)):
                return Truncator(text).chars(length, truncate=ending)
        if len(text) <= length:
            return text
        return add_truncation_text(text[:keep], ending)

    return truncate
