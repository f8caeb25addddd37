"""The browser harness: Debian's Chromium through Playwright, axe-core, journey helpers.

Journeys read like what a user does::

    b = Browser(page, server_url)
    b.login("politiker")
    b.open("/mal/")
    b.check_accessibility()
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "styrning-demo"


class AccessibilityError(AssertionError):
    pass


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; return the WCAG 2.1 A/AA violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return result["violations"]


def describe(violations) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} – {targets}")
    return "\n".join(lines)


class Browser:
    """One user's tab, with the steps journeys are made of."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url.rstrip("/")

    def open(self, path):
        """Go to ``path``; the status code, or 302 when the server redirected elsewhere."""
        response = self.page.goto(self.base_url + path)
        if response is None:
            return None
        if response.request.redirected_from is not None:
            return 302
        return response.status

    def login(self, username, password=DEMO_PASSWORD):
        self.open("/logga-in/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()
        assert "/logga-in/" not in self.page.url, f"login as {username} failed"

    def logout(self):
        self.page.click("header form button[type=submit]")
        self.page.wait_for_load_state()

    def check_accessibility(self, label=""):
        violations = axe_violations(self.page)
        if violations:
            raise AccessibilityError(
                f"axe: {len(violations)} WCAG 2.1 AA violations on {self.page.url} {label}\n"
                + describe(violations)
            )

    def assert_reflows(self):
        """Nothing may need sideways scrolling (WCAG 1.4.10) at the current width."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        viewport = self.page.viewport_size["width"]
        assert width <= viewport, f"{self.page.url} scrolls sideways: {width}px > {viewport}px"

    def tab_to(self, predicate_js, limit=80):
        """Press Tab until the focused element satisfies ``predicate_js`` (el => bool)."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.page.evaluate(f"(el => ({predicate_js}))(document.activeElement)"):
                return
        raise AssertionError(f"Tab never reached an element where {predicate_js}")

    def focused(self) -> dict:
        return self.page.evaluate(
            """() => { const el = document.activeElement; const s = getComputedStyle(el);
            return {tag: el.tagName, id: el.id, text: el.textContent.trim().slice(0, 80),
                    outline: s.outlineStyle, outlineWidth: s.outlineWidth,
                    boxShadow: s.boxShadow}; }"""
        )

    def assert_focus_visible(self):
        f = self.focused()
        visible = (f["outline"] not in ("none", "") and f["outlineWidth"] != "0px") or (
            f["boxShadow"] not in ("none", "")
        )
        assert visible, f"focus is not visible on {f}"

    def press_and_wait(self, key="Enter"):
        """Press a key that submits or follows a link, and wait for the new page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def save_artifacts(self, name):
        """A screenshot and the HTML, e.g. for a failed test (test-artifacts/<name>.*)."""
        path = ARTIFACTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=f"{path}.png", full_page=True)
        Path(f"{path}.html").write_text(self.page.content(), encoding="utf-8")

    def screenshot(self, name):
        """A full-page screenshot kept as an artefact (test-artifacts/screens/<name>.png)."""
        path = ARTIFACTS / "screens" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)
