"""The ekonomichef imports a month of outcomes from the ledger and sees the deviations;
a politician sees the same numbers and cannot reach the upload."""

import re
from decimal import Decimal

from tests.budget.sie_builder import Objects, build_sie, record, voucher


def _november_file(tmp_path):
    """An SIE 4 file of November 2026 for Hemtjänst Hedemora (ansvar 4110), in CP437."""
    body = [
        record("#KONTO", 1930, "Bank"),
        record("#KONTO", 5011, "Löner månadsavlönade"),
        record("#KONTO", 3011, "Avgifter hemtjänst"),
        record("#OBJEKT", 1, "4110", "Hemtjänst Hedemora"),
        *voucher(
            "L",
            11,
            "20261125",
            "Löner november",
            [
                (5011, Objects((1, "4110")), Decimal("5321000.00")),
                (1930, None, Decimal("-5321000.00")),
            ],
        ),
        *voucher(
            "K",
            12,
            "20261130",
            "Avgifter november",
            [
                (3011, Objects((1, "4110")), Decimal("-412000.00")),
                (1930, None, Decimal("412000.00")),
            ],
        ),
    ]
    path = tmp_path / "hedemora-2026-11.se"
    path.write_bytes(build_sie(body, program="Ekonomisystem", company="Hedemora kommun"))
    return path


def _social_row(page):
    return page.locator("table.budget-table tbody tr", has_text="Socialnämnden").inner_text()


def _figures(row_text):
    """The row's amounts, in order (the name and the badges left out)."""
    return re.findall(r"−?\d[\d\xa0 ]*\d|−?\d", row_text.split("\t", 1)[1])


def test_finance_imports_sie_and_sees_deviations(browser, tmp_path):
    page = browser.page
    browser.login("ekonomichef")
    browser.open("/budget/")
    assert page.locator("h1").inner_text() == "Budget 2026"
    page.click("text=Importera utfall")
    page.select_option("#id_kind", "sie")
    page.set_input_files("#id_file", str(_november_file(tmp_path)))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    # The import runs in the background; the page follows it and shows the summary.
    page.wait_for_selector("text=Importen är klar", timeout=30_000)
    summary = page.locator("main").inner_text()
    assert "4110 Hemtjänst Hedemora" in summary
    assert "−4\xa0909\xa0000" in summary  # 412 000 in fees − 5 321 000 in salaries, in table sign
    browser.screenshot("ekonomichef-import-1280")
    browser.check_accessibility("import summary")

    page.click("text=Se avvikelserna")
    page.select_option("#id_manad", "11")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    finance_row = _social_row(page)
    assert "Åtgärdsplan krävs" in finance_row
    browser.screenshot("ekonomichef-budget-1280")
    url = page.url
    browser.logout()

    browser.login("politiker")
    browser.page.goto(url)
    # The same budget and outcome; the forecast is the latest approved one (the
    # ekonomichef also sees those of follow-ups in progress).
    politician_row = _social_row(browser.page)
    assert _figures(politician_row)[:6] == _figures(finance_row)[:6]
    from budget.models import BudgetYear
    from budget.overview import budget_overview

    month = int(url.rsplit("manad=", 1)[1].split("&")[0])
    approved = budget_overview(BudgetYear.objects.get(year=2026), month, approved_only=True)
    row = next(r for r in approved.rows if r.name == "Socialnämnden")
    assert (row.forecast is None) == ("ingen prognos" in politician_row)
    assert browser.page.locator("a", has_text="Importera utfall").count() == 0
    assert browser.open("/budget/import/") == 403


def test_finance_registers_a_change_reverses_it_and_reads_the_history(browser):
    """A change registered by mistake is reversed by a new decision, never deleted; both
    stand in the list and in the budget's history."""
    page = browser.page
    browser.login("ekonomichef")
    browser.open("/budget/?ar=2026&manad=10")
    page.click("text=Registrera en budgetförändring")
    page.select_option("#id_kind", "reallocation")
    page.select_option("#id_from_unit", label="Kommunstyrelsen")
    page.select_option("#id_to_unit", label="Kultur- och fritidsnämnden")
    page.fill("#id_amount", "250 000")
    page.select_option("#id_decided_by", label="Kommunfullmäktige")
    page.fill("#id_decided_on", "2026-11-24")
    page.fill("#id_decision_reference", "KF 2026-11-24 § 150")
    page.fill("#id_description", "Bidrag till föreningslivet.")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "manad=10" in page.url  # back to the month the ekonomichef came from
    row = page.locator("table.changes-table tbody tr", has_text="KF 2026-11-24 § 150").first
    row.locator("a", has_text="Reversera").click()
    page.fill("#id_decided_on", "2026-11-30")
    page.fill("#id_decision_reference", "KF 2026-11-30 § 160")
    page.fill("#id_description", "Registrerades av misstag.")
    browser.check_accessibility("reverse a budget change")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    listed = page.locator("table.changes-table").first.inner_text()
    assert "Reverserad genom KF 2026-11-30 § 160" in listed
    assert "Reverserar KF 2026-11-24 § 150" in listed
    page.click("text=Historik")
    history = page.locator("main").inner_text()
    assert "KF 2026-11-30 § 160" in history and "KF 2026-11-24 § 150" in history
    browser.check_accessibility("budget history")
    browser.screenshot("ekonomichef-history-1280")
