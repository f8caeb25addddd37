"""The rows the budget pages write in Python (budget.tables, budget.chart): the markup the
templates wrote before, escaped, with the right marks, links and figures."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe

from budget import tables
from budget.forms import FrameForm, YearMonthForm
from budget.models import BudgetChange, BudgetFrame, BudgetYear, Forecast, InvestmentProject

PERIOD = {"ar": 2026, "manad": 6}


def _page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params or PERIOD).content.decode()


def test_overview_rows_mark_the_action_plan_and_the_frame_shown_as_forecast(client, world, budget):
    world.nA.name = "Social<&>nämnden"
    world.nA.save()
    # Samhällsbyggnadsnämnden forecasts 100 mnkr on a frame of 60: an action plan.
    Forecast.objects.create(
        unit=world.fB, year=2026, month=6, group=world.groups["personal"], amount=100_000_000
    )
    html = _page(client, world.politician, "budget:overview")
    query = "?ar=2026&amp;manad=6"
    assert (
        '\n    <tr class="row--warning">\n      <th scope="row">'
        f'<a href="/budget/enhet/{world.nB.pk}/{query}">Samhällsbyggnadsnämnden</a>'
        '\n        <br><span class="status status--warning">Åtgärdsplan krävs</span></th>'
        '\n      <td class="num">60\xa0000</td>'
    ) in html
    # Without a forecast the frame is the forecast, marked with a * (and said in words).
    name = "Social&lt;&amp;&gt;nämnden"
    assert f'<a href="/budget/enhet/{world.nA.pk}/{query}">{name}</a>\n        </th>' in html
    assert (
        '<td class="num">−120\xa0000<span class="visually-hidden"> '
        "(ingen prognos, ramen visas)</span>*</td>"
    ) in html
    assert '<td class="num"><strong>−40\xa0000</strong></td>' in html  # 60 − 100 mnkr
    # The chart: the name escaped, the forecast bar striped and labelled.
    assert f'fill="#1b1f24">{name}</text>' in html
    assert 'fill="url(#over)"><title>Prognos: 100\xa0000 tkr</title></rect>' in html
    assert html.count("<text ") == 3  # one bar pair per nämnd with a frame


def _change(world, budget, **fields):
    values = {
        "budget_year": budget,
        "kind": BudgetChange.Kind.REALLOCATION,
        "from_unit": world.nB,
        "to_unit": world.nA,
        "amount": Decimal("2000000"),
        "decided_by": world.kf,
        "decided_on": dt.date(2026, 4, 22),
        "decision_reference": "KF 2026-04-22 § 45",
        "description": "Flytt <b>av</b> medel",
    }
    values.update(fields)
    change = BudgetChange(**values)
    change.full_clean()
    change.save()
    return change


def test_changes_list_says_what_is_reversed_and_only_finance_may_reverse(client, world, budget):
    change = _change(world, budget)
    counter = change.counter_change()
    counter.decision_reference = "KF 2026-05-20 § 60"
    counter.decided_on = dt.date(2026, 5, 20)
    counter.save()
    extra = _change(
        world,
        budget,
        kind=BudgetChange.Kind.SUPPLEMENTARY,
        from_unit=None,
        funding="KF:s reserv",
        description="",
        amount=Decimal("-500000"),
        decision_reference="KF 2026-06-01 § 70",
    )
    finance = _page(client, world.finance, "budget:overview")
    assert (
        '<td>KF 2026-04-22 § 45<br><span class="muted">Kommunfullmäktige, 2026-04-22</span></td>'
        "\n    <td>Omfördelning från Samhällsbyggnadsnämnden till Socialnämnden"
        '<br><span class="muted">Flytt &lt;b&gt;av&lt;/b&gt; medel</span></td>'
        '\n    <td class="num">2\xa0000</td>\n    <td class="num">2\xa0000</td>'
        '\n    <td><span class="status status--warning">Reverserad genom KF 2026-05-20 § 60'
        "</span></td>"
    ) in finance
    assert "<td>Reverserar KF 2026-04-22 § 45</td>" in finance
    assert "Tilläggsbudget till Socialnämnden (KF:s reserv)</td>" in finance
    link = reverse("budget:change_reverse", args=[2026, extra.pk])
    assert (
        f'<td>Gäller <a class="no-print" href="{link}">Reversera'
        '<span class="visually-hidden"> KF 2026-06-01 § 70</span></a></td>'
    ) in finance
    politician = _page(client, world.politician, "budget:overview")
    assert "<td>Gäller</td>" in politician and link not in politician
    # The unit page lists the same changes without the nämnd column.
    unit = _page(client, world.finance, "budget:unit", world.nA.pk)
    assert "\n  <tr>\n    \n    <td>KF 2026-06-01 § 70<br>" in unit


def test_investment_rows_link_to_the_form_for_finance_only(client, world, budget):
    project = InvestmentProject.objects.create(
        budget_year=budget,
        unit=world.fA,
        code="P-1",
        name="Nytt <äldreboende>",
        budget=Decimal("5000000"),
        outcome=Decimal("1250000.40"),
        total_expenditure=None,
    )
    cells = (
        '<td>Socialförvaltningen</td><td class="num">5\xa0000\xa0000</td>'
        '<td class="num">1\xa0250\xa0000</td><td class="num">3\xa0750\xa0000</td>'
        '<td class="num">–</td></tr>'
    )
    html = _page(client, world.finance, "budget:investments")
    url = reverse("budget:investment_edit", args=[2026, project.pk])
    assert (
        f'<tr><th scope="row"><a href="{url}?ar=2026&amp;manad=6">'
        f"P-1 Nytt &lt;äldreboende&gt;</a></th>{cells}"
    ) in html
    html = _page(client, world.politician, "budget:investments")
    assert f'<tr><th scope="row">P-1 Nytt &lt;äldreboende&gt;</th>{cells}' in html
    project.delete()
    html = _page(client, world.politician, "budget:investments")
    assert '<tr><td colspan="6">Inga investeringsprojekt.</td></tr>' in html


def test_frames_rows_label_each_input_and_show_its_error(client, world):
    budget_year = BudgetYear.objects.create(municipality=world.m, year=2026)
    client.force_login(world.finance)
    url = f"{reverse('budget:frames')}?ar=2026"
    html = client.get(url).content.decode()
    name = f"frame_{world.nA.pk}_2026"
    assert (
        f'<td><label class="visually-hidden" for="id_{name}">Socialnämnden, 2026 (tkr)</label>'
        f'<input type="text" name="{name}"'
    ) in html
    assert html.count('<tr><th scope="row">') == 3  # KS and the two nämnder
    html = client.post(url, {name: "mycket"}).content.decode()
    assert f'<div class="field__errors" id="id_{name}_errors">' in html
    assert not budget_year.frames.exists()


def _frame_rows_by_bound_fields(boards, form) -> str:
    """The frames rows as they were written before: each cell Django's bound field (an
    unbound form, which writes its inputs without fields, gets them here)."""
    if not form.fields:
        form.add_cell_fields()
    cells = {board.pk: [] for board in boards}
    for board, _year, name in form.cells:
        field = form[name]
        errors = field.errors
        error_html = (
            format_html(
                '<div class="field__errors" id="{}_errors">{}</div>',
                field.auto_id,
                mark_safe(" ".join(conditional_escape(e) for e in errors)),
            )
            if errors
            else ""
        )
        cells[board.pk].append(
            format_html(
                '<td><label class="visually-hidden" for="{}">{}</label>{}{}</td>',
                field.auto_id,
                field.label,
                field,
                error_html,
            )
        )
    return "".join(
        f'\n    <tr><th scope="row">{escape(board.name)}</th>{"".join(cells[board.pk])}</tr>\n    '
        for board in boards
    )


@pytest.mark.parametrize("adopted", [False, True])
@pytest.mark.parametrize("post", [None, "errors"])
def test_frames_rows_equal_what_the_bound_fields_render(world, adopted, post):
    world.nA.name = 'Social<&>"nämnden'
    world.nA.save()
    budget_year = BudgetYear.objects.create(municipality=world.m, year=2026)
    boards = [world.ks, world.nA, world.nB]
    for board, amount in ((world.nA, "120000000"), (world.nB, "1234.50"), (world.ks, "0")):
        BudgetFrame.objects.create(
            budget_year=budget_year, unit=board, year=2026, amount=Decimal(amount)
        )
    if adopted:
        budget_year.status = BudgetYear.Status.ADOPTED
    frames = {(f.unit_id, f.year): f.amount for f in budget_year.frames.all()}
    data = None
    if post:
        # Text, a negative, a valid Swedish amount, an empty cell; the rest not posted.
        data = {
            f"frame_{world.nA.pk}_2026": "mycket <mer>",
            f"frame_{world.nA.pk}_2027": "−5",
            f"frame_{world.nB.pk}_2026": "1 234 567,50",
            f"frame_{world.ks.pk}_2026": "",
        }

    def form():
        made = FrameForm(data, budget_year=budget_year, boards=boards, frames=frames)
        if post:
            assert made.is_valid() is adopted  # adopted: the fields are disabled
        return made

    new = tables.frame_rows(boards, form())
    assert new == _frame_rows_by_bound_fields(boards, form())
    assert new.count("<input ") == 9
    assert ("disabled" in new) is adopted
    if post and not adopted:
        assert 'aria-invalid="true" aria-describedby="id_frame_' in new
        assert "mycket &lt;mer&gt;" in new


def test_investments_end_in_a_total_and_mark_an_outcome_beyond_the_decided_total(
    client, world, budget
):
    """The trial found a project's outcome of 4 480 000 beside a decided total of
    4 200 000 with nothing said, and no total row."""
    InvestmentProject.objects.create(
        budget_year=budget,
        unit=world.fA,
        code="P-1",
        name="Konstgräs",
        budget=Decimal("4000000"),
        outcome=Decimal("4480000"),
        total_expenditure=Decimal("4200000"),
    )
    InvestmentProject.objects.create(
        budget_year=budget,
        unit=world.fA,
        code="P-2",
        name="Tak",
        budget=Decimal("1000000"),
        outcome=Decimal("250000"),
        total_expenditure=None,
    )
    html = _page(client, world.politician, "budget:investments")
    over = re.search(r'<tr class="row--warning"><th scope="row">P-1 Konstgräs</th>.*?</tr>', html)
    assert (
        over
        and '4\xa0480\xa0000 <span class="status status--warning">över beslutad totalutgift'
        in over[0]
    )
    assert '<tr><th scope="row">P-2 Tak</th>' in html  # within its total: not marked
    total = re.search(r"<tfoot><tr><th scope=\"row\">Totalt</th>(.*?)</tr></tfoot>", html)[1]
    assert re.findall(r'<td class="num">([^<]*)</td>', total) == [
        "5\xa0000\xa0000",
        "4\xa0730\xa0000",
        "270\xa0000",
        "4\xa0200\xa0000",
    ]


def _investment_rows_before(projects, edit_url) -> str:
    """The investment rows as ``tables.investment_rows`` wrote them before: each text and
    link through Django's ``escape`` on its own."""
    from budget import signs
    from styrning import formatting

    whole = formatting.whole
    over = escape("över beslutad totalutgift")
    rows = []
    for pk, code, name, unit_name, budget, outcome, total in projects:
        title = f"{escape(code)} {escape(name)}"
        if edit_url is not None:
            title = f'<a href="{escape(edit_url(pk))}">{title}</a>'
        beyond = total is not None and outcome is not None and outcome > total
        mark = f' <span class="status status--warning">{over}</span>' if beyond else ""
        marked = ' class="row--warning"' if beyond else ""
        rows.append(
            f'<tr{marked}><th scope="row">{title}</th><td>{escape(unit_name)}</td>'
            f'<td class="num">{whole(budget)}</td>'
            f'<td class="num">{whole(outcome)}{mark}</td>'
            f'<td class="num">{whole(signs.deviation(outcome, budget))}</td>'
            f'<td class="num">{whole(total)}</td></tr>\n  '
        )
    return "".join(rows)


