"""POST /purchase-orders/{id}/receive/: booking deliveries, and exactly-once with Idempotency-Key."""

import threading
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.inventory.models import StockLevel, StockMovement
from apps.purchasing import services
from apps.purchasing.choices import PurchaseOrderStatus
from apps.purchasing.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine
from tests.factories import UserFactory
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.purchasing.factories import purchase_order
from tests.purchasing.helpers import row_counts

pytestmark = pytest.mark.django_db


def receive_url(order) -> str:
    return f"/api/v1/purchase-orders/{order.pk}/receive/"


def on_hand(material, warehouse) -> Decimal:
    level = StockLevel.objects.filter(material=material, warehouse=warehouse).first()
    return level.on_hand if level else Decimal(0)


@pytest.fixture
def sent_order():
    """A sent order for 100 m of FAB1 and 500 pcs of TRM1 into warehouse W1."""
    warehouse = WarehouseFactory(code="W1")
    fabric, trim = MaterialFactory(code="FAB1"), MaterialFactory(code="TRM1")
    order = purchase_order(
        lines=[(fabric, "100", "3"), (trim, "500", "0.1")], warehouse=warehouse, status=PurchaseOrderStatus.SENT
    )
    lines = {line.material.code: line for line in order.lines.select_related("material")}
    return {"order": order, "warehouse": warehouse, "fabric": fabric, "trim": trim, "lines": lines}


def delivery(sent_order, note="DN-1", **quantities) -> dict:
    return {
        "delivery_note": note,
        "lines": [{"line": sent_order["lines"][code].pk, "quantity": qty} for code, qty in quantities.items()],
    }


# --- Receiving ---------------------------------------------------------------------------


def test_purchase_order_receive_warehouse_books_a_delivery(client_for, sent_order):
    order, fabric = sent_order["order"], sent_order["fabric"]
    response = client_for("warehouse").post(receive_url(order), delivery(sent_order, FAB1="60.500"), format="json")
    assert response.status_code == 201, response.json()
    receipt = GoodsReceipt.objects.get()
    body = response.json()
    assert {key: body[key] for key in ("id", "purchase_order", "purchase_order_number", "purchase_order_status")} == {
        "id": receipt.pk,
        "purchase_order": order.pk,
        "purchase_order_number": order.number,
        "purchase_order_status": "partially_received",
    }
    assert (body["delivery_note"], body["received_by"]) == ("DN-1", receipt.received_by_id)
    assert [(line["line"], line["material_code"], line["quantity"]) for line in body["lines"]] == [
        (sent_order["lines"]["FAB1"].pk, "FAB1", "60.500")
    ]
    assert on_hand(fabric, sent_order["warehouse"]) == Decimal("60.5")
    movement = StockMovement.objects.get()
    assert (movement.reference_type, movement.reference_id, movement.quantity) == (
        "goods_receipt",
        receipt.pk,
        Decimal("60.5"),
    )


