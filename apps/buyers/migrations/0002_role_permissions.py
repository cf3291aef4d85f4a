from django.db import migrations

from apps.core.roles import grant_permissions

# Buyers are master data kept by merchandising and sales; everyone else reads them.
BUYER_PERMISSIONS = {
    "merchandiser": {"buyer": ("view", "add", "change")},
    "sales": {"buyer": ("view", "add", "change")},
    "purchasing": {"buyer": ("view",)},
    "warehouse": {"buyer": ("view",)},
    "viewer": {"buyer": ("view",)},
}


def grant(apps, schema_editor):
    grant_permissions(apps, "buyers", BUYER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("buyers", "0001_initial"), ("core", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
