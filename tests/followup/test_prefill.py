"""Copying forward: a månadsrapport (economy only) gets no goal assessments, and
pre-filling never overwrites what was written."""

import datetime as dt
import re

import time_machine

from followup import submissions as service
from followup.calendar import open_period
from followup.models import Assessment, Submission


def _assess(world, sub, status="partly", analysis="Augusti"):
    service.save_draft(
        sub,
        service.Parts(
            fields={"economic_comment": "Kommentar i augusti"},
            assessments={
                world.plan_a.pk: {"status": status, "prognosis": "fulfilled", "analysis": analysis}
            },
        ),
        world.chef_a,
    )


def test_a_monthly_report_gets_no_assessments_copied_forward(delar):
    w = delar
    _assess(w, w.sub_a)
    october = open_period(w.periods[10], user=w.finance)  # economy and forecast only
    monthly = Submission.objects.get(period=october, unit=w.fA)
    assert not Assessment.objects.filter(submission=monthly).exists()
    assert service.prefill(monthly) == 0
    assert not Assessment.objects.filter(submission=monthly).exists()
    monthly.refresh_from_db()
    assert monthly.economic_comment == "Kommentar i augusti"  # texts do come forward


def test_the_annual_accounts_take_assessments_from_the_last_goal_period(delar):
    w = delar
    _assess(w, w.sub_a, status="partly", analysis="Från delåret")
    october = open_period(w.periods[10], user=w.finance)
    monthly = Submission.objects.get(period=october, unit=w.fA)
    # An assessment in a monthly report (written before the fix, or by hand) is not a
    # source: the årsbokslut takes the delår's.
    Assessment.objects.create(submission=monthly, goal=w.plan_a, status="fulfilled", analysis="X")
    december = open_period(w.periods[12], user=w.finance)
    annual = Assessment.objects.get(
        submission__period=december, submission__unit=w.fA, goal=w.plan_a
    )
    assert (annual.status, annual.analysis) == ("partly", "Från delåret")
    assert annual.prognosis == ""  # the year is assessed, no prognosis for its end


def test_prefill_never_overwrites_written_text(delar):
    w = delar
    _assess(w, w.sub_a, analysis="Från delåret")
    later = Submission.objects.create(period=w.periods[12], unit=w.fA)
    Assessment.objects.create(submission=later, goal=w.plan_a, analysis="Redan skrivet")
    later.economic_comment = "Ny text"
    later.save()
    service.prefill(later)
    service.prefill(later)  # twice: idempotent
    later.refresh_from_db()
    assert later.economic_comment == "Ny text"
    written = Assessment.objects.get(submission=later, goal=w.plan_a)
    assert written.analysis == "Redan skrivet"
    assert written.status == "partly"  # only the empty field was filled
    assert Assessment.objects.filter(submission=later, goal=w.plan_a).count() == 1


def test_what_was_copied_forward_is_marked_until_it_is_changed(client, delar):
    """The year-end form starts from the delår's texts: the page names each text that still
    reads word for word as the delår wrote it, and the mark goes once it is rewritten."""
    from tests.followup.factories import submission_url

    w = delar
    _assess(w, w.sub_a, analysis="Från delåret")
    december = open_period(w.periods[12], user=w.finance)
    annual = Submission.objects.get(period=december, unit=w.fA)
    with time_machine.travel(dt.date(2027, 1, 12), tick=False):  # sent once the year is over
        client.force_login(w.chef_a)
        page = client.get(submission_url(annual)).content.decode()
    delar_label = w.sub_a.period.label
    assert "2 texter är ordagrant som tidigare perioder skrev dem" in page
    assert f"Samma text som i {delar_label}. Uppdatera den" in page  # the economic comment
    assert f"Bedömningen och analysen är samma som i {delar_label}" in page
    confirm = "Skicka uppföljningen till ekonomikontoret? Texter som fortfarande är ordagrant"
    # After how many enheter have not marked their parts done (the enhet's goal).
    # (and how many indicators have no value for the year).
    waiting = "1 enhet har inte markerat sin del som klar."
    empty = "1 indikator saknar värde för perioden."
    send = re.search(r'<button[^>]*value="send"[^>]*>', page).group(0)
    assert f'data-confirm="{confirm}' in send and f'data-confirm-lead="{waiting}"' in send
    # The indicators are counted again when the question is asked (page.js), from the
    # count at load and its words.
    assert 'data-indicators-empty="1"' in send
    assert f'data-indicators-one="{empty.replace("1", "%(count)s")}"' in send
    assert 'data-indicators-other="%(count)s indikatorer saknar värde för perioden."' in send
    # The ekonomichef reads the draft but cannot change it: nothing asks them to review.
    client.force_login(w.finance)
    assert "Samma text som i" not in client.get(submission_url(annual)).content.decode()
    client.force_login(w.chef_a)
    service.save_draft(
        annual,
        service.Parts(
            fields={"economic_comment": "Året slutade med ett överskott."},
            assessments={
                w.plan_a.pk: {"status": "fulfilled", "prognosis": "", "analysis": "Nått."}
            },
        ),
        w.chef_a,
    )
    page = client.get(submission_url(annual)).content.decode()
    assert "ordagrant" not in page and "Samma text som i" not in page


