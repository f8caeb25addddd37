"""axe-core on every page of the product, per role, at 1280 px and 320 px, and every form
with its errors showing. The pages come from the URL patterns (tests/urlcatalog.py)."""

from types import SimpleNamespace

import pytest

from tests.browser.harness import AccessibilityError, axe_violations
from tests.urlcatalog import url_for, url_patterns

# Each role sees its own version of a page (buttons, forms, drafts).
ROLES = ["anonymous", "politiker", "socialchef", "enhetschef", "ekonomichef", "hr", "admin"]
# Not product pages: the Django admin, logout and opening a budget year (POST only).
SKIP = {"admin", "logout", "budget:year_create", "budget:export", "budget:import_status"}
MAIN_PAGES = [
    "goals:tree",
    "goals:detail",
    "goals:assignments",
    "goals:assignment",
    "goals:create",
    "login",
    "accessibility",
    "budget:overview",
    "budget:unit",
    "budget:imports",
    "budget:frames",
    "budget:investments",
]


@pytest.fixture(scope="module")
def demo(demo_server, django_db_blocker):
    """Objects of Socialförvaltningen in the Hedemora demo, for the URL parameters."""
    from budget.models import BudgetChange, ImportBatch, InvestmentProject
    from goals.models import Assignment, Goal, Indicator
    from styrning.models import Job, Municipality, OrgUnit

    with django_db_blocker.unblock():
        batch, _created = ImportBatch.objects.get_or_create(
            municipality=Municipality.objects.get(),
            kind="sie",
            filename="demo.se",
            checksum="0" * 64,
            errors=["rad 3: exempel på ett fel"],
            defaults={"job": Job.objects.create(kind="import", state="failed", reason="Fel")},
        )
        plans = Goal.objects.filter(owner__name="Socialförvaltningen", level__order=4)
        plan = plans.filter(status="adopted").first()
        return SimpleNamespace(
            unit=OrgUnit.objects.get(name="Socialförvaltningen"),
            year=2026,
            fmt="xlsx",
            batch=batch,
            investment=InvestmentProject.objects.filter(budget_year__year=2026).first(),
            change=BudgetChange.objects.filter(budget_year__year=2026).first(),
            plan=plan,
            draft=Goal.objects.filter(
                owner__parent__name="Socialförvaltningen", status="draft"
            ).first(),
            indicator=Indicator.objects.filter(goal__owner__name="Socialförvaltningen").first(),
            assignment=Assignment.objects.filter(unit__name="Socialförvaltningen").first()
            or Assignment.objects.first(),
        )


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe(browser, demo, role):
    if role != "anonymous":
        browser.login(role)
    scanned, problems = [], []
    for pattern in url_patterns():
        if pattern.name in SKIP:
            continue
        url = url_for(pattern, demo)
        if browser.open(url) != 200:
            continue
        scanned.append(pattern.name)
        try:
            browser.check_accessibility(f"as {role}")
        except AccessibilityError as error:
            problems.append(str(error))
        assert browser.page.evaluate("document.documentElement.lang") == "sv"
        title = browser.page.title()
        assert title and "Styrning" in title, f"{url} has no descriptive title"
    assert not problems, "\n\n".join(problems)
    assert {"login", "accessibility"} <= set(scanned)
    if role != "anonymous":
        assert {"goals:tree", "goals:detail", "goals:assignments"} <= set(scanned)
    if role == "socialchef":
        assert {"goals:create", "goals:edit", "goals:decide"} <= set(scanned)


@pytest.mark.parametrize("role", ["anonymous", "socialchef", "ekonomichef"])
def test_main_pages_reflow_at_320px(narrow_browser, demo, role):
    if role != "anonymous":
        narrow_browser.login(role)
    problems = []
    for pattern in url_patterns():
        if pattern.name not in MAIN_PAGES:
            continue
        if narrow_browser.open(url_for(pattern, demo)) != 200:
            continue
        narrow_browser.assert_reflows()
        try:
            narrow_browser.check_accessibility("at 320 px")
        except AccessibilityError as error:
            problems.append(str(error))
        narrow_browser.screenshot(f"{role}-{pattern.name.replace(':', '-')}-320")
    assert not problems, "\n\n".join(problems)


FORMS = [
    "goals:create",
    "goals:edit",
    "goals:decide",
    "goals:indicator_create",
    "goals:indicator_edit",
    "goals:assignment",
    "budget:forecast",
    "budget:change_create",
    "budget:change_reverse",
    "budget:detail_budget",
    "budget:imports",
    "budget:investment_create",
]


@pytest.mark.parametrize("role", ["socialchef", "ekonomichef"])
def test_every_form_with_its_errors_showing(browser, demo, role):
    browser.login(role)
    page = browser.page
    problems, filled = [], []
    for pattern in url_patterns():
        if pattern.name not in FORMS:
            continue
        url = url_for(pattern, demo)
        status = browser.open(url)
        if status != 200:
            continue  # this role does not fill in this form
        filled.append(pattern.name)
        form = page.locator("main form[method=post]").first
        for field in form.locator("input[type=text], input[type=number], textarea").all():
            field.fill("")
        for field in form.locator("input[inputmode=decimal]").all():
            field.fill("tio kronor")  # not an amount
        status = form.locator("select[name=status]")
        if status.count():
            status.select_option("done")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        summary = page.locator("#error-summary")
        assert summary.count() == 1, f"{url}: no error summary after an empty submit"
        invalid = page.locator("[aria-invalid=true]")
        assert invalid.count() >= 1, f"{url}: errors are not tied to their fields"
        described = invalid.first.get_attribute("aria-describedby")
        assert described and page.locator(f"#{described.split()[-1]}").count() == 1
        try:
            browser.check_accessibility(f"{pattern.name} with errors")
        except AccessibilityError as error:
            problems.append(str(error))
    assert not problems, "\n\n".join(problems)
    expected = {
        "socialchef": {"goals:create", "goals:edit", "goals:decide", "budget:forecast"},
        "ekonomichef": {
            "budget:change_create",
            "budget:detail_budget",
            "budget:imports",
            "budget:investment_create",
        },
    }[role]
    assert expected <= set(filled), filled


def test_login_form_error_is_announced(browser):
    browser.open("/logga-in/")
    browser.page.fill("#id_username", "politiker")
    browser.page.fill("#id_password", "fel-lösenord")
    browser.page.click("main button[type=submit]")
    alert = browser.page.locator("[role=alert]")
    assert "korrekt användarnamn" in alert.inner_text()
    browser.check_accessibility("login with error")


def test_the_scan_catches_an_unlabelled_input(browser):
    """The harness itself: a page with a deliberately unlabelled input fails.

    The page exists only inside this test (set_content); the product never serves it.
    """
    browser.page.set_content(
        "<!DOCTYPE html><html lang='sv'><head><title>Testsida</title></head>"
        "<body><main><h1>Testsida</h1><form><input type='text' name='x'></form></main></body>"
        "</html>"
    )
    ids = {v["id"] for v in axe_violations(browser.page)}
    assert "label" in ids
    with pytest.raises(AccessibilityError):
        browser.check_accessibility()
