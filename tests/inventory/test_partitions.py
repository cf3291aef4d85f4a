"""The stock ledger is range-partitioned by month on created_at (apps.inventory.partitions, migration 0005)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.inventory import partitions, services
from apps.inventory.models import StockMovement
from apps.inventory.tasks import create_movement_partitions
from tests.inventory.factories import MaterialFactory, ReceiptFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

TABLE = partitions.TABLE
BEFORE_PARTITIONING = ("inventory", "0004_history")


def partition_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
            " WHERE pg_inherits.inhparent = %s::regclass",
            [TABLE],
        )
        return {name for (name,) in cursor.fetchall()}


def partition_of(movement_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [movement_id])
        return cursor.fetchone()[0]


def explain(sql: str, params=()) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        return cursor.fetchone()[0][0]["Plan"]  # psycopg decodes the json


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def ledger_relations(plan: dict) -> list[str]:
    """The ledger's partitions the plan reads."""
    return [node["Relation Name"] for node in nodes(plan) if node.get("Relation Name", "").startswith(TABLE)]


def receive_at(moment: datetime) -> StockMovement:
    """A receipt posted through the services as if at that moment."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return ReceiptFactory(quantity=Decimal("5"))


def this_month() -> date:
    return partitions.month_of(timezone.now())


def test_ledger_is_partitioned_by_range_on_created_at_with_months_ahead_and_a_default(settings):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat, attname FROM pg_partitioned_table"
            " JOIN pg_attribute ON attrelid = partrelid AND attnum = partattrs[0]"
            " WHERE partrelid = %s::regclass",
            [TABLE],
        )
        assert cursor.fetchall() == [("r", "created_at")]
    ahead = [partitions.add_months(this_month(), n) for n in range(settings.STOCK_MOVEMENT_PARTITIONS_AHEAD + 1)]
    assert {partitions.partition_name(month) for month in ahead} | {partitions.DEFAULT_PARTITION} <= partition_names()


def test_movement_lands_in_the_partition_of_its_month():
    posted_now = ReceiptFactory()
    march = datetime(2024, 3, 15, 10, 30, tzinfo=UTC)
    partitions.ensure_months([march.date()])

    backdated = receive_at(march)

    assert partition_of(posted_now.id) == partitions.partition_name(this_month())
    assert partition_of(backdated.id) == f"{TABLE}_p2024_03"
    assert backdated.created_at == march
    assert StockMovement.objects.get(id=backdated.id).pk == (backdated.id, march)


def test_month_filtered_api_query_reads_exactly_one_partition(client_for):
    ReceiptFactory()
    start = this_month()
    end = partitions.add_months(start, 1)
    bounds = {"created_after": f"{start}T00:00:00Z", "created_before": f"{end}T00:00:00Z"}
    client = client_for("viewer")

    with CaptureQueriesContext(connection) as queries:
        assert len(client.get("/api/v1/stock-movements/", bounds).json()["results"]) == 1

    [sql] = [query["sql"] for query in queries.captured_queries if f'FROM "{TABLE}"' in query["sql"]]
    assert ledger_relations(explain(sql)) == [partitions.partition_name(start)]  # pruned while planning


def test_now_relative_filter_is_pruned_when_the_query_starts():
    partitions.ensure_months(partitions.months_between(timezone.now() - timedelta(days=200), timezone.now()))
    recent = StockMovement.objects.for_list().filter(
        created_at__gte=Now() - timedelta(days=1), created_at__lt=Now() + timedelta(days=1)
    )

    plan = explain(*recent.query.sql_with_params())

    # now() is only known when the query starts: the plan lists every partition and says how many are skipped.
    [append] = [node for node in nodes(plan) if node["Node Type"] == "Append"]
    kept = len(ledger_relations(append))
    assert kept <= 2  # the month of yesterday, today and tomorrow
    assert append["Subplans Removed"] == len(partition_names()) - kept


def test_partition_task_creates_the_months_ahead_and_is_idempotent(settings):
    settings.STOCK_MOVEMENT_PARTITIONS_AHEAD = 6
    months = [partitions.add_months(this_month(), n) for n in range(7)]
    expected = {partitions.partition_name(month) for month in months}

    before = partition_names()

    created = create_movement_partitions()

    assert set(created) == expected - before
    assert partitions.partition_name(months[-1]) in created  # the migration made three months ahead
    after_first = partition_names()
    assert expected <= after_first
    assert create_movement_partitions() == []
    assert partition_names() == after_first


def test_rows_in_the_default_partition_move_to_their_month_when_it_is_created():
    stray_at = datetime(2023, 2, 10, 8, 0, tzinfo=UTC)
    stray = receive_at(stray_at)  # no partition for February 2023: the default takes it
    assert partition_of(stray.id) == partitions.DEFAULT_PARTITION
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign-key checks pending on the default's rows

    assert f"{TABLE}_p2023_02" in create_movement_partitions()

    assert partition_of(stray.id) == f"{TABLE}_p2023_02"
    assert StockMovement.objects.get(id=stray.id).created_at == stray_at
    assert not StockMovement.objects.filter(created_at__lt=datetime(2023, 2, 1, tzinfo=UTC)).exists()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partitions.DEFAULT_PARTITION}")
        assert cursor.fetchone() == (0,)


def test_migration_copies_the_rows_into_month_partitions_and_ids_continue():
    material, warehouse = MaterialFactory(), WarehouseFactory()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("inventory")
    executor.migrate([BEFORE_PARTITIONING])  # back to the plain table with an identity id
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (kind, quantity, balance_after, reference_type, note, material_id, warehouse_id,"
            " created_at) SELECT 'receipt', 1, n, '', '', %s, %s, at"
            " FROM unnest(ARRAY[timestamptz '2024-01-31 23:59:59+00', '2024-02-01 00:00+00', '2025-06-15 12:00+00'])"
            " WITH ORDINALITY AS rows (at, n) RETURNING id",
            [material.pk, warehouse.pk],
        )
        old_ids = sorted(id_ for (id_,) in cursor.fetchall())
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # DDL waits for no pending foreign-key checks

    executor.loader.build_graph()
    executor.migrate(latest)

    assert [partition_of(id_) for id_ in old_ids] == [f"{TABLE}_p2024_01", f"{TABLE}_p2024_02", f"{TABLE}_p2025_06"]
    every_month = partitions.months_between(date(2024, 1, 1), this_month())
    assert {partitions.partition_name(month) for month in every_month} <= partition_names()
    new = services.stock_receive(material=material, warehouse=warehouse, quantity=Decimal("1"))
    assert new.id > old_ids[-1]
