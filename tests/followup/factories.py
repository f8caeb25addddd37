"""Plain ``make_*`` helpers for the årshjul's tests."""

import datetime as dt

from django.utils import timezone

from followup.calendar import install_template, make_periods
from followup.models import ReportingPeriod, Submission


def make_year(world, year=2026, template="hedemora"):
    """The year's periods of ``world``'s municipality from a standard template."""
    install_template(world.m, template)
    make_periods(world.m, year)
    return {p.month: p for p in ReportingPeriod.objects.filter(municipality=world.m, year=year)}


def set_state(period, state, reference=""):
    """Put a period in ``state`` directly (tests that are not about the transitions)."""
    ReportingPeriod.objects.filter(pk=period.pk).update(
        state=state,
        decision_reference=reference or ("KS 2026-12-01 § 1" if state == "locked" else ""),
        locked_at=timezone.now() if state == "locked" else None,
    )
    period.refresh_from_db()
    return period


def make_submission(period, unit, state=Submission.State.DRAFT, sent_on=None, **values):
    """A submission; a sent one is sent on ``sent_on`` (default: its unit deadline) at noon."""
    if state not in (Submission.State.DRAFT, Submission.State.RETURNED):
        day = sent_on or period.unit_deadline
        values.setdefault("sent_at", timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0))))
    if state == Submission.State.RETURNED:
        values.setdefault("return_reason", "Prognosen saknar kommentar.")
    # open_period makes every unit's draft: a test's submission takes its place.
    submission = Submission.objects.filter(period=period, unit=unit).first() or Submission(
        period=period, unit=unit
    )
    submission.state = state
    for name, value in values.items():
        setattr(submission, name, value)
    submission.full_clean()
    submission.save()
    return submission


def submission_url(submission, part=None):
    """/uppfoljning/<pk>/, or one part of a split form (?del=N)."""
    from django.urls import reverse

    url = reverse("followup:submission", args=[submission.pk])
    return f"{url}?del={part}" if part else url


def make_assignment(world, **values):
    """A särskilt uppdrag given by KF to enhet A (``values`` override the rest)."""
    from goals.models import Assignment

    fields = {
        "municipality": world.m,
        "title": "Utred bemanningen",
        "given_by": world.kf,
        "decision_reference": "KF 2025-11-24 § 130",
        "decided_on": "2025-11-24",
        "unit": world.eA,
        "due_date": "2026-12-31",
    }
    return Assignment.objects.create(**{**fields, **values})
