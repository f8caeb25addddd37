"""The follow-up markup written in Python (followup/rows.py, rollup.counts_list) is
the markup its templates wrote: the old template of each is kept here and compared,
for escaping, every state and a sending late at night (the date is Stockholm's)."""

import copy
import datetime as dt

from django.template import Context, Template
from django.utils import timezone

from followup import rollup, rows
from followup.worklist import WorkRow

# mine.html's review rows before they were written in Python.
OLD_REVIEW_ROWS = """{% load i18n %}{% for row in review_rows %}
  <tr>
    <th scope="row"><a href="{{ row.submission.get_absolute_url }}">{{ row.submission.unit.name }}</a></th>
    <td>{{ row.submission.period.label }}</td>
    <td><span class="date">{{ row.deadline|date:"Y-m-d" }}</span>{% if row.overdue %} <span class="status status--warning">{% translate "overdue" %}</span>{% endif %}</td>
    <td>{% include "followup/_state.html" with submission=row.submission only %}</td>
    <td class="review-actions">{% if row.submission.state == "sent" %}
      <form method="post" action="{% url 'followup:submission_approve' row.submission.pk %}">{% csrf_token %}<input type="hidden" name="next" value="mine">
        <button type="submit" class="button button--quiet" data-confirm="{% translate 'Approve the follow-up? Its assessments and values then reach the politicians and the reports.' %}">{% translate "Approve" %}<span class="visually-hidden"> {{ row.submission.unit.name }}, {{ row.submission.period.label }}</span></button></form>
      <form method="post" action="{% url 'followup:submission_return' row.submission.pk %}" class="return-form">{% csrf_token %}<input type="hidden" name="next" value="mine">
        <label for="reason-{{ row.submission.pk }}">{% translate "Reason for returning" %}<span class="visually-hidden"> {{ row.submission.unit.name }}</span></label>
        <textarea id="reason-{{ row.submission.pk }}" name="return_reason" rows="2" required></textarea>
        <button type="submit" class="button button--quiet" data-confirm="{% translate 'Return the follow-up to the unit? It can then be changed and sent again; your reason is shown to it.' %}">{% translate "Return" %}<span class="visually-hidden"> {{ row.submission.unit.name }}, {{ row.submission.period.label }}</span></button></form>
    {% elif row.submission.left_unsent %}{% translate "Not sent: the period is closed." %} <a href="{% url 'followup:calendar' %}?ar={{ row.submission.period.year }}">{% translate "Reopen the period in the reporting calendar" %}</a>
    {% else %}–{% endif %}</td>
  </tr>
  {% endfor %}"""  # noqa: E501


def _variants(world):
    """Submissions of every kind the list shows, changed in memory only."""
    base = world.sub_a
    base.unit.name = 'Vård & <omsorg> "A"'
    late_at_night = timezone.make_aware(
        dt.datetime.combine(base.period.deadline, dt.time(23, 30)), dt.UTC
    )
    closed = copy.copy(world.periods[10])
    closed.state = "closed"
    variants = []
    for pk, state, sent_at, period, overdue in (
        (9001, "sent", late_at_night, base.period, False),  # sent 00:30 the next day: late
        (9002, "sent", late_at_night - dt.timedelta(hours=2), base.period, False),
        (9003, "returned", None, base.period, True),
        (9004, "draft", None, base.period, False),
        (9005, "draft", None, closed, False),  # left unsent: the period closed
        (9006, "approved", late_at_night - dt.timedelta(days=3), base.period, False),
        (9007, "locked", late_at_night, base.period, False),
    ):
        sub = copy.copy(base)
        sub.pk, sub.state, sub.sent_at = pk, state, sent_at
        sub.period = period
        sub.unit_name = base.unit.name  # as review_queryset annotates it
        variants.append(WorkRow(sub, period.deadline, None, overdue))
    return variants


def test_review_rows_are_the_templates_rows(delar):
    review_rows = _variants(delar)
    expected = Template(OLD_REVIEW_ROWS).render(
        Context({"review_rows": review_rows, "csrf_token": "TOKEN"})
    )
    html = rows.review_rows(review_rows, "TOKEN")
    assert html == expected
    assert "Vård &amp; &lt;omsorg&gt; &quot;A&quot;" in html
    assert "sänd" in html.lower() and "för sent" in html  # Swedish, and the late one told
    assert html.count('class="return-form"') == 2
    assert "Ej inskickad: perioden är stängd." in html


