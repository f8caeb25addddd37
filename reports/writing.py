"""Writing the report together: the chapters of a period's report, their owners and
anvisningar, comments, the state (utkast → klar → låst), and the texts in the report.

Which chapters a report has comes from data: the report's kind (``SECTIONS``, the
förvaltningsberättelse's headings of RKR R15 for an årsredovisning, the shorter
förenklad förvaltningsberättelse of a delårsrapport) and the municipality's own nämnder
and styrelser (one chapter for each body's analysis). Views, the demo and the tests
call these functions; each write runs in one transaction and records who did it in the
history. Permissions are the views' business (``styrning.permissions``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from followup.choices import ReportKind
from reports.models import ReportText, ReportTextComment
from styrning.models import Membership, OrgUnit
from styrning.request_rows import select_related_rows
from styrning.services import save_validated

Section = ReportText.Section
State = ReportText.State

# The written chapters of each kind of report, in the report's order (the nämnder's
# analyses follow these).
SECTIONS = {
    ReportKind.MONTHLY: [Section.SUMMARY],
    ReportKind.INTERIM: [Section.SUMMARY, Section.EVENTS, Section.ECONOMY, Section.OUTLOOK],
    ReportKind.ANNUAL: [
        Section.SUMMARY,
        Section.OVERVIEW,
        Section.EVENTS,
        Section.GOVERNANCE,
        Section.ECONOMY,
        Section.OUTLOOK,
    ],
}


def _bodies(municipality):
    """KS, the nämnder and the bolagsstyrelser in tree order (no query until evaluated)."""
    return OrgUnit.objects.filter(
        municipality=municipality, kind__in=OrgUnit.GOVERNING_KINDS
    ).order_by("tree_id", "lft")


def _suggested_owners(municipality) -> dict[int, object]:
    """Body id → the chef of the förvaltning or bolag that serves it (one query): the
    förvaltningschef or VD writes the nämnd's or styrelse's analysis."""
    found = {}
    for membership in (
        Membership.objects.filter(
            unit__municipality=municipality,
            unit__kind__in=OrgUnit.OFFICE_KINDS,
            unit__parent__kind__in=OrgUnit.GOVERNING_KINDS,
            role=Membership.Role.MANAGER,
        )
        .select_related("user", "unit")
        .order_by("unit__tree_id", "unit__lft", "pk")
    ):
        found.setdefault(membership.unit.parent_id, membership.user)
    return found


def create_chapters(period, user=None) -> int:
    """The chapters of ``period``'s report that do not exist yet; returns how many were made.

    The förvaltningsberättelse's sections go to ``user`` (the ekonomichef setting them
    up) with the period's deadline; each body's analysis to the chef of its förvaltning
    or bolag with the units' deadline.
    """
    if period.is_locked:
        raise ValidationError(_("The period is locked: its report has been adopted."))
    municipality = period.municipality
    with transaction.atomic():
        existing = ReportText.objects.filter(period=period)
        have_sections = {t.section for t in existing if t.unit_id is None}
        have_units = {t.unit_id for t in existing if t.unit_id is not None}
        made = 0
        order = 0
        reason = _("Chapter set up")
        for section in SECTIONS.get(period.kind, [Section.SUMMARY]):
            order += 10
            if section in have_sections:
                continue
            text = ReportText(
                period=period, section=section, order=order, owner=user, deadline=period.deadline
            )
            save_validated(text, user, reason)
            made += 1
        owners = _suggested_owners(municipality)
        for body in _bodies(municipality):
            order += 10
            if body.pk in have_units:
                continue
            text = ReportText(
                period=period,
                section=Section.BODY,
                unit=body,
                order=order,
                owner=owners.get(body.pk),
                deadline=period.unit_deadline,
            )
            save_validated(text, user, reason)
            made += 1
    return made


def _locked_row(text) -> ReportText:
    return (
        ReportText.objects.select_for_update(of=("self",)).select_related("period").get(pk=text.pk)
    )


def _refuse_frozen(text):
    if text.is_frozen:
        raise ValidationError(_("The text is locked and can no longer change."))


def set_state(text, state, user=None) -> ReportText:
    """Mark the text done (klar), back to draft (utkast), or lock it (låst: only a done
    text). The caller checks who may; the rules of the states are here."""
    with transaction.atomic():
        text = _locked_row(text)
        _refuse_frozen(text)
        if state == State.LOCKED and text.state != State.DONE:
            raise ValidationError(_("Only a text marked done can be locked."))
        reasons = {
            State.DONE: _("Marked done"),
            State.DRAFT: _("Back to draft"),
            State.LOCKED: _("Locked for the final version"),
        }
        text.state = state
        return save_validated(text, user, reasons[state])


def add_comment(text, body: str, user=None) -> ReportTextComment:
    """A comment in the text's thread (refused on a locked text)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    with transaction.atomic():
        text = _locked_row(text)
        _refuse_frozen(text)
        comment = ReportTextComment(report_text=text, author=user, body=body)
        return save_validated(comment, user)


def _due_texts(user_id):
    return ReportText.objects.due_for(user_id).select_related("period", "unit")


def due_texts(user):
    """The texts ``user`` still has to write, earliest deadline first (one query, compiled
    once a process: Min uppföljning asks on every view)."""
    if user is None or not user.is_authenticated:
        return []
    return select_related_rows(_due_texts, user.pk)


# --- the texts in the report ------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (split on blank lines), as the page, the PDF and Word show them."""
    blocks = [block.strip() for block in (text or "").replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def add_texts(context: dict, period) -> dict:
    """Put the period's written chapters into a report's context (one query), and return it.

    ``context["written"]``: ``summary`` (paragraphs), ``economy`` (the commentary on god
    ekonomisk hushållning), ``chapters`` (the förvaltningsberättelse's other sections:
    title and paragraphs) and ``state`` (how many chapters are done of how many). Each
    body section of ``context["bodies"]`` gets its nämnd's ``analysis_text``; a nämnd with
    a written analysis but nothing else in the report gets a section of its own.
    """
    texts = list(
        ReportText.objects.filter(period=period).select_related("unit").order_by("order", "pk")
    )
    written = {"summary": [], "economy": [], "chapters": [], "done": 0, "count": len(texts)}
    by_body = {}
    for text in texts:
        if text.state != State.DRAFT or period.is_locked:
            written["done"] += 1
        parts = paragraphs(text.text)
        if not parts:
            continue
        if text.section == Section.SUMMARY:
            written["summary"] = parts
        elif text.section == Section.ECONOMY:
            written["economy"] = parts
        elif text.section == Section.BODY:
            by_body[text.unit.name] = parts
        else:
            written["chapters"].append(
                {"key": text.section, "title": text.title, "paragraphs": parts}
            )
    context["written"] = written
    for key in ("bodies", "companies"):
        for body in context.get(key) or []:
            # A kommunägt bolag's section names its board beside it.
            body["analysis_text"] = by_body.pop(body["name"], []) or by_body.pop(
                body.get("board") or "", []
            )
    bodies = context.get("bodies")
    if isinstance(bodies, list):
        for name, parts in by_body.items():
            bodies.append({"name": name, "goals": [], "assignments": [], "analysis_text": parts})
    return context
