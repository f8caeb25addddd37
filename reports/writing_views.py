"""Writing the report together: the ekonomichef sets up a period's chapters, each owner
writes theirs beside the anvisningar, others comment, the ekonomichef locks them;
"Mina texter" lists what a user must write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from followup.choices import ReportKind
from followup.models import ReportingPeriod
from followup.worklist import compiled_rows
from reports import writing
from reports.forms import (
    ChapterSetupForm,
    CommentForm,
    ReportTextForm,
    WordTemplateForm,
    writer_choices,
)
from reports.models import ReportText, WordTemplate
from styrning.concurrency import EditConflict, current_versions
from styrning.models import Membership, Municipality
from styrning.permissions import (
    get_for_user,
    may_manage_reports,
    may_set_up_report_texts,
    report_text_rights,
    require_report_text,
)
from styrning.services import save_validated

State = ReportText.State


def _writers():
    """Who may be given a chapter: anyone with a role in the organisation but a
    politician's, by name (one query)."""
    roles = [r for r in Membership.Role.values if r != Membership.Role.POLITICIAN]
    users = (
        get_user_model()
        .objects.filter(is_active=True, memberships__role__in=roles)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return {user.pk: user for user in users}


def _periods(municipality):
    return ReportingPeriod.objects.filter(municipality=municipality)


@login_required
def setup(request, pk):
    """The chapters of a period's report: make them, and give each its owner, deadline
    and anvisningar (one save for all; a chapter someone else changed meanwhile is
    refused with what changed)."""
    municipality = Municipality.objects.current()
    period = get_for_user(request, _periods(municipality), pk)
    if not may_set_up_report_texts(request.user):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "create":
        try:
            made = writing.create_chapters(period, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(n)s chapters were set up.") % {"n": made})
        return redirect("reports:texts_setup", pk=period.pk)
    texts = list(ReportText.objects.filter(period=period).for_page().order_by("order", "pk"))
    writers = _writers()
    choices = writer_choices(writers.values())
    versions = current_versions(ReportText, [t.pk for t in texts])
    editable = not period.is_locked
    data = request.POST if request.method == "POST" and editable else None
    forms = [
        ChapterSetupForm(
            data,
            instance=text,
            prefix=f"t{text.pk}",
            writers=writers,
            choices=choices,
            version=versions.get(text.pk),
        )
        for text in texts
    ]
    if data is not None and all(form.is_valid() for form in forms):
        changed = [f for f in forms if f.has_changed() and not f.instance.is_frozen]
        try:
            with transaction.atomic():
                for form in changed:
                    form.instance._history_user = request.user
                    form.instance._change_reason = _("Chapter set up")
                    form.save()
        except EditConflict:
            pass  # the form carries who changed what
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The chapters were saved."))
            return redirect("reports:texts_setup", pk=period.pk)
    return render(
        request,
        "reports/texts_setup.html",
        {
            "period": period,
            "rows": list(zip(texts, forms, strict=True)),
            "editable": editable,
            "can_create": editable and len(texts) < _expected_count(period, municipality),
        },
    )


def _expected_count(period, municipality) -> int:
    """How many chapters the period's report has (one query)."""
    return len(writing.SECTIONS.get(period.kind, [])) + writing._bodies(municipality).count()


@login_required
def text(request, pk):
    """One chapter: its owner writes it beside the anvisningar, marks it done; the
    ekonomichef edits and locks it; every reader comments. POST ``action``: save, done,
    draft (back to draft), lock, comment."""
    report_text = get_for_user(request, ReportText.objects.for_page(), pk)
    rights = report_text_rights(request.user, report_text)
    action = request.POST.get("action", "save") if request.method == "POST" else None
    form = ReportTextForm(
        request.POST if action in ("save", "done") else None, instance=report_text
    )
    comment_form = CommentForm(request.POST if action == "comment" else None)
    if action == "comment":
        require_report_text(request.user, report_text, "comment")
        if comment_form.is_valid():
            try:
                writing.add_comment(report_text, comment_form.cleaned_data["body"], request.user)
            except ValidationError as error:
                comment_form.add_error(None, error)
            else:
                messages.success(request, _("Your comment was added."))
                return redirect(report_text)
    elif action == "lock":
        require_report_text(request.user, report_text, "lock")
        return _change_state(request, report_text, State.LOCKED, _("The text is locked."))
    elif action == "draft":
        require_report_text(request.user, report_text, "write")
        return _change_state(request, report_text, State.DRAFT, _("The text is a draft again."))
    elif action in ("save", "done"):
        require_report_text(request.user, report_text, "write")
        if form.is_valid():
            try:
                with transaction.atomic():
                    form.instance._history_user = request.user
                    form.instance._change_reason = _("Text saved")
                    form.save()
                    if action == "done":
                        writing.set_state(report_text, State.DONE, request.user)
            except EditConflict:
                pass
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if action == "done":
                    messages.success(request, _("The text is marked done."))
                else:
                    messages.success(request, _("The text was saved."))
                return redirect(report_text)
    return render(
        request,
        "reports/text.html",
        {
            "text": report_text,
            "rights": rights,
            "form": form,
            "comment_form": comment_form,
            "comments": report_text.comments.select_related("author"),
            "paragraphs": writing.paragraphs(report_text.text),
            "overdue": _overdue(report_text, timezone.localdate()),
        },
    )


def _change_state(request, report_text, state, message):
    try:
        writing.set_state(report_text, state, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect(report_text)


def _overdue(report_text, today) -> bool:
    return (
        report_text.state == State.DRAFT
        and report_text.deadline is not None
        and report_text.deadline < today
    )


@require_GET
@login_required
def mine(request):
    """Mina texter: the chapters the user writes in reports not yet adopted, earliest
    deadline first; for the ekonomichef also the periods whose chapters they set up."""
    municipality = Municipality.objects.current()
    today = timezone.localdate()
    # Both queries compiled once per process (followup.worklist.compiled_rows): compiling
    # them cost more Python than the page's rows.
    texts = compiled_rows(
        "my texts",
        lambda owner, municipality: (
            ReportText.objects.filter(owner=owner, period__municipality=municipality)
            .exclude(period__state=ReportingPeriod.State.LOCKED)
            .for_page()
            .order_by("deadline", "period__year", "period__month", "order")
        ),
        request.user.pk,
        municipality.pk,
    )
    rows = [{"text": t, "overdue": _overdue(t, today)} for t in texts]
    rows.sort(key=lambda r: (not r["overdue"], r["text"].state != State.DRAFT))
    periods = None
    if may_set_up_report_texts(request.user):
        periods = compiled_rows(
            "my texts periods",
            lambda municipality: (
                _periods(municipality)
                .exclude(state=ReportingPeriod.State.LOCKED)
                .filter(kind__in=(ReportKind.INTERIM, ReportKind.ANNUAL))
                .order_by("year", "month")
            ),
            municipality.pk,
        )
    return render(request, "reports/my_texts.html", {"rows": rows, "periods": periods})


@login_required
def word_template(request):
    """The municipality's Word template for the reports' Word export (the ekonomichef)."""
    if not may_manage_reports(request.user):
        raise PermissionDenied
    municipality = Municipality.objects.current()
    current = WordTemplate.objects.filter(municipality=municipality).first()
    form = WordTemplateForm(
        request.POST or None,
        request.FILES or None,
        instance=current or WordTemplate(municipality=municipality),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            template = form.save(commit=False)
            template.uploaded_by = request.user
            save_validated(template, request.user, _("Word template uploaded"))
        messages.success(request, _("The Word template was saved."))
        return redirect("reports:word_template")
    return render(request, "reports/word_template.html", {"form": form, "current": current})
