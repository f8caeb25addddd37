"""The demo shows a realistic årshjul whatever the date (issue 10): last year complete
(every period approved and locked), this year up to today with approved, returned and
missing submissions, next year planned; the årshjul's three parallel years follow."""

import datetime as dt

import pytest
from django.core.management import call_command

from fixtures.followup_demo import adopted_on
from followup.models import ReportingPeriod, Submission
from followup.overview import calendar_page
from styrning.models import Municipality, OrgUnit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "current_month"),
    [(dt.date(2026, 3, 15), 2), (dt.date(2026, 9, 10), 8)],
)
def test_the_demo_follows_the_day_it_is_loaded_on(today, current_month):
    call_command("load_demo", today=today.isoformat(), verbosity=0)
    m = Municipality.objects.current()
    offices = OrgUnit.objects.filter(municipality=m, kind__in=OrgUnit.OFFICE_KINDS).count()
    assert offices >= 5
    # Last year: every period locked with its decision, every unit's submission in.
    last = list(ReportingPeriod.objects.filter(municipality=m, year=today.year - 1))
    assert len(last) == 8
    for period in last:
        assert period.state == "locked" and period.decision_reference
        states = list(period.submissions.values_list("state", flat=True))
        assert len(states) == offices and set(states) == {"locked"}
        assert all(s.decided_by_id for s in period.submissions.all())
    # This year up to today: the latest opened period open, earlier ones closed (locked
    # once the meeting that adopts their report has passed), later ones planned.
    this = {p.month: p for p in ReportingPeriod.objects.filter(municipality=m, year=today.year)}
    current = this[current_month]
    assert current.opens_on <= today and current.state == "open"
    for month, period in this.items():
        if month < current_month:
            assert period.state == ("locked" if adopted_on(period) < today else "closed"), month
            assert period.submissions.filter(state__in=("approved", "locked")).exists()
        elif month > current_month:
            assert period.state == "planned" and period.opens_on > today, month
            assert not period.submissions.exists()
    states = list(current.submissions.values_list("state", flat=True))
    assert {"approved", "returned", "sent", "draft"} <= set(states)
    # Every unit has its draft from the period's opening; the missing ones never sent it.
    assert len(states) == offices and states.count("draft") >= 2
    closed = [p for month, p in this.items() if month < current_month]
    if closed:  # a period that closed without some units' follow-up
        assert any(p.submissions.filter(state="draft", sent_at=None).exists() for p in closed)
    assert all(s.return_reason for s in current.submissions.filter(state="returned"))
    # Nothing dated after the demo's day.
    assert not Submission.objects.filter(sent_at__date__gt=today).exists()
    assert not Submission.objects.filter(decided_at__date__gt=today).exists()
    # Next year planned.
    assert set(
        ReportingPeriod.objects.filter(municipality=m, year=today.year + 1).values_list(
            "state", flat=True
        )
    ) == {"planned"}
    # The årshjul's three parallel years are last, this and next year around today.
    page = calendar_page(m, today.year, today, can_manage=False)
    previous, this_year, coming = page["parallel"]
    assert (previous.year, this_year.year, coming.year) == (
        today.year - 1,
        today.year,
        today.year + 1,
    )
    assert "antagen" in previous.text or "fastställd" in previous.text
    assert current.label in this_year.text or current.get_kind_display() in this_year.text.lower()