def test_the_history_shows_a_long_text_whole_on_request(client, delar):
    """A change of a long text is shortened in the list, and the whole text before and
    after is one click away (it was cut at 120 characters with no way to read it)."""
    from tests.followup.factories import submission_url

    w = delar
    long_text = "Personalkostnaderna ökade under våren. " * 6 + "SLUTET AV TEXTEN"
    _assess(w, w.sub_a)
    service.save_draft(w.sub_a, service.Parts(fields={"economic_comment": long_text}), w.chef_a)
    client.force_login(w.chef_a)
    page = client.get(submission_url(w.sub_a)).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "Visa hela texten" in history and "SLUTET AV TEXTEN" in history


def test_the_history_shows_the_latest_changes_and_all_on_request(client, delar):
    """A submission gathers hundreds of changes: its page lists the latest, newest first,
    and links to the whole history on the same page."""
    from followup.views import HISTORY_SHOWN
    from tests.followup.factories import submission_url

    w = delar
    for n in range(HISTORY_SHOWN + 3):
        service.save_draft(
            w.sub_a, service.Parts(fields={"economic_comment": f"Kommentar nummer {n}."}), w.chef_a
        )
    client.force_login(w.chef_a)
    page = client.get(submission_url(w.sub_a)).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert history.count('class="history__head"') == HISTORY_SHOWN
    latest = f"Kommentar nummer {HISTORY_SHOWN + 2}."
    assert latest in history and "Kommentar nummer 1." not in history
    newest, next_newest = (
        f"<ins>Kommentar nummer {n}.</ins>" for n in (HISTORY_SHOWN + 2, HISTORY_SHOWN + 1)
    )
    assert history.index(newest) < history.index(next_newest)
    assert f"Visa hela historiken (de senaste {HISTORY_SHOWN} ändringarna visas)" in history
    whole = client.get(submission_url(w.sub_a) + "?historik=alla").content.decode()
    whole = whole[whole.index('id="history-heading"') :]
    assert whole.count('class="history__head"') > HISTORY_SHOWN + 3  # and the other parts'
    assert "Kommentar nummer 1." in whole and "Visa hela historiken" not in whole


def test_a_reader_is_not_told_what_to_write(client, delar):
    """The action plan's "Krävs när …" is for the writer, not beside a read-only field."""
    from followup.models import Submission as S
    from tests.followup.factories import submission_url

    w = delar
    S.objects.filter(pk=w.sub_a.pk).update(action_plan="1. Översyn av scheman.")
    help_text = "Krävs när helårsprognosen avviker mer än gränsvärdet."
    client.force_login(w.chef_a)
    assert help_text in client.get(submission_url(w.sub_a)).content.decode()
    client.force_login(w.finance)
    assert help_text not in client.get(submission_url(w.sub_a)).content.decode()


