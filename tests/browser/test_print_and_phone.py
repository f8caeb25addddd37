"""Printing (A4, content only) and phones (tables scroll, and say so)."""

import pytest

# A4 is 210 mm wide; the print stylesheet's @page leaves 12 mm each side: 186 mm at 96 dpi.
A4_PRINTABLE_PX = int(186 / 25.4 * 96)
PRINTED = ["/mal/", "goal", "nämnd, alla nivåer", "/budget/?ar=2026", "/arshjul/"]
HIDDEN_IN_PRINT = [".main-nav", ".user-menu", ".site-footer", "form.filters", ".button", "button"]


def _goal_url(browser):
    browser.open("/mal/")
    return browser.page.locator("main .goal-tree a[href^='/mal/']").first.get_attribute("href")


def _all_levels_url(browser):
    """A nämnd's whole part of the chain, every level open: what a politician prints."""
    browser.open("/mal/")
    browser.page.select_option("#id_unit", label="Socialnämnden")
    browser.page.click("form.filters button[type=submit]")
    browser.page.wait_for_load_state()
    # Not cut off, the filtered view has every level open already; ?alla=1 is the
    # address a cut-off list's "Visa alla … mål på en sida" leads to.
    assert browser.page.locator("text=Alla nivåer är öppna").count() == 1
    return browser.page.url.replace(browser.base_url, "") + "&alla=1"


@pytest.fixture
def print_browser(demo_server, chromium, request):
    from tests.browser.conftest import _new_browser

    yield from _new_browser(chromium, demo_server, request, width=A4_PRINTABLE_PX)


@pytest.mark.parametrize("path", PRINTED)
def test_printout_has_no_menus_and_tables_fit_a4(print_browser, path):
    b = print_browser
    b.login("ekonomichef")
    url = {"goal": _goal_url, "nämnd, alla nivåer": _all_levels_url}.get(path, lambda b: path)(b)
    assert b.open(url) == 200
    b.page.emulate_media(media="print")
    for selector in HIDDEN_IN_PRINT:
        for element in b.page.locator(selector).all():
            assert not element.is_visible(), f"{url}: {selector} is printed"
    assert b.page.locator("main h1").is_visible()
    widths = b.page.evaluate(
        "() => [document.documentElement.scrollWidth,"
        " ...[...document.querySelectorAll('main table')].map(t => t.scrollWidth)]"
    )
    assert max(widths) <= A4_PRINTABLE_PX, f"{url} is wider than A4: {widths}"
    b.page.emulate_media(media="screen")
    assert b.page.locator(".main-nav").is_visible(), "the screen keeps its menu"


def test_favicon_is_served(browser):
    browser.open("/logga-in/")
    link = browser.page.locator("link[rel=icon]").get_attribute("href")
    assert browser.page.request.get(browser.base_url + link).status == 200
    response = browser.page.request.get(browser.base_url + "/favicon.ico")
    assert response.status == 200 and "svg" in response.headers["content-type"]


def _body_url(browser):
    browser.open("/budget/?ar=2026")
    return browser.page.locator("main .budget-table tbody a").first.get_attribute("href")


@pytest.mark.parametrize("path", ["/budget/?ar=2026", "nämnd", "/mal/uppdrag/", "/arshjul/"])
def test_every_column_is_reachable_on_a_phone(narrow_browser, path):
    b = narrow_browser
    b.login("ekonomichef")
    url = _body_url(b) if path == "nämnd" else path
    assert b.open(url) == 200
    wraps = b.page.locator("main .table-wrap")
    assert wraps.count() > 0, f"{url} has no table"
    overflowing = 0
    for i in range(wraps.count()):
        wrap = wraps.nth(i)
        wide = wrap.evaluate("w => w.scrollWidth > w.clientWidth + 1")
        hint = wrap.locator("xpath=preceding-sibling::*[1][contains(@class,'scroll-hint')]")
        if wide:
            overflowing += 1
            assert hint.is_visible(), f"{url}: table {i} scrolls but nothing says so"
            assert "Rulla i sidled" in hint.inner_text()
        for th in wrap.locator("thead th").all():
            th.scroll_into_view_if_needed()
            box = th.bounding_box()
            assert th.is_visible() and box and box["width"] > 0, f"{url}: a column is hidden"
            assert box["x"] >= -1 and box["x"] + min(box["width"], 300) <= 321, (
                f"{url}: column {th.inner_text()!r} cannot be scrolled into view"
            )
    if path != "/mal/uppdrag/":
        assert overflowing, "the budget table fits 320 px? then this test checks nothing"