@pytest.mark.parametrize("can_manage", [False, True])
def test_investment_rows_escape_as_before(world, budget, can_manage):
    """Names escaped once per unit and the link's parts once per page: the same markup."""
    from django.utils import translation

    world.fA.name = "Fritid<&>\"'förvaltningen"
    world.fA.save()
    for code, name, outcome in (("P-1", "Tak <&> 'skola'", "5"), ('=P"2', "Väg & bro", "0")):
        InvestmentProject.objects.create(
            budget_year=budget,
            unit=world.fA,
            code=code,
            name=name,
            budget=Decimal("1000000"),
            outcome=Decimal(outcome),
            total_expenditure=Decimal("4"),
        )
    projects = list(
        InvestmentProject.objects.filter(budget_year=budget)
        .order_by("code")
        .values_list(*tables.INVESTMENT_FIELDS)
    )
    edit_url = (
        tables.UrlPattern("budget:investment_edit", budget.year, query="ar=2026&manad=6")
        if can_manage
        else None
    )
    with translation.override("sv"):
        new = tables.investment_rows(projects, edit_url)
        assert new == _investment_rows_before(projects, edit_url)
    assert "Fritid&lt;&amp;&gt;&quot;&#x27;förvaltningen" in new
    assert ("?ar=2026&amp;manad=6" in new) is can_manage


# The year and month form as templates/budget/_period_form.html wrote it (a copy).
OLD_PERIOD_FORM = (Path(__file__).parent / "old_period_form.html").read_text()


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    ("years", "year", "month"), [([2027, 2026, 2025], 2026, 6), ([2026], 2026, 12)]
)
def test_period_form_is_the_old_templates_markup(language, years, year, month):
    from django.utils import translation

    with translation.override(language):
        old = Template(OLD_PERIOD_FORM).render(
            Context({"form": YearMonthForm(initial={"ar": year, "manad": month}, years=years)})
        )
        assert tables.period_form(years, year, month) == old
    assert old.count(" selected>") == 2
