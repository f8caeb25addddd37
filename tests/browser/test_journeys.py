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
    plan_item = page.locator(f"#mal-{places['own_plan'].pk}")
    toggle = plan_item.locator("> .goal-children > button.goal-toggle")
    assert re.search(r"\d+ aktivitet", toggle.inner_text().lower())
    if toggle.get_attribute("aria-expanded") == "true":
        toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not plan_item.locator(".level-tag", has_text="Aktivitet").first.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    activity = plan_item.locator(".level-tag", has_text="Aktivitet").first
    assert activity.is_visible()

    # Open every level of the nämnd at once (rendered by the server), then close them.
    # The nämnd's view is not cut off, so it says every level is open already (a cut-off
    # one offers "Visa alla N mål på en sida", tests/goals/test_tree.py); ?alla=1 is that
    # page, every level rendered by the server.
    assert page.locator("text=Alla nivåer är öppna").count() == 1
    browser.open(page.url.replace(browser.base_url, "") + "&alla=1")
    assert page.locator(".goal-tree button.goal-toggle[aria-expanded=false]").count() == 0
    assert page.locator(".goal-tree .goal-row").count() >= 3
    page.click("text=Stäng alla nivåer")
    assert page.locator(".goal-tree button.goal-toggle[aria-expanded=true]").count() == 0
    page.reload()

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


def test_a_level_opens_with_the_keyboard_and_its_goals_load(browser, places):
    page = browser.page
    browser.login("politiker")
    browser.open("/mal/")
    # The top of the chain only: nämndmål load when their level is opened.
    assert page.locator(".goal-tree .goal-row", has_text="Socialnämnden").count() == 0
    browser.tab_to(
        "el.classList.contains('goal-toggle') && el.getAttribute('aria-expanded') === 'false'"
    )
    browser.assert_focus_visible()
    toggle_id = browser.focused()["id"]
    toggle = page.locator(f"#{toggle_id}")
    label = toggle.inner_text()
    count = int(re.search(r"\d+", label).group())
    page.keyboard.press("Enter")
    children = page.locator(f"#under-{toggle_id} > li")
    children.first.wait_for()
    assert children.count() == count
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == toggle_id  # focus stays
    # Its name says what it opens; a polite live region says that the level loaded.
    visible = toggle.get_attribute("data-label")
    assert re.sub(r"\s+", " ", label).startswith(f"{visible} under ")
    assert page.locator("#tree-live").inner_text() == f"{visible} visas"
    # The address remembers the open level: Back from a goal page shows it open again.
    pk = toggle_id.replace("toggle-", "")
    assert page.url.endswith(f"/mal/?oppna={pk}")
    page.locator(f"#under-{toggle_id} > li .goal-row__title").first.click()
    page.wait_for_load_state()
    page.go_back()
    page.wait_for_load_state()
    toggle = page.locator(f"#{toggle_id}")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert children.first.is_visible()
    toggle.focus()
    # Space closes it again; the goals stay loaded and come back without a request.
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not children.first.is_visible()
    page.keyboard.press("Enter")
    assert children.first.is_visible()
    browser.check_accessibility("a level opened")


def test_an_address_with_an_opened_goal_shows_that_goal(browser, places):
    """/mal/?oppna=<pk> (a shared link, the remembered level) scrolls to the goal opened."""
    page = browser.page
    browser.login("politiker")
    page.set_viewport_size({"width": 800, "height": 400})
    browser.open("/mal/")
    last = page.locator(".goal-tree .goal-toggle").last.get_attribute("id")
    pk = last.replace("toggle-", "")
    browser.open(f"/mal/?oppna={pk}")
    top = page.evaluate(f"document.getElementById('mal-{pk}').getBoundingClientRect().top")
    assert page.evaluate("window.scrollY") > 0
    assert -1 < top < 400


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