# calendar.html's table rows before they were written in Python.
OLD_CALENDAR_ROWS = """{% load i18n %}{% for row in rows %}
      <tr id="period-{{ row.period.pk }}">
        <th scope="row">{{ row.period.label }}</th>
        <td>{{ row.period.get_content_display|capfirst }}</td>
        <td>{{ row.period.opens_on|date:"Y-m-d" }}</td>
        <td>{{ row.period.unit_deadline|date:"Y-m-d" }}</td>
        <td>{{ row.period.deadline|date:"Y-m-d" }}</td>
        <td><span class="status status--period-{{ row.period.state }}">{{ row.period.get_state_display|capfirst }}</span>{% if row.locked %}<br><small>{{ row.locked }}</small>{% endif %}</td>
        <td>{{ row.submitted|default:"–" }}{% if row.late %}<br><small>{{ row.late }}</small>{% endif %}</td>
        {% if can_manage %}<td class="period-actions">
          {% if row.can_open %}<form method="post" action="{% url 'followup:period_open' row.period.pk %}">{% csrf_token %}<button type="submit" class="button button--quiet" data-confirm="{% if row.period.state == 'closed' %}{% translate 'Reopen the period? The units can change their follow-ups again.' %}{% elif row.opens_early %}{% blocktranslate with day=row.period.period_end|date:"Y-m-d" %}Open the period now, before {{ day }}, the end of what it covers? The units can start reporting at once, on the figures to date.{% endblocktranslate %}{% else %}{% translate 'Open the period now? The units can start reporting at once.' %}{% endif %}">{% if row.period.state == 'closed' %}{% translate "Reopen" %}{% else %}{% translate "Open" %}{% endif %}<span class="visually-hidden"> {{ row.period.label }}</span></button></form>{% endif %}
          {% if row.can_close %}<form method="post" action="{% url 'followup:period_close' row.period.pk %}">{% csrf_token %}<button type="submit" class="button button--quiet" data-confirm="{% translate 'Close the period? Follow-ups not yet sent can then no longer be sent until it is reopened.' %}">{% translate "Close" %}<span class="visually-hidden"> {{ row.period.label }}</span></button></form>{% endif %}
          {% if row.can_lock %}<form method="post" action="{% url 'followup:period_lock' row.period.pk %}" class="lock-form">{% csrf_token %}
            <label for="lock-{{ row.period.pk }}">{% translate "Decision reference" %}<span class="visually-hidden"> {{ row.period.label }}</span></label>
            <input type="text" id="lock-{{ row.period.pk }}" name="decision_reference" maxlength="120" required aria-describedby="lock-help">
            <button type="submit" class="button button--quiet">{% translate "Lock" %}<span class="visually-hidden"> {{ row.period.label }}</span></button></form>{% endif %}
        </td>{% endif %}
      </tr>
      {% endfor %}"""  # noqa: E501


def test_calendar_rows_are_the_templates_rows(delar):
    from followup.overview import calendar_page
    from tests.followup.factories import set_state

    w = delar
    set_state(w.periods[2], "closed")
    set_state(w.periods[3], "locked", reference='KS 2026-12-01 § 1 <&> "x"')
    w.finance.first_name, w.finance.last_name = "Karin", "<Berglund>"
    w.finance.save()
    Period = type(w.periods[3])
    Period.objects.filter(pk=w.periods[3].pk).update(locked_by=w.finance)
    today = w.period.deadline
    for can_manage in (True, False):
        context = calendar_page(w.m, 2026, today, can_manage)
        states = {row.period.state for row in context["rows"]}
        assert states == {"planned", "open", "closed", "locked"}
        expected = Template(OLD_CALENDAR_ROWS).render(Context({**context, "csrf_token": "TOKEN"}))
        html = rows.calendar_rows(context["rows"], can_manage, "TOKEN")
        assert html == expected
    assert "&lt;&amp;&gt; &quot;x&quot;" in html and "&lt;Berglund&gt;" in html


# calendar.html's wheel (followup/_wheel.html) before it was written in Python.
OLD_WHEEL = """{% load i18n %}<figure class="chart wheel">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{ wheel.size }} {{ wheel.size }}" width="100%" role="img" aria-labelledby="wheel-title wheel-desc">
  <title id="wheel-title">{% blocktranslate with year=wheel.year %}The reporting calendar {{ year }}{% endblocktranslate %}</title>
  <desc id="wheel-desc">{{ wheel.summary }}. {% translate "The months run clockwise from January at the top; each period sits in the month it covers, with its kind of report and its state. The same facts are in the table." %}</desc>
  <defs><pattern id="wheel-closed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#d5dbe1"/><rect width="2" height="6" fill="#9aa5b1"/></pattern></defs>
  {% for path, x, y, name in wheel.months %}<path d="{{ path }}" fill="#f3f5f7" stroke="#6b7785" stroke-width="1"/><text x="{{ x }}" y="{{ y }}" text-anchor="middle" font-size="13" fill="#1b1f24">{{ name }}</text>
  {% endfor %}
  {% for s in wheel.sectors %}<g class="wheel__period wheel__period--{{ s.state }}"><title>{{ s.title }}</title>
    <path d="{{ s.path }}" {% if s.state == 'planned' %}fill="#ffffff" stroke="#4a5561" stroke-dasharray="4 3"{% elif s.state == 'open' %}fill="#0b4f71" stroke="#0b4f71"{% elif s.state == 'closed' %}fill="url(#wheel-closed)" stroke="#4a5561"{% else %}fill="#1b1f24" stroke="#1b1f24"{% endif %} stroke-width="1.5"/>
    <text x="{{ s.x }}" y="{{ s.y }}" text-anchor="middle" font-size="16" font-weight="700" fill="{% if s.state == 'open' or s.state == 'locked' %}#ffffff{% else %}#1b1f24{% endif %}">{{ s.letter }}</text>
    <text x="{{ s.x }}" y="{{ s.y2 }}" text-anchor="middle" font-size="10" fill="{% if s.state == 'open' or s.state == 'locked' %}#ffffff{% else %}#1b1f24{% endif %}">{{ s.state_label }}</text>
  </g>{% endfor %}
  {% if wheel.today %}<g><title>{{ wheel.today.2 }}</title><line x1="{{ wheel.centre }}" y1="{{ wheel.centre }}" x2="{{ wheel.today.0 }}" y2="{{ wheel.today.1 }}" stroke="#a1262d" stroke-width="2.5"/><circle cx="{{ wheel.today.0 }}" cy="{{ wheel.today.1 }}" r="4" fill="#a1262d"/></g>{% endif %}
  <circle cx="{{ wheel.centre }}" cy="{{ wheel.centre }}" r="60" fill="#ffffff" stroke="#6b7785"/>
  <text x="{{ wheel.centre }}" y="{{ wheel.centre_text_y }}" text-anchor="middle" font-size="30" font-weight="700" fill="#1b1f24">{{ wheel.year }}</text>
</svg>
<figcaption class="chart-legend">{% translate "Letters: M monthly report, D interim report, Å annual accounts." %} {% translate "Dashed: planned; dark blue: open; striped: closed; black: locked. The red line is today." %}</figcaption>
</figure>
"""  # noqa: E501


