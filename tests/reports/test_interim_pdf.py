"""The delårsrapport: its counts per goal equal the database, read back from a real PDF;
the web page shows the same context."""

import io
import re

import pypdf
import pytest

from followup.choices import Fulfilment
from followup.models import Assessment, Submission
from goals.models import Goal
from reports import context
from reports.pdf import render_pdf
from reports.services import as_snapshot
from tests.factories import make_goal
from tests.followup.factories import make_submission, make_year, set_state

F = Fulfilment


@pytest.fixture
def interim(world, budget):
    """The delårsrapport 2026 with Socialförvaltningen's and Samhällsbyggnadsförvaltningen's
    approved submissions: three nämndmål under "Trygg kommun", two of them assessed."""
    period = set_state(make_year(world, 2026)[8], "closed")
    world.goal_a2 = make_goal(
        world.m, world.levels[3], world.nA, world.top, adopted=True, title="Tillgänglig vård"
    )
    sub_a = make_submission(
        period,
        world.fA,
        Submission.State.APPROVED,
        economic_comment="Underskott i hemtjänsten.",
        action_plan="Ny bemanningsplan.",
    )
    sub_b = make_submission(period, world.fB, Submission.State.APPROVED)
    Assessment.objects.create(
        submission=sub_a,
        goal=world.goal_a,
        status=F.PARTLY,
        prognosis=F.FULFILLED,
        analysis="Kontinuiteten har ökat under våren.",
    )
    Assessment.objects.create(
        submission=sub_a, goal=world.goal_a2, status=F.FULFILLED, prognosis=F.FULFILLED
    )
    Assessment.objects.create(
        submission=sub_b, goal=world.goal_b, status=F.NOT_FULFILLED, prognosis=F.PARTLY
    )
    return period


def _text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, "\n".join(p.extract_text() for p in reader.pages).replace("\xa0", " ")


def test_counts_per_goal_in_the_pdf_equal_the_database(world, interim):
    ctx = as_snapshot(context.build(interim))
    pdf = render_pdf(ctx)
    reader, text = _text(pdf.data)
    # From the database: the nämndmål directly below each inriktningsmål, by assessment.
    level = world.levels[2]
    for goal in Goal.objects.filter(level=level, status="adopted"):
        statuses = list(
            Assessment.objects.filter(
                goal__parent=goal,
                submission__period=interim,
                submission__state__in=Submission.DECIDED_STATES,
            ).values_list("status", flat=True)
        )
        children = Goal.objects.filter(parent=goal, status="adopted").count()
        expected = [
            statuses.count(F.FULFILLED),
            statuses.count(F.PARTLY),
            statuses.count(F.NOT_FULFILLED),
            children - len(statuses),
        ]
        row = re.search(
            r"\s+".join(map(re.escape, goal.title.split())) + r"\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s",
            text,
        )
        assert row, (goal.title, text[:3000])
        assert [int(n) for n in row.groups()] == expected, row.group(0)
    assert "Trygg kommun" in text
    assert "Kontinuiteten har ökat under våren." in text
    assert "Ny bemanningsplan." in text
    assert "Innehåll" in text and "Sammanfattning" in text
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert reader.metadata.title.startswith("Delårsrapport per 31 augusti 2026")
