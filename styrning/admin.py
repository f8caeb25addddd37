from django.contrib import admin
from mptt.admin import DraggableMPTTAdmin
from simple_history.admin import SimpleHistoryAdmin

from styrning.models import Job, MandatePeriod, Membership, Municipality, OrgUnit
from styrning.permissions import admin_site_has_permission

admin.site.has_permission = admin_site_has_permission
admin.site.site_header = "Styrning – administration"
admin.site.site_title = "Styrning"


class HistoryDraggableMPTTAdmin(DraggableMPTTAdmin, SimpleHistoryAdmin):
    """A draggable tree whose change pages also show the object's history."""

    object_history_template = "simple_history/object_history.html"


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "model_name"]


@admin.register(OrgUnit)
class OrgUnitAdmin(HistoryDraggableMPTTAdmin):
    list_display = ["tree_actions", "indented_title", "kind", "ansvarskod"]
    list_display_links = ["indented_title"]
    list_filter = ["kind"]
    search_fields = ["name", "ansvarskod"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__last_name", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(MandatePeriod)
class MandatePeriodAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "municipality"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs are written by the job runner only: read them here."""

    list_display = ["pk", "kind", "state", "progress_done", "progress_total", "created", "finished"]
    list_filter = ["kind", "state"]
    readonly_fields = [
        "kind",
        "state",
        "reason",
        "progress_done",
        "progress_total",
        "requested_by",
        "created",
        "started",
        "finished",
        "heartbeat",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
