"""GET /material-requirements/ and POST /material-requirements/draft-purchase-orders/ on the worked
example of tests/purchasing/test_selectors.py (fixture `example`)."""

from decimal import Decimal

import pytest

from apps.orders.choices import OrderStatus
from apps.purchasing.models import PurchaseOrder
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory
from tests.purchasing.factories import SupplierMaterialFactory, sales_order
from tests.purchasing.helpers import row_counts
from tests.samples.factories import StyleFactory, StyleMaterialFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/material-requirements/"
DRAFT = "/api/v1/material-requirements/draft-purchase-orders/"


def test_material_requirements_list_shows_the_shortages_of_the_worked_example(client_for, example):
    body = client_for("viewer").get(URL).json()
    assert body["count"] == 4
    rows = {row["material_code"]: row for row in body["results"]}
    assert list(rows) == ["FAB1", "FAB2", "TRM2", "TRM3"]
    fab1, fab2 = rows["FAB1"], rows["FAB2"]
    assert fab1 == {
        "material": example["materials"]["FAB1"].pk,
        "material_code": "FAB1",
        "material_name": example["materials"]["FAB1"].name,
        "unit": "m",
        "required": "418.000",
        "on_hand": "230.500",
        "on_order": "120.000",
        "shortage": "67.500",
        "preferred_supplier": example["s1"].pk,
        "preferred_supplier_code": "S1",
        "unit_price": "4.5000",
    }
    # 387.4875 and 237.4875 are shown rounded up, as drafting orders them.
    assert (fab2["required"], fab2["on_hand"], fab2["on_order"], fab2["shortage"]) == (
        "387.488",
        "100.000",
        "50.000",
        "237.488",
    )
    assert (rows["TRM2"]["shortage"], rows["TRM2"]["preferred_supplier"], rows["TRM2"]["unit_price"]) == (
        "300.000",
        None,
        None,
    )
    assert (rows["TRM3"]["unit"], rows["TRM3"]["shortage"], rows["TRM3"]["preferred_supplier_code"]) == (
        "pcs",
        "250.000",
        "S1",
    )


def test_material_requirements_list_all_includes_covered_materials(client_for, example):
    rows = client_for("viewer").get(URL, {"all": "true"}).json()["results"]
    assert [row["material_code"] for row in rows] == ["FAB1", "FAB2", "TRM1", "TRM2", "TRM3"]
    trm1 = rows[2]
    assert (trm1["required"], trm1["on_hand"], trm1["on_order"], trm1["shortage"]) == (
        "984.000",
        "1000.000",
        "0.000",
        "0.000",
    )


def test_material_requirements_list_rejects_a_malformed_all(client_for):
    assert "all" in assert_error_shape(client_for("viewer").get(URL, {"all": "maybe"}), 400, "invalid")["fields"]


def test_material_requirements_list_paginates(client_for, example):
    body = client_for("viewer").get(URL, {"page_size": 3}).json()
    assert (body["count"], len(body["results"])) == (4, 3) and "page=2" in body["next"]


@pytest.mark.parametrize("role", ["viewer", "purchasing", "warehouse", "merchandiser"])
def test_material_requirements_list_is_open_to_roles_with_view_purchase_order(client_for, role):
    assert client_for(role).get(URL).status_code == 200


def test_material_requirements_list_is_refused_without_role_or_login(client_for, api_client):
    assert_error_shape(client_for("sales").get(URL), 403, "permission_denied")
    assert_error_shape(client_for().get(URL), 403, "permission_denied")
    assert_error_shape(api_client.get(URL), 401, "not_authenticated")


def test_material_requirements_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    style = StyleFactory()
    sales_order(lines=[(style, "navy", "M", 100)], status=OrderStatus.CONFIRMED)

    def make_rows(count):
        for index, material in enumerate(MaterialFactory.create_batch(count)):
            StyleMaterialFactory(style=style, material=material, consumption_per_piece=Decimal("1.5"))
            if index % 2:
                SupplierMaterialFactory(material=material, is_preferred=True)

    # session (cached, or the database), user, permissions (2), count, page (the selector is one query)
    assert_queries_constant(client_for("viewer"), URL, make_rows, ceiling=6, params={"page_size": 100})