def test_the_wheel_is_the_templates_wheel(delar):
    from followup.overview import calendar_page
    from tests.followup.factories import set_state

    w = delar
    set_state(w.periods[2], "closed")
    set_state(w.periods[3], "locked", reference="KS 2026-12-01 § 1")
    for today in (w.period.deadline, w.period.deadline.replace(year=2025)):
        wheel = calendar_page(w.m, 2026, today, False)["wheel"]
        assert {s.state for s in wheel.sectors} == {"planned", "open", "closed", "locked"}
        # A title needing escaping, and a sector of a state the wheel has no colour for.
        wheel.sectors[0].title = 'Vård & <omsorg> "A"'
        wheel.sectors[1].state = "other"
        expected = Template(OLD_WHEEL).render(Context({"wheel": wheel}))
        html = rows.wheel_svg(wheel)
        assert html == expected
        assert ("<line " in html) == (today.year == 2026)
    assert "Vård &amp; &lt;omsorg&gt; &quot;A&quot;" in html
    assert "Årshjulet 2026" in html and "Streckad kant: planerad" in html


# calendar.html's three parallel years before they were written in Python.
OLD_PARALLEL = """{% load i18n %}{% for item in parallel %}<li><strong>{{ item.role }} {{ item.year }}</strong><br>{{ item.text }}{% if item.year != year %} <a href="?ar={{ item.year }}">{% blocktranslate with other=item.year %}Show {{ other }}{% endblocktranslate %}</a>{% endif %}</li>
    {% endfor %}"""  # noqa: E501


def test_parallel_years_are_the_templates():
    from followup.overview import ParallelYear

    parallel = [
        ParallelYear("Föregående år: årsredovisning", 2025, 'Årsbokslut <KF> & "x".'),
        ParallelYear("Innevarande år: uppföljning", 2026, "Nästa sista dag: 2026-09-20."),
        ParallelYear("Kommande år <planering>", 2027, ""),
    ]
    html = rows.parallel_years(parallel, 2026)
    assert html == Template(OLD_PARALLEL).render(Context({"parallel": parallel, "year": 2026}))
    assert "&lt;KF&gt; &amp; &quot;x&quot;" in html and '<a href="?ar=2027">Visa 2027</a>' in html
    assert '?ar=2026"' not in html


# submission.html's goals before they were written in Python.
OLD_GOAL_SECTIONS = """{% load i18n form_tags styrning_tags %}{% for group in part.groups %}
  <section class="goal-unit" aria-labelledby="unit-{{ group.unit.pk }}">
    <h3 id="unit-{{ group.unit.pk }}" tabindex="-1">{{ group.unit.name }}{% if group.deadline %} <small>({% blocktranslate with day=group.deadline|date:"Y-m-d" %}the enhet's part is due {{ day }}{% endblocktranslate %})</small>{% endif %}</h3>
    {% for row in group.goals %}
    <div class="goal-assessment" id="goal-{{ row.goal.pk }}" role="group" aria-labelledby="goal-{{ row.goal.pk }}-title">
      <h4 id="goal-{{ row.goal.pk }}-title">{{ row.goal.level.name }}: {{ row.goal.title }}</h4>
      {% if row.indicators %}
      <div class="table-wrap" tabindex="0" role="region" aria-label="{% blocktranslate with goal=row.goal.title %}Indicators of {{ goal }}{% endblocktranslate %}">
      <table class="indicator-table">
        <caption class="visually-hidden">{% blocktranslate with goal=row.goal.title %}Indicators of {{ goal }}{% endblocktranslate %}</caption>
        <thead><tr><th scope="col">{% translate "Indicator" %}</th><th scope="col">{% translate "Baseline" %}</th><th scope="col">{% translate "Target" %}</th><th scope="col">{% translate "Earlier values" %}</th><th scope="col">{% translate "Trend" %}</th><th scope="col">{% translate "This period" %}</th></tr></thead>
        <tbody>{% for ind in row.indicators %}<tr>
          <th scope="row">{{ ind.indicator.name }}{% if ind.indicator.unit %} ({{ ind.indicator.unit }}){% endif %}</th>
          <td>{% if ind.indicator.baseline_year %}{{ ind.indicator.baseline_value|num }} ({{ ind.indicator.baseline_year }}){% else %}–{% endif %}</td>
          <td>{% if ind.indicator.target_year %}{{ ind.indicator.target_value|num }} ({{ ind.indicator.target_year }}){% else %}–{% endif %}</td>
          <td>{% for label, value in ind.earlier %}{{ label }}: {{ value|num }}{% if not forloop.last %}; {% endif %}{% empty %}–{% endfor %}</td>
          <td>{% if ind.trend %}<span class="trend trend--{{ ind.trend }}"><span aria-hidden="true">{{ ind.arrow }}</span> {{ ind.trend_label }}</span>{% else %}–{% endif %}</td>
          <td>{% for field in ind.bound %}{% field field %}{% endfor %}</td>
        </tr>{% endfor %}</tbody>
      </table>
      </div>
      {% endif %}
      {% if row.unchanged_since and row.removable %}<p class="unchanged-note"><span aria-hidden="true">↻</span> {% blocktranslate with period=row.unchanged_since %}The assessment and analysis are the same as in {{ period }}. Review them and change what no longer holds.{% endblocktranslate %}</p>{% endif %}
      {% for field in row.bound %}{% field field %}{% endfor %}
      {% include "followup/_evidence.html" with items=row.evidence removable=row.removable only %}
    </div>
    {% endfor %}
  </section>
  {% empty %}<p>{% translate "No adopted goals to assess this year." %}</p>
  {% endfor %}"""  # noqa: E501


