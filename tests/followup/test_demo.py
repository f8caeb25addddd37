"""The demo's årshjul: last year complete, this year up to today, next year planned."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fixtures.followup_demo import adopted_on
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
        for p in opened:
            if p != current:  # locked once KS or KF has met on its report
                assert p.state == ("locked" if adopted_on(p) < today else "closed"), p
        if today.month == 12:
            assert {p.state for p in opened if p.kind == "interim"} == {"locked"}
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


def test_the_demos_decisions_name_who_made_them(db):
    """A returned submission was sent by its chef, then returned by the ekonomichef,
    each a history row naming who (the trial read "systemet · utkast → återsänd")."""
    call_command("load_demo", model="katrineholm", verbosity=0)
    returned = Submission.objects.filter(state="returned").first()
    if returned is None:
        pytest.skip("no open period today in the demo")
    rows = list(returned.history.order_by("history_date", "history_id"))
    states = [row.state for row in rows]
    assert states[-2:] == ["sent", "returned"]
    sent, back = rows[-2:]
    # Sent by the unit's chef (a unit without one in the demo: by nobody named).
    from styrning.models import Membership

    chef = Membership.objects.filter(role="manager", unit=returned.unit).first()
    assert sent.history_user == (chef.user if chef else None)
    assert back.history_user.memberships.filter(role="finance").exists()
    # The reason in full on the submission; in the history as long as its column allows.
    assert returned.return_reason.startswith(back.history_change_reason.rstrip("…"))
    approved = Submission.objects.filter(state="approved").first()
    last = approved.history.order_by("history_date", "history_id").last()
    assert last.history_user is not None and last.history_change_reason == "Godkänd"


def test_in_december_the_years_delarsrapport_is_adopted_and_nothing_of_it_is_late(client):
    """A trial read the delårsrapport KF adopted on 24 November as closed, its chapters
    "försenad", on 7 December (the suite's day)."""
    from reports.models import Report, ReportText

    call_command("load_demo", verbosity=0)
    today = timezone.localdate()
    assert today.month == 12
    delar = ReportingPeriod.objects.get(year=today.year, month=8)
    assert delar.state == "locked"
    assert delar.decision_reference == f"KF {today.year}-11-24 § 140"
    assert timezone.localtime(delar.locked_at).date().isoformat() == f"{today.year}-11-24"
    report = Report.objects.adopted().get(period=delar)
    assert report.decision_reference == delar.decision_reference
    assert not ReportText.objects.filter(period=delar).exists()
    # The year's årsredovisning has its chapters set up, none late in December.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="ekonomichef"))
    html = client.get(reverse("reports:my_texts")).content.decode()
    rows = html.split('id="my-texts"', 1)[1].split("</tbody>", 1)[0]
    assert f"Årsbokslut per 31 december {today.year}" in rows
    assert "Delårsrapport" not in rows and "försenad" not in rows.lower()
    # The history says when each step was taken, not when the demo was loaded (a trial
    # read every step of October's follow-up as the moment of loading).
    october = ReportingPeriod.objects.get(year=today.year, month=10)
    opened = october.history.filter(state="open").order_by("history_id").first()
    assert timezone.localtime(opened.history_date).date() == october.opens_on
    returned = october.submissions.filter(state="returned").first()
    sent = returned.history.filter(state="sent").order_by("history_id").first()
    assert sent.history_date == returned.first_sent_at
    back = returned.history.filter(state="returned").order_by("history_id").last()
    assert back.history_date == returned.decided_at
