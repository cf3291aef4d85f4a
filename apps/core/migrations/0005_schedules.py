from django.db import migrations

from apps.core.schedules import add_periodic_task, remove_periodic_tasks

WARM_CACHE = "Warm the lookup caches"
CLEANUP_JOBS = "Delete old jobs and their files"


def create_schedules(apps, schema_editor):
    add_periodic_task(
        apps,
        name=WARM_CACHE,
        task="core.warm_cache",
        every_minutes=10,
        description="First page of every cached lookup list, for each role, so staff rarely meet a cold cache.",
    )
    add_periodic_task(
        apps,
        name=CLEANUP_JOBS,
        task="core.cleanup_jobs",
        crontab="30 3 * * *",
        description="Finished jobs older than JOB_RETENTION_DAYS, with their result files.",
    )


def delete_schedules(apps, schema_editor):
    remove_periodic_tasks(apps, WARM_CACHE, CLEANUP_JOBS)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_job"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