def test_the_enhetschef_is_asked_about_their_own_part_only(client, delar):
    """An enhetschef sees the copied texts of their enhet's goals counted and marked, not
    the förvaltning's comment or goals (which they cannot change), and is not told to send."""
    from tests.followup.factories import submission_url

    w = delar
    service.save_draft(
        w.sub_a,
        service.Parts(
            fields={"economic_comment": "Kommentar i augusti"},
            assessments={
                w.plan_a.pk: {"status": "partly", "prognosis": "partly", "analysis": "VP"},
                w.enhet_goal.pk: {"status": "fulfilled", "prognosis": "", "analysis": "Enhet"},
            },
        ),
        w.chef_a,
    )
    december = open_period(w.periods[12], user=w.finance)
    annual = Submission.objects.get(period=december, unit=w.fA)
    client.force_login(w.unit_chef_a)
    page = client.get(submission_url(annual)).content.decode()
    assert "1 text i din del är ordagrant som en tidigare period skrev den" in page
    assert "granska den innan uppföljningen skickas" in page
    assert page.count("Bedömningen och analysen är samma som i") == 1
    assert "Samma text som i" not in page  # the economic comment is the förvaltningschef's


def test_an_assessment_copied_forward_against_the_suggestion_is_to_be_reviewed(client, delar):
    """Beside each assessment what the roll-up suggests from below; a copied text whose
    assessment departs from it asks for a reason (the trial: last period's "ej
    uppfyllt" reached the politicians beside a suggested "uppfyllt")."""
    from tests.followup.factories import submission_url

    w = delar
    service.save_draft(
        w.sub_a,
        service.Parts(
            assessments={
                w.plan_a.pk: {
                    "status": "not_fulfilled",
                    "prognosis": "partly",
                    "analysis": "Målet nås inte.",
                },
                w.enhet_goal.pk: {
                    "status": "fulfilled",
                    "prognosis": "fulfilled",
                    "analysis": "Alla har fast kontakt.",
                },
            },
        ),
        w.chef_a,
    )
    december = open_period(w.periods[12], user=w.finance)
    annual = Submission.objects.get(period=december, unit=w.fA)
    client.force_login(w.chef_a)
    page = client.get(submission_url(annual)).content.decode()
    assert "Förslag utifrån målen under och indikatorerna:" in page
    assert "Uppfyllt</span> – 1 aktivitet: uppfyllt → uppfyllt" in page  # the plan's
    departs = f"Bedömningen avviker från förslaget med texten från {w.sub_a.period.label}"
    assert page.count(departs) == 1  # the plan's goal; the enhet's agrees with nothing below
    # Rewritten, the request goes; the suggestion stays.
    service.save_draft(
        annual,
        service.Parts(
            assessments={
                w.plan_a.pk: {"status": "not_fulfilled", "prognosis": "", "analysis": "Nytt."}
            },
        ),
        w.chef_a,
    )
    page = client.get(submission_url(annual)).content.decode()
    assert departs not in page and "Förslag utifrån målen under och indikatorerna:" in page


def test_the_history_names_styrning_for_what_the_opening_copied(delar):
    """What the period's opening copied forward is Styrning's, not the ekonomichef's who
    opened it (a trial read "Karin Berglund · Bedömning … skapades" as her assessment);
    who and when a personnel figure was changed are the entry's own, not changes in it."""
    from followup.history import submission_log
    from followup.personnel import save_figures

    w = delar
    _assess(w, w.sub_a, analysis="Från delåret")
    december = open_period(w.periods[12], user=w.finance)
    annual = Submission.objects.get(period=december, unit=w.fA)
    save_figures(december, {w.eA: {"employees": 12}}, w.chef_a)
    save_figures(december, {w.eA: {"employees": 13}}, w.finance)
    entries, _more = submission_log(annual)
    copied = [e for e in entries if e.reason.startswith("Kopierat automatiskt")]
    name = w.finance.get_full_name() or w.finance.username
    assert copied and {e.who for e in copied} == {f"Styrning, när {name} öppnade perioden"}
    changed = [e for e in entries if e.action == "Ändrades" and "Personaldata" in e.subject]
    assert changed and all(c.label != "Ändrad av" for e in changed for c in e.changes)
    assert [(c.old, c.new) for c in changed[0].changes] == [("12", "13")]
