import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.purchasing.choices import PurchaseOrderStatus
from apps.purchasing.models import PurchaseOrder
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.purchasing.factories import (
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    SupplierFactory,
    purchase_order,
    receive,
)
from tests.purchasing.helpers import row_counts

pytestmark = pytest.mark.django_db

URL = "/api/v1/purchase-orders/"
LINES = "/api/v1/purchase-order-lines/"
SENT = PurchaseOrderStatus.SENT


@pytest.fixture
def payload():
    """A valid create request: two lines, 120.5 x 3.2 + 1000 x 0.0125 = 398.10."""
    return {
        "supplier": SupplierFactory(code="S1", currency="USD").pk,
        "warehouse": WarehouseFactory(code="W1").pk,
        "order_date": "2027-03-01",
        "expected_date": "2027-04-15",
        "notes": "Bulk fabric for SS27",
        "lines": [
            {"material": MaterialFactory(code="FAB1").pk, "quantity": "120.500", "unit_price": "3.2000"},
            {"material": MaterialFactory(code="TRM1").pk, "quantity": "1000", "unit_price": "0.0125"},
        ],
    }


# --- Create --------------------------------------------------------------------------------


def test_purchase_order_purchasing_creates_an_order_with_lines_in_one_request(client_for, payload):
    response = client_for("purchasing").post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    order = PurchaseOrder.objects.get()
    body = response.json()
    assert body["id"] == order.pk and body["number"] == order.number and order.number.startswith("PO")
    assert {key: body[key] for key in ("supplier_code", "warehouse_code", "status", "currency", "total")} == {
        "supplier_code": "S1",
        "warehouse_code": "W1",
        "status": "draft",
        "currency": "USD",  # the supplier's
        "total": "398.10",
    }
    assert (body["order_date"], body["expected_date"], body["notes"]) == ("2027-03-01", "2027-04-15", payload["notes"])
    assert [
        (line["material_code"], line["quantity"], line["unit_price"], line["outstanding"]) for line in body["lines"]
    ] == [
        ("FAB1", "120.500", "3.2000", "120.500"),
        ("TRM1", "1000.000", "0.0125", "1000.000"),
    ]
    assert set(body["lines"][0]) == {
        "id", "material", "material_code", "material_name", "unit", "quantity", "unit_price",
        "received_quantity", "outstanding",
    }  # fmt: skip


@pytest.mark.parametrize("role", ["viewer", "warehouse", "merchandiser"])
def test_purchase_order_create_is_refused_to_roles_without_add(client_for, payload, role):
    assert_error_shape(client_for(role).post(URL, payload, format="json"), 403, "permission_denied")
    assert not PurchaseOrder.objects.exists()


def test_purchase_order_create_is_refused_without_role_or_login(client_for, api_client, payload):
    assert_error_shape(client_for().post(URL, payload, format="json"), 403, "permission_denied")
    assert_error_shape(api_client.post(URL, payload, format="json"), 401, "not_authenticated")
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"supplier": 999999}, {"supplier"}),
        ({"warehouse": 999999}, {"warehouse"}),
        ({"supplier": "abc"}, {"supplier"}),
        ({"order_date": "2027-02-30"}, {"order_date"}),
        ({"expected_date": "15/04/2027"}, {"expected_date"}),
        ({"lines": []}, {"lines"}),
        ({"currency": "dollars"}, {"currency"}),
    ],
)
def test_purchase_order_create_bad_header_is_400_per_field_and_writes_nothing(client_for, payload, change, fields):
    before = row_counts()
    response = client_for("purchasing").post(URL, {**payload, **change}, format="json")
    assert set(assert_error_shape(response, 400, "invalid")["fields"]) == fields
    assert row_counts() == before


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"material": 999999}, "material"),
        ({"quantity": "-5"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1.0001"}, "quantity"),
        ({"unit_price": "-0.01"}, "unit_price"),
        ({"quantity": "lots"}, "quantity"),
    ],
)
def test_purchase_order_create_bad_line_is_400_for_that_line_and_writes_nothing(client_for, payload, line, field):
    payload["lines"][1].update(line)
    before = row_counts()
    error = assert_error_shape(client_for("purchasing").post(URL, payload, format="json"), 400, "invalid")
    assert list(error["fields"]) == ["lines"]
    assert list(error["fields"]["lines"]) == ["1"]  # DRF's shape for nested lists: errors keyed by index
    assert list(error["fields"]["lines"]["1"]) == [field]
    assert row_counts() == before


