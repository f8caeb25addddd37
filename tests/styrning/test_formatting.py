"""The one number formatter gives what Django's number_format gives, in Swedish and English."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format
from hypothesis import given
from hypothesis import strategies as st

from styrning import formatting


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (Decimal("1234567.50"), None, "1\xa0234\xa0567,5"),
        (Decimal("-1234567.4"), 0, "−1\xa0234\xa0567"),
        (Decimal("999"), 0, "999"),
        (Decimal("1000"), 0, "1\xa0000"),
        (Decimal("0.05"), 1, "0,1"),
        (Decimal("-0.04"), 1, "0,0"),
        (Decimal("12.5"), 1, "12,5"),
        (None, None, "–"),
        ("", 0, "–"),
    ],
)
def test_swedish_numbers(value, decimals, expected):
    with translation.override("sv"):
        assert formatting.number(value, decimals) == expected


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False),
    st.integers(min_value=0, max_value=3),
    st.sampled_from(["sv", "en"]),
)
def test_equals_djangos_number_format(value, decimals, language):
    with translation.override(language):
        ours = formatting.number(value, decimals)
        rounded = formatting._decimal(value).quantize(
            Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
        )
        theirs = number_format(
            abs(rounded), decimal_pos=decimals, use_l10n=True, force_grouping=True
        )
        assert ours.lstrip("−") == theirs


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False),
    st.sampled_from(["sv", "en"]),
)
def test_whole_equals_number_with_no_decimals(value, language):
    """whole() takes a shorter path than number(value, 0); the text is the same."""
    with translation.override(language):
        assert formatting.whole(value) == formatting.number(value, 0)
        assert formatting.whole_formatter()(value) == formatting.number(value, 0)
        assert formatting.in_tkr(value) == formatting.number(value / 1000, 0)
        assert formatting.tkr_formatter()(value) == formatting.in_tkr(value)


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=5, allow_nan=False),
    st.sampled_from(["sv", "en"]),
)
def test_rounded_is_the_figure_whole_shows(value, language):
    """A form shows a stored amount with whole() and compares the posted figure with
    rounded() (budget.forms.ShownAmountField): the two must be the same number."""
    with translation.override(language):
        assert formatting.whole(value) == formatting.number(formatting.rounded(value))
    assert formatting.rounded(Decimal("-86210.5")) == -86211
    assert formatting.rounded(None) is None


def test_history_entry_times_are_local_iso_and_minutes():
    """The change log's <time>: ISO 8601 in Stockholm time, shown as 2026-08-31 14:05."""
    import datetime as dt

    from styrning.history import LogEntry

    entry = LogEntry(
        when=dt.datetime(2026, 8, 31, 12, 5, 30, tzinfo=dt.UTC), who="a", subject="b", action="c"
    )
    assert entry.when_iso == "2026-08-31T14:05:30+02:00"
    assert entry.when_text == "2026-08-31 14:05"


@pytest.mark.parametrize("value", [None, "", 0, -0.4, 12.5, -1234567, "1234.5", "x"])
def test_whole_formatter_equals_whole(value):
    for language in ("sv", "en"):
        with translation.override(language):
            assert formatting.whole_formatter()(value) == formatting.whole(value)
            assert formatting.tkr_formatter()(value) == formatting.in_tkr(value)
            assert formatting.tkr_formatter(unit=True)(value) == formatting.tkr(value)


TRUNCATED_TEXTS = [
    "",
    "Kort titel",
    "x" * 60,
    "x" * 61,
    "Kontinuitet <i>&</i> " + "lång titel " * 8,
    "Öka andelen elever som når målen i årskurs 9 för att alla ska kunna gå vidare",
    "Trygg och säker vård och omsorg för äldre i hela kommunen, med hög kvalitet",
    "A\u0308ldreomsorg, nfd-skriven: " + "a\u0308" * 70,  # combining diaeresis
    "e\u0301" * 59 + "z",
    "Emoji 🎉 " * 12,
]


@given(st.text(max_size=130))
def test_truncator_equals_djangos_truncator_for_any_text(text):
    from django.utils.text import Truncator

    for length in (0, 1, 50, 60):
        assert formatting.truncator(length)(text) == Truncator(text).chars(length)


@pytest.mark.parametrize("text", TRUNCATED_TEXTS)
@pytest.mark.parametrize("ending", [None, "%(truncated_text)s…", "...", "[mer]"])
@pytest.mark.parametrize("language", ["sv", "en"])
def test_truncator_equals_truncatechars(text, ending, language):
    """The cases the lists use: truncatechars:50 and 60 of titles, in both languages."""
    from django.utils.text import Truncator

    with translation.override(language):
        for length in (50, 60):
            expected = Truncator(text).chars(length, truncate=ending)
            assert formatting.truncator(length, ending)(text) == expected


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False),
    st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
    st.sampled_from(["sv", "en"]),
)
def test_number_formatter_equals_number(value, decimals, language):
    """number_formatter() looks the separators up once; the text is number()'s."""
    with translation.override(language):
        assert formatting.number_formatter()(value, decimals) == formatting.number(value, decimals)


def test_a_decision_names_its_day_once():
    """A trial read "KF 2025-11-24 § 123, 2025-11-24" on the frames page."""
    day = dt.date(2025, 11, 24)
    assert formatting.decision("KF 2025-11-24 § 123", day) == "KF 2025-11-24 § 123"
    assert formatting.decision("KF § 123", day) == "KF § 123, 2025-11-24"
    assert formatting.decision("", day) == "2025-11-24"
    assert formatting.decision("KF § 123", None) == "KF § 123"
    assert formatting.decision("", None) == formatting.EMPTY


def test_swedish_text_sorts_in_swedish_order():
    names = ["Öster", "älvsby", "Åkarp", "Zinkgruva", "Ängby", "Ymsen", "Ärla", "aspudden"]
    assert sorted(names, key=formatting.swedish_key) == [
        "aspudden", "Ymsen", "Zinkgruva", "Åkarp", "älvsby", "Ängby", "Ärla", "Öster",
    ]  # fmt: skip
