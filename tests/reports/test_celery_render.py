"""A report is rendered by a real Celery worker over Redis: queued → done."""

import time

import pytest
from django.urls import reverse

from reports.models import Report
from tests.budget.test_celery_import import worker  # noqa: F401  (a worker on TEST_REDIS_URL)
from tests.followup.factories import make_year, set_state


@pytest.mark.django_db(transaction=True)
def test_a_report_goes_from_queued_to_done_in_a_worker(client, world, budget, worker):  # noqa: F811
    march = set_state(make_year(world, 2026)[3], "closed")
    client.force_login(world.finance)
    response = client.post(reverse("reports:index"), {"period": march.pk})
    assert response.status_code == 302
    report = Report.objects.get()
    seen = {report.job.state}
    deadline = time.monotonic() + 90
    while not report.job.is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
        report.job.refresh_from_db()
        seen.add(report.job.state)
    assert report.job.state == "done", report.job.reason
    assert "queued" in seen
    report.refresh_from_db()
    assert report.page_count >= 1 and len(report.sha256) == 64
    assert report.file.read(5) == b"%PDF-"
