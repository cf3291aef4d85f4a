from django.db import migrations

from apps.core.schedules import add_periodic_task, remove_periodic_tasks

NIGHTLY_REFRESH = "Refresh the dashboard and report figures"
LOW_STOCK_CHECK = "Tell purchasing what is below its reorder level"


def create_schedules(apps, schema_editor):
    add_periodic_task(
        apps,
        name=NIGHTLY_REFRESH,
        task="reports.refresh",
        crontab="0 2 * * *",
        description="Recompute the dashboard and each report's default view into the cache before staff arrive.",
    )
    add_periodic_task(
        apps,
        name=LOW_STOCK_CHECK,
        task="reports.check_low_stock",
        crontab="0 6 * * 1-6",
        description="Email the purchasing group the materials whose stock is below their reorder level.",
    )


def delete_schedules(apps, schema_editor):
    remove_periodic_tasks(apps, NIGHTLY_REFRESH, LOW_STOCK_CHECK)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_schedules")]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