def test_goal_sections_are_the_templates_goals(client, delar, settings, tmp_path, monkeypatch):
    """The goals of the submission form as the chef (fields), an enhetschef (their part)
    and the ekonomichef (read only) see them: escaping, indicators with earlier values and
    a trend, a file on an assessment, a text copied from an earlier period."""
    from types import SimpleNamespace

    from django.core.files.base import ContentFile

    from followup.models import Assessment, Evidence
    from goals.models import Measurement
    from tests.followup.factories import submission_url

    settings.MEDIA_ROOT = tmp_path
    w, sub = delar, delar.sub_a
    w.plan_a.title = 'Trygg <vård> & "omsorg"'
    w.plan_a.save()
    w.indicator.unit = "%"
    w.indicator.save()
    for year, value in ((2024, "81.5"), (2025, "80")):
        Measurement.objects.create(indicator=w.indicator, year=year, gender="T", value=value)
    assessment = Assessment.objects.create(
        submission=sub, goal=w.plan_a, status="partly", analysis="Delvis <b>&</b>"
    )
    Evidence.objects.create(
        submission=sub,
        assessment=assessment,
        file=ContentFile(b"%PDF-1.4", name="a.pdf"),
        name='Bilaga <1> & "2".pdf',
        content_type="application/pdf",
        size=8,
        uploaded_by=w.chef_a,
    )
    seen = []
    removable_seen = False
    written = rows.goal_sections
    monkeypatch.setattr(rows, "goal_sections", lambda groups: seen.append(groups) or "")
    for user in (w.chef_a, w.unit_chef_a, w.finance):
        client.force_login(user)
        assert client.get(submission_url(sub)).status_code == 200
        groups = seen[-1]
        rows_ = [row for group in groups for row in group.goals]
        rows_[0].unchanged_since, rows_[0].removable = "Delår <2025>", True
        for row in rows_:
            row.rollup = None  # the roll-up's suggestion came after the template (its test:
            # test_prefill's test_an_assessment_copied_forward_against_the_suggestion…)
        expected = Template(OLD_GOAL_SECTIONS).render(
            Context({"part": SimpleNamespace(groups=groups)})
        )
        html = written(groups)
        assert html == expected
        # A file's Remove button submits the follow-up's own form to the removal (a form
        # of its own inside that form closed it early: nothing after it could be sent).
        if any(row.evidence and row.removable for row in rows_):
            assert 'formaction="/uppfoljning/underlag/' in html and "<form" not in html
            removable_seen = True
        assert "Trygg &lt;vård&gt; &amp; &quot;omsorg&quot;" in html
        assert "2024: 81,5; 2025: 80" in html and "Bilaga &lt;1&gt;" in html
        assert "Delår &lt;2025&gt;" in html
        assert "<textarea" in html  # the fields (disabled for those who only read)
    assert removable_seen
    assert written([]) == Template(OLD_GOAL_SECTIONS).render(
        Context({"part": SimpleNamespace(groups=[])})
    )


# followup/_counts.html, the included template fulfilment_counts replaced.
OLD_COUNTS = """{% load i18n rollup_tags %}<ul class="fulfilment-counts" aria-label="{{ label }}">
  {% for item in items %}<li class="fulfilment-counts__item fulfilment-counts__item--{{ item.status }}"><span class="fulfilment__symbol" aria-hidden="true">{{ item.status|fulfilment_symbol }}</span> {{ item.status|fulfilment_label|capfirst }}: <strong>{{ item.count }}</strong></li>
  {% endfor %}
</ul>
"""  # noqa: E501


def test_fulfilment_counts_are_the_included_templates():
    from followup.fulfilment import CountItem, count_items
    from followup.rollup import counts_list

    lists = [
        count_items({"fulfilled": 3, "partly": 1200, "not_fulfilled": 0}),
        [CountItem("", 2), CountItem("odd<status>", 1)],
        [],
    ]
    for items in lists:
        context = {"items": items, "label": 'Bedömningar <av> "målen" & annat'}
        expected = Template("{% load rollup_tags %}" + OLD_COUNTS).render(Context(context))
        assert counts_list(items, context["label"]) == expected
    assert "<strong>1200</strong>" in counts_list(lists[0], "x")


# midterm.html's item lists before they were written in Python.
OLD_GOAL_ITEMS = """{% load i18n rollup_tags %}{% for item in row.goal_items %}<li>
      <p class="midterm-items__head"><a href="{{ item.url }}">{{ item.title }}</a> <span class="muted">({{ item.owner }})</span> {% fulfilment item.status %}</p>
      {% if item.comment %}<blockquote class="unit-comment__text">{{ item.comment|linebreaks }}</blockquote>{% endif %}
    </li>{% endfor %}"""  # noqa: E501
OLD_ASSIGNMENT_ITEMS = """{% load i18n rollup_tags %}{% for item in row.assignment_items %}<li>
      <p class="midterm-items__head"><a href="{{ item.url }}">{{ item.title }}</a> <span class="muted">({{ item.owner }})</span> {% fulfilment item.status %} <span class="muted">{% blocktranslate with status=item.status_label %}status: {{ status }}{% endblocktranslate %}</span></p>
      {% if item.comment %}<blockquote class="unit-comment__text">{{ item.comment|linebreaks }}</blockquote>{% endif %}
    </li>{% endfor %}"""  # noqa: E501


