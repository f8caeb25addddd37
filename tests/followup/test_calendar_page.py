"""/arshjul/: the year's calendar, and the ekonomichef's actions on its periods."""

import datetime as dt

import pytest
from django.utils import timezone

from budget.models import BudgetYear
from followup.models import ReportingPeriod, Submission
from tests.factories import Kind, make_unit
from tests.followup.factories import make_submission, make_year, set_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world):
    return make_year(world, 2026)


def test_everyone_reads_the_year_with_its_facts(client, world, year):
    set_state(year[2], "locked", "KS 2026-03-31 § 16")
    set_state(year[8], "open")
    make_submission(year[8], world.fA, Submission.State.SENT)
    make_submission(year[8], world.fB, Submission.State.SENT, sent_on=dt.date(2026, 9, 25))
    client.force_login(world.politician)
    response = client.get("/arshjul/?ar=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delårsrapport per 31 augusti 2026" in html
    assert "Mål och resultat med prognos" in html
    assert "2026-09-05" in html and "2026-09-13" in html and "2026-09-20" in html
    assert "2 av 3 inskickade" in html  # the two förvaltningar of three (KSF too)
    assert "varav 1 för sent" in html
    assert "KS 2026-03-31 § 16" in html
    assert ">Låst<" in html and ">Öppen<" in html and ">Planerad<" in html
    assert '<title id="wheel-title">Årshjulet 2026</title>' in html
    assert "/arshjul/period/" not in html  # no actions for a politician


def test_the_three_parallel_years(client, world, year):
    last = make_year(world, 2025)
    set_state(last[12], "locked", "KF 2026-04-20 § 12")
    BudgetYear.objects.create(municipality=world.m, year=2027)
    client.force_login(world.politician)
    html = client.get("/arshjul/?ar=2026").content.decode()
    assert "Årsbokslut per 31 december 2025: fastställd (KF 2026-04-20 § 12)." in html
    assert "Budget 2027 planeras (utkast)." in html
    html = client.get("/arshjul/?ar=2027").content.decode()
    assert "Inga uppföljningsperioder ännu." in html
    assert "Ingen budget för 2028 ännu." in html


def test_the_current_year_is_the_default_and_a_bad_year_falls_back(client, world, year):
    client.force_login(world.politician)
    this_year = timezone.localdate().year
    response = client.get("/arshjul/")
    assert f"Årshjul {this_year}" in response.content.decode()
    response = client.get("/arshjul/?ar=abc", follow=True)
    html = response.content.decode()
    assert f"Det finns inget årshjul för året abc: visar {this_year}." in html


def test_the_ekonomichef_makes_a_year(client, world):
    client.force_login(world.finance)
    response = client.post("/arshjul/perioder/", {"ar": "2027"})
    assert response.status_code == 302 and response["Location"] == "/arshjul/?ar=2027"
    assert ReportingPeriod.objects.filter(year=2027).count() == 8
    html = client.get(response["Location"]).content.decode()
    assert "8 skapade" in html
    assert ReportingPeriod.objects.get(year=2027, month=8).history.first().history_user == (
        world.finance
    )


def test_the_ekonomichef_opens_closes_and_locks(client, world, year):
    client.force_login(world.finance)
    period = year[8]
    response = client.post(f"/arshjul/period/{period.pk}/oppna/")
    assert response["Location"] == "/arshjul/?ar=2026"
    client.post(f"/arshjul/period/{period.pk}/stang/")
    response = client.post(
        f"/arshjul/period/{period.pk}/las/", {"decision_reference": "KF 2026-11-24 § 140"}
    )
    period.refresh_from_db()
    assert period.state == "locked" and period.decision_reference == "KF 2026-11-24 § 140"
    assert period.locked_by == world.finance
    html = client.get(response["Location"]).content.decode()
    assert "Delårsrapport per 31 augusti 2026 är låst." in html


def test_a_wrong_transition_redirects_with_a_swedish_message(client, world, year):
    client.force_login(world.finance)
    period = year[8]
    response = client.post(
        f"/arshjul/period/{period.pk}/las/", {"decision_reference": "KF 1"}, follow=True
    )
    assert "Stäng Delårsrapport per 31 augusti 2026 innan du låser den" in response.content.decode()
    set_state(period, "closed")
    response = client.post(f"/arshjul/period/{period.pk}/las/", {}, follow=True)
    assert "låstes inte: ange beslutet" in response.content.decode()
    period.refresh_from_db()
    assert period.state == "closed"


def test_others_may_not_change_periods(client, world, year):
    period = year[8]
    for user in (world.politician, world.chef_a, world.hr):
        client.force_login(user)
        assert client.post(f"/arshjul/period/{period.pk}/oppna/").status_code == 403
        assert client.post("/arshjul/perioder/", {"ar": "2027"}).status_code == 403
    period.refresh_from_db()
    assert period.state == "planned"
    assert not ReportingPeriod.objects.filter(year=2027).exists()


def test_an_unknown_period_is_404(client, world, year):
    client.force_login(world.finance)
    assert client.post("/arshjul/period/987654/oppna/").status_code == 404


def test_the_page_costs_the_same_queries_with_more_periods_and_units(
    client, world, django_assert_num_queries
):
    client.force_login(world.finance)

    def measure():
        client.get("/arshjul/?ar=2026")
        with django_assert_num_queries(11) as captured:
            assert client.get("/arshjul/?ar=2026").status_code == 200
        return len(captured)

    year = make_year(world, 2026)
    set_state(year[2], "open")
    make_submission(year[2], world.fA, Submission.State.SENT)
    small = measure()
    for n in range(4):
        unit = make_unit(world.m, f"Förvaltning {n}", Kind.ADMINISTRATION, world.nA, f"77{n}")
        for period in year.values():
            make_submission(period, unit, Submission.State.APPROVED)
    assert measure() == small


def test_counts_for_periods_in_two_queries_at_two_sizes(world, django_assert_num_queries):
    year = make_year(world, 2026)
    make_submission(year[2], world.fA, Submission.State.APPROVED)
    make_submission(year[2], world.fB, Submission.State.DRAFT)
    make_submission(year[2], world.ksf, Submission.State.SENT, sent_on=dt.date(2026, 3, 20))
    with django_assert_num_queries(2):
        counts = Submission.objects.counts_for(year.values())
    assert (counts[year[2].pk].sent, counts[year[2].pk].expected) == (2, 3)
    assert counts[year[2].pk].late == 1
    assert counts[year[3].pk].sent == 0
    for n in range(5):
        unit = make_unit(world.m, f"Bolag {n}", Kind.COMPANY, world.ks, f"88{n}")
        for period in year.values():
            make_submission(period, unit, Submission.State.APPROVED)
    with django_assert_num_queries(2):
        counts = Submission.objects.counts_for(year.values())
    assert (counts[year[3].pk].sent, counts[year[3].pk].expected) == (5, 8)


def test_late_is_after_the_deadline_in_swedish_time(world):
    period = make_year(world, 2026)[2]
    on_time = make_submission(period, world.fA, Submission.State.SENT, sent_on=period.deadline)
    late = make_submission(
        period, world.fB, Submission.State.SENT, sent_on=period.deadline + dt.timedelta(days=1)
    )
    assert not on_time.late and late.late


def test_the_wheel_writes_its_coordinates_as_svg_reads_them(client, world, year):
    """The Swedish locale writes 210.0 as "210,0", which SVG does not read: the centre
    and the labels were drawn at 0 (the wheel clipped at its left edge)."""
    import re

    set_state(year[8], "open")
    client.force_login(world.politician)
    html = client.get("/arshjul/?ar=2026").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    numbers = re.findall(r'\s(?:x|y|x1|y1|x2|y2|cx|cy|r)="([^"]*)"', svg)
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d+)?", n) for n in numbers), numbers
    assert '<circle cx="210" cy="210" r="60"' in svg


