"""Units' names compared in Swedish (settings.NAME_COLLATION), and the stored trees'
siblings put in that order (django-mptt keeps them by name: order_insertion_by)."""

from collections import defaultdict

from django.conf import settings
from django.db import migrations, models


def renumber(apps, schema_editor):
    """Each tree's nested-set fields from its parents and its siblings' names in the
    database's order: what django-mptt's rebuild gives, without the model's manager."""
    OrgUnit = apps.get_model("styrning", "OrgUnit")
    using = schema_editor.connection.alias
    rows = list(
        OrgUnit.objects.using(using)
        .order_by("tree_id", "name", "pk")
        .values_list("pk", "parent_id", "tree_id")
    )
    children = defaultdict(list)
    roots = []
    for pk, parent_id, tree_id in rows:
        (children[parent_id] if parent_id else roots).append((pk, tree_id))
    changed = []
    for root, tree_id in roots:
        counter = 1
        stack = [(root, 0, False)]
        places = {}
        while stack:
            pk, level, done = stack.pop()
            if done:
                places[pk][1] = counter
                counter += 1
                continue
            places[pk] = [counter, None, level]
            counter += 1
            stack.append((pk, level, True))
            for child, _tree in reversed(children[pk]):
                stack.append((child, level + 1, False))
        for pk, (lft, rght, level) in places.items():
            changed.append(OrgUnit(pk=pk, lft=lft, rght=rght, mptt_level=level, tree_id=tree_id))
    OrgUnit.objects.using(using).bulk_update(
        changed, ["lft", "rght", "mptt_level", "tree_id"], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("styrning", "0003_job"),
    ]

    operations = [
        migrations.AlterField(
            model_name="orgunit",
            name="name",
            field=models.CharField(
                db_collation=settings.NAME_COLLATION, max_length=150, verbose_name="name"
            ),
        ),
        migrations.RunPython(renumber, migrations.RunPython.noop),
    ]