def test_midterm_items_are_the_templates_items():
    from followup.fulfilment import MidtermItem

    items = [
        MidtermItem('Trygg <vård> & "omsorg"', "Enhet <A>", "partly", "", "", "/mal/1/?a=1&b=2"),
        MidtermItem("Mål", "Enhet B", "fulfilled", "pågår & <klart>", "Rad 1 & <2>\n\nRad 3", "/"),
        MidtermItem("Mål", "Enhet C", "", "ej påbörjad", "Kort", "/"),
        MidtermItem("Mål", "Enhet D", "odd", "", "", "/"),
        MidtermItem("Mål", "Enhet E", "", "", "Rad\r\nett\r\n\r\n\n\nRad 'två'\rtre\n", "/"),
    ]
    for old, assignments in ((OLD_GOAL_ITEMS, False), (OLD_ASSIGNMENT_ITEMS, True)):
        for shown in (items, []):
            row = {"goal_items": shown, "assignment_items": shown}
            expected = Template(old).render(Context({"row": row}))
            assert rows.midterm_items(shown, assignments) == expected
    html = rows.midterm_items(items, True)
    assert "<p>Rad 1 &amp; &lt;2&gt;</p>" in html and "pågår &amp; &lt;klart&gt;" in html


# fulfilment.html's cards before they were written in Python.
OLD_CARDS = """{% load i18n rollup_tags %}{% for card in cards %}
<article class="fulfilment-card" aria-labelledby="goal-{{ card.pk }}">
  <div class="fulfilment-card__head">
    <h2 id="goal-{{ card.pk }}" class="fulfilment-card__title">{{ card.title }}</h2>
    <p class="fulfilment-card__status">{% fulfilment card.status %}</p>
  </div>
  <p class="fulfilment-card__explanation">{{ card.explanation }}</p>
  {% if card.prognosis %}<p class="fulfilment-card__prognosis"><strong>{% translate "Prognosis for the full year" %}:</strong> {% fulfilment card.prognosis %}</p>{% endif %}
  {% if card.override_reason %}<p class="fulfilment-card__override"><strong>{% translate "Assessed by the goal's owner" %}:</strong> {{ card.override_reason }}</p>{% endif %}
  <div class="fulfilment-card__body">
    <div>
      <h3 class="fulfilment-card__subhead">{% if child_level %}{% blocktranslate with level=child_level.name_plural|lower count counter=card.below %}{{ counter }} goal below ({{ level }}){% plural %}{{ counter }} goals below ({{ level }}){% endblocktranslate %}{% else %}{% translate "Goals below" %}{% endif %}</h3>
      {% translate "Assessments of the goals below" as counts_label %}
      {% fulfilment_counts card.counts counts_label %}
    </div>
    <figure class="trend-figure">
      {{ card.trend }}
      <figcaption class="muted">{% translate "The assessment in this and the earlier follow-ups." %}</figcaption>
    </figure>
  </div>
  <p class="actions">
    <a class="button" href="{{ card.drill_url }}">{% if child_level %}{% filter capfirst %}{% blocktranslate with level=child_level.name_plural|lower %}The {{ level }} and the units' comments{% endblocktranslate %}{% endfilter %}{% else %}{% translate "The units' comments" %}{% endif %}<span class="visually-hidden">: {{ card.title }}</span></a>
    {% if card.rollup_url %}<a class="button button--quiet" href="{{ card.rollup_url }}">{% translate "How the assessment was made" %}<span class="visually-hidden">: {{ card.title }}</span></a>{% endif %}
  </p>
</article>
{% endfor %}"""  # noqa: E501


def test_fulfilment_cards_are_the_templates_cards():
    from types import SimpleNamespace

    from django.utils.safestring import mark_safe

    from followup.fulfilment import GoalCard, count_items

    def card(pk, **extra):
        values = {
            "pk": pk,
            "title": 'Trygg <vård> & "omsorg"',
            "owner": "KF",
            "status": "partly",
            "counts": count_items({"fulfilled": 1}),
            "below": 1,
            "explanation": "1 av 1 & <mer>",
            "override_reason": "",
            "rollup_url": "/uppfoljning/bedomning/1/?period=2&pagaende=1",
            "drill_url": "/uppfoljning/maluppfyllelse/1/?period=2",
            "trend": mark_safe("<svg></svg>"),
        }
        values.update(extra)
        return GoalCard(**values)

    cards = [
        card(1),
        card(2, below=3, prognosis="fulfilled", override_reason="Ägaren <vet> & bättre"),
        card(3, below=0, status="", rollup_url="", trend=""),
    ]
    for child_level in (SimpleNamespace(name_plural="Nämnd<mål>"), None):
        context = Context({"cards": cards, "child_level": child_level})
        assert rows.fulfilment_cards(cards, child_level) == Template(OLD_CARDS).render(context)
    html = rows.fulfilment_cards(cards, SimpleNamespace(name_plural="Nämndmål"))
    assert "1 mål under (nämndmål)" in html and "3 mål under (nämndmål)" in html
    assert "Ägaren &lt;vet&gt; &amp; bättre" in html


# rollup.html's rows of the goals below before they were written in Python.
OLD_ROLLUP_CHILDREN = """{% load i18n rollup_tags %}{% for child in children %}
    <tr>
      <th scope="row"><a href="{{ child.url }}">{{ child.title }}</a><br><small>{{ child.level }} · <a href="{{ child.goal_url }}">{% translate "the goal" %}<span class="visually-hidden"> {{ child.title }}</span></a></small></th>
      <td>{{ child.owner }}</td>
      <td>{% fulfilment child.status %}<br><small>{{ child.source }}</small></td>
      {% if prognosis %}<td>{% fulfilment child.prognosis %}</td>{% endif %}
      <td>{% if child.analysis %}{{ child.analysis|linebreaksbr }}<br><small>{% blocktranslate with unit=child.reported_by %}in the follow-up of {{ unit }}{% endblocktranslate %}{% if child.in_progress %} ({% translate "in progress" %}){% endif %}</small>{% else %}–{% endif %}</td>
    </tr>
    {% endfor %}"""  # noqa: E501


