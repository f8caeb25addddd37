"""The ekonomichef keeps the årshjul with the keyboard alone; the wheel fits a phone."""

import pytest


@pytest.fixture(scope="module")
def periods(demo_server, django_db_blocker):
    """A planned and a closed period of the demo (made so whatever today's date is)."""
    from followup.calendar import close_period, open_period
    from followup.models import ReportingPeriod

    with django_db_blocker.unblock():
        planned = ReportingPeriod.objects.filter(state="planned").order_by("year", "month")
        closed = ReportingPeriod.objects.filter(state="closed").order_by("year", "month").first()
        if closed is None:  # early in the year: close next year's last period for the test
            closed = close_period(open_period(planned.last()))
        return {"planned": planned.first(), "closed": closed}


def _keyboard_submit(browser, action_url):
    """Tab to the submit button of the form posting to ``action_url`` and press Enter."""
    browser.tab_to(
        "el.tagName === 'BUTTON' && el.form !== null && "
        f"new URL(el.form.action).pathname === '{action_url}'"
    )
    browser.assert_focus_visible()
    browser.press_and_wait("Enter")


def test_ekonomichef_opens_and_locks_periods_with_the_keyboard(browser, periods):
    page = browser.page
    planned, closed = periods["planned"], periods["closed"]
    browser.login("ekonomichef")

    # Open a planned period.
    assert browser.open(f"/arshjul/?ar={planned.year}") == 200
    assert page.locator("h1").inner_text() == f"Årshjul {planned.year}"
    row = page.locator(f"#period-{planned.pk}")
    assert "Planerad" in row.inner_text()
    _keyboard_submit(browser, f"/arshjul/period/{planned.pk}/oppna/")
    assert f"?ar={planned.year}" in page.url
    assert page.locator(".message--success").inner_text() == f"Perioden ”{planned.label}” är öppen."
    assert browser.dialogs[-1].startswith("Öppna perioden")  # asked first
    assert "Öppen" in page.locator(f"#period-{planned.pk}").inner_text()

    # Lock a closed one with the decision that adopted its report.
    browser.open(f"/arshjul/?ar={closed.year}")
    browser.tab_to(f"el.id === 'lock-{closed.pk}'")
    browser.assert_focus_visible()
    label = page.locator(f"label[for='lock-{closed.pk}']").inner_text()
    assert label.startswith("Beslutsreferens")
    page.keyboard.type("KF 2026-11-24 § 140")
    page.keyboard.press("Tab")
    assert browser.focused()["tag"] == "BUTTON"
    browser.press_and_wait("Enter")
    assert page.locator(".message--success").inner_text() == f"{closed.label} är låst."
    row = page.locator(f"#period-{closed.pk}")
    assert "Låst" in row.inner_text() and "KF 2026-11-24 § 140" in row.inner_text()
    assert row.locator("button").count() == 0  # nothing more to do with a locked period
    browser.check_accessibility("the årshjul after locking")


def test_the_wheel_fits_a_phone(narrow_browser):
    b = narrow_browser
    b.login("politiker")
    assert b.open("/arshjul/") == 200
    wheel = b.page.locator("figure.wheel svg")
    box = wheel.bounding_box()
    assert box is not None and 0 < box["width"] <= 320
    assert b.page.locator("#wheel-title").count() == 1
    b.assert_reflows()
    b.check_accessibility("the årshjul at 320 px")
