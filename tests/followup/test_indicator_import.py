"""The indicator values' CSV import (followup.indicator_values), its page and command."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from followup.csvimport import ImportFailed
from followup.indicator_values import import_indicator_values
from goals.models import Measurement
from tests.factories import make_indicator
from tests.followup.factories import make_year, set_state

URL = "/uppfoljning/personal/indikatorvarden/"


@pytest.fixture
def indicators(world):
    return {
        "a": make_indicator(world.plan_a, name="Kontinuitet", gender_split=True),
        "b": make_indicator(world.plan_b, name="Belysta gator"),
    }


def _csv(*lines):
    return ("indikator;period;kön;värde\n" + "".join(f"{line}\n" for line in lines)).encode()


def test_values_are_created_and_updated_with_history(world, indicators):
    a = indicators["a"].pk
    data = _csv(f"{a};2026;;54,5", f"{a};2026-08;K;1 234,5", f"{a};2026-08;m;1\u00a0000.25")
    result = import_indicator_values(world.m, data, world.chef_a)
    assert (result.created, result.changed, result.unchanged) == (3, 0, 0)
    year = Measurement.objects.get(indicator=a, year=2026, month=None, gender="T")
    assert year.value == Decimal("54.50")
    assert Measurement.objects.get(month=8, gender="K").value == Decimal("1234.50")
    assert Measurement.objects.get(month=8, gender="M").value == Decimal("1000.25")
    result = import_indicator_values(
        world.m, _csv(f"{a};2026;T;55", f"{a};2026-08;K;1234,5"), world.chef_a
    )
    assert (result.created, result.changed, result.unchanged) == (0, 1, 1)
    year.refresh_from_db()
    assert year.value == 55
    assert year.history.count() == 2
    assert year.history.first().history_user == world.chef_a


def test_the_dry_run_counts_and_writes_nothing(world, indicators):
    result = import_indicator_values(
        world.m, _csv(f"{indicators['a'].pk};2026;;1"), world.chef_a, dry_run=True
    )
    assert result.created == 1
    assert not Measurement.objects.exists()


def test_other_units_indicators_are_errors_naming_the_line(world, indicators):
    data = _csv(f"{indicators['a'].pk};2026;;1", f"{indicators['b'].pk};2026;;1")
    with pytest.raises(ImportFailed) as caught:
        import_indicator_values(world.m, data, world.chef_a)
    assert caught.value.errors == [
        f"rad 3: det finns ingen indikator {indicators['b'].pk} vars värden du får föra in."
    ]
    assert not Measurement.objects.exists()
    # The ekonomichef reports on every goal.
    assert import_indicator_values(world.m, data, world.finance).created == 2
    with pytest.raises(ImportFailed):
        import_indicator_values(world.m, data, world.hr)


def test_every_bad_line_is_named_and_nothing_is_written(world, indicators):
    a, b = indicators["a"].pk, indicators["b"].pk
    data = _csv(
        f"{a};2026;;1",
        f"{a};26;;1",
        f"{a};2026;X;1",
        f"{b};2026;K;1",
        f"{a};2026;;ett",
        f"{a};2026;T;2",
        "nej;2026;;1",
        f"{a};2026",
        f"{a};2025;;36,234",
    )
    with pytest.raises(ImportFailed) as caught:
        import_indicator_values(world.m, data, world.finance)
    assert [e.split(":")[0] for e in caught.value.errors] == [
        "rad 3",
        "rad 4",
        "rad 5",
        "rad 6",
        "rad 7",
        "rad 8",
        "rad 9",
        "rad 10",
    ]
    # A number with three decimals is a number: the message says what is wrong with it.
    assert caught.value.errors[-1] == "rad 10: värdet ”36,234” har fler än två decimaler."
    assert not Measurement.objects.exists()


def test_a_value_in_a_locked_period_is_refused(world, indicators):
    periods = make_year(world, 2026)
    set_state(periods[8], "locked")
    a = indicators["a"].pk
    with pytest.raises(ImportFailed) as caught:
        import_indicator_values(world.m, _csv(f"{a};2026-07;;1"), world.chef_a)
    assert "låst" in caught.value.errors[0]
    # September belongs to the September report (open); the year to the årsbokslut.
    assert import_indicator_values(world.m, _csv(f"{a};2026-09;;1", f"{a};2026;;1"), world.chef_a)
    set_state(periods[12], "locked")
    with pytest.raises(ImportFailed):
        import_indicator_values(world.m, _csv(f"{a};2026;;2"), world.chef_a)


def test_the_page_previews_then_saves(client, world, indicators):
    client.force_login(world.chef_a)
    page = client.get(URL).content.decode()
    assert "Kontinuitet" in page and "Belysta gator" not in page
    data = _csv(f"{indicators['a'].pk};2026;;54,5")
    response = client.post(URL, {"file": SimpleUploadedFile("v.csv", data)})
    assert "Nya: 1, ändrade: 0" in response.content.decode()
    assert not Measurement.objects.exists()
    content = response.context["preview"]["form"].initial["content"]
    assert client.post(URL, {"content": content, "confirm": "1"}).status_code == 302
    assert Measurement.objects.get().value == Decimal("54.50")
    # A second file: the check lists each value it would change, the old beside the new.
    data = _csv(f"{indicators['a'].pk};2026;;56", f"{indicators['a'].pk};2026-08;K;12")
    html = client.post(URL, {"file": SimpleUploadedFile("v.csv", data)}).content.decode()
    table = html[html.index("Det här skulle filen skriva") : html.index("</table>")]
    rows = [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in table.split("<tr>")[2:]]
    assert rows == ["2 Kontinuitet 2026 Totalt 54,5 56", "3 Kontinuitet 2026-08 Kvinnor – 12"]
    assert "Min uppföljning" in html  # the breadcrumb back


def test_the_page_shows_the_errors(client, world, indicators):
    client.force_login(world.chef_a)
    response = client.post(URL, {"file": SimpleUploadedFile("v.csv", _csv("1234567;2026;;1"))})
    assert "rad 2:" in response.content.decode()


def test_the_management_command(world, indicators, tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes(_csv(f"{indicators['a'].pk};2026;;54,5"))
    call_command("import_indicator_values", str(path), user="chef_a")
    assert Measurement.objects.get().value == Decimal("54.50")
    path.write_bytes(_csv(f"{indicators['b'].pk};2026;;1"))
    with pytest.raises(CommandError, match="rad 2"):
        call_command("import_indicator_values", str(path), user="chef_a")


def _forms(html):
    """The page's POST forms in <main> (the logout form in the header is not one of them)."""
    main = html[html.index("<main") :]
    return [part.split("</form>")[0] for part in main.split('<form method="post"')[1:]]


