"""The follow-up markup written in Python (followup/rows.py, rollup.counts_list) is
the markup its templates wrote: the old template of each is kept here and compared,
for escaping, every state and a sending late at night (the date is Stockholm's)."""

import copy
import datetime as dt

from django.template import Context, Template
from django.utils import timezone

from followup import rows
from followup.worklist import WorkRow

# mine.html's review rows before they were written in Python.
OLD_REVIEW_ROWS = """{% load i18n %}{% for row in review_rows %}
  <tr>
    <th scope="row"><a href="{{ row.submission.get_absolute_url }}">{{ row.submission.unit.name }}</a></th>
    <td>{{ row.submission.period.label }}</td>
    <td>{{ row.deadline|date:"Y-m-d" }}{% if row.overdue %} <span class="status status--warning">{% translate "overdue" %}</span>{% endif %}</td>
    <td>{% include "followup/_state.html" with submission=row.submission only %}</td>
    <td class="review-actions">{% if row.submission.state == "sent" %}
      <form method="post" action="{% url 'followup:submission_approve' row.submission.pk %}">{% csrf_token %}<input type="hidden" name="next" value="mine">
        <button type="submit" class="button button--quiet" data-confirm="{% translate 'Approve the follow-up? Its assessments and values then reach the politicians and the reports.' %}">{% translate "Approve" %}<span class="visually-hidden"> {{ row.submission.unit.name }}, {{ row.submission.period.label }}</span></button></form>
      <form method="post" action="{% url 'followup:submission_return' row.submission.pk %}" class="return-form">{% csrf_token %}<input type="hidden" name="next" value="mine">
        <label for="reason-{{ row.submission.pk }}">{% translate "Reason for returning" %}<span class="visually-hidden"> {{ row.submission.unit.name }}</span></label>
        <textarea id="reason-{{ row.submission.pk }}" name="return_reason" rows="2" required></textarea>
        <button type="submit" class="button button--quiet">{% translate "Return" %}<span class="visually-hidden"> {{ row.submission.unit.name }}, {{ row.submission.period.label }}</span></button></form>
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