def test_purchase_order_receive_the_rest_moves_the_order_to_received(client_for, sent_order):
    client = client_for("warehouse")
    order = sent_order["order"]
    assert client.post(receive_url(order), delivery(sent_order, "DN-1", FAB1="40"), format="json").status_code == 201
    response = client.post(receive_url(order), delivery(sent_order, "DN-2", FAB1="60", TRM1="500"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["purchase_order_status"] == "received"
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.RECEIVED
    assert on_hand(sent_order["fabric"], sent_order["warehouse"]) == Decimal(100)
    assert on_hand(sent_order["trim"], sent_order["warehouse"]) == Decimal(500)


@pytest.mark.parametrize("role", ["purchasing", "viewer", "merchandiser"])
def test_purchase_order_receive_is_refused_without_the_receive_permission(client_for, sent_order, role):
    before = row_counts()
    response = client_for(role).post(receive_url(sent_order["order"]), delivery(sent_order, FAB1="1"), format="json")
    assert_error_shape(response, 403, "permission_denied")
    assert row_counts() == before


def test_purchase_order_receive_is_refused_without_role_or_login(client_for, api_client, sent_order):
    url, body = receive_url(sent_order["order"]), delivery(sent_order, FAB1="1")
    assert_error_shape(client_for().post(url, body, format="json"), 403, "permission_denied")
    assert_error_shape(api_client.post(url, body, format="json"), 401, "not_authenticated")
    assert not GoodsReceipt.objects.exists()


@pytest.mark.parametrize(
    ("make_body", "fields"),
    [
        (lambda lines: {"lines": [{"line": 999999, "quantity": "1"}]}, {"lines": {"0": {"line"}}}),
        (lambda lines: {"lines": [{"line": lines["FAB1"].pk, "quantity": "-1"}]}, {"lines": {"0": {"quantity"}}}),
        (lambda lines: {"lines": [{"line": lines["FAB1"].pk, "quantity": "0"}]}, {"lines": {"0": {"quantity"}}}),
        (lambda lines: {"lines": [{"line": lines["FAB1"].pk, "quantity": "1.0005"}]}, {"lines": {"0": {"quantity"}}}),
        (lambda lines: {"lines": [{"line": lines["FAB1"].pk}]}, {"lines": {"0": {"quantity"}}}),
        (lambda lines: {"lines": []}, {"lines": None}),
        (
            lambda lines: {"delivery_note": "x" * 51, "lines": [{"line": lines["FAB1"].pk, "quantity": "1"}]},
            {"delivery_note": None},
        ),
        (lambda lines: {"delivery_note": "DN"}, {"lines": None}),
    ],
)  # fmt: skip
def test_purchase_order_receive_bad_input_is_400_per_field_and_writes_nothing(
    client_for, sent_order, make_body, fields
):
    before = row_counts()
    response = client_for("warehouse").post(
        receive_url(sent_order["order"]), make_body(sent_order["lines"]), format="json"
    )
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == set(fields)
    for field, nested in fields.items():
        if nested:
            assert {index: set(errors) for index, errors in error["fields"][field].items()} == nested
    assert row_counts() == before


def test_purchase_order_receive_a_line_of_another_order_is_400(client_for, sent_order):
    other = purchase_order(lines=[(sent_order["fabric"], "10", "1")], status=PurchaseOrderStatus.SENT)
    before = row_counts()
    body = {"lines": [{"line": other.lines.get().pk, "quantity": "1"}]}
    error = assert_error_shape(client_for("warehouse").post(receive_url(sent_order["order"]), body), 400, "invalid")
    assert error["fields"] == {
        "lines": {"0": {"line": [f"Line {other.lines.get().pk} is not on {sent_order['order'].number}."]}}
    }
    assert row_counts() == before


def test_purchase_order_receive_over_receipt_is_400_and_writes_nothing(client_for, sent_order):
    before = row_counts()
    response = client_for("warehouse").post(
        receive_url(sent_order["order"]), delivery(sent_order, FAB1="100.001", TRM1="1"), format="json"
    )
    error = assert_error_shape(response, 400, "invalid")
    assert error["fields"] == {"lines": ["FAB1: 100.001 received but only 100.000 outstanding."]}
    assert row_counts() == before


@pytest.mark.parametrize("status", [PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED])
def test_purchase_order_receive_of_a_draft_or_cancelled_order_is_400(client_for, status):
    material = MaterialFactory()
    order = purchase_order(lines=[(material, "10", "1")], status=status)
    before = row_counts()
    body = {"lines": [{"line": order.lines.get().pk, "quantity": "1"}]}
    error = assert_error_shape(client_for("warehouse").post(receive_url(order), body, format="json"), 400, "invalid")
    assert "cannot be received" in error["fields"]["status"][0]
    assert row_counts() == before


def test_purchase_order_receive_of_a_duplicate_delivery_note_is_400(client_for, sent_order):
    client = client_for("warehouse")
    url = receive_url(sent_order["order"])
    assert client.post(url, delivery(sent_order, "DN-5", FAB1="10"), format="json").status_code == 201
    before = row_counts()
    error = assert_error_shape(client.post(url, delivery(sent_order, "DN-5", FAB1="10"), format="json"), 400, "invalid")
    assert "DN-5 was already received" in error["fields"]["delivery_note"][0]
    assert row_counts() == before


def test_purchase_order_receive_of_an_unknown_order_is_404(client_for):
    response = client_for("warehouse").post("/api/v1/purchase-orders/999999/receive/", {"lines": []}, format="json")
    assert_error_shape(response, 404, "not_found")


# --- Idempotency -------------------------------------------------------------------------


def test_purchase_order_receive_retried_with_the_same_key_changes_stock_once_and_replays_the_body(
    client_for, sent_order
):
    client = client_for("warehouse")
    url, body = receive_url(sent_order["order"]), delivery(sent_order, "", FAB1="25")
    first = client.post(url, body, format="json", headers={"Idempotency-Key": "receipt-7f3a"})
    retry = client.post(url, body, format="json", headers={"Idempotency-Key": "receipt-7f3a"})

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert GoodsReceipt.objects.count() == 1 and StockMovement.objects.count() == 1
    assert on_hand(sent_order["fabric"], sent_order["warehouse"]) == Decimal(25)
    assert PurchaseOrderLine.objects.get(pk=sent_order["lines"]["FAB1"].pk).received_quantity == Decimal(25)


def test_purchase_order_receive_same_key_with_a_different_body_is_409(client_for, sent_order):
    client = client_for("warehouse")
    url = receive_url(sent_order["order"])
    headers = {"Idempotency-Key": "receipt-1"}
    assert client.post(url, delivery(sent_order, "", FAB1="25"), format="json", headers=headers).status_code == 201
    before = row_counts()
    response = client.post(url, delivery(sent_order, "", FAB1="30"), format="json", headers=headers)
    assert "different request" in assert_error_shape(response, 409, "conflict")["message"]
    assert row_counts() == before


def test_purchase_order_receive_without_a_key_books_twice(client_for, sent_order):
    client = client_for("warehouse")
    url, body = receive_url(sent_order["order"]), delivery(sent_order, "", FAB1="25")
    first, second = client.post(url, body, format="json"), client.post(url, body, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert GoodsReceipt.objects.count() == 2
    assert on_hand(sent_order["fabric"], sent_order["warehouse"]) == Decimal(50)


def test_purchase_order_receive_key_is_scoped_to_the_order(client_for, sent_order):
    other = purchase_order(lines=[(sent_order["fabric"], "10", "1")], status=PurchaseOrderStatus.SENT)
    client = client_for("warehouse")
    headers = {"Idempotency-Key": "same-key"}
    body = {"lines": [{"line": sent_order["lines"]["FAB1"].pk, "quantity": "5"}]}
    assert client.post(receive_url(sent_order["order"]), body, format="json", headers=headers).status_code == 201
    other_body = {"lines": [{"line": other.lines.get().pk, "quantity": "5"}]}
    response = client.post(receive_url(other), other_body, format="json", headers=headers)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert GoodsReceipt.objects.count() == 2


def test_purchase_order_receive_refused_request_does_not_use_up_its_key(client_for, sent_order):
    client = client_for("warehouse")
    url, headers = receive_url(sent_order["order"]), {"Idempotency-Key": "try-again"}
    too_much = client.post(url, delivery(sent_order, "", FAB1="101"), format="json", headers=headers)
    assert too_much.status_code == 400
    corrected = client.post(url, delivery(sent_order, "", FAB1="100"), format="json", headers=headers)
    assert corrected.status_code == 201 and "Idempotent-Replayed" not in corrected
    assert on_hand(sent_order["fabric"], sent_order["warehouse"]) == Decimal(100)


def test_purchase_order_receive_keys_belong_to_their_user(client_for, sent_order):
    url, body = receive_url(sent_order["order"]), delivery(sent_order, "", FAB1="5")
    headers = {"Idempotency-Key": "shared"}
    assert client_for("warehouse").post(url, body, format="json", headers=headers).status_code == 201
    response = client_for("warehouse").post(url, body, format="json", headers=headers)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert GoodsReceipt.objects.count() == 2


def test_purchase_order_receive_refuses_an_overlong_key(client_for, sent_order):
    response = client_for("warehouse").post(
        receive_url(sent_order["order"]),
        delivery(sent_order, FAB1="5"),
        format="json",
        headers={"Idempotency-Key": "k" * 256},
    )
    assert "Idempotency-Key" in assert_error_shape(response, 400, "invalid")["fields"]
    assert not GoodsReceipt.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_purchase_order_receive_concurrent_duplicates_with_one_key_change_stock_once():
    warehouse, fabric = WarehouseFactory(), MaterialFactory()
    order = purchase_order(lines=[(fabric, "100", "3")], warehouse=warehouse, status=PurchaseOrderStatus.SENT)
    body = {"delivery_note": "", "lines": [{"line": order.lines.get().pk, "quantity": "40"}]}
    user = UserFactory(roles=["warehouse"])
    start = threading.Barrier(2)
    responses, calls = [None, None], []
    real_receive = services.purchase_order_receive

    def slow_receive(**kwargs):
        # Hold the first request's transaction open, so the duplicate surely arrives while it is in flight.
        calls.append(threading.get_ident())
        receipt = real_receive(**kwargs)
        time.sleep(0.5)
        return receipt

    def post(index):
        client = APIClient()
        client.force_authenticate(user)
        try:
            start.wait(timeout=10)
            responses[index] = client.post(
                receive_url(order), body, format="json", headers={"Idempotency-Key": "concurrent-1"}
            )
        finally:
            connection.close()  # each thread has its own connection; give it back

    with mock.patch.object(services, "purchase_order_receive", slow_receive):
        threads = [threading.Thread(target=post, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert len(calls) == 1  # the duplicate waited on the key and never reached the service
    assert sorted(response.status_code for response in responses) == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert sorted(response.get("Idempotent-Replayed", "") for response in responses) == ["", "true"]
    assert GoodsReceipt.objects.count() == 1 and StockMovement.objects.count() == 1
    assert on_hand(fabric, warehouse) == Decimal(40)
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.PARTIALLY_RECEIVED