def test_purchase_order_create_refuses_a_material_twice_on_that_line(client_for, payload):
    payload["lines"][1]["material"] = payload["lines"][0]["material"]
    error = assert_error_shape(client_for("purchasing").post(URL, payload, format="json"), 400, "invalid")
    assert error["fields"] == {"lines": {"1": {"material": ["FAB1 appears twice."]}}}
    assert not PurchaseOrder.objects.exists()


def test_purchase_order_create_refuses_an_inactive_supplier(client_for, payload):
    SupplierFactory(code="GONE", is_active=False)
    payload["supplier"] = SupplierFactory(code="GONE").pk
    error = assert_error_shape(client_for("purchasing").post(URL, payload, format="json"), 400, "invalid")
    assert error["fields"] == {"supplier": ["Supplier GONE is inactive."]}
    assert not PurchaseOrder.objects.exists()


def test_purchase_order_create_refuses_an_expected_date_before_the_order_date(client_for, payload):
    payload["expected_date"] = "2027-02-28"
    error = assert_error_shape(client_for("purchasing").post(URL, payload, format="json"), 400, "invalid")
    assert set(error["fields"]) == {"expected_date"}
    assert not PurchaseOrder.objects.exists()


def test_purchase_order_create_rejects_malformed_json(client_for):
    response = client_for("purchasing").post(URL, "{not json", content_type="application/json")
    assert_error_shape(response, 400, "parse_error")


# --- Read ----------------------------------------------------------------------------------


def test_purchase_order_detail_has_lines_with_materials(client_for):
    order = purchase_order(lines=[(MaterialFactory(code="FAB1"), "10", "2")], status=SENT)
    receive(order, {order.lines.get().material: "4"})
    body = client_for("viewer").get(f"{URL}{order.pk}/").json()
    assert (body["number"], body["status"], body["total"]) == (order.number, "partially_received", "20.00")
    ((code, received, outstanding),) = [
        (line["material_code"], line["received_quantity"], line["outstanding"]) for line in body["lines"]
    ]
    assert (code, received, outstanding) == ("FAB1", "4.000", "6.000")


def test_purchase_order_detail_queries_do_not_grow_with_lines(client_for):
    client = client_for("viewer")
    client.get(URL)  # warm the user's cached permissions
    counts = []
    for line_count in (2, 20):
        order = PurchaseOrderFactory()
        PurchaseOrderLineFactory.create_batch(line_count, purchase_order=order)
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(f"{URL}{order.pk}/").json()["lines"]) == line_count
        counts.append(len(queries))
    # user, order with supplier and warehouse, lines with materials (session and permissions are cached)
    assert counts[0] == counts[1] <= 4


def test_purchase_order_list_rows_have_the_brief_shape(client_for):
    order = PurchaseOrderFactory(supplier=SupplierFactory(code="S9", name="Ninth"))
    PurchaseOrderLineFactory.create_batch(3, purchase_order=order)
    (row,) = client_for("viewer").get(URL).json()["results"]
    assert set(row) == {
        "id", "number", "supplier", "supplier_code", "supplier_name", "warehouse", "warehouse_code", "status",
        "order_date", "expected_date", "currency", "total", "line_count", "created_at",
    }  # fmt: skip
    assert (row["supplier_code"], row["supplier_name"], row["line_count"]) == ("S9", "Ninth", 3)


