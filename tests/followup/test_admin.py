"""The årshjul's models in the Django admin: listed, and a locked period refuses a save."""

import pytest
from django.urls import reverse

from tests.followup.factories import make_year, set_state

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "admin:followup_calendartemplate_changelist",
        "admin:followup_calendartemplate_add",
        "admin:followup_reportingperiod_changelist",
        "admin:followup_submission_changelist",
        "admin:followup_assessment_changelist",
        "admin:followup_assignmentreport_changelist",
        "admin:followup_evidence_changelist",
    ],
)
def test_admin_pages_answer(client, world, name):
    make_year(world, 2026)
    client.force_login(world.admin)
    assert client.get(reverse(name)).status_code == 200


def test_a_locked_period_cannot_be_saved_in_the_admin(client, world):
    period = set_state(make_year(world, 2026)[8], "locked")
    client.force_login(world.admin)
    url = reverse("admin:followup_reportingperiod_change", args=[period.pk])
    html = client.get(url).content.decode()
    assert "KS 2026-12-01 § 1" in html
    response = client.post(
        url,
        {
            "municipality": world.m.pk,
            "year": 2026,
            "month": 8,
            "kind": "interim",
            "content": "goals_prognosis",
            "opens_on": "2026-09-01",
            "unit_deadline": "2026-09-13",
            "deadline": "2026-09-20",
        },
    )
    assert response.status_code == 200
    assert "Perioden är låst: rapporten är fastställd." in response.content.decode()
    period.refresh_from_db()
    assert period.opens_on.isoformat() == "2026-09-05"
