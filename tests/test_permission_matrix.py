"""Every URL × every role × GET and POST, with objects of unit A.

A URL pattern without a row here fails the test: each new page must say who
may see and change it. The rule: 404 for what one may not read, 403 for what
one may read but not change, 302 to the login for anonymous visitors.
"""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from budget.models import BudgetChange, BudgetYear, ImportBatch, InvestmentProject
from followup.calendar import open_period
from followup.models import Submission
from followup.submissions import attach
from goals.models import Assignment
from reports.models import ReportText
from reports.writing import create_chapters
from tests.factories import make_indicator
from tests.followup.factories import make_year
from tests.reports.factories import make_report
from tests.urlcatalog import url_for, url_patterns

ROLES = ["anonymous", "politician", "chef_a", "chef_b", "finance", "hr", "admin"]
LOGIN = "login"  # a redirect to the login page


def everyone(code, anonymous=LOGIN):
    return {role: (anonymous if role == "anonymous" else code) for role in ROLES}


def by_role(default, **codes):
    row = everyone(default)
    row.update(codes)
    return row


READ_ONLY = {"GET": everyone(200), "POST": everyone(405, anonymous=405)}
# Forms of unit A's adopted plan: its chef and finance (who record decisions) may change it.
CHANGE_A = by_role(403, chef_a=200, finance=200, admin=200)

# The ekonomichef's budget pages: others may read the budget but not manage it.
MANAGE = by_role(403, finance=200, admin=200)
FINANCE_ONLY = by_role(404, finance=200, admin=200)
# Unit A's forecast: its chef and finance write it; everyone else reads the budget only.
FORECAST_A = by_role(403, chef_a=200, finance=200, admin=200)
# A POST-only action on the årshjul's periods.
PERIOD_ACTION = {
    "GET": everyone(405, anonymous=405),
    "POST": by_role(403, finance=302, admin=302),
}

