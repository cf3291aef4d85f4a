from decimal import Decimal

import pytest

from apps.inventory.models import StockLevel
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory, ReceiptFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/stock-levels/"


def test_stock_level_list_requires_authentication(api_client):
    assert_error_shape(api_client.get(URL), 401, "not_authenticated")


def test_stock_level_user_without_role_cannot_read(client_for):
    assert_error_shape(client_for().get(URL), 403, "permission_denied")


@pytest.mark.parametrize("role", ["viewer", "warehouse", "purchasing", "merchandiser", "sales"])
def test_stock_level_every_role_reads(client_for, role):
    ReceiptFactory()
    assert client_for(role).get(URL).json()["count"] == 1


def test_stock_level_contract(client_for):
    receipt = ReceiptFactory(
        material=MaterialFactory(code="FAB1", name="Poplin", unit="m"),
        warehouse=WarehouseFactory(code="DHK1"),
        quantity=Decimal("12.5"),
    )
    level = StockLevel.objects.get()
    client = client_for("viewer")
    row = client.get(URL).json()["results"][0]
    assert row == {
        "id": level.pk,
        "material": receipt.material_id,
        "material_code": "FAB1",
        "material_name": "Poplin",
        "unit": "m",
        "warehouse": receipt.warehouse_id,
        "warehouse_code": "DHK1",
        "on_hand": "12.500",
        "updated_at": row["updated_at"],
    }
    assert client.get(f"{URL}{level.pk}/").json() == row


def test_stock_level_is_read_only_even_for_superusers(client_for):
    ReceiptFactory()
    level = StockLevel.objects.get()
    client = client_for(is_superuser=True)
    assert_error_shape(client.post(URL, {"material": level.material_id}), 405, "method_not_allowed")
    assert_error_shape(client.patch(f"{URL}{level.pk}/", {"on_hand": "999"}), 405, "method_not_allowed")
    assert_error_shape(client.delete(f"{URL}{level.pk}/"), 405, "method_not_allowed")
    level.refresh_from_db()
    assert level.on_hand == Decimal("100")


def test_stock_level_list_filters_and_orders(client_for):
    fabric, trim = MaterialFactory(code="FAB1", kind="fabric"), MaterialFactory(code="TRM1", kind="trim")
    main, cutting = WarehouseFactory(code="MAIN"), WarehouseFactory(code="CUT")
    ReceiptFactory(material=fabric, warehouse=main, quantity=Decimal("30"))
    ReceiptFactory(material=fabric, warehouse=cutting, quantity=Decimal("10"))
    ReceiptFactory(material=trim, warehouse=main, quantity=Decimal("20"))
    client = client_for("viewer")

    def rows(**params):
        return [(row["material_code"], row["warehouse_code"]) for row in client.get(URL, params).json()["results"]]

    assert rows(material=fabric.pk) == [("FAB1", "MAIN"), ("FAB1", "CUT")]
    assert rows(warehouse=main.pk) == [("FAB1", "MAIN"), ("TRM1", "MAIN")]
    assert rows(material__kind="trim") == [("TRM1", "MAIN")]
    assert rows(search="trm") == [("TRM1", "MAIN")]
    assert rows(ordering="-on_hand") == [("FAB1", "MAIN"), ("TRM1", "MAIN"), ("FAB1", "CUT")]


@pytest.mark.parametrize(("param", "value"), [("material", "999999"), ("warehouse", "abc"), ("material__kind", "wood")])
def test_stock_level_list_rejects_invalid_filter_values(client_for, param, value):
    error = assert_error_shape(client_for("viewer").get(URL, {param: value}), 400, "invalid")
    assert set(error["fields"]) == {param}


def test_stock_level_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    def make_rows(count):  # each level its own material and warehouse, so every join is exercised
        ReceiptFactory.create_batch(count)

    # 5 measured (session cached): user, permissions (2), count, page joining material and warehouse
    assert_queries_constant(client_for("viewer"), URL, make_rows, ceiling=6, params={"page_size": 100})
