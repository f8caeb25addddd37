from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import Report


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    """Reports are made and adopted in /rapporter/; the admin only reads them."""

    list_display = ["__str__", "requested_at", "requested_by", "adopted_by", "decision_reference"]
    list_filter = ["kind"]
    readonly_fields = [field.name for field in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
