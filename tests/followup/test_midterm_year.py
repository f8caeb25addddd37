"""Which year the halvtidsuppföljning shows first."""

from types import SimpleNamespace

from followup.fulfilment import default_midterm_year


def _mandate(start):
    return SimpleNamespace(start_year=start, end_year=start + 3)


def test_the_midterm_is_the_mandates_second_year():
    assert default_midterm_year([_mandate(2019), _mandate(2023)], [2025, 2024, 2023]) == 2024


def test_without_the_midterm_the_nearest_year_of_the_mandate():
    """The demo follows up 2025 and 2026 of 2023–2026: 2025, not the term's last year."""
    assert default_midterm_year([_mandate(2023)], [2026, 2025]) == 2025


def test_a_mandate_not_yet_at_its_midterm_leaves_the_one_before():
    assert default_midterm_year([_mandate(2023), _mandate(2027)], [2027, 2026, 2025, 2024]) == 2024


def test_without_mandates_the_latest_year():
    assert default_midterm_year([], [2026, 2025]) == 2026
    assert default_midterm_year([], []) is None
