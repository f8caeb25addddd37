"""Who may read and change what: the one place where access is decided.

A user's memberships give roles on units. From them ``scope_for(user)`` builds
a ``Scope`` once per request; views ask it through ``get_for_user`` and the
``can_*`` helpers and never look at roles themselves.

The rule for refusals: what a user may not read answers 404, what they may
read but not change answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models.query import MAX_GET_RESULTS
from django.http import Http404
from django.shortcuts import get_object_or_404

from styrning import request_rows
from styrning.models import Membership, OrgUnit

Role = Membership.Role


@dataclass
class Scope:
    """What one user may do, built from their memberships (one query)."""

    is_authenticated: bool = False
    is_admin: bool = False
    is_finance: bool = False
    roles: set = field(default_factory=set)
    # Units whose whole subtree the user may read (drafts included).
    read_roots: list = field(default_factory=list)
    # Units whose whole subtree the user manages (chef memberships).
    manage_roots: list = field(default_factory=list)
    # Boards directly above a managed förvaltning or bolag: the chef drafts their goals.
    draft_boards: list = field(default_factory=list)
    # Every unit the user has a membership of, whatever the role (a politician's nämnd too).
    units: list = field(default_factory=list)

    @property
    def reads_everything(self) -> bool:
        return self.is_admin or self.is_finance

    @property
    def manages_budget(self) -> bool:
        """Frames, detaljbudget, investments, decided changes and imports: finance and admins."""
        return self.is_admin or self.is_finance

    def _in_subtrees(self, unit, roots) -> bool:
        return any(
            root.tree_id == unit.tree_id and root.lft <= unit.lft and unit.rght <= root.rght
            for root in roots
        )

    def readable_units(self):
        """A queryset of the units whose drafts the user may read."""
        roots = self.read_roots + self.draft_boards
        return OrgUnit.objects.in_subtrees(roots)

    def changeable_units(self):
        """A queryset of the units whose goals the user may draft."""
        ids = [board.pk for board in self.draft_boards]
        return OrgUnit.objects.in_subtrees(self.manage_roots) | OrgUnit.objects.filter(pk__in=ids)

    def can_draft(self, unit) -> bool:
        """May draft and edit unadopted goals owned by ``unit``."""
        if self.is_admin:
            return True
        if self.is_finance and unit.kind in (OrgUnit.Kind.COUNCIL, OrgUnit.Kind.EXECUTIVE):
            return True
        if any(board.pk == unit.pk for board in self.draft_boards):
            return True
        return self._in_subtrees(unit, self.manage_roots)

    def can_decide(self, unit) -> bool:
        """May record the adoption (or a new decision) of goals owned by ``unit``."""
        if self.is_admin or self.is_finance:
            return True
        return self._in_subtrees(unit, self.manage_roots)


def scope_for(user) -> Scope:
    """The user's scope, cached on the user object for the request (one query)."""
    cached = getattr(user, "_styrning_scope", None)
    if cached is not None:
        return cached
    scope = Scope()
    if user is not None and user.is_authenticated:
        scope.is_authenticated = True
        scope.is_admin = user.is_superuser
        # Membership.objects.filter(user=user).select_related("unit__parent"), on a plain
        # cursor (request_rows: the ORM's compiling cost 1.7 ms of its 2.4 ms on every
        # request). The few rows are put in the unit's name order, so the first root is
        # the same on every request.
        memberships = sorted(
            request_rows.memberships(user), key=lambda membership: membership.unit.name
        )
        for membership in memberships:
            unit = membership.unit
            scope.units.append(unit)
            scope.roles.add(membership.role)
            if membership.role == Role.ADMIN:
                scope.is_admin = True
            elif membership.role == Role.FINANCE:
                scope.is_finance = True
            if membership.role != Role.POLITICIAN:
                # Politicians read what has been adopted (public documents), never drafts:
                # a seat in KF is not a membership of every unit below it.
                scope.read_roots.append(unit)
            if membership.role == Role.MANAGER:
                scope.manage_roots.append(unit)
                if unit.is_office and unit.parent is not None and unit.parent.is_governing_body:
                    scope.draft_boards.append(unit.parent)
        if scope.is_admin:
            scope.roles.add(Role.ADMIN)
    if user is not None:
        user._styrning_scope = scope
    return scope


