"""Periodic tasks are rows of django-celery-beat's tables, created by data migrations and edited in the admin."""


def add_periodic_task(apps, *, name: str, task: str, description: str, crontab: str = "", every_minutes: int = 0):
    """Create (or leave as staff edited it) a periodic task; crontab is "minute hour day month weekday" in UTC.

    For use inside a data migration (`apps` is the migration's app registry).
    """
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if crontab:
        minute, hour, day_of_month, month_of_year, day_of_week = crontab.split()
        schedule, _ = apps.get_model("django_celery_beat", "CrontabSchedule").objects.get_or_create(
            minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week
        )
        when = {"crontab": schedule}
    else:
        schedule, _ = apps.get_model("django_celery_beat", "IntervalSchedule").objects.get_or_create(
            every=every_minutes, period="minutes"
        )
        when = {"interval": schedule}
    PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "description": description, **when})


def remove_periodic_tasks(apps, *names: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()
