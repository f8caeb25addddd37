"""The årshjul in the Django admin: templates are edited here; periods move on /arshjul/."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from followup.models import (
    Assessment,
    AssignmentReport,
    AssignmentStatusMapping,
    CalendarEntry,
    CalendarTemplate,
    Evidence,
    PersonnelFigure,
    PersonnelReport,
    ReminderLog,
    ReportingPeriod,
    RollupOverride,
    RollupRule,
    Submission,
)


class CalendarEntryInline(admin.TabularInline):
    model = CalendarEntry
    extra = 0


@admin.register(CalendarTemplate)
class CalendarTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "is_active"]
    inlines = [CalendarEntryInline]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["label", "state", "opens_on", "unit_deadline", "deadline"]
    list_filter = ["year", "kind", "state"]
    # States change through followup.calendar (/arshjul/), which keeps the decision with them.
    readonly_fields = ["state", "decision_reference", "locked_at", "locked_by"]


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "period", "state", "sent_at"]
    list_filter = ["state", "period__year"]
    list_select_related = ["unit", "period"]
    readonly_fields = ["state", "sent_at", "sent_by", "decided_at", "decided_by"]


# Personnel figures and reminders: entered on /uppfoljning/personal/; here for the record.
@admin.register(PersonnelFigure)
class PersonnelFigureAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "period", "sick_leave", "employees", "full_time_equivalents"]
    list_filter = ["period__year"]
    list_select_related = ["unit", "period"]


@admin.register(PersonnelReport)
class PersonnelReportAdmin(SimpleHistoryAdmin):
    list_display = ["period", "written_by", "updated_at"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "kind", "unit", "period", "email"]
    list_select_related = ["unit", "period"]


# The submissions' contents change through /uppfoljning/ (followup.submissions), which keeps
# the state rules; the admin reads them.
class _ReadOnly(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(_ReadOnly):
    list_display = ["goal", "submission", "status", "prognosis"]
    list_filter = ["status", "submission__period__year"]
    list_select_related = ["goal", "submission__unit", "submission__period"]


@admin.register(AssignmentReport)
class AssignmentReportAdmin(_ReadOnly):
    list_display = ["assignment", "submission", "status"]
    list_select_related = ["assignment", "submission__unit", "submission__period"]


@admin.register(Evidence)
class EvidenceAdmin(_ReadOnly):
    list_display = ["name", "submission", "uploaded_by", "uploaded_at"]
    list_select_related = ["submission__unit", "submission__period", "uploaded_by"]


# The roll-up's rules and the uppdrag mapping are data the administrator keeps (with history).
@admin.register(RollupRule)
class RollupRuleAdmin(SimpleHistoryAdmin):
    list_display = ["level", "kind", "fulfilled_share", "partly_share", "use_indicators"]
    list_filter = ["kind", "level__municipality"]
    list_select_related = ["level"]


@admin.register(AssignmentStatusMapping)
class AssignmentStatusMappingAdmin(SimpleHistoryAdmin):
    list_display = ["assignment_status", "fulfilment", "municipality"]
    list_filter = ["municipality"]


# Overrides are set by the goal's owner on the goal's roll-up page; here for the record.
@admin.register(RollupOverride)
class RollupOverrideAdmin(_ReadOnly):
    list_display = ["goal", "period", "status", "set_by", "set_at"]
    list_select_related = ["goal", "period", "set_by"]

    def has_delete_permission(self, request, obj=None):
        return False
