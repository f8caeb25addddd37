"""The årsredovisning for the demo municipality, read back from a real PDF: the totals per
nämnd equal /budget/'s overview, the resultaträkning's result equals the outcome rows' sum,
the balansräkning balances, the counts per inriktningsmål equal the assessments; the PDF
declares Swedish and a title; ``render_report annual`` writes it; the demo holds the
previous year's adopted delårsrapport and årsredovisning; ``build`` runs a fixed number of
queries at two sizes."""

import datetime as dt
import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from budget.models import AccountGroup, BalanceAmount, BudgetYear, Outcome
from budget.overview import budget_overview
from followup.choices import Fulfilment, ReportKind
from followup.models import Assessment, ReportingPeriod, Submission
from goals.models import Goal
from reports import context
from reports.models import Report
from reports.pdf import render_pdf
from reports.services import as_snapshot
from styrning import formatting
from styrning.models import Municipality, OrgUnit
from tests.factories import make_goal, make_unit
from tests.followup.factories import make_submission, make_year, set_state

pytestmark = pytest.mark.django_db
F = Fulfilment
TODAY = dt.date(2026, 3, 15)


def _text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, "\n".join(p.extract_text() for p in reader.pages).replace("\xa0", " ")


def _words(text):
    return r"\s+".join(map(re.escape, text.split()))


def _row(label, cells):
    cells = [c.replace("\xa0", " ") for c in cells]
    return _words(label) + r"\s+" + r"\s+".join(re.escape(c) for c in cells) + r"(\s|$)"


@pytest.fixture
def demo():
    call_command("load_demo", today=TODAY.isoformat(), verbosity=0)
    return Municipality.objects.current()


def test_the_demo_annual_report_agrees_with_the_database(demo, tmp_path):
    year = TODAY.year - 1
    period = ReportingPeriod.objects.get(municipality=demo, kind=ReportKind.ANNUAL, year=year)
    # The demo holds last year's adopted delårsrapport and årsredovisning.
    adopted = Report.objects.filter(period__year=year, adopted_at__isnull=False)
    assert set(adopted.values_list("kind", flat=True)) == {ReportKind.INTERIM, ReportKind.ANNUAL}
    assert not any(
        "no budget" in n.lower() or "ingen budget" in n.lower()
        for r in adopted
        for n in r.snapshot.get("notes", [])
    )

    ctx = as_snapshot(context.build(period))
    reader, text = _text(render_pdf(ctx).data)

    # Totals per nämnd: /budget/'s overview at December.
    ov = budget_overview(BudgetYear.objects.get(municipality=demo, year=year), 12)
    for row in [*ov.rows, ov.totals]:
        cells = [
            formatting.in_tkr(row.adopted),
            formatting.in_tkr(row.changes),
            formatting.in_tkr(row.current),
            formatting.in_tkr(-row.outcome),
            formatting.in_tkr(row.deviation_to_date),
        ]
        assert re.search(_row(row.name, cells), text), (row.name, cells)

    # The resultaträkning's result: the outcome rows' sum, in tkr.
    booked = Outcome.objects.filter(municipality=demo, year=year).exclude(
        group__kind=AccountGroup.Kind.BALANCE
    )
    result = -booked.aggregate(s=Sum("amount"))["s"]
    assert re.search(_row("Årets resultat", [formatting.in_tkr(result)]), text)

    # The balansräkning balances: tillgångar = eget kapital, avsättningar och skulder.
    assets = re.search(r"Summa tillgångar ([−\d ]+?) ([−\d ]+)\n", text)
    claims = re.search(r"Summa eget kapital, avsättningar och skulder ([−\d ]+?) ([−\d ]+)\n", text)
    assert assets and claims and assets.groups() == claims.groups()
    closing = BalanceAmount.objects.filter(municipality=demo, year=year, kind="UB")
    assert closing.exists() and closing.aggregate(s=Sum("amount"))["s"] == 0
    assert "Kassaflödesanalys" in text and "Balanskravsresultat" in text
    assert "Förvaltningsberättelse" in text and "Noter" in text
    assert "Ursprunglig budget" in text and "Budgetförändringar under året" in text
    assert re.search(_words("Beräknad totalutgift"), text)

    # The counts per inriktningsmål equal the assessments of the year.
    level = ctx["goals"]["level"]
    for goal in Goal.objects.filter(municipality=demo, level__name=level, status="adopted"):
        if not (goal.start_year <= year <= goal.end_year):
            continue
        statuses = list(
            Assessment.objects.filter(
                goal__parent=goal,
                submission__period=period,
                submission__state__in=Submission.DECIDED_STATES,
            ).values_list("status", flat=True)
        )
        counted = [
            statuses.count(F.FULFILLED),
            statuses.count(F.PARTLY),
            statuses.count(F.NOT_FULFILLED),
        ]
        row = next(r for r in ctx["goals"]["rows"] if r["title"] == goal.title)
        assert row["counts"][:3] == counted
    # The demo's year has its own nämndmål, assessed: the report is not 0 of 0.
    assert sum(sum(r["counts"]) for r in ctx["goals"]["rows"]) >= 10
    # The budget words of the årsredovisning are tied to the budget pages' own.
    assert re.search(
        _words("Ursprunglig budget är nämndens ram så som fullmäktige antog den"), text
    )

    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert reader.metadata.title.startswith(f"Årsredovisning {year}")

    out = tmp_path / "a.pdf"
    call_command("render_report", "annual", "--year", str(year), "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF")