def can_change(user, obj) -> bool:
    """May the user change ``obj``?

    Objects name the unit they belong to (``access_unit``) and whether what they
    hold has been decided (``access_decided``): a draft changes with drafting
    rights, decided content only with the right to decide for that unit. Budget
    objects the ekonomichef alone keeps say so with ``access_finance_only``.
    """
    scope = scope_for(user)
    if getattr(obj, "access_finance_only", False):
        return scope.manages_budget
    if obj.access_decided:
        return scope.can_decide(obj.access_unit)
    return scope.can_draft(obj.access_unit)


def can_decide(user, obj) -> bool:
    """May the user record a decision (adoption) about ``obj``?"""
    if getattr(obj, "access_finance_only", False):
        return scope_for(user).manages_budget
    return scope_for(user).can_decide(obj.access_unit)


def require(user, obj, action) -> None:
    """403 unless the user may do ``action`` ("view", "change" or "decide") to ``obj``.

    For an object already known to be readable, e.g. the budget year a form belongs to.
    """
    if action == "change" and not can_change(user, obj):
        raise PermissionDenied
    if action == "decide" and not can_decide(user, obj):
        raise PermissionDenied


def get_for_user_by(request, queryset, action="view", **lookup):
    """``get_for_user`` for objects found by another key than pk (a budget year by its year)."""
    obj = get_object_or_404(queryset.visible_to(request.user), **lookup)
    require(request.user, obj, action)
    return obj


def get_for_user(request, queryset, pk, action="view"):
    """Load one object the user may see (else 404); 403 if they may see but not change it.

    ``queryset`` must have ``visible_to(user)``. ``action`` is "view", "change"
    or "decide".
    """
    return get_for_user_by(request, queryset, action, pk=pk)


def get_compiled_for_user(request, model, base, pk, action="view"):
    """``get_for_user(request, base(), pk, action)`` with its query compiled once a process
    per ``base`` and what ``model``'s ``visible_to`` depends on for the user (its
    manager's ``visibility_key(user)``), then run on a plain cursor
    (``request_rows.select_related_rows``): the same query. ``base`` is a module-level
    function giving a queryset of ``model`` (``select_related`` one level at most). For
    the pages that open one goal, where building and compiling that query through the
    ORM cost 3 000–6 000 calls a request."""
    if not isinstance(pk, int) or not -(2**31) <= pk < 2**31:
        return get_for_user(request, base(), pk, action)  # as the ORM treats any other
    user = request.user
    key = (base, model.objects.visibility_key(user))
    found = request_rows.select_related_rows(
        # As get_object_or_404: .get()'s query, unordered, at most MAX_GET_RESULTS rows.
        lambda pk: base().visible_to(user).filter(pk=pk).order_by()[:MAX_GET_RESULTS],
        pk,
        key=key,
    )
    if not found:
        raise Http404(f"No {model._meta.object_name} matches the given query.")
    obj = found[0]
    require(user, obj, action)
    return obj


# Follow-up submissions
#
# A submission (duck-typed: ``access_unit``, ``delegate_id``, ``access_editable``,
# ``access_reviewable``; the core never imports followup) is read through
# ``Submission.objects.visible_to``; what the reader may do follows its state.


