from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from apps.core.models import IdempotencyKey
from apps.inventory import services
from apps.inventory.models import StockLevel, StockMovement
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory, ReceiptFactory, WarehouseFactory
from tests.inventory.helpers import assert_ledger_matches_levels

pytestmark = pytest.mark.django_db

URL = "/api/v1/stock-movements/"
FIELDS = {
    "id", "created_at", "kind", "material", "material_code", "warehouse", "warehouse_code", "quantity",
    "balance_after", "reference_type", "reference_id", "note", "created_by", "created_by_username",
}  # fmt: skip


@pytest.fixture
def stocked():
    """A material with 10 on hand in one warehouse, and a second warehouse with none."""
    material, warehouse, other = (
        MaterialFactory(code="FAB1"),
        WarehouseFactory(code="MAIN"),
        WarehouseFactory(code="CUT"),
    )
    services.stock_receive(material=material, warehouse=warehouse, quantity=Decimal("10"))
    return material, warehouse, other


def counts() -> tuple[int, int, list]:
    return StockMovement.objects.count(), StockLevel.objects.count(), list(StockLevel.objects.values_list("on_hand"))


# --- permissions -------------------------------------------------------------------------------


def test_stock_movement_list_and_post_require_authentication(api_client, stocked):
    material, warehouse, _ = stocked
    assert_error_shape(api_client.get(URL), 401, "not_authenticated")
    post = {"kind": "receipt", "material": material.pk, "warehouse": warehouse.pk, "quantity": "1"}
    assert_error_shape(api_client.post(URL, post), 401, "not_authenticated")
    assert StockMovement.objects.count() == 1


def test_stock_movement_user_without_role_can_neither_read_nor_post(client_for, stocked):
    material, warehouse, _ = stocked
    client = client_for()
    assert_error_shape(client.get(URL), 403, "permission_denied")
    post = {"kind": "receipt", "material": material.pk, "warehouse": warehouse.pk, "quantity": "1"}
    assert_error_shape(client.post(URL, post), 403, "permission_denied")
    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize("role", ["viewer", "purchasing", "merchandiser", "sales"])
def test_stock_movement_roles_other_than_warehouse_read_but_cannot_post(client_for, stocked, role):
    material, warehouse, _ = stocked
    client = client_for(role)
    assert len(client.get(URL).json()["results"]) == 1
    post = {"kind": "receipt", "material": material.pk, "warehouse": warehouse.pk, "quantity": "1"}
    assert_error_shape(client.post(URL, post), 403, "permission_denied")
    assert StockMovement.objects.count() == 1


def test_stock_movement_lines_cannot_be_changed_or_deleted_even_by_superusers(client_for, stocked):
    movement = StockMovement.objects.get()
    client = client_for(is_superuser=True)
    assert_error_shape(client.patch(f"{URL}{movement.id}/", {"quantity": "99"}), 405, "method_not_allowed")
    assert_error_shape(client.put(f"{URL}{movement.id}/", {"quantity": "99"}), 405, "method_not_allowed")
    assert_error_shape(client.delete(f"{URL}{movement.id}/"), 405, "method_not_allowed")
    movement.refresh_from_db()
    assert movement.quantity == Decimal("10")


# --- posting -------------------------------------------------------------------------------------


def test_stock_movement_warehouse_role_posts_a_receipt(client_for, stocked):
    material, warehouse, _ = stocked
    client = client_for("warehouse", username="storekeeper")
    body = {"kind": "receipt", "material": material.pk, "warehouse": warehouse.pk, "quantity": "2.5", "note": "Roll 14"}
    response = client.post(URL, body)
    assert response.status_code == 201, response.json()
    [line] = response.json()["movements"]
    assert set(line) == FIELDS
    movement = StockMovement.objects.get(id=line["id"])
    assert line == {
        "id": movement.id,
        "created_at": line["created_at"],
        "kind": "receipt",
        "material": material.pk,
        "material_code": "FAB1",
        "warehouse": warehouse.pk,
        "warehouse_code": "MAIN",
        "quantity": "2.500",
        "balance_after": "12.500",
        "reference_type": "",
        "reference_id": None,
        "note": "Roll 14",
        "created_by": movement.created_by_id,
        "created_by_username": "storekeeper",
    }
    assert StockLevel.objects.get(material=material, warehouse=warehouse).on_hand == Decimal("12.5")


def test_stock_movement_posts_an_issue(client_for, stocked):
    material, warehouse, _ = stocked
    body = {"kind": "issue", "material": material.pk, "warehouse": warehouse.pk, "quantity": "4"}
    response = client_for("warehouse").post(URL, body)
    assert response.status_code == 201, response.json()
    [line] = response.json()["movements"]
    assert (line["kind"], line["quantity"], line["balance_after"]) == ("issue", "-4.000", "6.000")


