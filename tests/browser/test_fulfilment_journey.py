"""A politician follows goal fulfilment from the overview down to a unit's own text, and
finds the same assessment beside the goal on /mal/: with the keyboard where it can be."""

from urllib.parse import parse_qs, urlparse


def _with_a_decided_text(card_goal_pk, period_pk):
    """A goal directly below the card's goal whose own assessment in the period is decided
    and has a text: (its pk, the start of the text), or None."""
    from followup.models import Assessment, ReportingPeriod, Submission
    from followup.rollup import rollup_for_period

    period = ReportingPeriod.objects.select_related("municipality").get(pk=period_pk)
    rollup = rollup_for_period(period.municipality, period, card_goal_pk, decided_only=True)
    row = (
        Assessment.objects.filter(
            goal_id__in=rollup[card_goal_pk].child_ids,
            submission__period=period,
            submission__state__in=Submission.DECIDED_STATES,
        )
        .exclude(analysis="")
        .order_by("goal__tree_id", "goal__lft")
        .values_list("goal_id", "analysis")
        .first()
    )
    return (row[0], row[1].strip().splitlines()[0][:40]) if row else None


def test_politician_drills_down_and_finds_the_same_status_on_the_goal_chain(
    browser, django_db_blocker
):
    page = browser.page
    browser.login("politiker")
    # Politicians land on Måluppfyllelse.
    assert urlparse(page.url).path == "/uppfoljning/maluppfyllelse/"
    card = page.locator("article.fulfilment-card").first
    title = card.locator("h2").inner_text()
    status = card.locator(".fulfilment-card__status .status").inner_text()
    drill = card.locator("a.button").first.get_attribute("href")
    period_pk = int(parse_qs(urlparse(drill).query)["period"][0])
    goal_pk = int(urlparse(drill).path.rstrip("/").split("/")[-1])

    # The card's drill-down, with the keyboard.
    browser.tab_to(f"el.getAttribute('href') === {drill!r}", limit=200)
    browser.assert_focus_visible()
    browser.press_and_wait("Enter")
    assert page.locator("h1").inner_text() == title
    assert page.locator(".fulfilment-card__status .status").first.inner_text() == status

    # "Hur bedömningen gjordes" for the goal, then for a goal below it with a unit's text.
    how = f"/uppfoljning/bedomning/{goal_pk}/"
    browser.tab_to(f"el.getAttribute('href') && el.getAttribute('href').startsWith({how!r})")
    browser.press_and_wait("Enter")
    assert urlparse(page.url).path == how
    assert status in page.locator("#result-heading + dl").inner_text()
    with django_db_blocker.unblock():
        below = _with_a_decided_text(goal_pk, period_pk)
    if below is not None:
        child_pk, text = below
        child = f"/uppfoljning/bedomning/{child_pk}/"
        browser.tab_to(
            f"el.getAttribute('href') && el.getAttribute('href').startsWith({child!r})", limit=300
        )
        browser.press_and_wait("Enter")
        assert urlparse(page.url).path == child
        assert text in page.locator("main").inner_text()
        page.go_back()
        page.wait_for_load_state()
        assert urlparse(page.url).path == how

    # Back on the goal chain with the same period: the goal's row says the same.
    browser.open(f"/mal/?period={period_pk}")
    row = page.locator(f"#mal-{goal_pk} > .goal-row")
    assert row.locator(".goal-row__fulfilment .status").inner_text() == status
    assert page.locator("#id_period").input_value() == str(period_pk)
    browser.check_accessibility("/mal/ with the assessments")