@dataclass(frozen=True)
class SubmissionRights:
    """What one user may do with one readable submission, in its current state."""

    edit_all: bool = False
    # Units below the submission's unit whose parts (their goals) the user fills in.
    edit_units: tuple = ()
    send: bool = False
    review: bool = False

    @property
    def edit(self) -> bool:
        return self.edit_all or bool(self.edit_units)

    def may_edit_part(self, unit) -> bool:
        """May fill in the part of ``unit`` (the owner of a goal in the submission)."""
        if self.edit_all:
            return True
        return any(
            root.tree_id == unit.tree_id and root.lft <= unit.lft and unit.rght <= root.rght
            for root in self.edit_units
        )

    def for_parts(self, owners) -> SubmissionRights:
        """These rights over a follow-up whose parts belong to ``owners`` (its goals'
        owners): one who fills in parts only, none of them theirs (an enhetschef in a
        månadsrapport that asks no goals), reads it — no form with nothing to fill in,
        no file to attach. (no query)"""
        if self.edit_all or not self.edit_units:
            return self
        if any(self.may_edit_part(owner) for owner in owners):
            return self
        return SubmissionRights(review=self.review)


def submission_rights(user, submission, owners=None) -> SubmissionRights:
    """Edit, send, return/approve rights on a submission the user may read (no query).

    With ``owners`` (the owners of the goals the follow-up covers), narrowed by
    ``SubmissionRights.for_parts``: an enhetschef with no part in it only reads.

    Editing (utkast or återsänd in an open period): the unit's chefs, the delegate the
    förvaltningschef named, administrators; enhetschefer only their enhet's parts.
    Sending: the same as editing the whole. Returning and approving (inskickad): the
    ekonomichef and administrators. In a locked period: nobody, whatever the role.
    """
    scope = scope_for(user)
    unit = submission.access_unit
    if submission.access_editable:
        chef = scope.is_admin or scope._in_subtrees(unit, scope.manage_roots)
        if chef or (user.pk is not None and submission.delegate_id == user.pk):
            return SubmissionRights(edit_all=True, send=True)
        below = tuple(
            root
            for root in scope.manage_roots
            if root.pk != unit.pk
            and root.tree_id == unit.tree_id
            and unit.lft < root.lft
            and root.rght < unit.rght
        )
        rights = SubmissionRights(edit_units=below)
        return rights if owners is None else rights.for_parts(owners)
    return SubmissionRights(review=submission.access_reviewable and scope.manages_budget)


def require_submission(user, submission, action, owners=None) -> SubmissionRights:
    """403 unless the user may ``action`` ("edit", "send" or "review") the readable
    submission (``owners`` as for ``submission_rights``)."""
    rights = submission_rights(user, submission, owners)
    if not getattr(rights, action):
        raise PermissionDenied
    return rights


def may_delegate(user, submission) -> bool:
    """Only the unit's own chefs (and administrators) name a delegate, never the delegate."""
    scope = scope_for(user)
    return submission.access_editable and (
        scope.is_admin or scope._in_subtrees(submission.access_unit, scope.manage_roots)
    )


def may_read_followup_in_progress(user, unit) -> bool:
    """May read the follow-ups in progress (not yet approved) of ``unit`` and the units
    below it: the ekonomichef and administrators, and the people of the unit or of a unit
    above it (a förvaltningschef also those of the nämnd it serves); never politicians.
    (no query)"""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return False
    if scope.reads_everything:
        return True
    return scope._in_subtrees(unit, scope.read_roots + scope.draft_boards)


def may_override_rollup(user, goal, period) -> bool:
    """May set another assessment than the roll-up's suggestion for ``goal`` in ``period``:
    the goal's owner — whoever drafts the goals of its unit (its chefs, the
    förvaltningschef for the nämnd it serves, the ekonomichef for KF's and KS's goals,
    administrators) — and never in a locked period. (no query)"""
    if period is None or period.is_locked:
        return False
    return scope_for(user).can_draft(goal.access_unit)


