"""Each task lands on the queue its name is routed to, on the real Redis broker."""

import uuid

import pytest
import redis
from django.conf import settings

import apps.core.tasks
import apps.inventory.tasks
import apps.reports.tasks  # noqa: F401  (registers the tasks routed below)
from erp.celery import app
from tests.worker import QUEUES


@pytest.fixture
def isolated_broker():
    """A connection whose keys carry their own prefix, so no worker consumes what this test sends."""
    prefix = f"routing-test-{uuid.uuid4().hex[:8]}:"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    with app.connection_for_write(transport_options={"global_keyprefix": prefix}) as connection:
        yield connection, lambda queue: client.llen(f"{prefix}{queue}")
    client.delete(*client.keys(f"{prefix}*") or ["none"])


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task never runs inline
@pytest.mark.parametrize("task_name", sorted(settings.CELERY_TASK_ROUTES))
def test_each_task_is_routed_to_its_queue(task_name, isolated_broker, settings):
    connection, queue_length = isolated_broker
    expected = settings.CELERY_TASK_ROUTES[task_name]["queue"]
    assert task_name in app.tasks, "a route names a task nobody defines"

    app.send_task(task_name, connection=connection, ignore_result=True)  # routed by name, as any sender is

    assert {queue: queue_length(queue) for queue in QUEUES} == {q: int(q == expected) for q in QUEUES}


def test_every_task_has_a_route():
    ours = {name for name in app.tasks if name.split(".")[0] in {"core", "inventory", "reports"}}
    assert ours == set(settings.CELERY_TASK_ROUTES)
