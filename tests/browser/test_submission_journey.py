"""A förvaltningschef sends the delårsrapport with the keyboard alone; the ekonomichef
returns it with a reason and approves the corrected one."""

import re

FILLED = "Analys skriven med tangentbordet."


def _fill_by_keyboard(browser, skip_first_analysis=False, stop="Skicka"):
    """Tab through the whole form once, filling every field a delårsrapport asks for.

    Status and prognosis selects are set by typing the option's start; analyses and the
    economic comment are typed; the forecast keeps its suggestion. Stops on the button
    ``stop`` ("Skicka"; an enhetschef's "Spara och markera min del som klar").
    """
    page = browser.page
    skipped = not skip_first_analysis
    for _ in range(600):
        page.keyboard.press("Tab")
        el = page.evaluate(
            "() => { const e = document.activeElement; return {tag: e.tagName, name: e.name || '',"
            " value: e.value || '', text: e.textContent.trim(), disabled: e.disabled}; }"
        )
        name = el["name"]
        if el["tag"] == "BUTTON" and el["text"] == stop:
            return
        if name == "economic_comment" and not el["value"]:
            page.keyboard.type("Ekonomin följer budget; vikarier under sommaren.")
        elif re.fullmatch(r"a-\d+-status", name):
            page.keyboard.type("delvis")
        elif re.fullmatch(r"a-\d+-prognosis", name):
            page.keyboard.type("uppfyllt")
        elif re.fullmatch(r"a-\d+-analysis", name) and not el["value"]:
            if not skipped:
                skipped = True
                continue
            page.keyboard.type(FILLED)
        elif re.fullmatch(r"u-\d+-status", name) and not el["value"]:
            page.keyboard.type("pågår")
    raise AssertionError(f"never reached the {stop} button")


def test_forvaltningschef_sends_and_ekonomichef_returns_and_approves(browser, delar_submission):
    page = browser.page
    sub = delar_submission
    url = f"/uppfoljning/{sub.pk}/"

    # The enhetschef fills in her enhet's part first and marks it done, keyboard alone.
    browser.login("enhetschef")
    assert browser.open("/uppfoljning/") == 200
    browser.tab_to(f"el.tagName === 'A' && el.getAttribute('href') === '{url}'", limit=200)
    browser.press_and_wait("Enter")
    browser.tab_to("el.tagName === 'A' && el.textContent.trim() === 'Gå till din del'", limit=100)
    browser.press_and_wait("Enter")
    _fill_by_keyboard(browser, stop="Spara och markera min del som klar")
    browser.assert_focus_visible()
    browser.press_and_wait("Enter")
    assert (
        page.locator(".message--success")
        .inner_text()
        .startswith("Din del är sparad och markerad som klar")
    )
    assert page.locator("button[value=done]").count() == 0  # marked: no second mark
    browser.logout()

    browser.login("socialchef")

    # Min uppföljning lists the delårsrapport; the chef opens it with the keyboard.
    assert browser.open("/uppfoljning/") == 200
    assert page.locator("h1").inner_text() == "Min uppföljning"
    browser.tab_to(f"el.tagName === 'A' && el.getAttribute('href') === '{url}'", limit=200)
    browser.assert_focus_visible()
    browser.press_and_wait("Enter")
    assert page.url.endswith(url)
    assert "Delårsrapport" in page.locator("h1").inner_text()
    assert page.locator("#missing-heading").count() == 1
    # The förvaltningschef sees the enhet's part marked done, by whom.
    parts = page.locator(".enhet-parts").inner_text()
    assert re.search(r"Hemtjänst Hedemora: ✓ klar markerad av Sara Holm \d{4}-\d\d-\d\d", parts)
    browser.check_accessibility("the submission form")

    # Everything but one analysis, then Skicka: stopped, with the goal named in Swedish.
    _fill_by_keyboard(browser, skip_first_analysis=True)
    browser.assert_focus_visible()
    browser.press_and_wait("Enter")
    error = page.locator(".message--error").inner_text()
    assert error.startswith("Utkastet sparades men skickades inte.")
    assert re.search(r"”[^”]+”: analys saknas\.", error)
    assert "bedömning saknas" not in error  # every goal was assessed and kept

    # The missing analysis, then Skicka again: sent.
    _fill_by_keyboard(browser)
    browser.press_and_wait("Enter")
    assert page.locator(".message--success").inner_text() == "Uppföljningen skickades."
    # The question says first how many enheter have not marked their parts done (and
    # how many indicators have no value, when some have none).
    assert re.match(
        r"\d+ enheter? har inte markerat sin(a)? del(ar)? som klara?\. "
        r"(\d+ indikatorer? saknar värde för perioden\. )?"
        r"Skicka uppföljningen till ekonomikontoret\?",
        browser.dialogs[-1],
    )
    assert page.url.split("#")[0].endswith("/uppfoljning/")

    # Another förvaltning's submission cannot be reached.
    from followup.models import Submission

    other = (
        Submission.objects.filter(period_id=sub.period_id)
        .exclude(unit__name="Socialförvaltningen")
        .exclude(state__in=("approved", "locked"))
        .first()
    )
    assert browser.open(f"/uppfoljning/{other.pk}/") == 404
    browser.logout()

    # The ekonomichef returns it with a reason, from the review list.
    browser.login("ekonomichef")
    browser.open("/uppfoljning/")
    browser.tab_to(f"el.id === 'reason-{sub.pk}'", limit=400)
    page.keyboard.type("Förklara avvikelsen inom personalkostnaderna.")
    page.keyboard.press("Tab")
    assert browser.focused()["text"].startswith("Återsänd")
    browser.press_and_wait("Enter")
    assert "återsändes" in page.locator(".message--success").inner_text()
    browser.logout()

    # The chef reads why, corrects the comment and sends it again.
    browser.login("socialchef")
    browser.open(url)
    assert "Förklara avvikelsen" in page.locator(".notice--warning").first.inner_text()
    browser.tab_to("el.name === 'economic_comment'", limit=100)
    page.keyboard.press("End")
    page.keyboard.type(" Avvikelsen beror på vikarier; se åtgärderna.")
    _fill_by_keyboard(browser)
    browser.press_and_wait("Enter")
    assert page.locator(".message--success").inner_text() == "Uppföljningen skickades."
    browser.logout()

    # The ekonomichef approves the corrected one.
    browser.login("ekonomichef")
    browser.open("/uppfoljning/")
    browser.tab_to(
        "el.tagName === 'BUTTON' && el.form && "
        f"new URL(el.form.action).pathname === '/uppfoljning/{sub.pk}/godkann/'",
        limit=400,
    )
    browser.press_and_wait("Enter")
    assert "godkändes" in page.locator(".message--success").inner_text()
    browser.check_accessibility("the review list after approving")


