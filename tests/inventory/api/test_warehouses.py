import pytest

from apps.inventory.models import Warehouse
from tests.helpers import assert_error_shape
from tests.inventory.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/warehouses/"
VALID = {"code": "DHK1", "name": "Dhaka main store", "address": "Plot 7, EPZ"}


def test_warehouse_list_requires_authentication(api_client):
    assert_error_shape(api_client.get(URL), 401, "not_authenticated")


def test_warehouse_user_without_role_can_neither_read_nor_write(client_for):
    client = client_for()
    assert_error_shape(client.get(URL), 403, "permission_denied")
    assert_error_shape(client.post(URL, VALID), 403, "permission_denied")
    assert not Warehouse.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "purchasing", "merchandiser", "sales"])
def test_warehouse_read_only_roles_read_but_cannot_write(client_for, role):
    warehouse = WarehouseFactory()
    client = client_for(role)
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{warehouse.pk}/").status_code == 200
    assert_error_shape(client.post(URL, VALID), 403, "permission_denied")
    assert_error_shape(client.patch(f"{URL}{warehouse.pk}/", {"name": "Hacked"}), 403, "permission_denied")
    assert Warehouse.objects.get().name != "Hacked"


def test_warehouse_warehouse_role_creates_a_warehouse(client_for):
    response = client_for("warehouse").post(URL, VALID)
    assert response.status_code == 201, response.json()
    warehouse = Warehouse.objects.get(code="DHK1")
    body = response.json()
    assert body["id"] == warehouse.pk
    assert set(body) == {"id", "code", "name", "address", "is_active", "created_at", "updated_at"}
    assert (body["name"], body["address"], body["is_active"]) == ("Dhaka main store", "Plot 7, EPZ", True)


def test_warehouse_create_invalid_input_gets_field_errors_and_writes_nothing(client_for):
    WarehouseFactory(code="DHK1")
    response = client_for("warehouse").post(URL, {"code": "DHK1", "name": "", "is_active": "perhaps"})
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == {"code", "name", "is_active"}
    assert Warehouse.objects.count() == 1


def test_warehouse_update_changes_details_but_never_the_code(client_for):
    warehouse = WarehouseFactory(code="DHK1", name="Old")
    response = client_for("warehouse").patch(
        f"{URL}{warehouse.pk}/", {"code": "OTHER", "name": "New", "is_active": False}
    )
    assert response.status_code == 200, response.json()
    warehouse.refresh_from_db()
    assert (warehouse.code, warehouse.name, warehouse.is_active) == ("DHK1", "New", False)
    assert response.json()["code"] == "DHK1"


def test_warehouse_full_update_without_code_is_accepted(client_for):
    warehouse = WarehouseFactory(code="DHK1")
    response = client_for("warehouse").put(
        f"{URL}{warehouse.pk}/", {"name": "Renamed", "address": "", "is_active": True}
    )
    assert response.status_code == 200, response.json()
    warehouse.refresh_from_db()
    assert (warehouse.code, warehouse.name, warehouse.address) == ("DHK1", "Renamed", "")


def test_warehouse_delete_is_not_offered_even_to_superusers(client_for):
    warehouse = WarehouseFactory()
    assert_error_shape(client_for(is_superuser=True).delete(f"{URL}{warehouse.pk}/"), 405, "method_not_allowed")
    assert Warehouse.objects.filter(pk=warehouse.pk).exists()


def test_warehouse_list_is_brief_and_detail_is_full(client_for):
    warehouse = WarehouseFactory()
    client = client_for("viewer")
    assert set(client.get(URL).json()["results"][0]) == {"id", "code", "name", "is_active"}
    detail = client.get(f"{URL}{warehouse.pk}/").json()
    assert set(detail) == {"id", "code", "name", "address", "is_active", "created_at", "updated_at"}


def test_warehouse_detail_of_unknown_id_is_404_in_error_shape(client_for):
    assert_error_shape(client_for("viewer").get(f"{URL}999999/"), 404, "not_found")


def test_warehouse_list_filters_searches_and_orders(client_for):
    WarehouseFactory(code="CTG1", name="Chittagong port", is_active=True)
    WarehouseFactory(code="DHK1", name="Dhaka main", is_active=True)
    WarehouseFactory(code="DHK2", name="Dhaka bonded", is_active=False)
    client = client_for("viewer")

    def codes(**params):
        return [row["code"] for row in client.get(URL, params).json()["results"]]

    assert codes() == ["CTG1", "DHK1", "DHK2"]
    assert codes(is_active="false") == ["DHK2"]
    assert codes(search="dhaka") == ["DHK1", "DHK2"]
    assert codes(search="ctg") == ["CTG1"]
    assert codes(ordering="-code") == ["DHK2", "DHK1", "CTG1"]
    assert codes(ordering="name") == ["CTG1", "DHK2", "DHK1"]


def test_warehouse_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    # 5 measured (session cached): user, permissions (2), count, page
    assert_queries_constant(
        client_for("viewer"), URL, WarehouseFactory.create_batch, ceiling=6, params={"page_size": 100}
    )
