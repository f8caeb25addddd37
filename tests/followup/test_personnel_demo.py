"""The demo's personnel follow-up (fixtures.personnel_demo)."""

import pytest
from django.core.management import call_command

from followup.models import PersonnelFigure, PersonnelReport, ReportingPeriod
from followup.models.personnel import PERSONNEL_KINDS
from styrning.models import Membership, OrgUnit

pytestmark = pytest.mark.django_db


def test_the_demo_has_figures_and_a_personnel_report_for_every_opened_goal_period(db):
    call_command("load_demo", verbosity=0)
    periods = ReportingPeriod.objects.filter(content__in=["goals_prognosis", "goals_year"]).exclude(
        state="planned"
    )
    assert periods.filter(state="locked").exists()
    units = OrgUnit.objects.filter(kind__in=PERSONNEL_KINDS).count()
    assert PersonnelFigure.objects.count() == periods.count() * units
    assert PersonnelReport.objects.count() == periods.count()
    figure = PersonnelFigure.objects.first()
    assert figure.sick_leave_women > figure.sick_leave_men
    assert figure.full_time_equivalents <= figure.employees
    assert figure.history.count() == 1
    # A förvaltning's row is the whole förvaltning: more than its enheter together (the
    # trial added up a förvaltning's enheter and got more than the förvaltning).
    period = periods.first()
    for office in OrgUnit.objects.filter(kind__in=OrgUnit.OFFICE_KINDS):
        below = PersonnelFigure.objects.filter(
            period=period, unit__kind="unit", unit__in=office.get_descendants()
        )
        whole = PersonnelFigure.objects.get(period=period, unit=office)
        assert whole.employees > sum(f.employees for f in below), office.name
    hr = Membership.objects.get(role="hr").user
    assert hr.username == "hr" and hr.check_password("styrning-demo")
    before = (PersonnelFigure.history.count(), PersonnelReport.history.count())
    call_command("load_demo", verbosity=0)
    assert (PersonnelFigure.history.count(), PersonnelReport.history.count()) == before