def test_rollup_children_are_the_templates_rows():
    from followup.rollup_page import ChildRow

    def child(pk, **extra):
        values = {
            "pk": pk,
            "title": 'Trygg <vård> & "omsorg"',
            "level": "Nämndmål",
            "owner": "Social<nämnden>",
            "status": "partly",
            "source": "förslag & underifrån",
            "analysis": "",
            "reported_by": "",
            "in_progress": False,
            "url": "/uppfoljning/bedomning/3/?period=2",
            "goal_url": "/mal/3/",
        }
        values.update(extra)
        return ChildRow(**values)

    children = [
        child(1),
        child(
            2,
            status="",
            prognosis="fulfilled",
            analysis="Rad 1 &\r\nRad <2>\rRad 3\nRad 4",
            reported_by="Enhet <A>",
            in_progress=True,
        ),
        child(3, analysis="Klart.", reported_by="Enhet B"),
    ]
    for prognosis in (True, False):
        context = Context({"children": children, "prognosis": prognosis})
        expected = Template(OLD_ROLLUP_CHILDREN).render(context)
        assert rows.rollup_children(children, prognosis) == expected
    html = rows.rollup_children(children, True)
    assert "Rad 1 &amp;<br>Rad &lt;2&gt;" in html and "Social&lt;nämnden&gt;" in html


# indicator_import.html's table body before it was written in Python.
OLD_INDICATOR_ROWS = """{% load i18n %}
  {% for indicator in indicators %}
  <tr>
    <td>{{ indicator.pk }}</td>
    <th scope="row">{{ indicator.name }}{% if indicator.unit %} ({{ indicator.unit }}){% endif %}</th>
    <td><a href="{% url 'goals:detail' indicator.goal.pk %}">{{ indicator.goal.title }}</a></td>
    <td>{{ indicator.goal.owner.name }}</td>
    <td>{% if indicator.gender_split %}{% translate "yes" %}{% else %}{% translate "no" %}{% endif %}</td>
  </tr>
  {% endfor %}
  """  # noqa: E501


def test_indicator_rows_are_the_templates_rows():
    from types import SimpleNamespace

    def indicator(pk, name, unit, split, title, owner):
        goal = SimpleNamespace(pk=pk * 10, title=title, owner=SimpleNamespace(name=owner))
        return SimpleNamespace(pk=pk, name=name, unit=unit, gender_split=split, goal=goal)

    indicators = [
        indicator(1, 'Sjukfrånvaro <"%">', "%", True, "Trygg & <god> vård", "Enhet 'A'"),
        indicator(2, "Nöjdhet", "", False, "Mål", "Enhet B"),
        indicator(3, "Antal", None, False, "Mål", "Enhet & C"),
    ]
    expected = Template(OLD_INDICATOR_ROWS).render(Context({"indicators": indicators}))
    assert rows.indicator_rows(indicators) == expected
    assert "Enhet &#x27;A&#x27;" in expected and "/10/" in expected


# submission.html's personnel table body before it was written in Python.
OLD_PERSONNEL_ROWS = """{% load styrning_tags %}{% for row in personnel_rows %}
    <tr id="personnel-{{ row.unit.pk }}">
      <th scope="row">{{ row.unit.name }}</th>
      {% if row.fields %}{% for field in row.fields %}<td><label class="visually-hidden" for="{{ field.auto_id }}">{{ field.label }}</label>{{ field }}{% for error in field.errors %}<span class="field__errors">{{ error }}</span>{% endfor %}</td>{% endfor %}
      {% else %}
      <td class="number">{{ row.figure.sick_leave|num:1|default:"–" }}</td>
      <td class="number">{{ row.figure.sick_leave_women|num:1|default:"–" }}</td>
      <td class="number">{{ row.figure.sick_leave_men|num:1|default:"–" }}</td>
      <td class="number">{{ row.figure.employees|num:0|default:"–" }}</td>
      <td class="number">{{ row.figure.full_time_equivalents|num:1|default:"–" }}</td>
      {% endif %}
    </tr>{% endfor %}"""  # noqa: E501


def _figure():
    """A unit's personnel figures, one of them missing and one zero."""
    from decimal import Decimal
    from types import SimpleNamespace

    return SimpleNamespace(
        sick_leave=Decimal("5.25"),
        sick_leave_women=None,
        sick_leave_men=Decimal("0"),
        employees=1234,
        full_time_equivalents=Decimal("1001.5"),
    )


def test_personnel_rows_are_the_templates_rows():
    from decimal import Decimal
    from types import SimpleNamespace

    from django import forms

    class Figures(forms.Form):
        sick_leave = forms.DecimalField(label='Sjukfrånvaro "%" & <mer>', required=False)
        employees = forms.IntegerField(label="Anställda", required=False, disabled=True)

    bound = Figures({"sick_leave": "x<y", "employees": "12"})
    bound.add_error("sick_leave", "Fel & <mer>")
    unbound = Figures(initial={"sick_leave": Decimal("4.50")}, prefix="p-2")
    figure = _figure()
    personnel = [
        {"unit": SimpleNamespace(pk=1, name="Enhet <A> & 'B'"), "figure": None, "fields": []},
        {"unit": SimpleNamespace(pk=2, name="Enhet B"), "figure": figure, "fields": []},
        {"unit": SimpleNamespace(pk=3, name="Enhet C"), "figure": None, "fields": list(bound)},
        {"unit": SimpleNamespace(pk=4, name="Enhet D"), "figure": figure, "fields": list(unbound)},
    ]
    for shown in (personnel, []):
        expected = Template(OLD_PERSONNEL_ROWS).render(Context({"personnel_rows": shown}))
        assert rows.personnel_rows(shown) == expected


