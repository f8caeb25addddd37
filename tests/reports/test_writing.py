"""Writing the report together: chapters, owners, anvisningar, comments, states, the
two-people rule, "Mina texter", and the texts in the report's context."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from followup.calendar import open_period
from reports import writing
from reports.context import build
from reports.models import ReportText
from styrning.concurrency import current_version
from tests.followup.factories import make_year, set_state


@pytest.fixture
def period(world):
    return open_period(make_year(world, 2026)[8])


@pytest.fixture
def chapters(world, period):
    writing.create_chapters(period, world.finance)
    return {t.unit_id or t.section: t for t in ReportText.objects.filter(period=period)}


def _text(chapters, world):
    return chapters[world.nA.pk]


def test_chapters_come_from_the_kind_and_the_bodies(world, period, chapters):
    sections = [t.section for t in ReportText.objects.filter(period=period, unit=None)]
    assert sections == ["summary", "events", "economy", "outlook"]
    bodies = set(ReportText.objects.filter(period=period, section="body").values_list("unit_id"))
    assert bodies == {(world.ks.pk,), (world.nA.pk,), (world.nB.pk,)}
    # The förvaltningschef writes the nämnd's analysis, by the units' deadline.
    assert chapters[world.nA.pk].owner == world.chef_a
    assert chapters[world.nA.pk].deadline == period.unit_deadline
    assert chapters["summary"].owner == world.finance
    # Setting up again makes nothing twice.
    assert writing.create_chapters(period, world.finance) == 0


def test_finance_sets_up_owner_deadline_and_instructions(client, world, period, chapters):
    text = chapters["events"]
    client.force_login(world.finance)
    url = reverse("reports:texts_setup", args=[period.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {"action": "save"}
    for t in ReportText.objects.filter(period=period):
        prefix = f"t{t.pk}"
        data[f"{prefix}-version"] = page.context["rows"][0][1].initial["version"]
        data[f"{prefix}-owner"] = str(t.owner_id or "")
        data[f"{prefix}-deadline"] = t.deadline.isoformat()
        data[f"{prefix}-instructions"] = t.instructions
        for row_text, form in page.context["rows"]:
            if row_text.pk == t.pk:
                data[f"{prefix}-version"] = form.initial["version"]
    data[f"t{text.pk}-owner"] = str(world.chef_b.pk)
    data[f"t{text.pk}-instructions"] = "Högst en sida. Nämn den nya skolan."
    response = client.post(url, data)
    assert response.status_code == 302
    text.refresh_from_db()
    assert text.owner == world.chef_b
    assert text.instructions == "Högst en sida. Nämn den nya skolan."
    assert text.history.first().history_user == world.finance


def test_chef_cannot_set_up(client, world, period, chapters):
    client.force_login(world.chef_a)
    url = reverse("reports:texts_setup", args=[period.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "create"}).status_code == 403


def test_the_journey_write_done_lock_and_in_the_report(client, world, period, chapters):
    text = _text(chapters, world)
    text.instructions = "Analysera avvikelsen mot budget."
    text.save()
    client.force_login(world.chef_a)
    mine = client.get(reverse("reports:my_texts"))
    assert "Socialnämnden" in mine.content.decode()
    page = client.get(text.get_absolute_url())
    assert "Analysera avvikelsen mot budget." in page.content.decode()
    version = page.context["form"].initial["version"]
    body = "Hemtjänsten har ökat.\n\nPrognosen är ett underskott på 2 mnkr."
    response = client.post(
        text.get_absolute_url(), {"action": "done", "text": body, "version": version}
    )
    assert response.status_code == 302
    text.refresh_from_db()
    assert text.state == "done" and text.text == body
    # The chef may not lock; the ekonomichef does.
    assert client.post(text.get_absolute_url(), {"action": "lock"}).status_code == 403
    client.force_login(world.finance)
    assert client.post(text.get_absolute_url(), {"action": "lock"}).status_code == 302
    text.refresh_from_db()
    assert text.state == "locked"
    # Nothing locked changes: not by the page, not by the model.
    client.force_login(world.chef_a)
    assert client.post(text.get_absolute_url(), {"action": "save", "text": "x"}).status_code == 403
    text.text = "Ändrad"
    with pytest.raises(ValidationError):
        text.save()
    # The text is in the report.
    context = build(period)
    section = next(b for b in context["bodies"] if b["name"] == "Socialnämnden")
    assert section["analysis_text"] == [
        "Hemtjänsten har ökat.",
        "Prognosen är ett underskott på 2 mnkr.",
    ]


def test_written_summary_and_sections_in_the_context(world, period, chapters):
    for key, body in (("summary", "Året i korthet."), ("events", "Ny skola invigd.")):
        chapters[key].text = body
        chapters[key].save()
    context = build(period)
    assert context["written"]["summary"] == ["Året i korthet."]
    assert context["written"]["chapters"] == [
        {
            "key": "events",
            "title": "Händelser av väsentlig betydelse",
            "paragraphs": ["Ny skola invigd."],
        }
    ]
    assert context["written"]["count"] == 7


def test_second_save_does_not_overwrite_the_first(client, world, period, chapters):
    text = _text(chapters, world)
    version = str(current_version(text))
    client.force_login(world.chef_a)
    first = client.post(
        text.get_absolute_url(), {"action": "save", "text": "Först", "version": version}
    )
    assert first.status_code == 302
    client.force_login(world.finance)
    second = client.post(
        text.get_absolute_url(), {"action": "save", "text": "Sedan", "version": version}
    )
    assert second.status_code == 200
    assert "after you opened this form" in str(second.context["form"].non_field_errors()) or (
        "efter att du öppnade" in second.content.decode()
    )
    assert "Sedan" in second.content.decode()  # what they typed stays in the form
    text.refresh_from_db()
    assert text.text == "Först"


def test_who_reads_and_comments(client, world, period, chapters):
    text = _text(chapters, world)
    url = text.get_absolute_url()
    client.force_login(world.politician)
    assert client.get(url).status_code == 404
    client.force_login(world.hr)
    assert client.get(url).status_code == 404
    # A co-writer of the same report does not read another nämnd's draft (as with the
    # follow-ups: a chef sees their own units), nor comment on it.
    client.force_login(world.chef_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "comment", "body": "Hej"}).status_code == 404
    assert not text.comments.exists()
    # The report's common chapters they read and comment on, but do not write.
    common = chapters["summary"].get_absolute_url()
    assert client.get(common).status_code == 200
    assert client.post(common, {"action": "save", "text": "x"}).status_code == 403
    response = client.post(common, {"action": "comment", "body": "Nämn gärna bemanningen."})
    assert response.status_code == 302
    assert chapters["summary"].comments.get().author == world.chef_b


def test_an_adopted_report_locks_its_texts(client, world, period, chapters):
    text = _text(chapters, world)
    set_state(period, "locked")
    text.refresh_from_db()
    assert text.is_frozen
    client.force_login(world.finance)
    assert client.post(text.get_absolute_url(), {"action": "comment", "body": "x"}).status_code == (
        403
    )
    with pytest.raises(ValidationError):
        writing.set_state(text, "done", world.finance)
    client.force_login(world.chef_a)
    assert "Socialnämnden" not in client.get(reverse("reports:my_texts")).content.decode()


def test_min_uppfoljning_lists_the_due_texts(client, world, period, chapters):
    client.force_login(world.chef_a)
    response = client.get(reverse("followup:mine") + "?start=1")
    assert response.status_code == 200
    assert reverse("reports:text", args=[_text(chapters, world).pk]) in response.content.decode()


def test_done_needs_a_text(client, world, period, chapters):
    text = _text(chapters, world)
    client.force_login(world.chef_a)
    response = client.post(
        text.get_absolute_url(),
        {"action": "done", "text": "  ", "version": str(current_version(text))},
    )
    assert response.status_code == 200
    text.refresh_from_db()
    assert text.state == "draft"


def test_due_texts_are_the_orms_rows(world, period, chapters):
    """due_texts runs its query compiled once a process: the same texts in the same order
    with their period and unit, as the ORM's query gives them."""
    from reports.models import ReportText
    from reports.writing import due_texts

    for user in (world.chef_a, world.finance, world.politician):
        expected = list(ReportText.objects.due_for(user).select_related("period", "unit"))
        found = due_texts(user)
        assert [(t.pk, t.period.label, t.unit_id and t.unit.name) for t in found] == [
            (t.pk, t.period.label, t.unit_id and t.unit.name) for t in expected
        ]
    assert due_texts(world.chef_a)