MATRIX = {
    "home": {"GET": everyone(302, anonymous=302), "POST": everyone(405, anonymous=405)},
    "login": {"GET": everyone(200, anonymous=200), "POST": everyone(200, anonymous=200)},
    "logout": {"GET": everyone(405, anonymous=405), "POST": everyone(302, anonymous=302)},
    "accessibility": {"GET": everyone(200, anonymous=200), "POST": everyone(405, anonymous=405)},
    "favicon": {"GET": everyone(301, anonymous=301), "POST": everyone(301, anonymous=301)},
    "goals:tree": READ_ONLY,
    "goals:detail": READ_ONLY,
    # The levels below a draft of unit A (/mal/<pk>/under/): as readable as the draft.
    "goals:children": {
        "GET": by_role(200, chef_b=404, hr=404, politician=404),
        "POST": everyone(405, anonymous=405),
    },
    "goals:assignments": READ_ONLY,
    "goals:create": {
        "GET": by_role(403, chef_a=200, admin=200),
        "POST": by_role(403, chef_a=200, admin=200),
    },
    "goals:edit": {"GET": CHANGE_A, "POST": CHANGE_A},
    # A draft of unit A: unreadable for chef B, HR and the politician (404: politicians
    # read what has been adopted).
    "goals:decide": {
        "GET": by_role(403, chef_a=200, finance=200, admin=200, chef_b=404, hr=404, politician=404),
        "POST": by_role(
            403, chef_a=200, finance=200, admin=200, chef_b=404, hr=404, politician=404
        ),
    },
    "goals:indicator_create": {"GET": CHANGE_A, "POST": CHANGE_A},
    "goals:indicator_edit": {"GET": CHANGE_A, "POST": CHANGE_A},
    "goals:assignment": {"GET": everyone(200), "POST": CHANGE_A},
    "budget:overview": READ_ONLY,
    "budget:investments": READ_ONLY,
    "budget:export": READ_ONLY,
    # Budget figures are public documents: every logged-in user reads every unit's.
    "budget:unit": {"GET": everyone(200), "POST": by_role(405, anonymous=405)},
    "budget:frames": {"GET": MANAGE, "POST": by_role(403, finance=302, admin=302)},
    "budget:adopt": {"GET": MANAGE, "POST": MANAGE},
    "budget:change_create": {"GET": MANAGE, "POST": MANAGE},
    # Reversing a decided change: everyone reads it, the ekonomichef records the decision.
    "budget:change_reverse": {"GET": MANAGE, "POST": MANAGE},
    "budget:year_create": {
        "GET": everyone(405, anonymous=405),
        "POST": by_role(403, finance=302, admin=302),
    },
    # The budget's audit trail: the ekonomichef and administrators.
    "budget:history": {"GET": MANAGE, "POST": by_role(405, anonymous=405)},
    "budget:forecast": {"GET": FORECAST_A, "POST": FORECAST_A},
    "budget:detail_budget": {
        "GET": by_role(403, finance=200, admin=200),
        "POST": by_role(403, finance=302, admin=302),
    },
    "budget:imports": {"GET": MANAGE, "POST": MANAGE},
    "budget:investment_create": {"GET": MANAGE, "POST": MANAGE},
    "budget:investment_edit": {"GET": MANAGE, "POST": MANAGE},
    # An import is the ekonomichef's working file: others may not read it (404).
    "budget:import_detail": {"GET": FINANCE_ONLY, "POST": by_role(405, anonymous=405)},
    "budget:import_status": {"GET": FINANCE_ONLY, "POST": by_role(405, anonymous=405)},
    # The årshjul: everyone reads it; the ekonomichef and administrators manage its periods
    # (a refused transition redirects back with a message, too).
    "followup:calendar": READ_ONLY,
    "followup:make_periods": PERIOD_ACTION,
    "followup:period_open": PERIOD_ACTION,
    "followup:period_close": PERIOD_ACTION,
    "followup:period_lock": PERIOD_ACTION,
    # Personnel figures (a delårsrapport that is not locked): everyone logged in opens the
    # period's table and sees the units they may read; HR and admins enter every unit's
    # figures, chefs their own (an empty POST saves nothing and redirects).
    "personnel:index": READ_ONLY,
    "personnel:period": {
        "GET": everyone(200),
        "POST": by_role(403, chef_a=302, chef_b=302, hr=302, admin=302),
    },
    # The personalberättelse: HR writes it, staff read it, politicians once it is adopted
    # (an empty text is refused on the page: 200).
    "personnel:report": {
        "GET": by_role(200, politician=404),
        "POST": by_role(403, hr=200, admin=200, politician=404),
    },
    "personnel:import": {
        "GET": by_role(200, politician=403, finance=403),
        "POST": by_role(200, politician=403, finance=403),
    },
    # Indicator values: the chefs of the goals' units, the ekonomichef and admins.
    "personnel:indicator_import": {
        "GET": by_role(200, politician=403, hr=403),
        "POST": by_role(200, politician=403, hr=403),
    },
    # Min uppföljning: every logged-in user (the politician is told there is nothing to report).
    "followup:mine": READ_ONLY,
    # Unit A's draft submission in the open delårsrapport: its chef fills it in (an empty
    # POST is an invalid form: 200); the ekonomichef reads it; unit B, HR and politicians
    # may not read it (404). tests/followup/test_submission_permissions.py walks every state.
    "followup:submission": {
        "GET": by_role(404, chef_a=200, finance=200, admin=200),
        "POST": by_role(404, chef_a=200, finance=403, admin=200),
    },
    # Reviewing a draft: nobody (403 for those who read it).
    "followup:submission_return": {
        "GET": everyone(405, anonymous=405),
        "POST": by_role(404, chef_a=403, finance=403, admin=403),
    },
    "followup:submission_approve": {
        "GET": everyone(405, anonymous=405),
        "POST": by_role(404, chef_a=403, finance=403, admin=403),
    },
    # Attaching a file: those who fill it in (no file: back to the form with a message).
    "followup:evidence_upload": {
        "GET": everyone(405, anonymous=405),
        "POST": by_role(404, chef_a=302, finance=403, admin=302),
    },
    # Removing a file: those who fill in its part (the economic comment's: chef A, admin).
    "followup:evidence_delete": {
        "GET": everyone(405, anonymous=405),
        "POST": by_role(404, chef_a=302, finance=403, admin=302),
    },
    # A file is as readable as its submission.
    "followup:evidence": {
        "GET": by_role(404, chef_a=200, finance=200, admin=200),
        "POST": everyone(405, anonymous=405),
    },
    # Måluppfyllelse and the halvtidsuppföljning: decided results, read by everyone logged in
    # (the ekonomichef may include follow-ups in progress; tests/followup/test_fulfilment.py).
    "followup:fulfilment": READ_ONLY,
    "followup:fulfilment_goal": READ_ONLY,
    "followup:midterm": READ_ONLY,
    # Reports: everyone logged in reads the list (the adopted ones); the ekonomichef asks
    # for reports (an empty POST is an invalid form: 200). A draft report is the
    # ekonomichef's alone (404 to others, the login for anonymous visitors); adopted ones are
    # public (tests/reports/test_views.py).
    "reports:index": {"GET": everyone(200), "POST": by_role(403, finance=200, admin=200)},
    "reports:detail": {"GET": FINANCE_ONLY, "POST": everyone(405, anonymous=405)},
    "reports:status": {"GET": FINANCE_ONLY, "POST": everyone(405, anonymous=405)},
    "reports:download": {"GET": FINANCE_ONLY, "POST": everyone(405, anonymous=405)},
    "reports:adopt": {"GET": everyone(405, anonymous=405), "POST": FINANCE_ONLY},
    "reports:public": {"GET": everyone(200, anonymous=200), "POST": everyone(405, anonymous=405)},
    # Writing the report together (tests/reports/test_writing.py): everyone logged in has
    # "Mina texter"; the ekonomichef sets up a period's chapters (an empty POST saves
    # without a version: the form says so, 200); nämnd A's chapter is read by its writer
    # (chef A), the report's other writers (chef B) and the ekonomichef, written by chef A and
    # the ekonomichef (an empty POST: no version, 200), never read by HR or politicians.
    # The Word export has the PDF's permission; the ekonomichef uploads the municipality's
    # Word template (an empty POST is an invalid form: 200).
    "reports:download_docx": {"GET": FINANCE_ONLY, "POST": everyone(405, anonymous=405)},
    "reports:word_template": {"GET": MANAGE, "POST": MANAGE},
    "reports:my_texts": READ_ONLY,
    "reports:texts_setup": {"GET": MANAGE, "POST": MANAGE},
    # Nämnd A's chapter: its writer (chef A), the ekonomichef and admins; chef B writes
    # another chapter of the same report but does not read this draft.
    "reports:text": {
        "GET": by_role(404, chef_a=200, finance=200, admin=200),
        "POST": by_role(404, chef_a=200, finance=200, admin=200),
    },
    # How unit A's adopted plan was assessed: every logged-in user reads it (drafts'
    # assessments only those who may read follow-ups in progress); the goal's owner (chef A,
    # administrators) sets another assessment (an empty POST is an invalid form: 200).
    "followup:rollup": {
        "GET": everyone(200),
        "POST": by_role(403, chef_a=200, admin=200),
    },
    "admin": {
        "GET": by_role(302, admin=200, anonymous=302),
        "POST": by_role(302, admin=200, anonymous=302),
    },
}