@pytest.fixture
def annual_world(world, budget):
    period = set_state(make_year(world, 2026)[12], "closed")
    sub = make_submission(period, world.fA, Submission.State.APPROVED)
    Assessment.objects.create(submission=sub, goal=world.goal_a, status=F.FULFILLED)
    return period


def _build_queries(period):
    with CaptureQueriesContext(connection) as queries:
        context.build(period)
    return len(queries)


def test_the_annual_report_counts_and_a_fixed_number_of_queries(world, annual_world):
    ctx = as_snapshot(context.build(annual_world))
    row = next(r for r in ctx["goals"]["rows"] if r["title"] == world.goal_a.parent.title)
    assert row["counts"][0] == 1
    small = _build_queries(annual_world)
    # More nämnder, goals and balance accounts: the same number of queries.
    for n in range(3):
        unit = make_unit(world.m, f"Nämnd {n}", OrgUnit.Kind.COMMITTEE, world.kf)
        make_goal(world.m, world.levels[3], unit, world.top, adopted=True, title=f"Mål {n}")
    BalanceAmount.objects.bulk_create(
        BalanceAmount(
            municipality=world.m, year=2026, kind="UB", account=f"1{n:03d}", amount=Decimal(1)
        )
        for n in range(100, 160)
    )
    assert _build_queries(annual_world) == small


def test_the_personnel_section_has_the_hr_text_and_the_figures(demo):
    """Delårsrapport and årsredovisning: the personalberättelse and per förvaltning and
    bolag the figures recorded for the period, with the sjukfrånvaro weighted by
    årsarbetare for the whole organisation."""
    from followup.models import PersonnelFigure, PersonnelReport

    year = TODAY.year - 1
    for kind in (ReportKind.INTERIM, ReportKind.ANNUAL):
        period = ReportingPeriod.objects.get(municipality=demo, kind=kind, year=year)
        ctx = as_snapshot(context.build(period))
        _reader, text = _text(render_pdf(ctx).data)
        assert ctx["personnel"]["rows"]
        story = PersonnelReport.objects.get(period=period).text.split("\n\n")[0].split()
        assert re.search(_words(" ".join(story[:8])), text)
        figures = PersonnelFigure.objects.filter(
            period=period, unit__kind__in=OrgUnit.OFFICE_KINDS
        ).select_related("unit")
        for f in figures:
            cells = [formatting.number(f.employees), formatting.percent(f.sick_leave)]
            row = next(r for r in ctx["personnel"]["rows"] if r["name"] == f.unit.name)
            assert row["cells"][0] == cells[0] and row["cells"][2] == cells[1]
        weight = sum(f.full_time_equivalents for f in figures)
        total = sum(f.sick_leave * f.full_time_equivalents for f in figures) / weight
        assert ctx["personnel"]["total"][2] == formatting.percent(total)
        assert re.search(_words("Hela organisationen"), text)


def test_the_demos_adopted_reports_were_made_before_they_were_adopted(demo):
    """Last year's reports read as they were made then: the day after the deadline, and
    adopted by KF weeks later (never "made" after their adoption)."""
    adopted = Report.objects.adopted().select_related("period")
    assert adopted.count() == 2
    for report in adopted:
        made_on = report.period.deadline + dt.timedelta(days=1)
        assert report.snapshot["made_on"] == formatting.long_date(made_on)
        assert report.adopted_at.date() > made_on
        assert report.adopted_at.date().isoformat() in report.decision_reference


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def test_no_table_runs_off_the_page(demo):
    """Every table cell of the delårsrapport and the årsredovisning lies within the page's
    content area (WeasyPrint's own layout, read box by box)."""
    import weasyprint

    from reports.pdf import document_html

    year = TODAY.year - 1
    for kind in (ReportKind.INTERIM, ReportKind.ANNUAL):
        period = ReportingPeriod.objects.get(municipality=demo, kind=kind, year=year)
        html = document_html(as_snapshot(context.build(period)))
        document = weasyprint.HTML(string=html).render()
        outside = []
        for number, page in enumerate(document.pages, 1):
            root = page._page_box
            right_edge = root.content_box_x() + root.width
            for box in _boxes(root):
                if box.element_tag in ("table", "th", "td"):
                    right = box.position_x + box.margin_width()
                    if right > right_edge + 1:
                        outside.append((kind, number, box.element_tag, round(right - right_edge)))
        assert not outside, outside[:5]


def test_each_committees_section_reads_the_whole_year_in_the_annual_report(demo):
    """The årsredovisning's nämnd sections: original and adjusted budget, outcome and
    deviation for the year, not the delårsrapport's forecast columns."""
    year = TODAY.year - 1
    period = ReportingPeriod.objects.get(municipality=demo, kind=ReportKind.ANNUAL, year=year)
    ctx = context.build(period)
    headings = {
        c["heading"]
        for body in ctx["bodies"]
        if body["economy"]
        for c in body["economy"]["columns"]
    }
    assert headings and "Ursprunglig budget" in headings and "Utfall" in headings
    assert not any("prognos" in h.lower() for h in headings)