class AdminRoleBackend(ModelBackend):
    """Django's own checks (the admin) grant everything to systemadministratörer.

    A Django superuser already has every permission; a user with the
    systemadministratör role gets the same through this backend.
    """

    def get_user(self, user_id):
        """ModelBackend's, with the user read by one precompiled query (every request)."""
        from django.contrib.auth import get_user_model
        from django.db import router

        model = get_user_model()
        user = request_rows.user_row(model, router.db_for_read(model), user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_active and scope_for(user_obj).is_admin:
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and scope_for(user_obj).is_admin:
            return True
        return super().has_module_perms(user_obj, app_label)


def admin_site_has_permission(request) -> bool:
    """Only systemadministratörer (and superusers) enter the Django admin."""
    return request.user.is_active and scope_for(request.user).is_admin


def require_budget_manager(user) -> None:
    """403 for a logged-in user who may read the budget but not manage it.

    Kept for the views that manage the budget without an object to ask
    ``can_change`` about (imports, a new budget year).
    """
    if not scope_for(user).manages_budget:
        raise PermissionDenied


def can_manage_periods(user) -> bool:
    """May make, open, close and lock the årshjul's reporting periods?

    The same people who manage the budget: the ekonomichef and administrators.
    """
    return scope_for(user).manages_budget


def require_period_manager(user) -> None:
    """403 for a logged-in user who may read the årshjul but not manage its periods."""
    if not can_manage_periods(user):
        raise PermissionDenied


# Personnel figures
#
# Personaldata (sjukfrånvaro, anställda, årsarbetare) per unit and goal period, and the
# personalberättelse. HR (personalchef) and administrators enter every unit's figures and
# write the personalberättelse; a chef enters the figures of their own units. Figures are
# read by those who may read the unit's drafts (its chefs, HR, the ekonomichef); once the
# period is locked (its report adopted) they are public documents for every logged-in user.


def is_personnel_manager(user) -> bool:
    """HR and administrators: every unit's personnel figures and the personalberättelse."""
    scope = scope_for(user)
    return scope.is_admin or Role.HR in scope.roles


def personnel_readable_roots(user, period_locked: bool) -> list | None:
    """The units at and below which ``user`` may read personnel figures in a period: None
    for every unit, [] for none (no query). ``personnel_readable_units`` as subtrees, for
    a query compiled once per shape."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return []
    if period_locked or scope.reads_everything or is_personnel_manager(user):
        return None
    return scope.read_roots + scope.draft_boards


def personnel_readable_units(user, period_locked: bool):
    """The units whose personnel figures ``user`` may read in a period (a queryset; no query
    until evaluated)."""
    roots = personnel_readable_roots(user, period_locked)
    if roots is None:
        return OrgUnit.objects.all()
    return OrgUnit.objects.in_subtrees(roots) if roots else OrgUnit.objects.none()


def personnel_changeable_units(user):
    """The units whose personnel figures ``user`` may enter (a queryset; no query until
    evaluated): all for HR and administrators, a chef's own subtrees."""
    scope = scope_for(user)
    if is_personnel_manager(user):
        return OrgUnit.objects.all()
    return OrgUnit.objects.in_subtrees(scope.manage_roots)


def may_enter_personnel(user) -> bool:
    """Has the user any unit whose personnel figures they may enter? (no query)"""
    return is_personnel_manager(user) or bool(scope_for(user).manage_roots)


def can_read_personnel_report(user, period_locked: bool) -> bool:
    """The personalberättelse: staff read it while it is written; politicians (and other
    readers of adopted documents only) once the period is locked."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return False
    return period_locked or scope.is_admin or bool(scope.read_roots)


def can_report_indicator(user, unit) -> bool:
    """May enter indicator values (mätvärden) of goals owned by ``unit``: the ekonomichef and
    administrators for every goal, a chef for the goals of their units and of the nämnd or
    styrelse their förvaltning serves."""
    scope = scope_for(user)
    return scope.manages_budget or scope.can_draft(unit)


def indicator_reporting_units(user):
    """The units whose goals' indicator values ``user`` may enter, as a queryset (no query
    until evaluated), or None for every unit (the ekonomichef, administrators): the rows
    ``can_report_indicator`` allows, for a filter in SQL."""
    scope = scope_for(user)
    if scope.manages_budget:
        return None
    return scope.changeable_units()


def may_report_indicators(user) -> bool:
    """Has the user any goals whose indicator values they may enter? (no query)"""
    scope = scope_for(user)
    return scope.manages_budget or bool(scope.manage_roots)


# Goal fulfilment (måluppfyllelse)
#
# The roll-up is read by every logged-in user from decided results: assessments of
# approved or locked submissions (public documents). The ekonomichef and administrators,
# who review the submissions, may also see the roll-up of what is not yet approved.


def may_see_unapproved_fulfilment(user) -> bool:
    """May the user choose to see goal fulfilment from submissions not yet approved?"""
    return scope_for(user).reads_everything


def approved_forecasts_only(user):
    """What /budget/'s pages do with forecasts of follow-ups not yet approved, as
    ``budget.overview``'s ``approved_only`` takes it: False (show them) for the ekonomichef
    and administrators; for staff, the units whose drafts they read (their own follow-ups'
    forecasts show, the rest are the latest approved); True for politicians and everyone
    else. One query for staff."""
    scope = scope_for(user)
    if scope.reads_everything:
        return False
    if scope.read_roots:
        return set(scope.readable_units().values_list("pk", flat=True))
    return True


# Reports (rapporter)
#
# Drafts are the ekonomichef's working files: only they and administrators ask for,
# read and adopt them. An adopted report is a public document: everyone downloads it.


def may_manage_reports(user) -> bool:
    """May ask for, read the drafts of and record the adoption of reports? (no query
    beyond the scope's)"""
    return scope_for(user).manages_budget


# Report texts (the written chapters of a report)
#
# The ekonomichef (and administrators) set up a period's chapters: owners, deadlines and
# anvisningar. A chapter's owner writes it; the ekonomichef may edit every chapter (the final
# edit) and alone locks them. Everyone who may read a chapter comments on it: the ekonomichef,
# the writers of the same report, and those who may read the follow-ups in progress of the
# chapter's nämnd. Nothing locked changes (a locked text, or any text of a locked period).


def may_set_up_report_texts(user) -> bool:
    """May set up the chapters of a period's report (owners, deadlines, anvisningar)?"""
    return may_manage_reports(user)


def report_text_reader_filter(user):
    """A Q for the texts ``user`` may read, or None for every text (no query beyond the
    scope's)."""
    from django.db.models import Q

    scope = scope_for(user)
    if scope.reads_everything:
        return None
    if not scope.is_authenticated:
        return Q(pk__in=[])
    # Their own chapters, the whole report's common chapters (sammanfattning, …) of the
    # periods they write in, and the chapters of units whose follow-ups they may read —
    # not another nämnd's draft because they write one chapter of the same report.
    condition = Q(owner_id=user.pk) | Q(unit__isnull=True, period__report_texts__owner_id=user.pk)
    roots = scope.read_roots + scope.draft_boards
    if roots:
        condition |= Q(unit__in=OrgUnit.objects.in_subtrees(roots))
    return condition


@dataclass(frozen=True)
class ReportTextRights:
    """What one user may do with one readable report text."""

    write: bool = False
    comment: bool = False
    lock: bool = False


def report_text_rights(user, text) -> ReportTextRights:
    """Write (its owner and the ekonomichef), comment (every reader), lock (the ekonomichef)
    — none of it once the text or its period is locked. (no query)"""
    if text.is_frozen:
        return ReportTextRights()
    manager = may_manage_reports(user)
    owner = user.pk is not None and text.owner_id == user.pk
    return ReportTextRights(
        write=manager or owner,
        comment=True,
        lock=manager and text.state == text.State.DONE,
    )


def require_report_text(user, text, action) -> ReportTextRights:
    """403 unless the user may ``action`` ("write", "comment" or "lock") the readable text."""
    rights = report_text_rights(user, text)
    if not getattr(rights, action):
        raise PermissionDenied
    return rights
