"""The report texts' forms under two tabs: the second save is refused with what changed,
keeps what was typed, and is never a server error (the chapter and the setup page)."""

import pytest
from django.test import Client
from django.urls import reverse

from followup.calendar import open_period
from reports import writing
from reports.models import ReportText
from tests.followup.factories import make_year


@pytest.fixture
def chapters(world):
    period = open_period(make_year(world, 2026)[8])
    writing.create_chapters(period, world.finance)
    return period, {t.unit_id or t.section: t for t in ReportText.objects.filter(period=period)}


@pytest.mark.parametrize("action", ["save", "done"])
def test_second_save_of_a_chapter_is_told_and_keeps_its_text(world, chapters, action):
    _period, texts = chapters
    text = texts[world.nA.pk]
    url = text.get_absolute_url()
    one, two = Client(), Client()
    one.force_login(world.chef_a)
    two.force_login(world.chef_a)
    first = one.get(url).context["form"].initial["version"]
    second = two.get(url).context["form"].initial["version"]
    assert (
        one.post(url, {"action": "save", "text": "Flik ett", "version": first}).status_code == 302
    )
    response = two.post(url, {"action": action, "text": "Flik två", "version": second})
    assert response.status_code == 200
    html = response.content.decode()
    assert "efter att du öppnade formuläret" in html and "Flik två" in html
    text.refresh_from_db()
    assert text.text == "Flik ett" and text.state == ReportText.State.DRAFT


def test_second_save_of_the_setup_is_told_and_keeps_its_entries(client, world, chapters):
    period, texts = chapters
    url = reverse("reports:texts_setup", args=[period.pk])
    client.force_login(world.finance)
    page = client.get(url)

    def data(instructions):
        values = {"action": "save"}
        for text, form in page.context["rows"]:
            prefix = f"t{text.pk}"
            values[f"{prefix}-version"] = form.initial["version"]
            values[f"{prefix}-owner"] = str(text.owner_id or "")
            values[f"{prefix}-deadline"] = text.deadline.isoformat()
            values[f"{prefix}-instructions"] = text.instructions
        values[f"t{texts['events'].pk}-instructions"] = instructions
        return values

    assert client.post(url, data("Från flik ett")).status_code == 302
    response = client.post(url, data("Från flik två"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "efter att du öppnade formuläret" in html and "Från flik två" in html
    events = ReportText.objects.get(pk=texts["events"].pk)
    assert events.instructions == "Från flik ett"
