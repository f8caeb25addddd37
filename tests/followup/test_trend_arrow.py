"""The trend's arrow shows which way the value moved; the words say if that is better."""

from decimal import Decimal as D

import pytest

from followup.submissions import IndicatorRow, trend
from goals.models import Indicator

LOWER, HIGHER = Indicator.Direction.LOWER, Indicator.Direction.HIGHER


@pytest.mark.parametrize(
    "direction, values, expected",
    [
        (HIGHER, [D(50), D(55)], ("better", "↗")),
        (HIGHER, [D(55), D(50)], ("worse", "↘")),
        (LOWER, [D(8), D(6)], ("better", "↘")),  # sick leave fell: better, and down
        (LOWER, [D(6), D(8)], ("worse", "↗")),
        (LOWER, [D(6), D(6)], ("unchanged", "→")),
        (HIGHER, [D(6)], ("", "")),
    ],
)
def test_the_arrow_follows_the_value_and_the_words_the_direction(direction, values, expected):
    indicator = Indicator(name="Sjukfrånvaro", direction=direction)
    row = IndicatorRow(indicator, [], {}, trend(indicator, values))
    assert (row.trend, row.arrow) == expected
