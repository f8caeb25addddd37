"""Signal receivers of the budget app: data that must exist as soon as its owner does.

A new municipality gets its default account groups when it is created (not on the
first page that needs them: a GET never writes).
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from budget.accounts import ensure_account_groups
from styrning.models import Municipality


@receiver(post_save, sender=Municipality, dispatch_uid="budget.account_groups_for_new_municipality")
def account_groups_for_new_municipality(sender, instance, created, raw=False, **kwargs):
    """Give a new municipality the default account groups and mapping (Kommun-Bas)."""
    if created and not raw:
        ensure_account_groups(instance)
