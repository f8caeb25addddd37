"""Halvtidsuppföljning (/uppfoljning/halvtid/): per övergripande mål, the summed assessment
of its resultatmål and of the uppdrag serving it or them (Katrineholm's model)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from followup.calendar import open_period
from followup.models import Assessment, AssignmentReport, ReportingPeriod, Submission
from goals.models import Assignment
from styrning.models import MandatePeriod
from tests.factories import make_goal
from tests.followup.factories import make_submission, make_year

State = Submission.State
URL = "/uppfoljning/halvtid/"


def _assignment(w, title, goal, status, unit=None, comment=""):
    return Assignment.objects.create(
        municipality=w.m,
        title=title,
        given_by=w.kf,
        decision_reference="KF 2025-02-18 § 11",
        decided_on=dt.date(2025, 2, 18),
        unit=unit or w.nA,
        goal=goal,
        due_date=dt.date(2026, 12, 31),
        status=status,
        comment=comment or ("Klart." if status in ("done", "cancelled") else ""),
    )


@pytest.fixture
def midterm(three_level_world):
    """Övergripande mål "Trygg kommun" with three resultatmål (nämndmål here) and three
    uppdrag; a second övergripande mål with one uppdrag. The årsbokslut 2026 is the
    midterm of the mandate period 2025–2028."""
    w = three_level_world
    MandatePeriod.objects.create(municipality=w.m, start_year=2025, end_year=2028)
    w.extra = make_goal(w.m, w.levels[3], w.nA, w.top, adopted=True, title="Fler i arbete")
    w.top2 = make_goal(
        w.m, w.levels[2], w.kf, w.vision, years=(2024, 2038), adopted=True, title="Hållbar miljö"
    )
    periods = make_year(w, 2026)
    period = open_period(periods[12], user=w.finance)
    sub_a = make_submission(period, w.fA, State.APPROVED)
    sub_b = make_submission(period, w.fB, State.SENT)
    Assessment.objects.create(submission=sub_a, goal=w.goal_a, status="fulfilled", analysis="Bra.")
    Assessment.objects.create(submission=sub_a, goal=w.extra, status="partly", analysis="Halvvägs.")
    # Only sent, not approved: the midterm (a report to KF) does not count it.
    Assessment.objects.create(submission=sub_b, goal=w.goal_b, status="fulfilled", analysis="X.")
    _assignment(w, "Ta fram en trygghetsplan", w.top, "done")
    reported = _assignment(w, "Fler fasta omsorgskontakter", w.goal_a, "not_started", w.fA)
    AssignmentReport.objects.create(
        submission=sub_a, assignment=reported, status="done", comment="Införd i hela förvaltningen."
    )
    _assignment(w, "Utred gatubelysningen", w.goal_b, "cancelled")
    _assignment(w, "Solceller på kommunhuset", w.top2, "in_progress")
    w.period = period
    return w


def _counts(items):
    return {item.status: item.count for item in items}


def test_summed_assessment_per_overall_goal(client, midterm):
    client.force_login(midterm.politician)
    response = client.get(URL)  # the mandate period's midterm year by default
    assert response.status_code == 200
    assert response.context["year"] == 2026
    assert response.context["period"] == midterm.period
    rows = {row.title: row for row in response.context["rows"]}
    assert list(rows) == ["Trygg kommun", "Hållbar miljö"]
    safe = rows["Trygg kommun"]
    assert _counts(safe.goals) == {
        "fulfilled": 1,
        "partly": 1,
        "not_fulfilled": 0,
        "not_assessed": 1,
    }
    # Done → fulfilled (the one reported done in the period too); cancelled → not fulfilled.
    assert _counts(safe.assignments) == {
        "fulfilled": 2,
        "partly": 0,
        "not_fulfilled": 1,
        "not_assessed": 0,
    }
    assert _counts(safe.total) == {
        "fulfilled": 3,
        "partly": 1,
        "not_fulfilled": 1,
        "not_assessed": 1,
    }
    assert _counts(rows["Hållbar miljö"].total)["partly"] == 1
    items = {item.title: item for item in safe.assignment_items}
    assert items["Fler fasta omsorgskontakter"].comment == "Införd i hela förvaltningen."
    assert items["Fler fasta omsorgskontakter"].status_label == "genomfört"
    totals = response.context["totals"]
    assert (totals["goal_count"], totals["assignment_count"]) == (3, 4)
    html = response.content.decode()
    assert "Halvtidsuppföljning av mandatperioden 2025–2028" in html
    assert 'role="img"' in html and "Summerad bedömning per övergripande mål" in html
    assert "X." not in html.split("<main", 1)[1]  # the sent submission's text is not shown
    scope = html.split('class="fulfilment-scope">', 1)[1].split("</p>", 1)[0]
    assert "Ingen uppföljning i" not in html, scope
    assert "1 av 3 uppföljningar godkända." in scope, scope


def test_with_none_approved_the_page_says_where_its_counts_come_from(client, midterm):
    """A trial opened the årsbokslut early and read its suggestions (indicators, the
    uppdrag's own status) as the term's result: with none approved the page says so."""
    Submission.objects.filter(period=midterm.period).update(
        state=State.SENT, sent_at=timezone.now()
    )
    client.force_login(midterm.politician)
    html = client.get(URL).content.decode()
    assert "0 av 3 uppföljningar godkända." in html
    assert (
        f"Ingen uppföljning i {midterm.period.label} är godkänd än: bedömningarna nedan "
        "kommer bara från indikatorerna och uppdragens egen status" in html
    )
    # Måluppfyllelse offers a politician the årsbokslut once its year is over.
    with time_machine.travel(dt.date(2027, 1, 12), tick=False):
        client.force_login(midterm.politician)
        fulfilment = client.get(f"/uppfoljning/maluppfyllelse/?period={midterm.period.pk}")
    assert "är godkänd än: bedömningarna nedan kommer bara från indikatorerna, inte" in (
        fulfilment.content.decode()
    )


def test_an_unknown_year_falls_back_and_says_so(client, midterm):
    client.force_login(midterm.politician)
    response = client.get(URL, {"ar": "1999"})
    assert response.status_code == 200
    assert response.context["year"] == 2026
    assert "Det finns ingen uppföljning av mål 1999" in response.content.decode()


def test_katrineholm_demo_has_its_midterm(db):
    """The Katrineholm demo: Kommunplan 2019–2022, its halvtidsuppföljning on 2020's
    årsbokslut with all resultatmål and uppdrag summed per övergripande mål."""
    call_command("load_demo", model="katrineholm", verbosity=0)
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="politiker"))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["year"] == 2020
    # Only the mandate period's years are offered (the demo's current years are not in it).
    offered = [value for value, _label in response.context["form"].fields["ar"].choices]
    assert offered == [2020, 2019]
    assert response.context["period"].label == "Årsbokslut per 31 december 2020"
    rows = response.context["rows"]
    assert len(rows) == 7
    totals = response.context["totals"]
    assert (totals["goal_count"], totals["assignment_count"]) == (26, 10)
    table = {
        row.title: tuple(item.count for item in row.total) for row in rows
    }  # fulfilled, partly, not fulfilled, not assessed
    assert table == {
        "Tillväxt, fler jobb och ökad egen försörjning": (2, 2, 1, 1),
        "Attraktiva boende- och livsmiljöer": (1, 1, 1, 2),
        "En stark och trygg skola för bättre kunskaper": (2, 3, 0, 0),
        "Trygg vård och omsorg": (3, 1, 1, 0),
        "Ett rikt kultur-, idrotts- och fritidsliv": (1, 2, 1, 1),
        "Hållbar miljö": (3, 1, 1, 0),
        "Attraktiv arbetsgivare och effektiv organisation": (1, 2, 1, 1),
    }
    for row in rows:  # each count is the items listed below it
        listed = [i.status for i in row.goal_items + row.assignment_items]
        assert tuple(listed.count(item.status) for item in row.total) == table[row.title]
    # The politician lands on the overview of the kommunplan's latest assessed year.
    overview = client.get("/", follow=True)
    assert overview.context["period"].label == "Årsbokslut per 31 december 2020"
    assert len(overview.context["cards"]) == 7


def test_an_uppdrag_counts_as_its_period_knew_it(midterm):
    """A status set after the period's end does not reach the period (the history at
    the end does); an uppdrag entered later counts as first entered; one decided after
    the period is not in it. The same rule as the reports (followup.rollup)."""
    from followup.rollup import assignments_in_period

    w, period = midterm, midterm.period
    end = dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC)
    known = _assignment(w, "Känt vid årsskiftet", w.top, "in_progress", comment="På gång.")
    known.history.update(history_date=end - dt.timedelta(days=30))
    later = _assignment(w, "Inlagt i efterhand", w.top, "not_started")
    later.history.update(history_date=end + dt.timedelta(days=10))  # entered in January
    for assignment in (known, later):  # both finished after the period
        assignment.status, assignment.comment = "done", "Klart i februari."
        assignment.save()
    Assignment.history.filter(id__in=[known.pk, later.pk], history_type="~").update(
        history_date=end + dt.timedelta(days=40)
    )
    after = _assignment(w, "Beslutat året efter", w.top, "in_progress")
    Assignment.objects.filter(pk=after.pk).update(decided_on=dt.date(2027, 2, 1))
    found = {
        a.title: (a.period_status, a.period_comment)
        for a in assignments_in_period(Assignment.objects.filter(municipality=w.m), period)
    }
    assert found["Känt vid årsskiftet"] == ("in_progress", "På gång.")
    assert found["Inlagt i efterhand"] == ("not_started", "")
    assert "Beslutat året efter" not in found
    # The approved report of the period wins over the uppdrag's own status.
    assert found["Fler fasta omsorgskontakter"] == ("done", "Införd i hela förvaltningen.")
    # The page's query, compiled once a process (followup.fulfilment_queries): the same
    # statement and rows as the ORM's, approved reports only and all.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from followup.fulfilment import _MIDTERM_ASSIGNMENTS
    from followup.rollup import period_end_time

    goal_ids = list(Assignment.objects.values_list("goal_id", flat=True))
    for query in _MIDTERM_ASSIGNMENTS.values():
        args = (goal_ids, period.pk, period.period_end, period_end_time(period))
        for _ in range(2):  # compiled by the first call, kept for the second
            with CaptureQueriesContext(connection) as seen:
                rows = query(*args)
            with CaptureQueriesContext(connection) as orm:
                assert rows == list(query.build(*args))
            assert seen.captured_queries[0]["sql"] == orm.captured_queries[0]["sql"]
            assert len(seen.captured_queries) == 1
        kept = [value is not None for value in query.compiled.values()]
        assert kept == [connection.vendor == "postgresql"]
    assert {row[2] for row in _MIDTERM_ASSIGNMENTS[False](*args)} >= {"Känt vid årsskiftet"}


def test_an_arsbokslut_still_open_gives_way_to_the_closed_delar(client, midterm):
    """The year's årsbokslut opened before the year has ended is still being reported
    on: the halvtid reads the year's delår, whose follow-ups are in (a trial read the
    indicators' suggestions of an early-opened årsbokslut as the term's result)."""
    from tests.followup.factories import set_state

    delar = set_state(
        ReportingPeriod.objects.get(municipality=midterm.m, year=2026, month=8), "closed"
    )
    client.force_login(midterm.politician)
    assert client.get(URL).context["period"] == delar  # the årsbokslut is open
    set_state(midterm.period, "closed")
    assert client.get(URL).context["period"] == midterm.period
