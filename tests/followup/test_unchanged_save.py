"""Saving the submission form as it was shown writes nothing; a changed figure is kept as typed.

The forecast fields show whole tkr, as /budget/ does, while a stored forecast may hold
kronor that are not whole tkr. Posted back unchanged, a field keeps the stored amount
exactly (it used to write the rounded figure back, so the forecast drifted by up to
1 tkr and the history showed a change nobody made).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import Forecast
from followup.models import Assessment, AssignmentReport, Submission
from goals.models import Assignment
from tests.budget.test_forecast import _row_cells
from tests.followup.factories import make_assignment, submission_url
from tests.followup.formdata import form_data

ACTION_PLAN = "1. Färre timvikarier.\n2. Översyn av scheman."
COMMENT = "Underskott inom hemtjänsten.\n\nSe åtgärdsplanen."
ANALYSIS = "Målet nås delvis.\nMätningen görs i oktober."


def _as_a_browser_posts(data):
    """A browser sends a textarea's line breaks as CRLF (the HTML standard's form data)."""
    return {name: value.replace("\n", "\r\n") for name, value in data.items()}


def _history_counts(sub):
    return {
        "forecast": Forecast.history.filter(unit=sub.unit).count(),
        "assessment": Assessment.history.filter(submission_id=sub.pk).count(),
        "report": AssignmentReport.history.filter(submission_id=sub.pk).count(),
        "assignment": Assignment.history.count(),
    }


def _latest(sub):
    return Submission.history.filter(id=sub.pk).latest("history_id").history_id


def _text_changes(sub, since):
    """The texts the Submission's history records after ``since`` changed."""
    records = list(
        Submission.history.filter(id=sub.pk, history_id__gte=since).order_by("history_id")
    )
    return [
        change.field
        for before, after in zip(records, records[1:], strict=False)
        for change in after.diff_against(before).changes
        if change.field in ("economic_comment", "action_plan")
    ]


@pytest.fixture
def stored(delar):
    """Sub A with a forecast in kronor that are not whole tkr, texts with line breaks, an
    assessment and an assignment's report, all saved before the form is opened."""
    w, sub = delar, delar.sub_a
    sub.economic_comment, sub.action_plan = COMMENT, ACTION_PLAN
    sub.save()
    amounts = {"personal": Decimal("86210500.00"), "intakter": Decimal("-12345678.90")}
    for group in w.m.account_groups.filter(kind__in=("revenue", "cost")):
        Forecast.objects.create(
            unit=w.fA, year=2026, month=8, group=group, amount=amounts.get(group.code, 0)
        )
    Assessment.objects.create(
        submission=sub, goal=w.plan_a, status="partly", prognosis="fulfilled", analysis=ANALYSIS
    )
    w.assignment = make_assignment(
        w,
        status="in_progress",
        comment="Utredningen pågår.\nKlar i december.",
    )
    AssignmentReport.objects.create(
        submission=sub,
        assignment=w.assignment,
        status="in_progress",
        comment="Utredningen pågår.\nKlar i december.",
    )
    return w


def _amounts(w):
    return dict(
        Forecast.objects.filter(unit=w.fA, year=2026, month=8).values_list("group__code", "amount")
    )


def test_saving_unchanged_keeps_the_exact_forecast_and_writes_no_history(client, stored):
    w, sub = stored, stored.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    personal, intakter = f"f-{w.groups['personal'].pk}", f"f-{w.groups['intakter'].pk}"
    assert data[personal] == "−86\xa0211"  # −86 210,5 tkr shown in whole tkr, as on /budget/
    assert data[intakter] == "12\xa0346"
    before, amounts, version = _history_counts(sub), _amounts(w), _latest(sub)
    data["action"] = "save"
    response = client.post(submission_url(sub), _as_a_browser_posts(data))
    assert response.status_code == 302
    assert _amounts(w) == amounts
    assert (amounts["personal"], amounts["intakter"]) == (
        Decimal("86210500.00"),
        Decimal("-12345678.90"),
    )
    assert _history_counts(sub) == before
    sub.refresh_from_db()
    assert (sub.economic_comment, sub.action_plan) == (COMMENT, ACTION_PLAN)
    assert _text_changes(sub, version) == []
    assert Assessment.objects.get(submission=sub, goal=w.plan_a).analysis == ANALYSIS


def test_a_changed_forecast_is_stored_as_typed_and_nothing_else_changes(client, stored):
    w, sub = stored, stored.sub_a
    client.force_login(w.chef_a)
    data = form_data(client.get(submission_url(sub)).content.decode())
    before, amounts, version = _history_counts(sub), _amounts(w), _latest(sub)
    data.update({f"f-{w.groups['personal'].pk}": "−90 000,25", "action": "save"})
    assert client.post(submission_url(sub), _as_a_browser_posts(data)).status_code == 302
    assert _amounts(w) == {
        **amounts,
        "personal": Decimal("90000250.00"),  # a cost: positive in the ledger, in kronor
    }  # the others untouched, to the öre
    after = _history_counts(sub)
    assert after == {**before, "forecast": before["forecast"] + 1}
    assert _text_changes(sub, version) == []
    # /budget/ shows the nämnd's forecast as typed in the same row and sign: −90 000 tkr.
    page = client.get(reverse("budget:unit", args=[w.nA.pk]), {"ar": 2026, "manad": 8})
    assert _row_cells(page.content.decode(), "Personalkostnader")[4] == "−90\xa0000"
    assert _row_cells(page.content.decode(), "Intäkter")[4] == "12\xa0346"


def test_a_changed_text_is_saved_with_plain_line_breaks(client, stored):
    w, sub = stored, stored.sub_a
    client.force_login(w.chef_a)
    data, version = form_data(client.get(submission_url(sub)).content.decode()), _latest(sub)
    data.update({"action_plan": ACTION_PLAN + "\n3. Uppföljning i nämnden.", "action": "save"})
    assert client.post(submission_url(sub), _as_a_browser_posts(data)).status_code == 302
    sub.refresh_from_db()
    assert sub.action_plan == ACTION_PLAN + "\n3. Uppföljning i nämnden."
    assert sub.economic_comment == COMMENT
    assert _text_changes(sub, version) == ["action_plan"]
