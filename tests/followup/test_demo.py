"""The demo's årshjul: last year complete, this year up to today, next year planned."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from followup.models import CalendarTemplate, ReportingPeriod, Submission

pytestmark = pytest.mark.django_db


def test_katrineholm_demo_uses_its_template_and_tells_the_year_so_far(db):
    call_command("load_demo", model="katrineholm", verbosity=0)
    today = timezone.localdate()
    assert CalendarTemplate.objects.get(is_active=True).name == "Katrineholms årshjul"
    last = ReportingPeriod.objects.filter(year=today.year - 1)
    assert last.count() == 10 and set(last.values_list("state", flat=True)) == {"locked"}
    assert set(Submission.objects.filter(period__in=last).values_list("state", flat=True)) == {
        "locked"
    }
    assert all(p.decision_reference for p in last)
    this = list(ReportingPeriod.objects.filter(year=today.year))
    opened = [p for p in this if p.opens_on <= today]
    assert all(p.state == "planned" for p in this if p.opens_on > today)
    if opened:
        current = max(opened, key=lambda p: p.opens_on)
        assert current.state == "open"
        states = set(current.submissions.values_list("state", flat=True))
        assert {"approved", "sent", "returned", "draft"} <= states
        assert all(p.state == "closed" for p in opened if p != current)
    assert set(
        ReportingPeriod.objects.filter(year=today.year + 1).values_list("state", flat=True)
    ) == {"planned"}


def test_a_second_load_changes_nothing(db):
    call_command("load_demo", verbosity=0)
    before = (
        ReportingPeriod.history.count(),
        Submission.history.count(),
        ReportingPeriod.objects.count(),
    )
    call_command("load_demo", verbosity=0)
    after = (
        ReportingPeriod.history.count(),
        Submission.history.count(),
        ReportingPeriod.objects.count(),
    )
    assert before == after
