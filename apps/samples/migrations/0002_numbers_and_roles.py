from django.db import migrations

from apps.core.numbering import create_sequence
from apps.core.roles import grant_permissions

VIEW_ALL = {"style": ("view",), "stylematerial": ("view",), "sample": ("view",)}
SAMPLES_PERMISSIONS = {
    "merchandiser": {
        "style": ("view", "add", "change"),
        "stylematerial": ("view", "add", "change", "delete"),
        "sample": ("view", "add", "change"),
    },
    "sales": VIEW_ALL,
    "purchasing": VIEW_ALL,
    "warehouse": VIEW_ALL,
    "viewer": VIEW_ALL,
}


def grant(apps, schema_editor):
    grant_permissions(apps, "samples", SAMPLES_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("samples", "0001_initial"), ("core", "0002_roles")]

    operations = [
        create_sequence("samples_sample_number_seq"),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
