"""Concurrent writers against the real PostgreSQL: each thread has its own connection and transaction.

Transactional tests: the rows are committed so other connections see them; serialized_rollback
restores the role groups the data migrations created once the tables are flushed.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.inventory import services
from apps.inventory.models import StockLevel, StockMovement
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.inventory.helpers import assert_ledger_matches_levels

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 8


@pytest.fixture
def slow_postings(monkeypatch):
    """Hold each posting a moment between reading the locked level and writing it, so writers really overlap."""
    post = services._post

    def slow_post(level, **kwargs):
        time.sleep(0.02)
        return post(level, **kwargs)

    monkeypatch.setattr(services, "_post", slow_post)


def run_at_once(calls) -> list:
    """Run each call in its own thread and connection, all released together; returns each result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            connection.ensure_connection()  # connect first, so the barrier releases transactions, not handshakes
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as error:  # handed back to the test, which asserts on it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished: deadlock or lost lock"
    return outcomes


def test_stock_issue_concurrent_writers_never_overdraw(slow_postings):
    material, warehouse = MaterialFactory(), WarehouseFactory()
    services.stock_receive(material=material, warehouse=warehouse, quantity=Decimal("10"))

    def issue():
        return services.stock_issue(material=material, warehouse=warehouse, quantity=Decimal("3"))

    outcomes = run_at_once([issue] * THREADS)

    issued = [outcome for outcome in outcomes if isinstance(outcome, StockMovement)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    unexpected = [outcome for outcome in outcomes if not isinstance(outcome, StockMovement | ValidationError)]
    assert unexpected == []
    assert (len(issued), len(refused)) == (3, THREADS - 3)  # 10 on hand covers three issues of 3
    assert all(error.error_dict["quantity"][0].code == "insufficient_stock" for error in refused)
    assert sorted(movement.balance_after for movement in issued) == [Decimal("1"), Decimal("4"), Decimal("7")]
    assert StockLevel.objects.get(material=material, warehouse=warehouse).on_hand == Decimal("1")
    assert StockMovement.objects.filter(kind="issue").count() == 3
    assert_ledger_matches_levels()


def test_stock_receive_concurrent_first_receipts_create_one_level():
    material, warehouse = MaterialFactory(), WarehouseFactory()

    def receive():
        return services.stock_receive(material=material, warehouse=warehouse, quantity=Decimal("1.5"))

    outcomes = run_at_once([receive] * THREADS)

    assert all(isinstance(outcome, StockMovement) for outcome in outcomes), outcomes
    level = StockLevel.objects.get(material=material, warehouse=warehouse)
    assert level.on_hand == Decimal("1.5") * THREADS
    assert sorted(outcome.balance_after for outcome in outcomes) == [Decimal("1.5") * n for n in range(1, THREADS + 1)]
    assert_ledger_matches_levels()


def test_stock_transfer_concurrent_opposite_directions_do_not_deadlock(slow_postings):
    material, a, b = MaterialFactory(), WarehouseFactory(), WarehouseFactory()
    services.stock_receive(material=material, warehouse=a, quantity=Decimal("10"))
    services.stock_receive(material=material, warehouse=b, quantity=Decimal("10"))

    def a_to_b():
        return services.stock_transfer(material=material, from_warehouse=a, to_warehouse=b, quantity=Decimal("2"))

    def b_to_a():
        return services.stock_transfer(material=material, from_warehouse=b, to_warehouse=a, quantity=Decimal("2"))

    outcomes = run_at_once([a_to_b, b_to_a] * (THREADS // 2))

    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    levels = dict(StockLevel.objects.filter(material=material).values_list("warehouse_id", "on_hand"))
    assert levels == {a.pk: Decimal("10"), b.pk: Decimal("10")}
    assert StockMovement.objects.filter(kind="transfer").count() == 2 * THREADS
    assert_ledger_matches_levels()


def test_stock_transfer_concurrent_opposite_directions_from_empty_levels_are_refused_not_deadlocked():
    # Both transfers create both level rows; inserted in different orders they would wait on each other.
    material, a, b = MaterialFactory(), WarehouseFactory(), WarehouseFactory()

    def a_to_b():
        return services.stock_transfer(material=material, from_warehouse=a, to_warehouse=b, quantity=Decimal("1"))

    def b_to_a():
        return services.stock_transfer(material=material, from_warehouse=b, to_warehouse=a, quantity=Decimal("1"))

    for _ in range(5):
        outcomes = run_at_once([a_to_b, b_to_a] * (THREADS // 2))
        assert [outcome for outcome in outcomes if not isinstance(outcome, ValidationError)] == []
    assert not StockLevel.objects.exists()
    assert not StockMovement.objects.exists()
