"""The exact number of SQL queries of every main page, at two sizes of municipality.

The counts are recorded in tests/query_counts.json (as NetBox does). A page whose count
changes fails here, and so does a page whose count grows with the municipality (an N+1).
After a deliberate change, re-record them::

    UPDATE_QUERY_COUNTS=1 pytest tests/test_query_counts.py

and commit the JSON: its diff shows what changed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budget.accounts import ensure_account_groups
from budget.models import BudgetFrame, BudgetYear, InvestmentProject, Outcome
from budget.totals import refresh_totals
from followup.models import PersonnelFigure, PersonnelReport, ReportingPeriod, Submission
from followup.models.personnel import PERSONNEL_KINDS
from goals.models import Assignment
from reports.models import ReportText
from reports.writing import create_chapters
from styrning.models import OrgUnit
from tests.factories import Kind, make_goal, make_indicator, make_unit, make_world
from tests.followup.factories import make_year, set_state
from tests.reports.factories import make_report

COUNTS_FILE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("UPDATE_QUERY_COUNTS") == "1"
# Extra nämnder (each with a förvaltning, two enheter, goals, indicators, an assignment,
# an investment and outcomes) on top of make_world's two.
SIZES = {"small": 0, "large": 4}
USERS = ["politician", "finance", "chef_a"]
YEAR = 2026
# A draft submission is its unit's: the politician's 404 has nothing to count.
UNREADABLE = {("politician", "followup:submission"), ("politician", "reports:text")}


def _budget(world, bodies):
    m = world.m
    ensure_account_groups(m)
    groups = list(m.account_groups.order_by("pk"))
    year = BudgetYear.objects.create(municipality=m, year=YEAR)
    for body in bodies:
        for y in year.years:
            BudgetFrame.objects.create(budget_year=year, unit=body, year=y, amount=50_000_000)
    year.status = BudgetYear.Status.ADOPTED
    year.decided_on = dt.date(2025, 11, 24)
    year.decision_reference = "KF 2025-11-24 § 123"
    year.save()
    return year, groups


def _outcomes(world, unit, groups):
    for month in range(1, 7):
        for group in groups[:3]:
            Outcome.objects.create(
                municipality=world.m,
                unit=unit,
                year=YEAR,
                month=month,
                group=group,
                amount=Decimal("1000000"),
            )
    refresh_totals(world.m.pk, [YEAR])  # as every writer of outcomes does (budget.totals)


def _chain(world, year, groups, n, committee=None):
    """A nämnd (or the given one) with its förvaltning, two enheter and their goals."""
    m, levels = world.m, world.levels
    if committee is None:
        committee = make_unit(m, f"Nämnd {n}", Kind.COMMITTEE, world.kf)
        for y in year.years:
            BudgetFrame.objects.create(budget_year=year, unit=committee, year=y, amount=9_000_000)
    admin = make_unit(m, f"Förvaltning {n}", Kind.ADMINISTRATION, committee, f"{600 + n}")
    goal = make_goal(m, levels[3], committee, world.top, adopted=True, title=f"Nämndmål {n}")
    plan = make_goal(m, levels[4], admin, goal, adopted=True, title=f"Plan {n}")
    make_indicator(goal, name=f"Indikator {n}")
    make_indicator(plan, name=f"Indikator plan {n}")
    for k in range(2):
        unit = make_unit(m, f"Enhet {n}.{k}", Kind.UNIT, admin, f"{600 + n}{k}")
        make_goal(m, levels[5], unit, plan, title=f"Aktivitet {n}.{k}", responsible="Anna")
        _outcomes(world, unit, groups)
    Assignment.objects.create(
        municipality=m,
        title=f"Uppdrag {n}",
        given_by=world.kf,
        decision_reference="KF 2025-11-24 § 130",
        decided_on=dt.date(2025, 11, 24),
        unit=admin,
        due_date=dt.date(2026, 6, 30),
    )
    InvestmentProject.objects.create(
        budget_year=year, unit=admin, code=f"P{n:04}", name=f"Projekt {n}", budget=1_000_000
    )


def _calendar(world):
    """The årshjul of YEAR: a sent submission of every office, the periods in every state."""
    periods = make_year(world, YEAR)
    offices = OrgUnit.objects.filter(municipality=world.m, kind__in=OrgUnit.OFFICE_KINDS)
    sent_at = dt.datetime(YEAR, 9, 1, 12, tzinfo=dt.UTC)
    for n, period in enumerate(periods.values()):
        for unit in offices:
            Submission.objects.create(period=period, unit=unit, state="sent", sent_at=sent_at)
        set_state(period, ("open", "closed", "locked")[n % 3])
    # The delårsrapport is open, with Socialförvaltningen's draft (the form's page).
    delar = set_state(periods[8], "open")
    world.submission = Submission.objects.get(period=delar, unit=world.fA)
    world.submission.state = "draft"
    world.submission.sent_at = None
    world.submission.save()


def build(extra: int):
    world = make_world()
    year, groups = _budget(world, [world.nA, world.nB, world.ks])
    make_indicator(world.plan_a)
    _outcomes(world, world.fA, groups)
    _chain(world, year, groups, 0, committee=world.nA)
    for n in range(1, extra + 1):
        _chain(world, year, groups, n)
        # More rows on the pages measured: an enhet of nämnd A, a child of the goal page.
        unit = make_unit(world.m, f"Enhet A{n}", Kind.UNIT, world.fA, f"42{n}")
        _outcomes(world, unit, groups)
        make_goal(world.m, world.levels[5], unit, world.plan_a, title=f"Aktivitet A{n}")
        make_indicator(world.plan_a, name=f"Indikator A{n}")
    _calendar(world)
    _personnel(world)
    _reports(world)
    return world


def _reports(world):
    """Three draft reports and an adopted one (its page is the one every role reads)."""
    periods = ReportingPeriod.objects.filter(municipality=world.m, year=YEAR).order_by("month")
    for period in periods[:3]:
        make_report(period)
    world.report = make_report(periods[4], adopted_by=world.kf)
    # The delårsrapport's chapters (one per nämnd: more with the municipality), chef A's
    # analysis of nämnd A among them.
    create_chapters(world.interim, world.finance)
    world.report_text = ReportText.objects.get(period=world.interim, unit=world.nA)


def _personnel(world):
    """Personnel figures of every förvaltning, bolag and enhet in the delårsrapport, and its
    personalberättelse (bulk: the period may be locked, and locked periods refuse saves)."""
    period = ReportingPeriod.objects.get(municipality=world.m, year=YEAR, month=8)
    world.interim = period
    units = OrgUnit.objects.filter(municipality=world.m, kind__in=PERSONNEL_KINDS)
    PersonnelFigure.objects.bulk_create(
        PersonnelFigure(period=period, unit=unit, sick_leave=Decimal("5.5"), employees=40)
        for unit in units
    )
    PersonnelReport.objects.bulk_create([PersonnelReport(period=period, text="Text.")])


def pages(world) -> dict[str, str]:
    period = f"?ar={YEAR}&manad=6"
    return {
        "home": "/",
        "goals:tree": "/mal/",
        # /mal/ with the assessment of each row in the delårsrapport, and a level opened
        # later (the fragment tree.js fetches) with its badges.
        "goals:tree (period)": f"/mal/?period={world.interim.pk}",
        "goals:children": f"/mal/{world.top.pk}/under/?period={world.interim.pk}",
        "goals:detail": f"/mal/{world.plan_a.pk}/",
        "goals:assignments": "/mal/uppdrag/",
        "budget:overview": f"/budget/{period}",
        "budget:unit (nämnd)": f"/budget/enhet/{world.nA.pk}/{period}",
        "budget:investments": f"/budget/investeringar/?ar={YEAR}",
        "budget:frames": f"/budget/ramar/?ar={YEAR}",
        "budget:export xlsx": f"/budget/export.xlsx{period}",
        "budget:export csv": f"/budget/export.csv{period}",
        "followup:calendar": f"/arshjul/?ar={YEAR}",
        "personnel:index": "/uppfoljning/personal/",
        "personnel:period": f"/uppfoljning/personal/period/{world.interim.pk}/",
        "personnel:indicator_import": "/uppfoljning/personal/indikatorvarden/",
        "followup:mine": "/uppfoljning/",
        "followup:submission": f"/uppfoljning/{world.submission.pk}/",
        # Måluppfyllelse of the delårsrapport (with the årsbokslut's trend point), a goal's
        # drill-down, and the halvtidsuppföljning of the year.
        "followup:fulfilment": f"/uppfoljning/maluppfyllelse/?period={world.interim.pk}",
        "followup:fulfilment (default)": "/uppfoljning/maluppfyllelse/",
        "followup:fulfilment_goal": (
            f"/uppfoljning/maluppfyllelse/{world.top.pk}/?period={world.interim.pk}"
        ),
        "followup:midterm": f"/uppfoljning/halvtid/?ar={YEAR}",
        "reports:index": "/rapporter/",
        "reports:detail": f"/rapporter/{world.report.pk}/",
        "reports:public": "/oppen/",
        "reports:my_texts": "/rapporter/texter/",
        "reports:word_template": "/rapporter/wordmall/",
        "reports:text": f"/rapporter/texter/{world.report_text.pk}/",
        "reports:texts_setup": f"/rapporter/perioder/{world.interim.pk}/texter/",
        # How KF's inriktningsmål was assessed: every nämndmål below it, their indicators.
        "followup:rollup": f"/uppfoljning/bedomning/{world.top.pk}/?period={world.interim.pk}",
    }


def measure(client, world) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for role in USERS:
        client.force_login(getattr(world, role))
        counts[role] = {}
        for name, url in pages(world).items():
            if (role, name) in UNREADABLE:
                continue
            client.get(url)  # warm: sessions, content types and caches settle first
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code in (200, 302, 403), f"{role} {url}: {response.status_code}"
            counts[role][name] = len(queries)
    return counts


def _recorded() -> dict:
    if not COUNTS_FILE.exists():
        return {}
    return json.loads(COUNTS_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("size", SIZES)
def test_query_counts_are_as_recorded(client, db, size, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)  # the reports' files
    counts = measure(client, build(SIZES[size]))
    recorded = _recorded()
    if UPDATE:
        recorded[size] = counts
        COUNTS_FILE.write_text(
            json.dumps(recorded, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        return
    assert size in recorded, "no recorded counts: run with UPDATE_QUERY_COUNTS=1"
    changed = [
        f"{role} {page}: {n} queries, recorded {recorded[size].get(role, {}).get(page)}"
        for role, per_page in counts.items()
        for page, n in per_page.items()
        if recorded[size].get(role, {}).get(page) != n
    ]
    assert not changed, (
        f"query counts changed ({size}); if intended, re-record with UPDATE_QUERY_COUNTS=1:\n"
        + "\n".join(changed)
    )


def test_recorded_counts_do_not_grow_with_the_municipality():
    recorded = _recorded()
    assert set(recorded) == set(SIZES), "record both sizes (UPDATE_QUERY_COUNTS=1)"
    grows = [
        f"{role} {page}: {n} queries small, {recorded['large'][role][page]} large"
        for role, per_page in recorded["small"].items()
        for page, n in per_page.items()
        if recorded["large"][role][page] != n
    ]
    assert not grows, "queries grow with the number of rows (N+1):\n" + "\n".join(grows)
