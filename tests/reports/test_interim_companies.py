"""The delårsrapport's sections: each kommunägt bolag in a chapter of its own, apart from
the nämnder, with its goals, analysis, indicators, särskilda uppdrag and economy (named
as missing where the data has none); a nämnd's section has its row of the drift."""

import datetime as dt
import io

import pypdf
import pytest

from followup.choices import Fulfilment
from followup.models import Assessment, AssignmentReport, Submission
from goals.models import Assignment
from reports import context
from reports.pdf import render_pdf
from reports.services import as_snapshot
from styrning.models import OrgUnit
from tests.factories import make_goal, make_unit
from tests.followup.factories import make_submission, make_year, set_state

F = Fulfilment


@pytest.fixture
def interim(world, budget):
    """A bolag (its board under KF, the company below it) with an ägardirektiv goal, its
    own verksamhetsplanmål assessed in an approved submission, and an uppdrag; no budget
    row for it. Socialnämnden has its frame."""
    period = set_state(make_year(world, 2026)[8], "closed")
    board = make_unit(world.m, "Styrelsen för Bostads AB", OrgUnit.Kind.BOARD, world.kf)
    company = make_unit(world.m, "Bostads AB", OrgUnit.Kind.COMPANY, board, "900")
    world.board_goal = make_goal(
        world.m, world.levels[3], board, world.top, adopted=True, title="Hög uthyrningsgrad"
    )
    world.company_goal = make_goal(
        world.m,
        world.levels[4],
        company,
        world.board_goal,
        adopted=True,
        title="Lägenheter hyrs ut snabbt",
    )
    submission = make_submission(period, company, Submission.State.APPROVED)
    Assessment.objects.create(
        submission=submission,
        goal=world.company_goal,
        status=F.PARTLY,
        prognosis=F.FULFILLED,
        analysis="Vakanserna har halverats sedan årsskiftet.",
    )
    assignment = Assignment.objects.create(
        municipality=world.m,
        title="Utred nyproduktion i Vikmanshyttan",
        given_by=world.kf,
        decision_reference="KF 2026-02-16 § 12",
        decided_on=dt.date(2026, 2, 16),
        unit=company,
        goal=world.board_goal,
        due_date=dt.date(2026, 12, 31),
        status="in_progress",
        comment="Förstudien pågår.",
    )
    # The period knows the uppdrag from what its approved submission reported.
    AssignmentReport.objects.create(
        submission=submission,
        assignment=assignment,
        status="in_progress",
        comment="Förstudien pågår.",
    )
    world.company = company
    return period


def _text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages).replace("\xa0", " ")


def test_each_company_has_its_own_section_apart_from_the_committees(world, interim):
    ctx = as_snapshot(context.build(interim))
    assert [s["name"] for s in ctx["companies"]] == ["Bostads AB"]
    assert "Styrelsen för Bostads AB" not in [s["name"] for s in ctx["bodies"]]
    assert "Bostads AB" not in [s["name"] for s in ctx["bodies"]]
    section = ctx["companies"][0]
    assert section["board"] == "Styrelsen för Bostads AB"
    goals = {g["title"]: g for g in section["goals"]}
    # The board's goal (from the ägardirektiv) and the bolag's own goal with its analysis.
    assert set(goals) == {"Hög uthyrningsgrad", "Lägenheter hyrs ut snabbt"}
    own = goals["Lägenheter hyrs ut snabbt"]
    assert own["analysis"] == "Vakanserna har halverats sedan årsskiftet."
    assert own["prognosis"]["key"] == F.FULFILLED
    assert [a["title"] for a in section["assignments"]] == ["Utred nyproduktion i Vikmanshyttan"]
    assert section["economy"] is None  # no frame, no ledger rows: named as missing
    # A nämnd's section has its row of the driftredovisning, the same cells as the table.
    social = next(s for s in ctx["bodies"] if s["name"] == "Socialnämnden")
    drift_row = next(r for r in ctx["drift"]["rows"] if r["name"] == "Socialnämnden")
    assert social["economy"]["row"]["cells"] == drift_row["cells"]

    text = _text(render_pdf(ctx).data)
    chapter = text[text.rindex("Kommunägda bolag") :]  # the last chapter
    assert "Bostads AB" in chapter
    assert "Ett kommunägt bolag; dess styrelse: Styrelsen för Bostads AB." in chapter
    assert "Vakanserna har halverats sedan årsskiftet." in chapter
    assert "Utred nyproduktion i Vikmanshyttan" in chapter and "Förstudien pågår." in chapter
    assert "Uppgift saknas: det finns ingen budgetrad för den." in chapter
    assert "Socialnämnden" not in chapter  # the committees come before, in their own sections
