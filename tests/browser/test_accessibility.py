"""axe-core on every kind of page the link crawl reaches, once per role that sees it
differently, at 1280 px; the main pages at 320 px; every form with its errors showing."""

import json
from dataclasses import asdict
from types import SimpleNamespace

import pytest

from tests.browser.harness import ARTIFACTS, AccessibilityError, axe_violations
from tests.crawl import ROLES, crawl_role, login, scan_plan
from tests.urlcatalog import url_for, url_patterns

# Enough pages per pattern and role for the crawl to find every kind of page.
SCAN_CAP = 12

# Not product pages: the Django admin, logout (POST only), the favicon's redirect.
SKIP = {
    "admin",
    "logout",
    "favicon",
    "budget:year_create",
    "budget:export",
    "budget:import_status",
    # The årshjul's POST-only actions: their forms are on /arshjul/, scanned there.
    "followup:make_periods",
    "followup:period_open",
    "followup:period_close",
    "followup:period_lock",
    "followup:submission_return",
    "followup:submission_approve",
    "followup:evidence_upload",
    "followup:evidence_delete",
    # A file download, not a page (the demo attaches no files; tests/followup downloads one).
    "followup:evidence",
    # The report's progress fragment (scanned inside its page), its PDF, its POST-only adoption
    # (the form is on the report's page, scanned there).
    "reports:status",
    "reports:download",
    "reports:download_docx",
    "reports:adopt",
}
# Kinds of page no link reaches in the demo, and why.
UNREACHED = {
    "budget:adopt": "linked only while the budget year is a draft; the demo's is adopted",
}
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
    "followup:calendar",
    "followup:mine",
    "followup:submission",
    "followup:fulfilment",
    "followup:fulfilment_goal",
    "followup:midterm",
    "reports:index",
    "reports:detail",
    "followup:rollup",
]


@pytest.fixture(scope="session")
def demo(demo_server, django_db_blocker, delar_submission):
    """Objects of Socialförvaltningen in the Hedemora demo, for the URL parameters;
    and one failed import, so the import pages have something to show."""
    from budget.models import BudgetChange, ImportBatch, InvestmentProject
    from followup.models import ReportingPeriod
    from goals.models import Assignment, Goal, Indicator
    from reports.models import Report
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
            period=ReportingPeriod.objects.filter(state="closed").first(),
            submission=delar_submission,
            # The previous year's adopted delårsrapport: every role reads it.
            report=Report.objects.adopted().first(),
            assignment=Assignment.objects.filter(unit__name="Socialförvaltningen").first()
            or Assignment.objects.first(),
        )


@pytest.fixture(scope="session")
def pages_to_scan(demo, django_db_blocker):
    """What the link crawl reaches as each role, each kind of page once per role that
    sees it differently (tests/crawl.py: scan_plan). Written to test-artifacts/ too."""
    from django.test import Client

    with django_db_blocker.unblock():
        results = {}
        for role in ROLES:
            client = Client()
            login(client, role)
            results[role] = crawl_role(client, role, cap=SCAN_CAP)
    plan = scan_plan(results)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-pages.json").write_text(
        json.dumps([asdict(p) for p in plan], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return plan


def test_the_scan_covers_every_kind_of_page(pages_to_scan):
    reached = {p.pattern for p in pages_to_scan}
    expected = {p.name for p in url_patterns()} - SKIP - set(UNREACHED) - {"home"}
    assert expected - reached == set(), "kinds of page no link reaches: add a link or a reason"
    assert not reached & set(UNREACHED), "now reached: remove it from UNREACHED"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_the_crawl_reaches_passes_axe(browser, pages_to_scan, role):
    mine = [p for p in pages_to_scan if p.role == role]
    if role != "anonymous":
        browser.login(role)
    problems = []
    for page in mine:
        status = browser.open(page.url)
        if status != 200:
            problems.append(f"{page.url} ({page.pattern}) answered {status}, not 200")
            continue
        try:
            browser.check_accessibility(f"as {role} (also {', '.join(page.also_for) or '-'})")
        except AccessibilityError as error:
            problems.append(str(error))
        assert browser.page.evaluate("document.documentElement.lang") == "sv"
        title = browser.page.title()
        if not (title and "Styrning" in title and "<" not in title):
            problems.append(f"{page.url} has no plain descriptive title: {title!r}")
    assert not problems, "\n\n".join(problems)
    if role == "anonymous":
        assert {"login", "accessibility"} <= {p.pattern for p in mine}


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
    "personnel:import",
    "personnel:indicator_import",
    "followup:submission",
    "followup:rollup",
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
        if page.locator("main form[method=post]").count() == 0:
            continue  # read-only for this role (a submission the ekonomichef reviews)
        filled.append(pattern.name)
        form = page.locator("main form[method=post]").first
        for field in form.locator("input[type=text], input[type=number], textarea").all():
            field.fill("")
        for field in form.locator("input[inputmode=decimal]").all():
            field.fill("tio kronor")  # not an amount
        status = form.locator("select[name=status]")
        if status.count():
            status.select_option("done")
        form.locator("button[type=submit]").first.click()
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
        "socialchef": {
            "goals:create",
            "goals:edit",
            "goals:decide",
            "budget:forecast",
            "personnel:import",
            "personnel:indicator_import",
            "followup:submission",
        },
        "ekonomichef": {
            "budget:change_create",
            "budget:detail_budget",
            "budget:imports",
            "budget:investment_create",
            "personnel:indicator_import",
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