def _open_monthly_report(django_db_blocker):
    """Socialförvaltningen's follow-up of the demo's open månadsrapport, still editable
    (the delårsrapport is the journey's above, which approves it; tests run in any
    order). Read only: the test's own connection does not commit what it writes."""
    from followup.choices import GOAL_CONTENTS
    from followup.models import Submission

    with django_db_blocker.unblock():
        found = (
            Submission.objects.filter(
                unit__name="Socialförvaltningen",
                period__state="open",
                state__in=Submission.EDITABLE_STATES,
            )
            .exclude(period__content__in=GOAL_CONTENTS)
            .order_by("-period__year", "-period__month")
            .first()
        )
    assert found is not None, "the demo has no open månadsrapport for Socialförvaltningen"
    return found


def test_unsaved_text_is_not_lost_without_a_warning(browser, django_db_blocker):
    """A trial lost a typed comment by attaching a file: leaving the follow-up with text
    not yet saved asks first (the browser's own "leave the page?"); after Spara it does
    not; attaching a file asks in the product's words."""
    submission = _open_monthly_report(django_db_blocker)
    page = browser.page
    kinds = []
    page.on("dialog", lambda dialog: kinds.append(dialog.type))  # the fixture accepts them
    url = f"/uppfoljning/{submission.pk}/"
    browser.login("socialchef")
    assert browser.open(url) == 200
    page.locator("#id_economic_comment").fill("En kommentar som inte är sparad.")
    page.locator("header a[href='/mal/']").click()
    page.wait_for_url("**/mal/")
    assert kinds == ["beforeunload"]
    assert browser.open(url) == 200
    page.locator("#id_economic_comment").fill("En kommentar som sparas.")
    with page.expect_navigation():
        page.locator("button[name=action][value=save]").click()
    assert page.locator(".message--success").inner_text() == "Utkastet sparades."
    page.locator("header a[href='/mal/']").click()
    page.wait_for_url("**/mal/")
    assert kinds == ["beforeunload"]  # saved: nothing to lose, nothing asked
    # Attaching a file (another form) with text not saved asks in the product's words.
    assert browser.open(url) == 200
    page.locator("#id_economic_comment").fill("Ännu en osparad kommentar.")
    csv = {"name": "underlag.csv", "mimeType": "text/csv", "buffer": b"konto;belopp\n1;2\n"}
    page.locator("input[type=file]").set_input_files(files=[csv])
    with page.expect_navigation():
        page.get_by_role("button", name="Bifoga", exact=True).click()
    assert kinds == ["beforeunload", "confirm"]
    assert browser.dialogs[-1].startswith("Du har ändringar som inte är sparade.")