def test_purchase_order_list_filters_searches_and_orders(client_for):
    s1, s2 = SupplierFactory(code="ALPHA"), SupplierFactory(code="BETA")
    w1, w2 = WarehouseFactory(), WarehouseFactory()
    a = PurchaseOrderFactory(
        number="PO-A", supplier=s1, warehouse=w1, status="draft", order_date=datetime.date(2027, 1, 10)
    )
    b = PurchaseOrderFactory(
        number="PO-B",
        supplier=s1,
        warehouse=w2,
        status="sent",
        order_date=datetime.date(2027, 2, 10),
        expected_date=datetime.date(2027, 3, 1),
    )
    c = PurchaseOrderFactory(
        number="PO-C",
        supplier=s2,
        warehouse=w1,
        status="received",
        order_date=datetime.date(2027, 3, 10),
        expected_date=datetime.date(2027, 4, 1),
    )
    client = client_for("viewer")

    def numbers(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [row["number"] for row in response.json()["results"]]

    assert numbers() == ["PO-C", "PO-B", "PO-A"]  # newest first
    assert numbers(supplier=s1.pk) == ["PO-B", "PO-A"]
    assert numbers(warehouse=w1.pk) == ["PO-C", "PO-A"]
    assert numbers(status="sent") == ["PO-B"]
    assert numbers(status=["sent", "received"]) == ["PO-C", "PO-B"]
    assert numbers(order_date_after="2027-02-10") == ["PO-C", "PO-B"]
    assert numbers(order_date_after="2027-01-01", order_date_before="2027-02-10") == ["PO-B", "PO-A"]
    assert numbers(expected_date_before="2027-03-15") == ["PO-B"]
    assert numbers(search="po-c") == ["PO-C"]
    assert numbers(search="alpha") == ["PO-B", "PO-A"]
    assert numbers(ordering="number") == ["PO-A", "PO-B", "PO-C"]
    assert numbers(ordering="-order_date") == ["PO-C", "PO-B", "PO-A"]
    assert {a.pk, b.pk, c.pk} == {row["id"] for row in client.get(URL).json()["results"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"order_date_after": "2027-13-01"}, "order_date"),
        ({"expected_date_before": "yesterday"}, "expected_date"),
        ({"status": "shipped"}, "status"),
        ({"supplier": "S1"}, "supplier"),
    ],
)
def test_purchase_order_list_rejects_malformed_filters(client_for, params, field):
    response = client_for("viewer").get(URL, params)
    assert field in assert_error_shape(response, 400, "invalid")["fields"]


def test_purchase_order_list_is_refused_without_view_permission(client_for, api_client):
    assert_error_shape(client_for("sales").get(URL), 403, "permission_denied")
    assert_error_shape(client_for().get(URL), 403, "permission_denied")
    assert_error_shape(api_client.get(URL), 401, "not_authenticated")


def test_purchase_order_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    def make_rows(count):
        for order in PurchaseOrderFactory.create_batch(count):
            PurchaseOrderLineFactory.create_batch(2, purchase_order=order)

    # session (cached, or the database), user, permissions (2), count, page with supplier, warehouse, line count
    assert_queries_constant(client_for("viewer"), URL, make_rows, ceiling=6, params={"page_size": 100})


# --- Update --------------------------------------------------------------------------------