@pytest.fixture
def objects(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    budget_year = BudgetYear.objects.create(municipality=world.m, year=2026)
    period = open_period(make_year(world, 2026)[8])
    submission = Submission.objects.get(period=period, unit=world.fA)
    evidence = attach(
        submission, SimpleUploadedFile("bilaga.pdf", b"%PDF-1.4", content_type="application/pdf")
    )
    create_chapters(period, world.finance)
    return SimpleNamespace(
        period=period,
        report=make_report(period),
        report_text=ReportText.objects.get(period=period, unit=world.nA),
        submission=submission,
        evidence=evidence,
        investment=InvestmentProject.objects.create(
            budget_year=budget_year,
            unit=world.fA,
            code="P2601",
            name="Nytt äldreboende",
            budget=12_000_000,
        ),
        unit=world.fA,
        change=BudgetChange.objects.create(
            budget_year=budget_year,
            kind=BudgetChange.Kind.REALLOCATION,
            from_unit=world.nB,
            to_unit=world.nA,
            amount=1_000_000,
            decided_by=world.kf,
            decided_on="2026-04-22",
            decision_reference="KF 2026-04-22 § 45",
        ),
        year=budget_year.year,
        fmt="xlsx",
        batch=ImportBatch.objects.create(
            municipality=world.m, kind="sie", filename="a.se", checksum="0" * 64
        ),
        plan=world.plan_a,
        draft=world.draft_a,
        indicator=make_indicator(world.plan_a),
        assignment=Assignment.objects.create(
            municipality=world.m,
            title="Utred bemanningen",
            given_by=world.kf,
            decision_reference="KF 2025-11-24 § 130",
            decided_on="2025-11-24",
            unit=world.fA,
            due_date="2026-06-30",
        ),
    )


def rows_missing():
    return {p.name for p in url_patterns()} - set(MATRIX)


def test_every_url_pattern_has_a_row():
    missing = rows_missing()
    assert not missing, f"URL patterns without a row in the permission matrix: {missing}"
    assert not set(MATRIX) - {p.name for p in url_patterns()}, "rows for removed URLs"


@override_settings(ROOT_URLCONF="tests.urls_with_extra_page")
def test_a_new_url_without_a_row_is_caught():
    assert rows_missing() == {"unlisted-page"}


@pytest.mark.parametrize("role", ROLES)
def test_matrix(client, world, objects, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    failures = []
    for pattern in url_patterns():
        url = url_for(pattern, objects)
        for method in ("GET", "POST"):
            expected = MATRIX[pattern.name][method][role]
            response = client.get(url) if method == "GET" else client.post(url, {})
            actual = response.status_code
            if expected == LOGIN:
                ok = actual == 302 and "/logga-in/" in response["Location"]
            else:
                ok = actual == expected
            if not ok:
                failures.append(f"{method} {url} ({pattern.name}): {actual}, expected {expected}")
            if role != "anonymous" and method == "POST" and pattern.name == "logout":
                client.force_login(getattr(world, role))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "name",
    [
        "goals:detail",
        "goals:children",
        "goals:edit",
        "goals:decide",
        "goals:create",
        "goals:indicator_edit",
        "goals:assignment",
        "followup:fulfilment_goal",
    ],
)
def test_guessed_ids_give_404(client, world, name):
    client.force_login(world.chef_a)
    pattern = next(p for p in url_patterns() if p.name == name)
    guessed = SimpleNamespace(
        **{key: SimpleNamespace(pk=987654) for key in ("plan", "draft", "indicator", "assignment")}
    )
    assert client.get(url_for(pattern, guessed)).status_code == 404


def test_other_units_draft_never_shows_data(client, world):
    client.force_login(world.chef_b)
    for name in ("goals:detail", "goals:children", "goals:edit", "goals:decide", "goals:create"):
        pattern = next(p for p in url_patterns() if p.name == name)
        response = client.get(
            url_for(pattern, SimpleNamespace(plan=world.draft_a, draft=world.draft_a))
        )
        assert response.status_code == 404
        assert "Utkast A" not in response.content.decode()