@pytest.mark.parametrize(("quantity", "balance"), [("-2.5", "7.500"), ("3", "13.000")])
def test_stock_movement_posts_a_signed_adjustment(client_for, stocked, quantity, balance):
    material, warehouse, _ = stocked
    body = {"kind": "adjustment", "material": material.pk, "warehouse": warehouse.pk, "quantity": quantity}
    response = client_for("warehouse").post(URL, {**body, "note": "Stock count"})
    assert response.status_code == 201, response.json()
    [line] = response.json()["movements"]
    assert (line["kind"], line["balance_after"], line["note"]) == ("adjustment", balance, "Stock count")


def test_stock_movement_posts_a_transfer_as_two_lines(client_for, stocked):
    material, warehouse, other = stocked
    body = {"kind": "transfer", "material": material.pk, "warehouse": warehouse.pk, "to_warehouse": other.pk}
    response = client_for("warehouse").post(URL, {**body, "quantity": "4"})
    assert response.status_code == 201, response.json()
    outgoing, incoming = response.json()["movements"]
    assert (outgoing["warehouse_code"], outgoing["quantity"], outgoing["balance_after"]) == ("MAIN", "-4.000", "6.000")
    assert (incoming["warehouse_code"], incoming["quantity"], incoming["balance_after"]) == ("CUT", "4.000", "4.000")
    assert (incoming["reference_type"], incoming["reference_id"]) == ("stock_movement", outgoing["id"])
    assert_ledger_matches_levels()


def test_stock_movement_posted_lines_are_then_listed_and_retrievable(client_for, stocked):
    material, warehouse, other = stocked
    client = client_for("warehouse")
    body = {"kind": "transfer", "material": material.pk, "warehouse": warehouse.pk, "to_warehouse": other.pk}
    posted = client.post(URL, {**body, "quantity": "1"}).json()["movements"]
    listed = client.get(URL).json()["results"]
    assert [row["id"] for row in listed[:2]] == [posted[1]["id"], posted[0]["id"]]  # newest first
    assert client.get(f"{URL}{posted[0]['id']}/").json() == posted[0]


def issue_body(stocked, **changes) -> dict:
    """An issue of 1 from the stocked warehouse, with `changes` applied (None drops a key, callables get `stocked`)."""
    material, warehouse, _ = stocked
    body = {"kind": "issue", "material": material.pk, "warehouse": warehouse.pk, "quantity": "1", "note": ""}
    body.update({key: value(*stocked) if callable(value) else value for key, value in changes.items()})
    return {key: value for key, value in body.items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"material": 999999}, {"material"}),
        ({"warehouse": 999999}, {"warehouse"}),
        ({"material": "abc", "warehouse": 999999}, {"material", "warehouse"}),
        ({"kind": "transfer", "to_warehouse": 999999}, {"to_warehouse"}),
        ({"kind": "loan"}, {"kind"}),
        (
            {"kind": None, "material": None, "warehouse": None, "quantity": None},
            {"kind", "material", "warehouse", "quantity"},
        ),
        ({"quantity": "-1"}, {"quantity"}),
        ({"quantity": "0"}, {"quantity"}),
        ({"kind": "receipt", "quantity": "-3"}, {"quantity"}),
        ({"quantity": "ten"}, {"quantity"}),
        ({"quantity": "1.0005"}, {"quantity"}),
        ({"quantity": "100000000000"}, {"quantity"}),
        ({"quantity": "10.001"}, {"quantity"}),  # more than on hand
        ({"kind": "transfer"}, {"to_warehouse"}),  # no destination
        ({"kind": "transfer", "to_warehouse": lambda m, w, o: w.pk}, {"to_warehouse"}),  # the same warehouse
        ({"kind": "transfer", "to_warehouse": lambda m, w, o: o.pk, "quantity": "11"}, {"quantity"}),
        ({"kind": "transfer", "to_warehouse": lambda m, w, o: o.pk, "quantity": "-1"}, {"quantity"}),
        ({"kind": "receipt", "to_warehouse": lambda m, w, o: o.pk}, {"to_warehouse"}),
        ({"kind": "adjustment", "quantity": "-1"}, {"note"}),  # no reason
        ({"kind": "adjustment", "quantity": "0", "note": "Count"}, {"quantity"}),
        ({"kind": "adjustment", "quantity": "-11", "note": "Count"}, {"quantity"}),
        ({"note": "x" * 256}, {"note"}),
    ],
)
def test_stock_movement_post_bad_input_gets_field_errors_and_writes_nothing(client_for, stocked, changes, fields):
    before = counts()
    response = client_for("warehouse").post(URL, issue_body(stocked, **changes))
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == fields
    assert counts() == before


def test_stock_movement_post_insufficient_stock_says_what_is_on_hand(client_for, stocked):
    response = client_for("warehouse").post(URL, issue_body(stocked, quantity="12"))
    error = assert_error_shape(response, 400, "invalid")
    assert error["fields"]["quantity"] == ["Only 10.000 on hand in this warehouse; cannot take 12.000."]


def test_stock_movement_post_rejects_malformed_json(client_for):
    response = client_for("warehouse").post(URL, "{not json", content_type="application/json")
    assert_error_shape(response, 400, "parse_error")
    assert not StockMovement.objects.exists()


