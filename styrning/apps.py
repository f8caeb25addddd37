from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StyrningConfig(AppConfig):
    name = "styrning"
    verbose_name = _("Organisation")

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        pre_create_historical_record.connect(
            fit_change_reason, dispatch_uid="styrning.fit_change_reason"
        )


# django-simple-history's history_change_reason is a CharField(max_length=100).
CHANGE_REASON_LENGTH = 100


def fit_change_reason(sender, history_instance, **kwargs):
    """Shorten a change reason longer than its column, with "…": a return reason, a
    decision reference in a sentence. Before this, PostgreSQL refused the whole save
    (value too long) and nothing was returned or decided; the full text is in the
    record's own field (``return_reason``, ``decision_reference``)."""
    reason = history_instance.history_change_reason
    if reason and len(reason) > CHANGE_REASON_LENGTH:
        history_instance.history_change_reason = reason[: CHANGE_REASON_LENGTH - 1] + "…"
