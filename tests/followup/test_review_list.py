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


def test_a_closed_periods_unsent_draft_says_how_it_can_still_come_in(client, delar):
    """A draft left when its period closed is not "overdue" (nobody can send it now): the
    ekonomichef is told the period is closed and where to reopen it; its chef reads why."""
    from tests.followup.factories import submission_url

    w = delar
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ReportingPeriod.objects.filter(pk=w.period.pk).update(
        opens_on=yesterday, unit_deadline=yesterday, deadline=yesterday
    )
    set_state(w.period, "closed")
    client.force_login(w.finance)
    html = client.get(URL, {"period": w.period.pk}).content.decode()
    review = html[html.index('id="review"') :]
    assert "Ej inskickad: perioden är stängd." in review and "försenad" not in review
    assert f'href="/arshjul/?ar={w.period.year}"' in review
    client.force_login(w.chef_a)
    page = client.get(submission_url(w.sub_a)).content.decode()
    assert "Perioden är stängd: uppföljningen skickades inte" in page
