"""Cursor pages on the big tables, and counts that stay cheap in the admin."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory.models import StockMovement
from apps.orders.models import Order, OrderLine
from apps.purchasing.models import PurchaseOrder, PurchaseOrderLine
from apps.samples.models import Sample
from tests.inventory.factories import MaterialFactory, ReceiptFactory, WarehouseFactory
from tests.orders.factories import OrderFactory, OrderLineFactory
from tests.purchasing.factories import PurchaseOrderFactory, PurchaseOrderLineFactory, SupplierFactory
from tests.samples.factories import SampleFactory, StyleFactory

pytestmark = pytest.mark.django_db

SAME_MOMENT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def rows_for(kind: str):
    """Make 30 rows of a big table, 20 of them matching a filter and 8 sharing one created_at
    (ties are where a keyset paginator repeats or skips rows). Returns (url, filter, expected ids in order)."""
    if kind == "orders":
        buyer = OrderFactory().buyer
        OrderFactory.create_batch(20, buyer=buyer)
        OrderFactory.create_batch(9)
        model, url, params, matching = Order, "/api/v1/orders/", {"buyer": buyer.pk}, Order.objects.filter(buyer=buyer)
    elif kind == "order-lines":
        order = OrderFactory()
        OrderLineFactory.create_batch(20, order=order)
        OrderLineFactory.create_batch(10)
        return (
            "/api/v1/order-lines/",
            {"order": order.pk},
            list(OrderLine.objects.filter(order=order).order_by("-id").values_list("id", flat=True)),
        )
    elif kind == "samples":
        style = StyleFactory()
        SampleFactory.create_batch(20, style=style, status="in_progress")
        SampleFactory.create_batch(10, style=style, status="requested")
        model, url, params = Sample, "/api/v1/samples/", {"style": style.pk, "status": "in_progress"}
        matching = Sample.objects.filter(style=style, status="in_progress")
    elif kind == "stock-movements":
        material, warehouse = MaterialFactory(), WarehouseFactory()
        for _ in range(20):
            ReceiptFactory(material=material, warehouse=warehouse)
        for _ in range(10):
            ReceiptFactory(warehouse=warehouse)
        model, url, params = StockMovement, "/api/v1/stock-movements/", {"material": material.pk}
        matching = StockMovement.objects.filter(material=material)
    elif kind == "purchase-orders":
        supplier = SupplierFactory()
        PurchaseOrderFactory.create_batch(20, supplier=supplier)
        PurchaseOrderFactory.create_batch(10)
        model, url, params = PurchaseOrder, "/api/v1/purchase-orders/", {"supplier": supplier.pk}
        matching = PurchaseOrder.objects.filter(supplier=supplier)
    elif kind == "purchase-order-lines":  # ordered by purchase order: 20 lines tie on it
        order = PurchaseOrderFactory()
        PurchaseOrderLineFactory.create_batch(20, purchase_order=order)
        PurchaseOrderLineFactory.create_batch(10)
        lines = PurchaseOrderLine.objects.filter(purchase_order=order).order_by("id")
        return "/api/v1/purchase-order-lines/", {"purchase_order": order.pk}, list(lines.values_list("id", flat=True))
    # Eight rows share one created_at, the rest keep their own. (The ledger refuses updates, so
    # trigger is off for this rewrite.)
    tied = list(model.objects.order_by("id").values_list("id", flat=True)[5:13])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # ordinary triggers off
        model.objects.filter(id__in=tied).update(created_at=SAME_MOMENT)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    return url, params, list(matching.order_by("-created_at", "-id").values_list("id", flat=True))


@pytest.mark.parametrize(
    "kind", ["orders", "order-lines", "samples", "stock-movements", "purchase-orders", "purchase-order-lines"]
)
def test_big_list_cursor_pages_apply_filters_and_never_repeat_or_skip(client_for, kind):
    url, params, expected = rows_for(kind)
    client = client_for("viewer")
    seen, page_url, pages = [], url, 0
    response = client.get(page_url, {**params, "page_size": 7})
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert "count" not in body  # no COUNT(*) behind a cursor page
        seen += [row["id"] for row in body["results"]]
        pages += 1
        if not body["next"]:
            break
        response = client.get(body["next"])
    assert seen == expected
    assert pages == 3  # 20 rows by 7


def test_cursor_page_rejects_a_forged_cursor(client_for):
    response = client_for("viewer").get("/api/v1/orders/", {"cursor": "not-a-cursor"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_admin_changelist_shows_an_estimate_instead_of_counting_a_big_table(staff_client, settings):
    settings.ESTIMATED_COUNT_THRESHOLD = 10
    OrderFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get("/admin/orders/order/")
    assert response.status_code == 200
    counts = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper() and "orders_order" in query["sql"]]
    assert counts == []
    assert response.context["cl"].paginator.is_estimate
    assert "about 30 orders" in " ".join(response.content.decode().split())


def test_admin_changelist_counts_exactly_while_cheap(staff_client):
    OrderFactory.create_batch(3)
    response = staff_client.get("/admin/orders/order/")
    assert not response.context["cl"].paginator.is_estimate
    assert response.context["cl"].result_count == 3