# --- Drafting purchase orders --------------------------------------------------------------


def test_material_requirements_draft_purchase_orders_drafts_per_preferred_supplier(client_for, example):
    response = client_for("purchasing").post(DRAFT, {"warehouse": example["w1"].pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    drafts = PurchaseOrder.objects.filter(pk__in=[row["id"] for row in body["purchase_orders"]])
    assert sorted((row["supplier_code"], row["currency"], row["total"]) for row in body["purchase_orders"]) == [
        ("S1", "USD", "366.25"),
        ("S2", "EUR", "1424.93"),
    ]
    assert sorted(row["number"] for row in body["purchase_orders"]) == sorted(draft.number for draft in drafts)
    assert all(draft.status == "draft" and draft.warehouse == example["w1"] for draft in drafts)
    assert body["skipped"] == [
        {
            "material": example["materials"]["TRM2"].pk,
            "material_code": "TRM2",
            "material_name": example["materials"]["TRM2"].name,
            "shortage": "300.000",
        }
    ]


def test_material_requirements_draft_purchase_orders_second_call_drafts_nothing(client_for, example):
    client = client_for("purchasing")
    assert client.post(DRAFT, {"warehouse": example["w1"].pk}, format="json").status_code == 201
    count = PurchaseOrder.objects.count()
    response = client.post(DRAFT, {"warehouse": example["w1"].pk}, format="json")
    assert response.status_code == 200
    assert response.json()["purchase_orders"] == []
    assert [row["material_code"] for row in response.json()["skipped"]] == ["TRM2"]
    assert PurchaseOrder.objects.count() == count
    shortages = client.get(URL).json()["results"]
    assert [row["material_code"] for row in shortages] == ["TRM2"]


def test_material_requirements_draft_purchase_orders_retried_with_a_key_replays(client_for, example):
    client = client_for("purchasing")
    headers = {"Idempotency-Key": "draft-monday"}
    first = client.post(DRAFT, {"warehouse": example["w1"].pk}, format="json", headers=headers)
    retry = client.post(DRAFT, {"warehouse": example["w1"].pk}, format="json", headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    ("body", "message"), [({"warehouse": 999999}, "Invalid pk"), ({}, "required"), ({"warehouse": "W1"}, "")]
)
def test_material_requirements_draft_purchase_orders_bad_warehouse_is_400_and_drafts_nothing(
    client_for, example, body, message
):
    before = row_counts()
    error = assert_error_shape(client_for("purchasing").post(DRAFT, body, format="json"), 400, "invalid")
    assert message in error["fields"]["warehouse"][0]
    assert row_counts() == before


@pytest.mark.parametrize("role", ["viewer", "warehouse", "merchandiser"])
def test_material_requirements_draft_purchase_orders_needs_add_purchase_order(client_for, example, role):
    before = row_counts()
    response = client_for(role).post(DRAFT, {"warehouse": example["w1"].pk}, format="json")
    assert_error_shape(response, 403, "permission_denied")
    assert row_counts() == before


def test_material_requirements_draft_purchase_orders_is_refused_without_role_or_login(client_for, api_client, example):
    assert_error_shape(client_for().post(DRAFT, {"warehouse": example["w1"].pk}), 403, "permission_denied")
    assert_error_shape(api_client.post(DRAFT, {"warehouse": example["w1"].pk}), 401, "not_authenticated")
    assert PurchaseOrder.objects.count() == 4  # the example's own orders


def test_material_requirements_offer_no_detail_or_other_methods(client_for):
    client = client_for(is_superuser=True)
    assert client.get(f"{URL}1/").status_code == 404
    assert_error_shape(client.post(URL, {}, format="json"), 405, "method_not_allowed")
    assert_error_shape(client.get(DRAFT), 405, "method_not_allowed")
