"""Plain ``make_*`` helpers for the reports' tests (no PDF rendering)."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import Report
from styrning.models import Job

FAKE_PDF = b"%PDF-1.7\n% a stand-in: these tests are not about the file\n"


def make_report(period, done=True, adopted_by=None, reference="KF 2026-10-26 § 98", user=None):
    """A report of ``period``; ``done`` with a (stand-in) file; adopted by ``adopted_by``."""
    report = Report(
        municipality_id=period.municipality_id,
        kind=period.kind,
        period=period,
        requested_by=user,
    )
    report.save()
    if done or adopted_by is not None:
        Job.objects.filter(pk=report.job_id).update(state=Job.State.DONE)
        report.job.refresh_from_db()
        report.file.save(report.filename, ContentFile(FAKE_PDF), save=False)
        report.size = len(FAKE_PDF)
        report.page_count = 1
        report.sha256 = hashlib.sha256(FAKE_PDF).hexdigest()
        report.snapshot = {"kind": period.kind, "title": period.label, "notes": []}
        report.rendered_at = timezone.now()
        if adopted_by is not None:
            report.adopted_by = adopted_by
            report.decision_reference = reference
            report.adopted_at = timezone.now()
        report.save()
    return report