# personnel/index.html's rows before they were written in Python.
OLD_PERSONNEL_INDEX_ROWS = """{% load i18n %}{% for row in rows %}
  <tr>
    <th scope="row"><a href="{% url 'personnel:period' row.period.pk %}">{{ row.period.label }}</a></th>
    <td>{{ row.period.get_state_display|capfirst }}</td>
    <td>{% if row.report_readable %}<a href="{% url 'personnel:report' row.period.pk %}">{% if row.report_written %}{% translate "Written" %}{% else %}{% translate "Not written yet" %}{% endif %}<span class="visually-hidden"> – {{ row.period.label }}</span></a>{% else %}{% translate "Published when the report is adopted" %}{% endif %}</td>
  </tr>
  {% endfor %}"""  # noqa: E501


def test_personnel_index_rows_are_the_templates_rows():
    from followup.models import ReportingPeriod

    periods = [
        ReportingPeriod(pk=pk, year=2026, month=month, kind=kind, state=state)
        for pk, month, kind, state in (
            (3, 8, "interim", "open"),
            (4, 12, "annual", "locked"),
            (5, 4, "<odd> & 'kind'", "<odd state>"),
        )
    ]
    shown = [
        {"period": period, "report_written": written, "report_readable": readable}
        for period, written, readable in zip(
            periods, (True, False, True), (True, True, False), strict=True
        )
    ]
    for table in (shown, []):
        expected = Template(OLD_PERSONNEL_INDEX_ROWS).render(Context({"rows": table}))
        assert rows.personnel_index_rows(table) == expected


# personnel/period.html's rows before they were written in Python (the figures since
# with one decimal, as the submission shows them).
OLD_PERSONNEL_TABLE_ROWS = """{% load styrning_tags %}{% for row in rows %}
  <tr id="unit-{{ row.unit.pk }}">
    <th scope="row" class="level-{{ row.unit.mptt_level }}">{{ row.unit.name }}{% if row.form.non_field_errors %}{% for error in row.form.non_field_errors %}<span class="field__errors">{{ error }}</span>{% endfor %}{% endif %}</th>
    {% if row.form %}{% for field in row.form %}<td><label class="visually-hidden" for="{{ field.auto_id }}">{{ field.label }} – {{ row.unit.name }}</label>{{ field }}{% if field.errors %}<span class="field__errors" id="{{ field.auto_id }}_errors">{% for error in field.errors %}{{ error }}{% if not forloop.last %} {% endif %}{% endfor %}</span>{% endif %}</td>{% endfor %}{% else %}<td class="number">{{ row.figure.sick_leave|num:1|default:"–" }}</td>
    <td class="number">{{ row.figure.sick_leave_women|num:1|default:"–" }}</td>
    <td class="number">{{ row.figure.sick_leave_men|num:1|default:"–" }}</td>
    <td class="number">{{ row.figure.employees|num:0|default:"–" }}</td>
    <td class="number">{{ row.figure.full_time_equivalents|num:1|default:"–" }}</td>{% endif %}
  </tr>{% endfor %}"""  # noqa: E501


def test_personnel_table_rows_are_the_templates_rows():
    from types import SimpleNamespace

    from followup.personnel_forms import FigureRowForm

    units = [
        SimpleNamespace(pk=pk, name=f"Enhet <{pk}> & 'x'", mptt_level=pk % 3) for pk in range(4)
    ]
    bound = FigureRowForm(
        {"u2-sick_leave": "x<y", "u2-sick_leave_women": "120", "u2-employees": "12"}, unit=units[2]
    )
    assert not bound.is_valid()
    bound.add_error(None, "Hela raden & <mer>")
    figure = _figure()
    table = [
        {"unit": units[0], "figure": None, "form": None},
        {"unit": units[1], "figure": figure, "form": None},
        {"unit": units[2], "figure": None, "form": bound},
        {
            "unit": units[3],
            "figure": figure,
            "form": FigureRowForm(None, unit=units[3], initial={"employees": 7}),
        },
    ]
    for shown in (table, []):
        expected = Template(OLD_PERSONNEL_TABLE_ROWS).render(Context({"rows": shown}))
        assert rows.personnel_table_rows(shown) == expected


# midterm.html's section per goal before it was written in Python.
OLD_MIDTERM_SECTIONS = """{% load i18n rollup_tags %}{% for row in rows %}
<section class="midterm-goal" id="goal-{{ row.pk }}" aria-labelledby="goal-{{ row.pk }}-heading">
  <h2 id="goal-{{ row.pk }}-heading">{{ row.title }}</h2>
  <div class="midterm-summary">
    <div><h3>{{ child_level.name_plural }}</h3>{% fulfilment_counts row.goals counts_label %}</div>
    <div><h3>{{ assignments_word }}</h3>{% fulfilment_counts row.assignments counts_label %}</div>
    <div><h3>{{ together_word }}</h3>{% fulfilment_counts row.total counts_label %}</div>
  </div>
  {% if row.rollup_url %}<p><a href="{{ row.rollup_url }}">{{ how_word }}<span class="visually-hidden">: {{ row.title }}</span></a></p>{% endif %}
  {% if row.goal_items %}
  <h3>{{ child_level.name_plural }}</h3>
  <ul class="midterm-items">
    {% midterm_items row.goal_items %}
  </ul>
  {% endif %}
  {% if row.assignment_items %}
  <h3>{{ assignments_word }}</h3>
  <ul class="midterm-items">
    {% midterm_items row.assignment_items assignments=True %}
  </ul>
  {% endif %}
</section>
{% endfor %}"""  # noqa: E501


