"""The årshjul in the Django admin: templates are edited here; periods move on /arshjul/."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from followup.models import CalendarEntry, CalendarTemplate, ReportingPeriod, Submission


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
