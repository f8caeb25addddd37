"""Every goal level gets its roll-up rule, every municipality its uppdrag mapping."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from goals.models import GoalLevel
from styrning.models import Municipality


@receiver(post_save, sender=GoalLevel, dispatch_uid="followup_rollup_rule_for_level")
def rule_for_new_level(sender, instance, created, raw=False, **kwargs):
    """A new level starts with the default rule (share thresholds 75 % / 50 %)."""
    if created and not raw:
        from followup.models import RollupRule

        RollupRule.objects.get_or_create(level=instance)


@receiver(post_save, sender=Municipality, dispatch_uid="followup_assignment_mapping")
def mapping_for_new_municipality(sender, instance, created, raw=False, **kwargs):
    """A new municipality starts with the default uppdrag status mapping."""
    if created and not raw:
        from followup.models import AssignmentStatusMapping
        from followup.rollup import DEFAULT_ASSIGNMENT_MAPPING

        for status, fulfilment in DEFAULT_ASSIGNMENT_MAPPING.items():
            AssignmentStatusMapping.objects.get_or_create(
                municipality=instance,
                assignment_status=status,
                defaults={"fulfilment": fulfilment},
            )
