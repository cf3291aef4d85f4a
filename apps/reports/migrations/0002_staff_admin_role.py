from django.db import migrations

from apps.core.roles import STAFF_ADMIN, grant_all_permissions, grant_permissions

# Every permission the business apps have when this runs; a later model's migration grants its own.
BUSINESS_APPS = ("buyers", "inventory", "samples", "orders", "purchasing")
# Everyone's jobs, the dead letters and the idempotency records; never users (see roles.py).
CORE_PERMISSIONS = {STAFF_ADMIN: {"job": ("view",), "deadletter": ("view",), "idempotencykey": ("view",)}}


def grant(apps, schema_editor):
    for app_label in BUSINESS_APPS:
        grant_all_permissions(apps, app_label, STAFF_ADMIN)
    grant_permissions(apps, "core", CORE_PERMISSIONS)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=STAFF_ADMIN).delete()


class Migration(migrations.Migration):
    # Here, not in core, because it names every business app (core knows none of them).
    dependencies = [
        ("reports", "0001_schedules"),
        ("core", "0006_user_history"),
        ("buyers", "0004_history"),
        ("inventory", "0004_history"),
        ("samples", "0005_history"),
        ("orders", "0005_history"),
        ("purchasing", "0004_history"),
    ]

    operations = [migrations.RunPython(grant, remove)]
