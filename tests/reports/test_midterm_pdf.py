"""The halvtidsuppföljning as a report (Katrineholm's demo): its counts per övergripande mål
in the PDF equal those of the /uppfoljning/halvtid/ page's function, read back from a
real PDF; asked for in /rapporter/ by year and adopted without locking its period."""

import io
import re

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from followup import fulfilment
from followup.models import ReportingPeriod
from reports.midterm import midterm_year_period
from reports.models import MIDTERM, Report, ReportText
from styrning.models import Job, Municipality, OrgUnit


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


@pytest.fixture
def katrineholm(db):
    call_command("load_demo", model="katrineholm", verbosity=0)
    return Municipality.objects.get(model_name="katrineholm")


def _text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, "\n".join(p.extract_text() for p in reader.pages).replace("\xa0", " ")


def _words(title):
    return r"\s+".join(map(re.escape, title.split()))


def _row(name, n=5):
    return _words(name) + r"\s+" + r"\s+".join([r"(\d+)"] * n)


def test_render_report_halvtid_counts_equal_the_pages_function(katrineholm, tmp_path):
    output = tmp_path / "halvtid.pdf"
    call_command(
        "render_report",
        "halvtid",
        "--year",
        "2020",
        "--municipality",
        "katrineholm",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    reader, text = _text(output.read_bytes())
    period = midterm_year_period(katrineholm, 2020)
    assert period.label == "Årsbokslut per 31 december 2020"
    page = fulfilment.midterm_page(katrineholm, period, decided_only=True)
    assert len(page["rows"]) == 7
    for row in page["rows"]:
        counts = [re.escape(f"{row.title}: bedömningar")]
        found = re.search(
            counts[0]
            + r".*?"
            + _row("Resultatmål")
            + r"\s+"
            + _row("Uppdrag")
            + r"\s+"
            + _row("Sammantaget"),
            text,
            re.DOTALL,
        )
        assert found, (row.title, text[:4000])
        numbers = [int(n) for n in found.groups()]
        goals = [item.count for item in row.goals]
        assignments = [item.count for item in row.assignments]
        total = [item.count for item in row.total]
        assert numbers == [
            *goals,
            sum(goals),
            *assignments,
            sum(assignments),
            *total,
            sum(total),
        ], row.title
        # The summary table: the row's summed counts.
        summary = re.search(_row(row.title, 4), text)
        assert summary and [int(n) for n in summary.groups()] == total, row.title
        for item in row.goal_items + row.assignment_items:
            assert " ".join(item.title.split()) in " ".join(text.split())
    totals = page["totals"]
    overall = re.search(_row("Resultatmål") + r"\s+" + _row("Uppdrag"), text)
    assert [int(n) for n in overall.groups()] == [
        *(i.count for i in totals["goals"]),
        totals["goal_count"],
        *(i.count for i in totals["assignments"]),
        totals["assignment_count"],
    ]
    assert (totals["goal_count"], totals["assignment_count"]) == (26, 10)
    # A resultatmål's comment and an uppdrag's status and comment, word for word.
    assert "Näringslivsstrategin antogs av kommunstyrelsen i juni 2020." in text
    assert "status: genomfört" in text
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert reader.metadata.title.startswith("Halvtidsuppföljning av mandatperioden 2019–2022")
    assert "Sida 1 av" in text


def test_the_ekonomichef_asks_for_a_midterm_review_by_year(client, katrineholm, settings):
    settings.BACKGROUND_JOBS = "inline"  # the task runs in the request: a real PDF
    finance = get_user_model().objects.get(username="ekonomichef")
    client.force_login(finance)
    index = client.get(reverse("reports:index"))
    assert index.context["midterm_form"].initial["ar"] == 2020  # the mandate's midterm
    response = client.post(reverse("reports:index"), {"ar": "1999"})
    assert response.status_code == 200 and not Report.objects.filter(kind=MIDTERM).exists()
    response = client.post(reverse("reports:index"), {"ar": "2020"})
    report = Report.objects.get(kind=MIDTERM)
    assert response["Location"] == report.get_absolute_url()
    assert report.job.state == Job.State.DONE, report.job.reason
    assert report.period == midterm_year_period(katrineholm, 2020)
    assert report.title == "Halvtidsuppföljning av mandatperioden 2019–2022"
    assert report.filename == "halvtidsuppfoljning-2020.pdf"
    # The page shows the same snapshot: its counts are the page function's.
    page = fulfilment.midterm_page(katrineholm, report.period, decided_only=True)
    snapshot = report.snapshot
    assert [[item["count"] for item in row["total"]] for row in snapshot["rows"]] == [
        [item.count for item in row.total] for row in page["rows"]
    ]
    # The årsredovisning's chapters of the same period are not the halvtidsuppföljning's:
    # its page does not list them as unfinished.
    ReportText.objects.create(period=report.period, section="outlook")
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "Tillväxt, fler jobb och ökad egen försörjning" in detail
    assert "inte markerad" not in detail and "Record the adoption" not in detail
    assert 'action="/rapporter/' in detail  # the adoption is offered
    assert 'class="count-bars"' in detail  # the page's chart
    # Adopted by KF: the report freezes, the period it read is not locked by it.
    state = report.period.state
    kf = OrgUnit.objects.get(municipality=katrineholm, kind=OrgUnit.Kind.COUNCIL)
    response = client.post(
        reverse("reports:adopt", args=[report.pk]),
        {"body": kf.pk, "meeting_date": _today(), "decision_reference": "KF 2021-05-17 § 80"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_adopted
    assert ReportingPeriod.objects.get(pk=report.period_id).state == state
    # Anyone finds it among the adopted reports.
    client.logout()
    public = client.get(reverse("reports:public")).content.decode()
    assert "Halvtidsuppföljning av mandatperioden 2019–2022" in public
