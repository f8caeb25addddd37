"""HR enters a unit's sjukfrånvaro and writes the personalberättelse with the keyboard alone."""

import pytest


@pytest.fixture(scope="module")
def target(demo_server, django_db_blocker):
    """A goal period of the demo that is not locked, and Socialförvaltningen."""
    from followup.models import ReportingPeriod
    from styrning.models import OrgUnit

    with django_db_blocker.unblock():
        period = (
            ReportingPeriod.objects.filter(content__in=["goals_prognosis", "goals_year"])
            .exclude(state="locked")
            .order_by("year", "month")
            .first()
        )
        return {"period": period, "unit": OrgUnit.objects.get(name="Socialförvaltningen")}


def test_hr_enters_sick_leave_and_writes_the_personnel_report(browser, target):
    page = browser.page
    period, unit = target["period"], target["unit"]
    browser.login("hr")
    period_url = f"/uppfoljning/personal/period/{period.pk}/"

    # From the personnel page to the period's table.
    assert browser.open("/uppfoljning/personal/") == 200
    browser.tab_to(f"el.tagName === 'A' && new URL(el.href).pathname === '{period_url}'")
    browser.assert_focus_visible()
    browser.press_and_wait("Enter")
    assert page.url.endswith(period_url)
    browser.check_accessibility("the personnel figures of a period")

    # A figure out of range is refused, naming the unit and the field.
    field = f"id_u{unit.pk}-sick_leave"
    browser.tab_to(f"el.id === '{field}'", limit=800)
    browser.assert_focus_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type("140")
    browser.tab_to("el.tagName === 'BUTTON' && el.type === 'submit' && el.form !== null", 800)
    browser.press_and_wait("Enter")
    summary = page.locator("#error-summary")
    assert "Ingenting sparades" in summary.inner_text()
    assert "Socialförvaltningen: Sjukfrånvaro (%)" in summary.inner_text()
    browser.check_accessibility("the personnel figures with an error")

    # The right figures are saved.
    browser.tab_to(f"el.id === '{field}'", limit=800)
    page.keyboard.press("Control+A")
    page.keyboard.type("5,8")
    page.keyboard.press("Tab")
    assert browser.focused()["id"] == f"id_u{unit.pk}-sick_leave_women"
    page.keyboard.press("Control+A")
    page.keyboard.type("6,9")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("3,1")
    browser.tab_to("el.tagName === 'BUTTON' && el.type === 'submit' && el.form !== null", 800)
    browser.press_and_wait("Enter")
    assert "Sparat" in page.locator(".message--success").inner_text()
    assert page.locator(f"#{field}").input_value() == "5,8"  # as people write it
    assert page.locator(f"#id_u{unit.pk}-sick_leave_men").input_value() == "3,1"

    # The personalberättelse.
    report_url = f"{period_url}personalberattelse/"
    browser.tab_to(f"el.tagName === 'A' && new URL(el.href).pathname === '{report_url}'")
    browser.press_and_wait("Enter")
    browser.tab_to("el.tagName === 'TEXTAREA'")
    browser.assert_focus_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type("Sjukfrånvaron minskar i vård och omsorg.")
    page.keyboard.press("Tab")
    assert browser.focused()["tag"] == "BUTTON"
    browser.press_and_wait("Enter")
    assert page.locator(".message--success").inner_text() == "Personalberättelsen är sparad."
    assert page.locator("textarea").input_value() == "Sjukfrånvaron minskar i vård och omsorg."
    browser.check_accessibility("the personnel report")


def test_a_chef_imports_indicator_values_after_the_preview(browser, django_db_blocker):
    from goals.models import Indicator, Measurement

    with django_db_blocker.unblock():
        indicator = Indicator.objects.filter(goal__owner__name="Socialförvaltningen").first()
    page = browser.page
    browser.login("socialchef")
    assert browser.open("/uppfoljning/personal/indikatorvarden/") == 200
    # Values any indicator takes (one in per cent refuses more than 100).
    lines = f"indikator;period;kön;värde\n{indicator.pk};2031;;12,5\n{indicator.pk};2031-02;;7\n"
    page.set_input_files(
        "#id_file",
        files=[{"name": "v.csv", "mimeType": "text/csv", "buffer": lines.encode("cp1252")}],
    )
    with page.expect_navigation():
        page.click("text=Kontrollera filen")
    assert "Nya: 2, ändrade: 0, oförändrade: 0" in page.locator("#preview-heading + p").inner_text()
    with django_db_blocker.unblock():
        assert not Measurement.objects.filter(indicator=indicator, year=2031).exists()
    with page.expect_navigation():
        page.click("text=Spara importen")
    assert "Importerat. Nya: 2" in page.locator(".message--success").inner_text()
    with django_db_blocker.unblock():
        values = Measurement.objects.filter(indicator=indicator, year=2031)
        assert sorted(str(m.value) for m in values) == ["12.50", "7.00"]
        values.delete()  # the demo stays as it was for the other browser tests
