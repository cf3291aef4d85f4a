from django.db import migrations

from apps.core.schedules import add_periodic_task, remove_periodic_tasks

MOVEMENT_PARTITIONS = "Create the stock ledger's monthly partitions ahead"


def create_schedule(apps, schema_editor):
    add_periodic_task(
        apps,
        name=MOVEMENT_PARTITIONS,
        task="inventory.create_movement_partitions",
        crontab="30 1 * * *",
        description="Create this month's and the next months' stock movement partitions; heal the default one.",
    )


def delete_schedule(apps, schema_editor):
    remove_periodic_tasks(apps, MOVEMENT_PARTITIONS)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0005_partition_stock_movements"), ("core", "0005_schedules")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
