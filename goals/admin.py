from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from goals.models import (
    Assignment,
    Goal,
    GoalLevel,
    GoalQuerySet,
    Indicator,
    Measurement,
    Perspective,
)
from styrning.admin import HistoryDraggableMPTTAdmin, StyrningHistoryAdmin
from styrning.models import OrgUnit


class GoalLevelForm(forms.ModelForm):
    """Pick the unit kinds that may own a goal at the level from a list, not as JSON."""

    owner_kinds = forms.MultipleChoiceField(
        label=_("unit kinds that may own a goal"),
        choices=OrgUnit.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = GoalLevel
        fields = [
            "municipality",
            "order",
            "name",
            "name_plural",
            "owner_kinds",
            "horizon",
            "has_indicators",
            "is_assessed",
            "uses_takt",
            "has_activity_fields",
        ]


@admin.register(GoalLevel)
class GoalLevelAdmin(StyrningHistoryAdmin):
    form = GoalLevelForm
    list_display = ["order", "name", "name_plural", "horizon", "has_indicators", "uses_takt"]
    list_display_links = ["name"]


@admin.register(Perspective)
class PerspectiveAdmin(StyrningHistoryAdmin):
    list_display = ["name", "order"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = [
        "name",
        "unit",
        "direction",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_year",
        "kolada_kpi",
        "gender_split",
    ]


@admin.register(Goal)
class GoalAdmin(HistoryDraggableMPTTAdmin):
    """Drag to reorder or move a goal; moving still obeys the chain's rules (Goal.clean)."""

    list_display = [
        "tree_actions",
        "indented_title",
        "level",
        "owner",
        "status",
        "start_year",
        "end_year",
    ]
    list_display_links = ["indented_title"]
    list_filter = ["level", "status", "owner"]
    search_fields = ["title"]
    autocomplete_fields = ["owner", "parent", "decided_by"]
    filter_horizontal = ["perspectives"]
    inlines = [IndicatorInline]
    mptt_level_indent = 20

    def get_queryset(self, request):
        # Not super(): it orders by get_ordering() before the annotations exist.
        return Goal.objects.select_related("level", "owner").in_chain_order()

    def get_changelist(self, request, **kwargs):
        base = super().get_changelist(request, **kwargs)

        class ChainOrderChangeList(base):
            def get_ordering(self, request, queryset):
                return list(GoalQuerySet.CHAIN_ORDER)

        return ChainOrderChangeList

    # Each body's goals are a tree of their own (goals/tree.py): the list shows and
    # indents them in the chain's order, by the goal's level rather than mptt's depth.
    def tree_actions(self, item):
        item.mptt_level = item.level.order - 1
        return super().tree_actions(item)

    tree_actions.short_description = HistoryDraggableMPTTAdmin.tree_actions.short_description

    def indented_title(self, item):
        item.mptt_level = item.level.order - 1
        return super().indented_title(item)

    indented_title.short_description = HistoryDraggableMPTTAdmin.indented_title.short_description


@admin.register(Indicator)
class IndicatorAdmin(StyrningHistoryAdmin):
    list_display = ["name", "goal", "baseline_value", "target_value", "kolada_kpi"]
    search_fields = ["name", "kolada_kpi"]
    autocomplete_fields = ["goal"]


@admin.register(Measurement)
class MeasurementAdmin(StyrningHistoryAdmin):
    list_display = ["indicator", "year", "month", "gender", "value"]
    list_filter = ["gender", "year"]
    autocomplete_fields = ["indicator"]


@admin.register(Assignment)
class AssignmentAdmin(StyrningHistoryAdmin):
    list_display = ["title", "given_by", "unit", "due_date", "status"]
    list_filter = ["status"]
    search_fields = ["title"]
    autocomplete_fields = ["given_by", "unit", "goal"]
