"""/rapporter/ and /oppen/: asking for a report, its page, the download, the adoption."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from followup.models import ReportingPeriod, Submission
from reports.models import Report
from styrning.models import Job
from tests.followup.factories import make_submission, make_year, set_state
from tests.reports.factories import FAKE_PDF, make_report


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


@pytest.fixture
def periods(world):
    return make_year(world, 2026)


def test_the_ekonomichef_asks_for_a_report_and_it_is_made(client, world, budget, periods, settings):
    settings.BACKGROUND_JOBS = "inline"  # the task runs in the request: a real PDF
    march = set_state(periods[3], "closed")
    client.force_login(world.finance)
    response = client.post(reverse("reports:index"), {"period": march.pk})
    assert response.status_code == 302, response.content.decode()[-3000:]
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.job.state == Job.State.DONE, report.job.reason
    assert report.requested_by == world.finance
    assert report.file.read(5) == b"%PDF-"
    assert report.size > 1000 and report.page_count >= 1 and len(report.sha256) == 64
    assert report.snapshot["title"] == "Månadsrapport per 31 mars 2026"
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Socialnämnden" in page and "Ladda ned PDF:en" in page
    download = client.get(report.download_url())
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_failed_report_shows_its_reason(client, world, periods, settings):
    settings.BACKGROUND_JOBS = "inline"
    client.force_login(world.finance)
    # No budget 2026 and an interim period: the kind Styrning cannot make yet is refused
    # in the form; a monthly one without a budget is made with a note.
    response = client.post(reverse("reports:index"), {"period": periods[8].pk})
    assert response.status_code == 200
    assert not Report.objects.exists()
    report = make_report(periods[3], done=False)
    Job.objects.filter(pk=report.job_id).update(state="failed", reason="Pango saknas")
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Rapporten kunde inte göras" in page and "Pango saknas" in page


def test_a_queued_report_polls_a_fragment_and_works_without_js(client, world, periods):
    report = make_report(periods[3], done=False)
    client.force_login(world.finance)
    page = client.get(report.get_absolute_url()).content.decode()
    assert reverse("reports:status", args=[report.pk]) in page
    assert f'href="{report.get_absolute_url()}"' in page  # the refresh link
    fragment = client.get(reverse("reports:status", args=[report.pk])).content.decode()
    assert 'data-finished="0"' in fragment


def test_a_dead_workers_report_is_marked_failed_when_looked_at(client, world, periods):
    import datetime as dt

    from django.utils import timezone

    report = make_report(periods[3], done=False)
    long_ago = timezone.now() - dt.timedelta(hours=2)
    Job.objects.filter(pk=report.job_id).update(
        state="running", started=long_ago, heartbeat=long_ago
    )
    client.force_login(world.finance)
    fragment = client.get(reverse("reports:status", args=[report.pk])).content.decode()
    report.job.refresh_from_db()
    assert report.job.state == "failed"
    assert 'data-finished="1"' in fragment and "avbröts" in fragment


def test_drafts_are_only_for_the_ekonomichef(client, world, periods):
    report = make_report(periods[3])
    for user in (world.politician, world.chef_a, world.hr):
        client.force_login(user)
        assert client.get(report.get_absolute_url()).status_code == 404
        assert client.get(report.download_url()).status_code == 404
        listed = client.get(reverse("reports:index")).content.decode()
        assert report.get_absolute_url() not in listed
    client.logout()
    assert client.get(report.download_url()).status_code == 302  # to the login
    assert report.download_url() not in client.get(reverse("reports:public")).content.decode()


def test_adopted_reports_are_public(client, world, periods):
    report = make_report(set_state(periods[2], "locked"), adopted_by=world.ks)
    public = client.get(reverse("reports:public")).content.decode()
    assert report.download_url() in public and "KF 2026-10-26 § 98" in public
    # Read on a plain cursor (select_related_rows): its period and adopter come with it.
    assert report.title in public and world.ks.name in public
    # The day of the meeting once: the reference names it, so no "(2026-10-26)" after it.
    Report.objects.filter(pk=report.pk).update(
        adopted_at=timezone.make_aware(dt.datetime(2026, 10, 26, 19))
    )
    public = client.get(reverse("reports:public")).content.decode()
    assert "KF 2026-10-26 § 98 (2026-10-26)" not in public and "§ 98" in public
    response = client.get(report.download_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FAKE_PDF
    # Its page too, from the public list, without logging in; a draft's asks for a login.
    assert report.get_absolute_url() in public
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200 and "Antagna rapporter" in page.content.decode()
    draft = make_report(periods[3])
    assert client.get(draft.get_absolute_url())["Location"].startswith("/logga-in/")
    client.force_login(world.politician)
    assert report.get_absolute_url() in client.get(reverse("reports:index")).content.decode()
    assert client.get(report.get_absolute_url()).status_code == 200


def test_adopting_freezes_the_report_and_locks_its_period(client, world, periods):
    period = periods[3]
    from followup.calendar import open_period

    open_period(period)
    report = make_report(period)
    client.force_login(world.finance)
    response = client.post(
        reverse("reports:adopt", args=[report.pk]),
        {"body": world.ks.pk, "meeting_date": _today(), "decision_reference": "KS 2026-05-05 § 61"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    period.refresh_from_db()
    assert report.is_adopted and report.adopted_by == world.ks
    assert report.adopted_recorded_by == world.finance
    assert period.state == ReportingPeriod.State.LOCKED
    assert period.decision_reference == "KS 2026-05-05 § 61"
    assert report.history.first().history_user == world.finance
    assert report.history.first().decision_reference == "KS 2026-05-05 § 61"
    report.snapshot = {"changed": True}
    with pytest.raises(ValidationError):
        report.save()
    with pytest.raises(ValidationError):
        report.delete()
    # And a second adoption of the same report is refused on the page.
    again = client.post(
        reverse("reports:adopt", args=[report.pk]),
        {"body": world.ks.pk, "meeting_date": _today(), "decision_reference": "KS 2026-05-06 § 1"},
    )
    assert again.status_code == 200
    assert Report.objects.get().decision_reference == "KS 2026-05-05 § 61"


def test_adoption_is_refused_while_a_submission_waits(client, world, periods):
    period = set_state(periods[3], "closed")
    make_submission(period, world.fA, Submission.State.SENT)
    report = make_report(period)
    client.force_login(world.finance)
    response = client.post(
        reverse("reports:adopt", args=[report.pk]),
        {"body": world.ks.pk, "meeting_date": _today(), "decision_reference": "KS 2026-05-05 § 61"},
    )
    assert response.status_code == 200
    assert "väntar på granskning" in response.content.decode()
    report.refresh_from_db()
    period.refresh_from_db()
    assert not report.is_adopted and period.state == "closed"


def test_only_kf_adopts_an_interim_report(client, world, periods):
    report = make_report(set_state(periods[8], "closed"))
    client.force_login(world.finance)
    response = client.post(
        reverse("reports:adopt", args=[report.pk]),
        {"body": world.nA.pk, "meeting_date": _today(), "decision_reference": "SN 2026-10-01 § 3"},
    )
    assert response.status_code == 200
    assert not Report.objects.adopted().exists()
    client.post(
        reverse("reports:adopt", args=[report.pk]),
        {"body": world.kf.pk, "meeting_date": _today(), "decision_reference": "KF 2026-10-26 § 98"},
    )
    assert Report.objects.adopted().get().adopted_by == world.kf


def test_the_list_and_the_page_make_a_fixed_number_of_queries(
    client, world, periods, django_assert_num_queries
):
    for month in (2, 3, 4):
        make_report(periods[month])
    adopted = make_report(set_state(periods[5], "locked"), adopted_by=world.ks)
    client.force_login(world.finance)
    client.get(reverse("reports:index"))
    # session, user, municipality, scope, the name in the header, the form's periods, reports,
    # the periods that already have a report, and the mandate periods that bound the
    # halvtidsuppföljning's years
    with django_assert_num_queries(9):
        assert client.get(reverse("reports:index")).status_code == 200
    with django_assert_num_queries(6):
        assert client.get(adopted.get_absolute_url()).status_code == 200


def test_the_adoption_names_its_decision_and_day(client, world, periods):
    """A reference without its paragraph, a day in the future or before the report was
    made are refused, naming the field; the adoption is recorded on the meeting day, and
    another draft of the period then offers no adoption."""
    import datetime as dt

    from django.utils import timezone

    report = make_report(set_state(periods[8], "closed"))
    other = make_report(periods[8])
    client.force_login(world.finance)
    url = reverse("reports:adopt", args=[report.pk])
    today = timezone.localdate()
    for day, reference, message in (
        (today, "hej", "Ange beslutet med paragraf"),
        (today + dt.timedelta(days=1), "KF 2026-10-26 § 98", "kan inte ligga i framtiden"),
        (today - dt.timedelta(days=3), "KF 2026-10-26 § 98", "före dagen då rapporten gjordes"),
    ):
        data = {"body": world.kf.pk, "meeting_date": day.isoformat()}
        response = client.post(url, {**data, "decision_reference": reference})
        assert response.status_code == 200 and message in response.content.decode()
    assert not Report.objects.adopted().exists()
    data = {"body": world.kf.pk, "meeting_date": today.isoformat()}
    client.post(url, {**data, "decision_reference": "KF 2026-10-26 § 98"})
    adopted = Report.objects.adopted().get()
    assert timezone.localtime(adopted.adopted_at).date() == today
    html = client.get(other.get_absolute_url()).content.decode()
    assert "kan inte längre antas" in html and 'action="/rapporter/' not in html
    # The adopted period is no longer offered for a new report.
    index = client.get(reverse("reports:index")).content.decode()
    assert f'<option value="{periods[8].pk}"' not in index


def test_a_report_cannot_be_adopted_before_its_period_has_ended(client, world):
    """Made before its period ends, a report holds the figures to date (an årsredovisning
    made in December has ten months of ledger): its page says when it can be adopted
    instead of offering the form, and a posted adoption is refused naming the day."""
    months = make_year(world, timezone.localdate().year + 1)
    period = set_state(months[min(months)], "open")
    report = make_report(period)
    client.force_login(world.finance)
    end = period.period_end.isoformat()
    page = client.get(report.get_absolute_url()).content.decode()
    assert f"Rapporten kan antas först när perioden är slut ({end})" in page
    assert reverse("reports:adopt", args=[report.pk]) not in page
    response = client.post(
        reverse("reports:adopt", args=[report.pk]),
        {"body": world.ks.pk, "meeting_date": _today(), "decision_reference": "KS 2026-12-07 § 5"},
    )
    assert response.status_code == 200
    assert f"först när perioden är slut ({end})" in response.content.decode()
    report.refresh_from_db()
    period.refresh_from_db()
    assert not report.is_adopted and period.state == "open"


def test_the_adoption_form_names_the_chapters_not_yet_done(client, world, periods):
    """Adopting locks every chapter of the period as it stands: the page lists those not
    marked done (and says which are empty) before the ekonomichef records the decision."""
    from reports.models import ReportText

    period = set_state(periods[8], "closed")
    report = make_report(period)
    ReportText.objects.create(period=period, section="economy", text="Klart.", state="done")
    draft = ReportText.objects.create(period=period, section="body", unit=world.nA, text="Utkast")
    empty = ReportText.objects.create(period=period, section="outlook")
    client.force_login(world.finance)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "2 kapitel är inte markerade som klara" in page
    assert draft.get_absolute_url() in page and empty.get_absolute_url() in page
    assert page.count("inget skrivet ännu") == 1
    ReportText.objects.filter(pk__in=[draft.pk, empty.pk]).update(text="Klart.", state="done")
    assert "inte markerade som klara" not in client.get(report.get_absolute_url()).content.decode()
