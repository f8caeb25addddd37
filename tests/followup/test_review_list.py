"""The ekonomichef's review list (Min uppföljning) at a city's size: paged in SQL, 50 a
page, late ones first across the pages, limited to one period on request."""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup.models import ReportingPeriod, Submission
from followup.worklist import REVIEW_PAGE_SIZE
from styrning.models import OrgUnit
from tests.factories import make_unit
from tests.followup.factories import set_state

URL = reverse("followup:mine")


def _offices(world, n):
    for i in range(n):
        make_unit(world.m, f"Förvaltning {i:03}", OrgUnit.Kind.ADMINISTRATION, world.nA, f"9{i:03}")


def _rows(html) -> list[str]:
    review = html[html.index('id="review"') :]
    review = review[: review.index("</table>")]
    return re.findall(r'<th scope="row"><a href="/uppfoljning/(\d+)/">', review)


def _open_two_periods(world):
    """The delårsrapport (open, its deadline passed) and October's report (closed), each
    with a submission of every reporting unit."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ReportingPeriod.objects.filter(pk=world.period.pk).update(
        opens_on=yesterday, unit_deadline=yesterday, deadline=yesterday
    )
    october = world.periods[10]
    offices = OrgUnit.objects.filter(municipality=world.m, kind__in=OrgUnit.OFFICE_KINDS)
    for unit in offices:
        Submission.objects.get_or_create(period=world.period, unit=unit)
        Submission.objects.get_or_create(
            period=october, unit=unit, defaults={"state": "sent", "sent_at": timezone.now()}
        )
    set_state(october, "closed")
    return october


def test_the_review_list_is_paged_with_the_late_ones_first(client, delar):
    w = delar
    _offices(w, 40)
    october = _open_two_periods(w)
    total = Submission.objects.filter(period__in=[w.period, october]).count()
    assert total == 2 * 43
    client.force_login(w.finance)
    first = client.get(URL).content.decode()
    rows = _rows(first)
    assert len(rows) == REVIEW_PAGE_SIZE
    # The 43 overdue drafts of the delårsrapport come first, then the sent ones.
    overdue = set(
        str(pk) for pk in Submission.objects.filter(period=w.period).values_list("pk", flat=True)
    )
    assert set(rows[:43]) == overdue
    assert "Sida 1 av 2 (86 uppföljningar)" in first
    second = _rows(client.get(URL, {"sida": 2}).content.decode())
    assert len(second) == total - REVIEW_PAGE_SIZE
    assert not set(rows) & set(second)
    # One period only.
    only = _rows(client.get(URL, {"period": october.pk}).content.decode())
    assert set(only) == set(
        str(pk) for pk in Submission.objects.filter(period=october).values_list("pk", flat=True)
    )


def test_the_review_list_costs_the_same_queries_at_two_sizes(client, delar):
    w = delar
    october = _open_two_periods(w)
    client.force_login(w.finance)

    def count():
        client.get(URL)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"period": october.pk, "sida": 1}).status_code == 200
        return len(queries)

    small = count()
    _offices(w, 60)
    _open_two_periods(w)
    assert count() == small
