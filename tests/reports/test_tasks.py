from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from apps.core.models import Job
from apps.core.tasks import cleanup_jobs
from apps.reports import dashboard, selectors
from apps.reports.definitions import get_report
from apps.reports.tasks import check_low_stock, refresh
from erp.celery import app
from tests.core.factories import JobFactory
from tests.factories import UserFactory
from tests.inventory.factories import MaterialFactory, ReceiptFactory

pytestmark = pytest.mark.django_db


def test_low_stock_check_emails_the_purchasing_group():
    ReceiptFactory(material=MaterialFactory(code="FAB1", name="Poplin", reorder_level=Decimal("100")), quantity=40)
    buyer_one = UserFactory(roles=["purchasing"], email="buyer1@example.com")
    UserFactory(roles=["purchasing"], email="")  # no address: skipped
    UserFactory(roles=["purchasing"], email="gone@example.com", is_active=False)
    UserFactory(roles=["sales"], email="sales@example.com")

    assert check_low_stock() == 1

    (message,) = mail.outbox
    assert message.to == [buyer_one.email]
    assert message.subject == "1 material(s) below reorder level"
    assert "FAB1 Poplin: 40.000 m on hand, reorder level 100.000" in message.body


def test_low_stock_check_sends_nothing_when_stock_is_fine():
    ReceiptFactory(material=MaterialFactory(reorder_level=Decimal("10")), quantity=40)
    UserFactory(roles=["purchasing"])

    assert check_low_stock() == 0
    assert mail.outbox == []


def test_cleanup_deletes_old_finished_jobs_and_their_files(settings):
    old = timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS + 1)
    expired = JobFactory(with_file=True)
    still_running = JobFactory(status=Job.Status.RUNNING)
    recent = JobFactory(with_file=True)
    Job.objects.filter(pk__in=[expired.pk, still_running.pk]).update(created_at=old)
    expired_file = Path(expired.result_file.path)

    assert cleanup_jobs() == 1

    assert set(Job.objects.values_list("pk", flat=True)) == {still_running.pk, recent.pk}
    assert not expired_file.exists()
    assert Path(recent.result_file.path).exists()


def test_nightly_refresh_leaves_dashboard_and_reports_answering_from_cache(django_assert_num_queries):
    ReceiptFactory(material=MaterialFactory(reorder_level=Decimal("100")), quantity=40)

    refresh()

    with django_assert_num_queries(0):
        dashboard.dashboard_data()
        definition = get_report("below_reorder_level")
        assert len(selectors.direct_rows(definition, *selectors.default_range(definition))) == 1


def test_schedules_are_rows_beat_reads_for_routed_tasks(settings):
    scheduled = dict(PeriodicTask.objects.values_list("task", "enabled"))

    assert scheduled == {
        "core.warm_cache": True,
        "core.cleanup_jobs": True,
        "reports.refresh": True,
        "reports.check_low_stock": True,
        "inventory.create_movement_partitions": True,
    }
    assert set(scheduled) <= set(settings.CELERY_TASK_ROUTES)
    assert set(scheduled) <= set(app.tasks)


def test_schedules_are_editable_in_the_admin(staff_client):
    task = PeriodicTask.objects.get(task="reports.check_low_stock")

    response = staff_client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")

    assert response.status_code == 200
    assert b"reports.check_low_stock" in response.content