def test_purchase_order_patch_changes_a_draft_header_and_keeps_the_lines(client_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")])
    other = WarehouseFactory(code="W2")
    response = client_for("purchasing").patch(
        f"{URL}{order.pk}/", {"warehouse": other.pk, "notes": "Deliver to W2"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["warehouse_code"], len(response.json()["lines"])) == ("W2", 1)
    order.refresh_from_db()
    assert (order.warehouse, order.notes, order.lines.count()) == (other, "Deliver to W2", 1)


def test_purchase_order_put_replaces_the_lines_and_recalculates_the_total(client_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")])
    new = MaterialFactory(code="NEW")
    response = client_for("purchasing").put(
        f"{URL}{order.pk}/",
        {"warehouse": order.warehouse_id, "lines": [{"material": new.pk, "quantity": "3", "unit_price": "1.5"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [line["material_code"] for line in response.json()["lines"]] == ["NEW"]
    assert response.json()["total"] == "4.50"
    assert PurchaseOrder.objects.get(pk=order.pk).total == Decimal("4.50")


def test_purchase_order_update_never_changes_the_supplier(client_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")])
    response = client_for("purchasing").patch(f"{URL}{order.pk}/", {"supplier": SupplierFactory().pk}, format="json")
    assert response.status_code == 200
    assert PurchaseOrder.objects.get(pk=order.pk).supplier_id == order.supplier_id


@pytest.mark.parametrize("status", [SENT, PurchaseOrderStatus.CANCELLED])
def test_purchase_order_update_of_a_non_draft_is_400_and_changes_nothing(client_for, status):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")], status=status)
    before = row_counts()
    response = client_for("purchasing").patch(
        f"{URL}{order.pk}/",
        {"notes": "Too late", "lines": [{"material": MaterialFactory().pk, "quantity": "1", "unit_price": "1"}]},
        format="json",
    )
    assert "only drafts change" in assert_error_shape(response, 400, "invalid")["fields"]["status"][0]
    assert row_counts() == before


def test_purchase_order_update_bad_lines_change_nothing(client_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")])
    before = row_counts()
    response = client_for("purchasing").patch(
        f"{URL}{order.pk}/", {"notes": "x", "lines": [{"material": 999999, "quantity": "-1", "unit_price": "1"}]}
    )
    assert set(assert_error_shape(response, 400, "invalid")["fields"]["lines"]["0"]) == {"quantity"}
    assert row_counts() == before


@pytest.mark.parametrize("role", ["viewer", "warehouse"])
def test_purchase_order_update_is_refused_to_roles_without_change(client_for, role):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")])
    assert_error_shape(client_for(role).patch(f"{URL}{order.pk}/", {"notes": "x"}), 403, "permission_denied")


def test_purchase_order_delete_is_not_offered(client_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")])
    assert_error_shape(client_for(is_superuser=True).delete(f"{URL}{order.pk}/"), 405, "method_not_allowed")


# --- Send and cancel -----------------------------------------------------------------------


def test_purchase_order_send_moves_a_draft_to_sent(client_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")])
    response = client_for("purchasing").post(f"{URL}{order.pk}/send/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "sent" and response.json()["lines"]
    assert PurchaseOrder.objects.get(pk=order.pk).status == SENT


def test_purchase_order_send_twice_is_400(client_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")], status=SENT)
    error = assert_error_shape(client_for("purchasing").post(f"{URL}{order.pk}/send/"), 400, "invalid")
    assert "cannot go from 'sent' to 'sent'" in error["fields"]["status"][0]


def test_purchase_order_cancel_moves_a_sent_order_to_cancelled(client_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")], status=SENT)
    response = client_for("purchasing").post(f"{URL}{order.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_purchase_order_cancel_after_a_receipt_is_400(client_for):
    material = MaterialFactory()
    order = purchase_order(lines=[(material, "10", "2")], status=SENT)
    receive(order, {material: "1"})
    before = row_counts()
    error = assert_error_shape(client_for("purchasing").post(f"{URL}{order.pk}/cancel/"), 400, "invalid")
    assert "status" in error["fields"]
    assert row_counts() == before


def test_purchase_order_send_of_a_cancelled_order_is_400(client_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")], status=PurchaseOrderStatus.CANCELLED)
    assert_error_shape(client_for("purchasing").post(f"{URL}{order.pk}/send/"), 400, "invalid")
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.CANCELLED


@pytest.mark.parametrize("role", ["viewer", "warehouse", "merchandiser"])
def test_purchase_order_send_and_cancel_are_refused_to_roles_without_change(client_for, role):
    order = purchase_order(lines=[(MaterialFactory(), "10", "2")])
    client = client_for(role)
    assert_error_shape(client.post(f"{URL}{order.pk}/send/"), 403, "permission_denied")
    assert_error_shape(client.post(f"{URL}{order.pk}/cancel/"), 403, "permission_denied")
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.DRAFT


def test_purchase_order_send_of_an_unknown_order_is_404(client_for):
    assert_error_shape(client_for("purchasing").post(f"{URL}999999/send/"), 404, "not_found")


# --- Lines across orders -------------------------------------------------------------------


def test_purchase_order_line_list_filters_by_order_material_and_outstanding(client_for):
    fabric, trim = MaterialFactory(code="FAB1"), MaterialFactory(code="TRM1")
    sent = purchase_order(lines=[(fabric, "10", "1"), (trim, "5", "1")], status=SENT)
    receive(sent, {trim: "5"})  # trim arrived; fabric still to come
    draft = purchase_order(lines=[(fabric, "3", "1")])
    cancelled = purchase_order(lines=[(fabric, "7", "1")], status=PurchaseOrderStatus.CANCELLED)
    client = client_for("viewer")

    def lines(**params):
        response = client.get(LINES, params)
        assert response.status_code == 200, response.json()
        return sorted((row["purchase_order_number"], row["material_code"]) for row in response.json()["results"])

    assert lines(purchase_order=sent.pk) == [(sent.number, "FAB1"), (sent.number, "TRM1")]
    assert lines(material=fabric.pk) == sorted(
        [(sent.number, "FAB1"), (draft.number, "FAB1"), (cancelled.number, "FAB1")]
    )
    assert lines(outstanding="true") == sorted([(sent.number, "FAB1"), (draft.number, "FAB1")])
    assert lines(outstanding="false") == sorted([(sent.number, "TRM1"), (cancelled.number, "FAB1")])


def test_purchase_order_line_list_rows(client_for):
    order = purchase_order(
        supplier=SupplierFactory(code="S1"), lines=[(MaterialFactory(code="FAB1"), "10", "1.5")], status=SENT
    )
    receive(order, {order.lines.get().material: "2.5"})
    (row,) = client_for("viewer").get(LINES).json()["results"]
    assert {key: row[key] for key in row if key not in ("id", "purchase_order", "material", "material_name")} == {
        "purchase_order_number": order.number,
        "purchase_order_status": "partially_received",
        "supplier": order.supplier_id,
        "supplier_code": "S1",
        "material_code": "FAB1",
        "unit": "m",
        "quantity": "10.000",
        "unit_price": "1.5000",
        "received_quantity": "2.500",
        "outstanding": "7.500",
    }


def test_purchase_order_line_list_is_read_only(client_for):
    response = client_for(is_superuser=True).post(LINES, {"quantity": "1"}, format="json")
    assert_error_shape(response, 405, "method_not_allowed")


def test_purchase_order_line_list_permissions(client_for, api_client):
    assert client_for("merchandiser").get(LINES).status_code == 200
    assert_error_shape(client_for("sales").get(LINES), 403, "permission_denied")
    assert_error_shape(api_client.get(LINES), 401, "not_authenticated")


def test_purchase_order_line_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    # session (cached, or the database), user, permissions (2), count, page with order, supplier and material
    assert_queries_constant(
        client_for("viewer"), LINES, PurchaseOrderLineFactory.create_batch, ceiling=6, params={"page_size": 100}
    )


def test_purchase_order_detail_renders_in_the_browsable_api_with_its_edit_form(client_for):
    order = purchase_order(lines=[(MaterialFactory(code="FAB1"), "10", "2")])
    response = client_for("purchasing").get(f"{URL}{order.pk}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert order.number in response.content.decode()