def test_an_open_period_past_its_deadline_comes_before_the_next_deadline(client, world):
    """The trial read "Nästa sista dag: Årsbokslut …" while October's månadsrapport,
    past its deadline, still waited for four units."""
    today = timezone.localdate()
    periods = make_year(world, today.year)
    late = set_state(periods[10], "open")
    ReportingPeriod.objects.filter(pk=late.pk).update(
        opens_on=today - dt.timedelta(days=30),
        unit_deadline=today - dt.timedelta(days=12),
        deadline=today - dt.timedelta(days=10),
    )
    late.refresh_from_db()
    client.force_login(world.finance)
    html = client.get(f"/arshjul/?ar={today.year}").content.decode()
    assert f"{late.label} är fortfarande öppen: sista dag var {late.deadline.isoformat()}." in html


def test_opening_early_asks_first_and_the_table_says_when_it_opened(client, world):
    """A trial opened next month's årsbokslut on 7 December: the button's question names
    the end of what the period covers, and once opened the table shows the day it opened,
    not the day it was planned for."""
    today = timezone.localdate()
    months = make_year(world, today.year + 1)
    period = months[max(months)]  # the year's last period: planned, its month not ended
    client.force_login(world.finance)
    html = client.get(f"/arshjul/?ar={today.year + 1}").content.decode()
    end = period.period_end.isoformat()
    assert f"Öppna perioden nu, före {end} då det den gäller tar slut?" in html
    assert period.opens_on > today
    client.post(f"/arshjul/period/{period.pk}/oppna/")
    period.refresh_from_db()
    assert period.state == "open" and period.opens_on == today
