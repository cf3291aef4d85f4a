from django.db import migrations

from apps.core.numbering import create_sequence
from apps.core.roles import grant_permissions

VIEW_ALL = {"order": ("view",), "orderline": ("view",)}
ORDERS_PERMISSIONS = {
    "merchandiser": VIEW_ALL,
    "sales": {"order": ("view", "add", "change"), "orderline": ("view", "add", "change", "delete")},
    "purchasing": VIEW_ALL,
    "warehouse": VIEW_ALL,
    "viewer": VIEW_ALL,
}


def grant(apps, schema_editor):
    grant_permissions(apps, "orders", ORDERS_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("core", "0002_roles")]

    operations = [
        create_sequence("orders_order_number_seq"),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