def test_the_upload_and_confirm_forms_carry_the_csrf_token(client, world, indicators):
    client.force_login(world.chef_a)
    (upload_form,) = _forms(client.get(URL).content.decode())
    assert 'name="csrfmiddlewaretoken"' in upload_form
    data = _csv(f"{indicators['a'].pk};2026;;54,5")
    response = client.post(URL, {"file": SimpleUploadedFile("v.csv", data)})
    confirm_form, upload_form = _forms(response.content.decode())
    assert 'name="confirm"' in confirm_form
    assert 'name="csrfmiddlewaretoken"' in confirm_form
    assert 'name="csrfmiddlewaretoken"' in upload_form


def test_a_value_of_a_follow_ups_own_slot_waits_for_its_approval(world, indicators):
    """The delårsrapport's slot (2026-08) of a goal its förvaltning follows up: kept with
    the open submission, a measurement only when it is approved; refused while it is sent.
    A value of another slot (the year before) is a measurement at once."""
    from followup.calendar import open_period
    from followup.models import ReportedValue, Submission
    from followup.submissions import approve
    from tests.followup.factories import make_submission

    period = open_period(make_year(world, 2026)[8])
    sub = Submission.objects.filter(period=period, unit=world.fA).first() or make_submission(
        period, world.fA
    )
    a = indicators["a"].pk
    result = import_indicator_values(
        world.m, _csv(f"{a};2026-08;;61", f"{a};2025;;40"), world.chef_a
    )
    # Both are new; one of them waits in the follow-up (a trial read "0 nya" for such).
    assert (result.created, result.changed, result.pending) == (2, 0, 1)
    assert list(Measurement.objects.values_list("year", "value")) == [(2025, Decimal("40.00"))]
    assert ReportedValue.objects.get(submission=sub, indicator=a).value == Decimal("61.00")
    # A file that would overwrite what the follow-up holds (a chef may have typed it)
    # shows it in the preview, from what to what and where (a trial's finding).
    checked = import_indicator_values(world.m, _csv(f"{a};2026-08;;63"), world.chef_a, dry_run=True)
    assert (checked.created, checked.changed, checked.unchanged) == (0, 1, 0)
    preview = checked.preview
    assert [(r["line"], r["old"], r["new"]) for r in preview] == [
        (2, Decimal("61.00"), Decimal("63"))
    ]
    assert preview[0]["where"] == f"i uppföljningen från {world.fA.name} (utkast)"
    assert ReportedValue.objects.get(submission=sub, indicator=a).value == Decimal("61.00")
    from django.utils import timezone

    Submission.objects.filter(pk=sub.pk).update(state=Submission.State.SENT, sent_at=timezone.now())
    with pytest.raises(ImportFailed) as caught:
        import_indicator_values(world.m, _csv(f"{a};2026-08;;62"), world.chef_a)
    assert "rad 2: värdet hör till uppföljningen" in caught.value.errors[0]
    assert "återsänds" in caught.value.errors[0]
    approve(Submission.objects.get(pk=sub.pk), world.finance)
    assert Measurement.objects.get(indicator=a, year=2026, month=8).value == Decimal("61.00")


def test_a_value_in_per_cent_beyond_100_is_refused_naming_the_line(world):
    share = make_indicator(world.plan_a, name="Andel nöjda", unit="%")
    data = _csv(f"{share.pk};2026;;54,5", f"{share.pk};2025;;545")
    with pytest.raises(ImportFailed) as caught:
        import_indicator_values(world.m, data, world.chef_a)
    assert caught.value.errors == [
        "rad 3: Ett värde i procent ligger mellan −100 och 100, inte 545."
    ]
    assert not Measurement.objects.exists()
    # A result's share may be negative: −0,8 % is a value.
    import_indicator_values(world.m, _csv(f"{share.pk};2026;;-0,8"), world.chef_a)
    assert Measurement.objects.get().value == Decimal("-0.80")
