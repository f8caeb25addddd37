"""Reports in the browser: the ekonomichef asks for the delårsrapport, watches it being
made, downloads it, and its driftredovisning is /budget/'s; a politician and an anonymous
visitor download an adopted report, and drafts never reach them."""

import io
import re

import pypdf
import pytest
from django.utils import timezone

from followup.models import ReportingPeriod
from reports.models import Report
from tests.reports.factories import make_report

NAMES = ["Socialnämnden", "Barn- och utbildningsnämnden", "Kommunstyrelsen"]
# A figure as Styrning writes it: non-breaking spaces inside, an ordinary space between.
SEPARATORS = re.compile(r"[ \t\n]+")


def _pdf_text(path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    return "\n".join(page.extract_text() for page in reader.pages)


def _pdf_row(text, name) -> list[str]:
    """The figures after ``name`` in the report's driftredovisning (its first occurrence
    followed by six figures; a long name may wrap)."""
    words = r"\s+".join(map(re.escape, name.split()))
    figure = r"[−–-]?\d{1,3}(?:\xa0\d{3})*|–"
    found = re.search(words + r"\s+((?:(?:" + figure + r")[ \n]){5}(?:" + figure + r"))", text)
    assert found, f"{name} has no row of figures in the PDF"
    return SEPARATORS.split(found.group(1).strip())


def _page_row(page, name) -> list[str]:
    cells = page.locator("table.budget-table", has_text=name).locator("tr", has_text=name)
    # A nämnd without a forecast shows its frame marked "*" (and, for screen readers,
    # why): the figure is the cell's first line.
    return [
        c.strip().split("\n")[0].rstrip("*").strip()
        for c in cells.first.locator("td").all_inner_texts()
    ]


def _downloaded(browser, link_text, tmp_path):
    page = browser.page
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(link_text)).first.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    return path


def test_ekonomichef_makes_the_interim_report_and_its_totals_are_budgets(browser, tmp_path):
    page = browser.page
    year = timezone.localdate().year
    browser.login("ekonomichef")
    browser.open("/rapporter/")
    browser.check_accessibility("reports")
    label = f"Delårsrapport per 31 augusti {year}"
    page.select_option("#id_period", label=label)
    with page.expect_navigation():
        page.click("main form button:has-text('Gör rapporten')")
    # The report's page follows the rendering: a progress bar, then the page reloads by
    # itself with the download (no reload by the test).
    assert page.locator("h1").inner_text() == label
    if page.locator("#report-progress progress").count():
        assert "Ladda ned PDF" not in page.locator("main").inner_text()
        browser.check_accessibility("report in progress")
    page.wait_for_selector("main a:has-text('Ladda ned PDF')", timeout=120_000)
    assert page.locator("#report-progress progress").count() == 0
    assert "Utkast – klart" in page.locator("main").inner_text()
    browser.check_accessibility("report done")
    browser.screenshot("ekonomichef-delarsrapport-1280")
    text = _pdf_text(_downloaded(browser, "Ladda ned PDF", tmp_path))
    assert label in text and "Sida 1 av" in text

    # The report holds approved figures: /budget/ as a politician reads it (the ekonomichef
    # also sees the forecasts of follow-ups not yet approved).
    browser.logout()
    browser.login("politiker")
    browser.open(f"/budget/?ar={year}&manad=8")
    for name in [*NAMES, "Totalt"]:
        on_page = _page_row(page, name)
        in_pdf = _pdf_row(text, name)
        # Every figure of the report's row is in /budget/'s row for the same nämnd, in order.
        assert [cell for cell in on_page if cell in in_pdf] == in_pdf, (name, on_page, in_pdf)
        assert len([f for f in in_pdf if f != "–"]) >= 4, (name, in_pdf)


@pytest.fixture
def draft(demo_server, django_db_blocker):
    """A finished draft delårsrapport of this year: it must reach no one but the ekonomichef."""
    with django_db_blocker.unblock():
        period = ReportingPeriod.objects.get(year=timezone.localdate().year, month=8)
        report = make_report(period)
        yield report
        Report.objects.filter(pk=report.pk).delete()


def test_politician_and_the_public_download_adopted_reports_never_drafts(browser, draft, tmp_path):
    page = browser.page
    adopted = Report.objects.adopted().select_related("period").first()
    assert adopted is not None, "the demo holds last year's adopted delårsrapport"

    browser.login("politiker")
    browser.open("/rapporter/")
    listed = page.locator("main table").inner_text()
    assert adopted.title in listed
    assert draft.title not in listed and "Utkast" not in listed
    text = _pdf_text(_downloaded(browser, "PDF", tmp_path))
    assert adopted.title in text
    assert browser.open(draft.get_absolute_url()) == 404
    assert browser.open(draft.download_url()) == 404
    browser.logout()

    # Anonymous: /oppen/ lists the adopted reports; a draft's file sends to the login.
    assert browser.open("/oppen/") == 200
    browser.check_accessibility("public reports")
    listed = page.locator("main").inner_text()
    assert adopted.title in listed and draft.title not in listed
    public = tmp_path / "public"
    public.mkdir()
    text = _pdf_text(_downloaded(browser, "PDF", public))
    assert adopted.title in text
    assert browser.open(draft.download_url()) == 302
    assert "/logga-in/" in page.url
