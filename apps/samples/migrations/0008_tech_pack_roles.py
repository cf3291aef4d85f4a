from django.db import migrations

from apps.core.roles import STAFF_ADMIN, grant_all_permissions, grant_permissions

# The apparel specifics' models (0006): merchandisers keep them, every other role reads them.
FULL = ("view", "add", "change", "delete")
MODELS = ("techpack", "measurementpoint", "samplemeasurement", "sizerange", "colourway")
VIEW = {model: ("view",) for model in MODELS}
APPAREL_PERMISSIONS = {
    "merchandiser": {model: FULL for model in MODELS},
    "sales": VIEW,
    "purchasing": VIEW,
    "warehouse": VIEW,
    "viewer": VIEW,
}


def grant(apps, schema_editor):
    grant_permissions(apps, "samples", APPAREL_PERMISSIONS)
    # reports/0002 gives staff_admin the permissions samples had then, and may run before or after this.
    grant_all_permissions(apps, "samples", STAFF_ADMIN)


class Migration(migrations.Migration):
    dependencies = [("samples", "0007_tech_pack_sizes"), ("core", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
