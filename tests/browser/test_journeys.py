"""Journeys through the product as its users make them, in Debian's Chromium."""

import re

import pytest


@pytest.fixture(scope="module")
def places(demo_server, django_db_blocker):
    from goals.models import Goal

    with django_db_blocker.unblock():
        own_plan = Goal.objects.filter(
            owner__name="Socialförvaltningen",
            level__order=4,
            status="adopted",
            children__isnull=False,
        ).first()
        other_plan = Goal.objects.filter(
            owner__name="Samhällsbyggnadsförvaltningen", level__order=4
        ).first()
        committee_goal = Goal.objects.filter(
            owner__name="Socialnämnden", level__order=3, indicators__isnull=False
        ).first()
        return {"own_plan": own_plan, "other_plan": other_plan, "committee_goal": committee_goal}


def test_politician_browses_the_chain(browser, places):
    page = browser.page
    browser.login("politiker")
    browser.open("/mal/")
    assert page.locator("h1").inner_text() == "Målkedjan"
    browser.screenshot("politiker-mal-1280")

    # Filter by a nämnd: its chain stays, others go.
    page.select_option("#id_unit", label="Socialnämnden")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "unit=" in page.url
    assert page.locator(".goal-row", has_text="Socialnämnden").count() >= 2
    assert page.locator(".goal-row", has_text="Samhällsbyggnadsnämnden").count() == 0

    # Expand the tree down to an aktivitet: close a branch, then open it again.
    plan_row = page.locator(
        ".goal-row", has=page.locator(".goal-row__title", has_text=places["own_plan"].title)
    ).first
    details = plan_row.locator("xpath=following-sibling::details[1]")
    summary = details.locator("summary").first
    assert re.search(r"\d+ aktivitet", summary.inner_text().lower())
    if details.get_attribute("open") is not None:
        summary.click()
    assert details.get_attribute("open") is None
    summary.click()
    assert details.get_attribute("open") is not None
    activity = details.locator(".level-tag", has_text="Aktivitet").first
    assert activity.is_visible()

    # Open every level at once, then close them again.
    page.click("text=Öppna alla nivåer")
    assert page.locator(".goal-tree details:not([open])").count() == 0
    page.click("text=Stäng alla nivåer")
    assert page.locator(".goal-tree details[open]").count() == 0
    page.click("text=Öppna alla nivåer")

    # A goal page: indicators, children, history.
    page.click(f"text={places['committee_goal'].title}")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == places["committee_goal"].title
    assert page.locator("#indicators-heading").inner_text() == "Indikatorer"
    assert page.locator(".indicator table tbody tr").count() >= 1
    assert page.locator("#history-heading").is_visible()
    assert page.locator(".history > li").count() >= 1
    assert page.locator("a", has_text="Ändra").count() == 0  # politicians change nothing
    browser.screenshot("politiker-malsida-1280")
    browser.check_accessibility()

    browser.logout()
    assert "/logga-in/" in page.url


def test_chef_adds_an_activity_with_the_keyboard_alone(browser, places):
    page = browser.page
    browser.open("/logga-in/")
    browser.tab_to("el.id === 'id_username'")
    browser.assert_focus_visible()
    page.keyboard.type("socialchef")
    page.keyboard.press("Tab")
    page.keyboard.type("styrning-demo")
    browser.press_and_wait("Enter")
    assert "/logga-in/" not in page.url

    plan = places["own_plan"]
    browser.open(f"/mal/{plan.pk}/")
    browser.tab_to("el.tagName === 'A' && el.textContent.includes('Lägg till aktivitet')")
    browser.assert_focus_visible()
    browser.press_and_wait("Enter")
    assert page.url.endswith(f"/mal/{plan.pk}/nytt/")

    # Fill everything but the title, and send with the keyboard.
    browser.tab_to("el.id === 'id_description'")
    page.keyboard.type("Alla i arbetsgruppen går en halvdag om genomförandeplaner.")
    browser.tab_to("el.id === 'id_responsible'")
    page.keyboard.type("Lena Holm, enhetschef")
    browser.tab_to("el.tagName === 'BUTTON' && el.type === 'submit' && el.closest('main')")
    browser.assert_focus_visible()
    browser.press_and_wait("Enter")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Rubrik: Detta fält måste fyllas i." in summary.inner_text()
    title = page.locator("#id_title")
    assert title.get_attribute("aria-invalid") == "true"
    assert "id_title_errors" in title.get_attribute("aria-describedby")
    assert page.locator("#id_description").input_value().startswith("Alla i arbetsgruppen")
    browser.check_accessibility("form with errors")

    # The error summary's link takes the keyboard to the field.
    browser.tab_to("el.getAttribute('href') === '#id_title'")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_title"
    page.keyboard.type("Utbildning i genomförandeplaner")
    browser.tab_to("el.tagName === 'BUTTON' && el.type === 'submit' && el.closest('main')")
    browser.assert_focus_visible()
    browser.press_and_wait("Enter")
    assert page.locator("h1").inner_text() == "Utbildning i genomförandeplaner"
    assert "Sparat som utkast" in page.locator(".messages").inner_text()
    assert page.locator(".status--draft").first.is_visible()

    # Another förvaltning's form is refused.
    other = places["other_plan"]
    assert browser.open(f"/mal/{other.pk}/andra/") == 403
    assert "Ingen behörighet" in page.locator("h1").inner_text()
    assert browser.open(f"/mal/{other.pk}/nytt/") == 403