def test_stock_movement_post_with_an_idempotency_key_posts_once(client_for, stocked):
    client = client_for("warehouse")
    body = issue_body(stocked, quantity="3")
    first = client.post(URL, body, HTTP_IDEMPOTENCY_KEY="issue-42")
    retry = client.post(URL, body, HTTP_IDEMPOTENCY_KEY="issue-42")
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert StockMovement.objects.filter(kind="issue").count() == 1
    assert StockLevel.objects.get(warehouse=stocked[1]).on_hand == Decimal("7")


def test_stock_movement_post_reusing_an_idempotency_key_for_another_body_is_a_conflict(client_for, stocked):
    client = client_for("warehouse")
    assert client.post(URL, issue_body(stocked, quantity="3"), HTTP_IDEMPOTENCY_KEY="k1").status_code == 201
    assert_error_shape(client.post(URL, issue_body(stocked, quantity="4"), HTTP_IDEMPOTENCY_KEY="k1"), 409, "conflict")
    assert StockLevel.objects.get(warehouse=stocked[1]).on_hand == Decimal("7")


def test_stock_movement_refused_post_with_an_idempotency_key_can_be_retried(client_for, stocked):
    client = client_for("warehouse")
    body = issue_body(stocked, quantity="11")
    assert client.post(URL, body, HTTP_IDEMPOTENCY_KEY="k2").status_code == 400
    assert not IdempotencyKey.objects.exists()  # the refusal kept nothing, so a corrected retry runs
    services.stock_receive(material=stocked[0], warehouse=stocked[1], quantity=Decimal("1"))
    assert client.post(URL, body, HTTP_IDEMPOTENCY_KEY="k2").status_code == 201


# --- reading -------------------------------------------------------------------------------------


def test_stock_movement_list_filters(client_for):
    fabric, trim = MaterialFactory(), MaterialFactory()
    main, cutting = WarehouseFactory(), WarehouseFactory()
    received = services.stock_receive(
        material=fabric, warehouse=main, quantity=Decimal("50"), reference_type="goods_receipt", reference_id=7
    )
    issued = services.stock_issue(material=fabric, warehouse=main, quantity=Decimal("5"))
    out, into = services.stock_transfer(material=fabric, from_warehouse=main, to_warehouse=cutting, quantity=Decimal(1))
    trim_in = services.stock_receive(material=trim, warehouse=cutting, quantity=Decimal("9"))
    client = client_for("viewer")

    def ids(**params):
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    assert ids() == [trim_in.id, into.id, out.id, issued.id, received.id]
    assert ids(material=trim.pk) == [trim_in.id]
    assert ids(warehouse=cutting.pk) == [trim_in.id, into.id]
    assert ids(kind="transfer") == [into.id, out.id]
    assert ids(reference_type="goods_receipt") == [received.id]
    assert ids(reference_type="goods_receipt", reference_id=7) == [received.id]
    assert ids(reference_id=8) == []
    assert ids(material=fabric.pk, warehouse=main.pk, kind="issue") == [issued.id]
    assert ids(ordering="created_at") == [received.id, issued.id, out.id, into.id, trim_in.id]


def test_stock_movement_list_filters_by_created_range(client_for):
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=2)):
        old = ReceiptFactory()
    new = ReceiptFactory()
    client = client_for("viewer")

    def ids(**params):
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    day_ago = (now - timedelta(days=1)).isoformat()
    assert ids(created_after=day_ago) == [new.id]
    assert ids(created_before=day_ago) == [old.id]
    assert ids(created_after=(now - timedelta(days=3)).isoformat(), created_before=day_ago) == [old.id]
    assert ids(created_after="2000-01-01T00:00:00Z", created_before=(now + timedelta(hours=1)).isoformat()) == [
        new.id,
        old.id,
    ]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"created_after": "yesterday"}, {"created_after"}),
        ({"created_before": "2026-13-45T00:00:00Z"}, {"created_before"}),
        ({"kind": "loan"}, {"kind"}),
        ({"material": "999999"}, {"material"}),
        ({"warehouse": "abc"}, {"warehouse"}),
        ({"reference_id": "seven"}, {"reference_id"}),
    ],
)
def test_stock_movement_list_rejects_invalid_filter_values(client_for, params, fields):
    error = assert_error_shape(client_for("viewer").get(URL, params), 400, "invalid")
    assert set(error["fields"]) == fields


def test_stock_movement_detail_of_unknown_id_is_404_in_error_shape(client_for):
    assert_error_shape(client_for("viewer").get(f"{URL}999999/"), 404, "not_found")


def test_stock_movement_line_without_an_author_shows_none(client_for):
    movement = ReceiptFactory(user=None)
    row = client_for("viewer").get(f"{URL}{movement.id}/").json()
    assert (row["created_by"], row["created_by_username"]) == (None, None)


def test_stock_movement_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    def make_rows(count):  # every line its own material, warehouse and author, so every join is exercised
        ReceiptFactory.create_batch(count)

    # 5 measured (session cached): user, permissions (2), count, page joining material, warehouse, author
    assert_queries_constant(client_for("viewer"), URL, make_rows, ceiling=6, params={"page_size": 100})
