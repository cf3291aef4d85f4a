from django.db import migrations

from apps.core.numbering import create_sequence
from apps.core.roles import grant_permissions

VIEW_ALL = {
    "supplier": ("view",),
    "suppliermaterial": ("view",),
    "purchaseorder": ("view",),
    "purchaseorderline": ("view",),
    "goodsreceipt": ("view",),
    "goodsreceiptline": ("view",),
}
PURCHASING_PERMISSIONS = {
    "merchandiser": {"supplier": ("view",), "purchaseorder": ("view",), "purchaseorderline": ("view",)},
    "purchasing": {
        **VIEW_ALL,
        "supplier": ("view", "add", "change"),
        "suppliermaterial": ("view", "add", "change", "delete"),
        "purchaseorder": ("view", "add", "change"),
        "purchaseorderline": ("view", "add", "change", "delete"),
    },
    "warehouse": {**VIEW_ALL, "purchaseorder": ("view", "receive"), "goodsreceipt": ("view", "add")},
    "viewer": VIEW_ALL,
}


def grant(apps, schema_editor):
    grant_permissions(apps, "purchasing", PURCHASING_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("purchasing", "0001_initial"), ("core", "0002_roles")]

    operations = [
        create_sequence("purchasing_purchase_order_number_seq"),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
