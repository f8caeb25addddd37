from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self):
        from followup import signals  # noqa: F401 — connects the receivers
        from followup.tree_fulfilment import tree_addition
        from goals.additions import register_tree_addition

        register_tree_addition(tree_addition)

        from budget.pending import register_locked_month, register_pending_forecasts
        from followup.submissions import locked_month, pending_forecasts

        register_pending_forecasts(pending_forecasts)
        register_locked_month(locked_month)