def test_midterm_sections_are_the_templates_sections():
    from types import SimpleNamespace

    from django.utils.safestring import mark_safe

    from followup.fulfilment import CountItem, MidtermGoal, MidtermItem

    def counts(*ns):
        return [CountItem(s, n) for s, n in zip(rollup.STATUS_ORDER, ns, strict=True)]

    items = [
        MidtermItem(
            'Trygg <vård> & "omsorg"', "Enhet <A>", "partly", "", "Rad 1\n\nRad 2", "/a?b=1&c=2"
        ),
        MidtermItem("Mål", "Enhet B", "", "pågår", "", "/"),
    ]
    rows_ = [
        MidtermGoal(
            1,
            'Trygg & "säker" <kommun>',
            counts(1, 2, 0, 3),
            counts(0, 0, 1, 0),
            counts(1, 2, 1, 3),
            items,
            items[1:],
            "/uppfoljning/bedomning/1/?period=2",
        ),
        MidtermGoal(
            2,
            "Hållbar miljö",
            counts(0, 0, 0, 0),
            counts(0, 0, 0, 0),
            counts(0, 0, 0, 0),
            [],
            [],
            "",
        ),
        MidtermGoal(
            3,
            "Bara uppdrag",
            counts(0, 0, 0, 0),
            counts(1, 0, 0, 0),
            counts(1, 0, 0, 0),
            [],
            items,
            "/x",
        ),
    ]
    words = {
        "counts": "Bedömningar & <antal>",
        "assignments": "Uppdrag",
        "together": mark_safe("Sammanlagt &amp; mer"),
        "how": "Hur <bedömningen> gjordes",
    }
    for child_level in (SimpleNamespace(name_plural="Resultatmål & <annat>"), None):
        context = {
            "rows": rows_,
            "child_level": child_level,
            "counts_label": words["counts"],
            "assignments_word": words["assignments"],
            "together_word": words["together"],
            "how_word": words["how"],
        }
        expected = Template(OLD_MIDTERM_SECTIONS).render(Context(context))
        assert rows.midterm_sections(rows_, child_level, words) == expected
    # The table's body (midterm.html's loop before it was written in Python).
    for shown in (rows_, []):
        expected = Template(OLD_MIDTERM_TABLE_ROWS).render(Context({"rows": shown}))
        assert rows.midterm_table_rows(shown) == expected


OLD_MIDTERM_TABLE_ROWS = """{% for row in rows %}<tr>
      <th scope="row"><a href="#goal-{{ row.pk }}">{{ row.title }}</a></th>
      {% for item in row.total %}<td class="num">{{ item.count }}</td>{% endfor %}
    </tr>{% endfor %}"""


# rollup.html's period choice and counts before they were written in Python.
OLD_PERIOD_OPTIONS = """{% for p in periods %}<option value="{{ p.pk }}"{% if p.pk == period.pk %} selected{% endif %}>{{ p.label }}</option>{% endfor %}"""  # noqa: E501
OLD_COUNT_ROWS = """{% load rollup_tags styrning_tags %}{% for row in counts %}<tr><th scope="row">{% fulfilment row.status %}</th><td class="num">{{ row.n|num }}</td></tr>{% endfor %}"""  # noqa: E501


def test_rollup_period_options_and_counts_are_the_templates():
    from types import SimpleNamespace

    periods = [
        SimpleNamespace(pk=3, label="Delårsrapport <per> 31 augusti 2026 & mer"),
        SimpleNamespace(pk=2, label="Årsbokslut 2025"),
    ]
    for period in (periods[0], periods[1], None):
        expected = Template(OLD_PERIOD_OPTIONS).render(
            Context({"periods": periods, "period": period})
        )
        assert rows.rollup_period_options(periods, period) == expected
    counts = [
        {"status": status, "n": n}
        for status, n in zip(rollup.STATUS_ORDER, (0, 12345, 3, 1), strict=True)
    ]
    for shown in (counts, [], [{"status": "", "n": 2}]):
        expected = Template(OLD_COUNT_ROWS).render(Context({"counts": shown}))
        assert rows.rollup_count_rows(shown) == expected


# rollup.html's indicator rows before they were written in Python.
OLD_ROLLUP_INDICATORS = """{% load i18n rollup_tags styrning_tags %}{% for i in indicators %}
    <tr>
      <th scope="row">{{ i.name }}{% if i.unit %} ({{ i.unit }}){% endif %}{% if i.cumulative %}<br><small>{% translate "cumulative within the year" %}</small>{% endif %}</th>
      <td class="num">{% if i.baseline is not None %}{{ i.baseline|num }} ({{ i.baseline_year }}){% else %}–{% endif %}</td>
      <td class="num">{% if i.target is not None %}{{ i.target|num }} ({{ i.target_year }}){% else %}–{% endif %}</td>
      <td class="num">{% if i.value is not None %}{{ i.value|num }} ({{ i.value_label }}){% else %}–{% endif %}</td>
      <td>{% fulfilment i.status %}</td>
    </tr>
    {% endfor %}"""  # noqa: E501


def test_rollup_indicator_rows_are_the_templates_rows():
    from decimal import Decimal

    from django.utils import translation

    from followup.rollup import IndicatorProgress

    indicators = [
        IndicatorProgress(
            1,
            'Nöjdhet <"NKI"> & mer',
            "%",
            Decimal("71.50"),
            2024,
            Decimal("1234567.5"),
            2027,
            Decimal("-3"),
            "2026-08",
            True,
            "partly",
        ),
        IndicatorProgress(2, "Väntetid", "", None, None, None, None, None, "", False, ""),
        IndicatorProgress(
            3,
            "Kostnad",
            "kr <st>",
            Decimal("0"),
            None,
            Decimal("12"),
            2028,
            Decimal("12.0"),
            "2026 t.o.m. augusti",
            False,
            "fulfilled",
        ),
    ]
    for language in ("sv", "en"):
        with translation.override(language):
            for shown in (indicators, []):
                context = Context({"indicators": shown})
                expected = Template(OLD_ROLLUP_INDICATORS).render(context)
                assert rows.rollup_indicator_rows(shown) == expected
