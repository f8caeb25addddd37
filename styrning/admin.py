from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from mptt.admin import DraggableMPTTAdmin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from styrning.forms import swedish_empty_label
from styrning.history import display_value
from styrning.models import Job, MandatePeriod, Membership, Municipality, OrgUnit
from styrning.permissions import admin_site_has_permission

# Texts of our third-party apps that ship no Swedish (django-mptt's draggable tree,
# django-simple-history's history pages, django-axes' model names). Naming them
# here keeps them in our django.po, which takes precedence over the apps' own.
THIRD_PARTY_MSGIDS = (
    # django-mptt
    gettext_noop("title"),
    gettext_noop("move node before node"),
    gettext_noop("move node to child position"),
    gettext_noop("move node after node"),
    gettext_noop("Collapse tree"),
    gettext_noop("Expand tree"),
    gettext_noop("Did not understand moving instruction."),
    gettext_noop("Objects have disappeared, try again."),
    gettext_noop("No permission"),
    gettext_noop("Database error: %s"),
    gettext_noop("%s has been successfully moved."),
    gettext_noop("Successfully deleted %(count)d items."),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("First child"),
    gettext_noop("Last child"),
    gettext_noop("Left sibling"),
    gettext_noop("Right sibling"),
    gettext_noop("Invalid parent"),
    gettext_noop("A node may not be made a child of itself."),
    gettext_noop("A node may not be made a child of any of its descendants."),
    gettext_noop("A node may not be made a sibling of itself."),
    gettext_noop("A node may not be made a sibling of any of its descendants."),
    # django-simple-history
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Object"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Changes"),
    gettext_noop("Change History"),
    gettext_noop("Revert"),
    gettext_noop("Close"),
    gettext_noop("Revert %s"),
    gettext_noop("View %s"),
    gettext_noop("View history: %s"),
    gettext_noop("You may edit it again below"),
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop("history"),
    gettext_noop("history id"),
    gettext_noop("history date"),
    gettext_noop("history change reason"),
    gettext_noop("history type"),
    gettext_noop("history user"),
    # django-axes
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
)

admin.site.has_permission = admin_site_has_permission
admin.site.site_header = "Styrning – administration"
admin.site.site_title = "Styrning"


class SwedishHistoryContextHelper(HistoricalRecordContextHelper):
    """History values in the admin as on our pages: "–", names, never "None" or "(pk=None)"."""

    def prepare_delta_change_value(self, change, value):
        return display_value(self.model, change.field, value)


class SwedishAdminMixin:
    """Swedish empty choices ("(ingen)", not "---------") in every select of the admin.

    Also the "Choose an action" of the list pages, and tree levels shown with dots.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            if getattr(field, "level_indicator", None) == "---":
                # mptt indents a tree's levels with dashes; dots read as indentation.
                field.level_indicator = "·"
            swedish_empty_label(field)
        return field

    def get_action_choices(self, request, default_choices=None):
        return super().get_action_choices(request, default_choices=[("", _("Choose an action"))])


class StyrningHistoryAdmin(SwedishAdminMixin, SimpleHistoryAdmin):
    """The admin of governance data: Swedish selects and a Swedish change history."""

    object_history_form_template = "goals/admin_history_form.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return SwedishHistoryContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for record in historical_records:
            # The list shows the reason as is: an empty one, not "None".
            record.history_change_reason = record.history_change_reason or ""


class HistoryDraggableMPTTAdmin(DraggableMPTTAdmin, StyrningHistoryAdmin):
    """A draggable tree whose change pages also show the object's history."""

    object_history_template = "simple_history/object_history.html"


@admin.register(Municipality)
class MunicipalityAdmin(StyrningHistoryAdmin):
    list_display = ["name", "code", "model_name"]


@admin.register(OrgUnit)
class OrgUnitAdmin(HistoryDraggableMPTTAdmin):
    list_display = ["tree_actions", "indented_title", "kind", "ansvarskod"]
    list_display_links = ["indented_title"]
    list_filter = ["kind"]
    search_fields = ["name", "ansvarskod"]


@admin.register(Membership)
class MembershipAdmin(StyrningHistoryAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__last_name", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(MandatePeriod)
class MandatePeriodAdmin(StyrningHistoryAdmin):
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
