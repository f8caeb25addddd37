"""The demo-sized månadsrapport rendered for real and read back with pypdf: its figures
are /budget/'s, and the PDF is tagged Swedish with a title."""

import io

import pypdf
import pytest

from budget import signs
from budget.overview import budget_overview
from followup.models import Submission
from reports import context
from reports.pdf import render_pdf
from reports.services import as_snapshot
from styrning import formatting
from tests.followup.factories import make_submission, make_year


def _text(pdf_bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text.replace("\xa0", " ")


@pytest.fixture
def march(world, budget):
    """The månadsrapport of March 2026 (it asks for a helårsprognos), closed, with
    Socialförvaltningen's comment and action plan approved, and Samhällsbyggnads-
    förvaltningen's sent but not yet approved."""
    period = make_year(world, 2026)[3]
    make_submission(
        period,
        world.fB,
        Submission.State.SENT,
        economic_comment="Ej granskad kommentar.",
    )
    make_submission(
        period,
        world.fA,
        Submission.State.APPROVED,
        economic_comment="Hemtjänstens timmar ökar.",
        action_plan="Ny schemaläggning från maj.",
    )
    return period


def test_the_pdf_holds_budgets_figures_per_committee(march, budget):
    pdf = render_pdf(as_snapshot(context.build(march)))
    reader, text = _text(pdf.data)
    lines = text.splitlines()

    ov = budget_overview(budget, 3)  # the function /budget/ shows
    assert len(ov.rows) == 3
    for row in [*ov.rows, ov.totals]:
        figures = [
            formatting.in_tkr(signs.frame_to_table(row.current)),
            formatting.in_tkr(signs.to_table(row.outcome)),
            formatting.in_tkr(row.deviation_to_date),
            formatting.in_tkr(signs.to_table(row.forecast_or_frame)),
            formatting.in_tkr(row.deviation_forecast),
        ]
        line = next(line for line in lines if line.startswith(str(row.name)))
        for figure in figures:
            assert figure.replace("\xa0", " ") in line, (row.name, figure, line)
    # Socialnämnden's outcome to date: 3 months of 10 mnkr net cost (tests/budget/conftest).
    social = next(line for line in lines if line.startswith("Socialnämnden"))
    assert "−30 000" in social
    assert "Hemtjänstens timmar ökar." in text
    assert "Ny schemaläggning från maj." in text
    # A comment sent with a forecast not yet approved is not printed beside approved figures.
    assert "Ej granskad kommentar." not in text
    assert pdf.page_count == len(reader.pages)


def test_the_pdf_is_tagged_swedish_with_a_title_and_page_numbers(march):
    pdf = render_pdf(as_snapshot(context.build(march)))
    reader, text = _text(pdf.data)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata.title.startswith("Månadsrapport per 31 mars 2026")
    assert f"Sida 1 av {len(reader.pages)}" in text
    assert "Testby kommun" in text
