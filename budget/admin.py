from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from budget.models import (
    AccountGroup,
    AccountMapping,
    BalanceAmount,
    BudgetChange,
    BudgetFrame,
    BudgetYear,
    DetailBudget,
    Forecast,
    ImportBatch,
    InvestmentProject,
    Outcome,
)
from budget.totals import refresh_totals


class AccountMappingInline(admin.TabularInline):
    model = AccountMapping
    extra = 1


@admin.register(AccountGroup)
class AccountGroupAdmin(SimpleHistoryAdmin):
    """The municipality's own mapping of accounts to groups (Kommun-Bas by default)."""

    list_display = ["name", "code", "kind", "order"]
    list_editable = ["order"]
    inlines = [AccountMappingInline]


@admin.register(AccountMapping)
class AccountMappingAdmin(SimpleHistoryAdmin):
    list_display = ["prefix", "group"]
    list_filter = ["group"]


class FrameInline(admin.TabularInline):
    model = BudgetFrame
    extra = 0


@admin.register(BudgetYear)
class BudgetYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "status", "decision_reference", "financial_target_percent"]
    inlines = [FrameInline]


@admin.register(BudgetChange)
class BudgetChangeAdmin(SimpleHistoryAdmin):
    list_display = [
        "budget_year",
        "kind",
        "from_unit",
        "to_unit",
        "amount",
        "decided_by",
        "decision_reference",
    ]
    list_filter = ["budget_year", "kind"]

    def has_delete_permission(self, request, obj=None):
        """A decided change is never deleted: it is reversed by a new decision."""
        return False


@admin.register(DetailBudget)
class DetailBudgetAdmin(SimpleHistoryAdmin):
    list_display = ["budget_year", "unit", "group", "month", "amount"]
    list_filter = ["budget_year", "group"]


@admin.register(Outcome)
class OutcomeAdmin(SimpleHistoryAdmin):
    """Outcomes come from the ledger's imports; a row corrected here keeps the kept sums
    (budget.totals) right in the same transaction, as the imports do."""

    list_display = ["year", "month", "unit", "group", "amount", "batch"]
    list_filter = ["year", "month", "group"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            years = {obj.year, form.initial.get("year", obj.year)}
            refresh_totals(obj.municipality_id, years)

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            refresh_totals(obj.municipality_id, [obj.year])

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            touched = set(queryset.values_list("municipality_id", "year").distinct())
            super().delete_queryset(request, queryset)
            for municipality_id in {m for m, _year in touched}:
                refresh_totals(municipality_id, [y for m, y in touched if m == municipality_id])


@admin.register(Forecast)
class ForecastAdmin(SimpleHistoryAdmin):
    list_display = ["year", "month", "unit", "group", "amount"]
    list_filter = ["year", "month", "group"]


@admin.register(InvestmentProject)
class InvestmentProjectAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "budget", "outcome"]


@admin.register(BalanceAmount)
class BalanceAmountAdmin(SimpleHistoryAdmin):
    list_display = ["year", "kind", "account", "name", "amount"]
    list_filter = ["year", "kind"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Imports are made on the upload page. A batch whose rows exist cannot be deleted:
    Outcome.batch protects it, and the admin says so in Swedish instead of failing."""

    list_display = ["filename", "kind", "dry_run", "job", "created", "created_by"]
    list_filter = ["kind", "dry_run"]
    list_select_related = ["job", "created_by"]
    readonly_fields = [
        "municipality",
        "job",
        "kind",
        "dry_run",
        "filename",
        "checksum",
        "file",
        "year",
        "created_by",
        "options",
        "result",
        "errors",
    ]

    def has_add_permission(self, request):
        return False
