"""The report as a Word document, read back with python-docx: the same headings and
figures as the PDF (/budget/'s), the written texts, the municipality's own template."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budget import signs
from budget.overview import budget_overview
from reports import context, writing
from reports.docx import write_docx
from reports.models import ReportText
from reports.services import as_snapshot
from styrning import formatting
from tests.followup.factories import make_year, set_state
from tests.reports.factories import make_report


@pytest.fixture
def interim(world, budget):
    period = set_state(make_year(world, 2026)[8], "closed")
    writing.create_chapters(period, world.finance)
    texts = {t.unit_id or t.section: t for t in ReportText.objects.filter(period=period)}
    texts["summary"].text = "Året har gått enligt plan."
    texts["summary"].save()
    texts[world.nA.pk].text = "Hemtjänsten växer.\n\nÅtgärder pågår."
    texts[world.nA.pk].save()
    return period


def _read(data):
    return docx.Document(io.BytesIO(data))


def _tables(document):
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def test_headings_texts_and_the_totals_per_committee(world, budget, interim):
    snapshot = as_snapshot(context.build(interim))
    document = _read(write_docx(snapshot))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert ("Heading 1", "Sammanfattning") in headings
    assert ("Heading 1", "Socialnämnden") in headings
    assert ("Heading 1", "Driftredovisning") in headings
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    texts = [p.text for p in document.paragraphs]
    assert "Året har gått enligt plan." in texts
    assert "Hemtjänsten växer." in texts and "Åtgärder pågår." in texts
    # The driftredovisning: each nämnd's row and the total equal /budget/'s figures.
    ov = budget_overview(budget, 8)
    drift = next(t for t in _tables(document) if t[-1][0] == str(ov.totals.name))
    rows = {row[0]: row for row in drift}
    for row in [*ov.rows, ov.totals]:
        line = rows[str(row.name)]
        for figure in (
            formatting.in_tkr(signs.frame_to_table(row.current)),
            formatting.in_tkr(signs.to_table(row.outcome)),
            formatting.in_tkr(row.deviation_forecast),
        ):
            assert figure in line, (row.name, figure, line)
    # The same cells as the PDF's table (the snapshot it was rendered from).
    assert drift[-1][1:] == snapshot["drift"]["total"]["cells"]
    # Each nämnd's economy row, the companies' section, the running header, page numbers.
    body = next(b for b in snapshot["bodies"] if b["name"] == "Socialnämnden")
    assert list(body["economy"]["row"]["cells"]) in [t[1] for t in _tables(document) if len(t) == 2]
    if snapshot.get("companies"):
        assert ("Heading 1", "Kommunägda bolag") in headings
    assert section.header.paragraphs[0].text == f"{world.m.name} – {snapshot['title']}"
    assert 'w:instr="PAGE"' in section.footer._element.xml
    assert document.core_properties.author == world.m.name


def test_the_municipalitys_template_is_used(client, world, budget, interim, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    template = docx.Document()
    template.styles["Heading 1"].font.name = "Garamond"
    template.styles["Normal"].font.name = "Georgia"
    template.sections[0].header.paragraphs[0].text = "Testby kommun – logotyp"
    template.add_paragraph("Mallens egen text som inte ska följa med.")
    buffer = io.BytesIO()
    template.save(buffer)
    client.force_login(world.finance)
    upload = SimpleUploadedFile("mall.docx", buffer.getvalue())
    response = client.post(reverse("reports:word_template"), {"file": upload})
    assert response.status_code == 302
    report = make_report(interim)
    report.snapshot = as_snapshot(context.build(interim))
    report.save()
    response = client.get(reverse("reports:download_docx", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    document = _read(response.content)
    assert document.styles["Heading 1"].font.name == "Garamond"
    assert document.styles["Normal"].font.name == "Georgia"
    assert document.sections[0].header.paragraphs[0].text == "Testby kommun – logotyp"
    texts = [p.text for p in document.paragraphs]
    assert "Mallens egen text som inte ska följa med." not in texts
    assert document.paragraphs[0].style.name == "Heading 1"
    assert document.paragraphs[0].text == report.snapshot["title"]


def test_a_file_that_is_not_word_is_refused(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(world.finance)
    upload = SimpleUploadedFile("mall.docx", b"not a zip")
    response = client.post(reverse("reports:word_template"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_the_word_file_has_the_pdfs_permission(client, world, budget, interim, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    report = make_report(interim)
    url = reverse("reports:download_docx", args=[report.pk])
    client.force_login(world.chef_a)
    assert client.get(url).status_code == 404  # a draft: the ekonomichef's
    client.logout()
    assert client.get(url).status_code == 302  # the login
    adopted = make_report(make_year(world, 2026)[3], adopted_by=world.kf)
    assert client.get(reverse("reports:download_docx", args=[adopted.pk])).status_code == 200


def test_the_annual_report_in_word_has_the_statements_and_the_pdfs_result(db):
    """The demo's årsredovisning as Word: the förvaltningsberättelse, the räkenskaper with
    the resultaträkning's result as in the PDF, the notes and the balanskravsutredning."""
    from django.core.management import call_command

    from followup.choices import ReportKind
    from followup.models import ReportingPeriod

    call_command("load_demo", today="2026-03-15", verbosity=0)
    period = ReportingPeriod.objects.get(kind=ReportKind.ANNUAL, year=2025)
    snapshot = as_snapshot(context.build(period))
    document = _read(write_docx(snapshot))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert document.paragraphs[0].text == "Årsredovisning 2025"
    for heading in ("Förvaltningsberättelse", "Räkenskaper", "Resultaträkning", "Noter"):
        assert heading in headings, heading
    assert "Balansräkning" in headings and "Kassaflödesanalys" in headings
    tables = _tables(document)
    results = [
        row[-2:] for t in tables if t[0][0] == "Post" for row in t if row[0] == "Årets resultat"
    ]
    pdf_rr = next(t for t in snapshot["statements"]["tables"] if t["id"] == "resultatrakning")
    pdf_result = next(r for r in pdf_rr["rows"] if r["label"] == "Årets resultat")
    assert pdf_result["cells"] in results and pdf_result["cells"][0] != "–"
    economy = next(t for t in tables if t[0][1:] == ["Budget", "Utfall"])
    assert economy[1][2] == snapshot["economy"]["result"]


def test_the_midterm_review_in_word_has_each_goals_counts_and_items(db):
    from django.core.management import call_command

    from reports.midterm import midterm, midterm_year_period
    from styrning.models import Municipality

    call_command("load_demo", model="katrineholm", verbosity=0)
    municipality = Municipality.objects.get(model_name="katrineholm")
    snapshot = as_snapshot(midterm(midterm_year_period(municipality, 2020)))
    document = _read(write_docx(snapshot))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    counts = _tables(document)[0]
    assert len(snapshot["rows"]) == 7
    for row in snapshot["rows"]:
        assert row["title"] in headings
        line = next(r for r in counts if r[0] == row["title"])
        assert line[1:] == [str(i["count"]) for i in row["total"]]
    texts = " ".join(p.text for p in document.paragraphs)
    item = snapshot["rows"][0]["goal_items"][0]
    assert item["title"] in texts
