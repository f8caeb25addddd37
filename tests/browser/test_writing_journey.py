"""Writing the report together: the ekonomichef gives Kommunstyrelsen's chapter of the
delårsrapport to a förvaltningschef with anvisningar; the chef finds it under "Mina
texter", writes it and marks it done; the ekonomichef locks it; the text is in the
report's context."""

import pytest

TEXT = "Kommunstyrelsen har under våren arbetat med den nya lokalförsörjningsplanen."


@pytest.fixture(scope="module")
def chapter(demo_server, django_db_blocker):
    """The demo's current delårsrapport and its Kommunstyrelsen chapter (no writer yet)."""
    from reports.models import ReportText

    with django_db_blocker.unblock():
        text = (
            ReportText.objects.filter(
                period__kind="interim", unit__kind="executive", owner=None, state="draft"
            )
            .exclude(period__state="locked")
            .select_related("period", "unit")
            .first()
        )
        assert text is not None, "the demo sets up the delårsrapport's chapters"
        return text


def test_a_chapter_from_assignment_to_the_report(browser, chapter, django_db_blocker):
    from django.contrib.auth import get_user_model

    page = browser.page
    with django_db_blocker.unblock():
        chef = get_user_model().objects.get(username="socialchef")
    prefix = f"#id_t{chapter.pk}"

    # The ekonomichef gives the chapter to the förvaltningschef, with anvisningar.
    browser.login("ekonomichef")
    assert browser.open(f"/rapporter/perioder/{chapter.period_id}/texter/") == 200
    browser.check_accessibility("the chapters of a report")
    page.select_option(f"{prefix}-owner", str(chef.pk))
    page.fill(f"{prefix}-instructions", "Beskriv lokalförsörjningen, högst en halv sida.")
    with page.expect_navigation():
        page.click("button:has-text('Spara kapitlen')")
    assert "Kapitlen har sparats." in page.locator(".message--success").inner_text()
    browser.logout()

    # The chef finds it under "Mina texter", writes it beside the anvisningar, marks it done.
    browser.login("socialchef")
    assert browser.open("/rapporter/texter/") == 200
    browser.check_accessibility("my texts")
    with page.expect_navigation():
        page.click(f"a[href='/rapporter/texter/{chapter.pk}/']")
    assert "Beskriv lokalförsörjningen" in page.locator(".text-instructions").inner_text()
    browser.check_accessibility("writing a chapter")
    page.fill("#id_text", TEXT)
    with page.expect_navigation():
        page.click("button[value=done]")
    assert "Texten är markerad som klar." in page.locator(".message--success").inner_text()
    browser.logout()

    # The ekonomichef locks it.
    browser.login("ekonomichef")
    assert browser.open(f"/rapporter/texter/{chapter.pk}/") == 200
    with page.expect_navigation():
        page.click("button[value=lock]")
    assert "Texten är låst." in page.locator(".message--success").inner_text()
    assert page.locator("#id_text").count() == 0  # nothing locked can change

    # The text is in the report's context, which the page and the PDF both render.
    from reports.context import build

    with django_db_blocker.unblock():
        context = build(chapter.period)
    section = next(b for b in context["bodies"] if b["name"] == chapter.unit.name)
    assert section["analysis_text"] == [TEXT]
