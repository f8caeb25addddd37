"""Opening the next budget year starts from the flerårsplan, as a draft."""

from django.urls import reverse

from budget.models import BudgetFrame, BudgetYear


def _plan(world, budget):
    """Budget 2026's flerårsplan: distinct amounts for 2027 and 2028 per nämnd."""
    for frame in BudgetFrame.objects.filter(budget_year=budget, year__gt=2026):
        frame.amount += (frame.year - 2026) * 1_000_000
        frame.save()


def test_next_year_starts_from_the_plan_years_as_a_draft(client, world, budget):
    _plan(world, budget)
    client.force_login(world.finance)
    response = client.post(reverse("budget:year_create"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('budget:frames')}?ar=2027"
    year = BudgetYear.objects.get(year=2027)
    assert not year.is_adopted and year.plan_years == budget.plan_years
    frames = {(f.unit, f.year): f.amount for f in year.frames.all()}
    assert frames == {
        (world.nA, 2027): 121_000_000,
        (world.nA, 2028): 122_000_000,
        (world.nB, 2027): 61_000_000,
        (world.nB, 2028): 62_000_000,
        (world.ks, 2027): 31_000_000,
        (world.ks, 2028): 32_000_000,
    }  # 2029 is not in budget 2026's plan: left for the ekonomichef
    frame = year.frames.get(unit=world.nA, year=2027)
    assert frame.history.get().history_user == world.finance
    # The adopted year is untouched.
    assert budget.frames.get(unit=world.nA, year=2027).amount == 121_000_000
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "121\xa0000" in page.content.decode()  # the frames form speaks tkr


def test_the_year_after_starts_from_the_new_years_plan(client, world, budget):
    client.force_login(world.finance)
    client.post(reverse("budget:year_create"))
    BudgetFrame.objects.filter(budget_year__year=2027, year=2028).update(amount=99_000_000)
    BudgetYear.objects.filter(year=2027).update(
        status=BudgetYear.Status.ADOPTED,
        decided_on="2026-11-23",
        decision_reference="KF 2026-11-23 § 140",
    )
    client.post(reverse("budget:year_create"))
    year = BudgetYear.objects.get(year=2028)
    assert set(year.frames.values_list("year", "amount")) == {(2028, 99_000_000)}


def test_a_second_click_while_the_new_year_is_a_draft_sets_up_nothing(client, world, budget):
    """Found by the fresh-eyes test: the button was offered again on the draft year."""
    client.force_login(world.finance)
    client.post(reverse("budget:year_create"))
    page = client.get(reverse("budget:frames"), {"ar": 2027}).content.decode()
    assert reverse("budget:year_create") not in page
    response = client.post(reverse("budget:year_create"), follow=True)
    assert not BudgetYear.objects.filter(year=2028).exists()
    assert "Budget 2027 är fortfarande ett utkast" in response.content.decode()


def test_only_finance_opens_a_year(client, world, budget):
    client.force_login(world.politician)
    assert client.post(reverse("budget:year_create")).status_code == 403
    assert client.get(reverse("budget:year_create")).status_code == 405
    assert not BudgetYear.objects.filter(year=2027).exists()


def test_first_year_without_a_plan_starts_empty(client, world):
    client.force_login(world.finance)
    assert client.post(reverse("budget:year_create")).status_code == 302
    year = BudgetYear.objects.get()
    assert not year.frames.exists() and not year.is_adopted


def test_the_history_says_where_the_frames_came_from(client, world, budget):
    client.force_login(world.finance)
    client.post(reverse("budget:year_create"))
    frame = BudgetFrame.objects.get(budget_year__year=2027, unit=world.nA, year=2027)
    assert frame.history.get().history_change_reason == "Från flerårsplanen i budget 2026"
