from decimal import Decimal

import pytest

from apps.inventory.models import Material
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory, ReceiptFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/materials/"
VALID = {
    "code": "FAB-DEN-12",
    "name": "Denim 12oz indigo",
    "kind": "fabric",
    "unit": "m",
    "standard_cost": "3.2500",
    "reorder_level": "500",
}
LIST_FIELDS = {"id", "code", "name", "kind", "unit", "reorder_level", "on_hand", "is_active"}
DETAIL_FIELDS = LIST_FIELDS | {"standard_cost", "created_at", "updated_at"}


def test_material_list_requires_authentication(api_client):
    assert_error_shape(api_client.get(URL), 401, "not_authenticated")
    assert_error_shape(api_client.post(URL, VALID), 401, "not_authenticated")


def test_material_user_without_role_can_neither_read_nor_write(client_for):
    client = client_for()
    assert_error_shape(client.get(URL), 403, "permission_denied")
    assert_error_shape(client.post(URL, VALID), 403, "permission_denied")
    assert not Material.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "warehouse", "merchandiser", "sales"])
def test_material_roles_other_than_purchasing_read_but_cannot_write(client_for, role):
    material = MaterialFactory(name="Original")
    client = client_for(role)
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{material.pk}/").status_code == 200
    assert_error_shape(client.post(URL, VALID), 403, "permission_denied")
    assert_error_shape(client.patch(f"{URL}{material.pk}/", {"name": "Hacked"}), 403, "permission_denied")
    assert Material.objects.get().name == "Original"


def test_material_purchasing_creates_a_material(client_for):
    response = client_for("purchasing").post(URL, VALID)
    assert response.status_code == 201, response.json()
    material = Material.objects.get(code="FAB-DEN-12")
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    assert body["id"] == material.pk
    assert (body["standard_cost"], body["reorder_level"], body["on_hand"]) == ("3.2500", "500.000", "0.000")
    assert (material.kind, material.unit, material.reorder_level) == ("fabric", "m", Decimal("500"))


def test_material_create_invalid_input_gets_field_errors_and_writes_nothing(client_for):
    bad = {"code": "", "name": "", "kind": "leather", "unit": "bale", "standard_cost": "-1", "reorder_level": "x"}
    error = assert_error_shape(client_for("purchasing").post(URL, bad), 400, "invalid")
    assert set(error["fields"]) == {"code", "name", "kind", "unit", "standard_cost", "reorder_level"}
    assert not Material.objects.exists()


def test_material_create_negative_reorder_level_is_a_field_error(client_for):
    error = assert_error_shape(client_for("purchasing").post(URL, {**VALID, "reorder_level": "-5"}), 400, "invalid")
    assert set(error["fields"]) == {"reorder_level"}
    assert not Material.objects.exists()


def test_material_create_duplicate_code_is_refused(client_for):
    MaterialFactory(code="FAB-DEN-12", name="Original")
    error = assert_error_shape(client_for("purchasing").post(URL, VALID), 400, "invalid")
    assert set(error["fields"]) == {"code"}
    assert Material.objects.get().name == "Original"


def test_material_update_changes_details_but_never_the_code_and_keeps_on_hand(client_for):
    material = MaterialFactory(code="KEEP", reorder_level=Decimal("0"))
    ReceiptFactory(material=material, quantity=Decimal("40"))
    response = client_for("purchasing").patch(f"{URL}{material.pk}/", {"code": "OTHER", "reorder_level": "100"})
    assert response.status_code == 200, response.json()
    assert (response.json()["code"], response.json()["on_hand"]) == ("KEEP", "40.000")
    material.refresh_from_db()
    assert (material.code, material.reorder_level) == ("KEEP", Decimal("100"))


def test_material_update_invalid_input_leaves_the_row_untouched(client_for):
    material = MaterialFactory(unit="m")
    response = client_for("purchasing").patch(f"{URL}{material.pk}/", {"unit": "bale"})
    assert set(assert_error_shape(response, 400, "invalid")["fields"]) == {"unit"}
    material.refresh_from_db()
    assert material.unit == "m"


def test_material_delete_is_not_offered_even_to_superusers(client_for):
    material = MaterialFactory()
    assert_error_shape(client_for(is_superuser=True).delete(f"{URL}{material.pk}/"), 405, "method_not_allowed")
    assert Material.objects.filter(pk=material.pk).exists()


def test_material_list_is_brief_and_detail_is_full(client_for):
    material = MaterialFactory()
    client = client_for("viewer")
    assert set(client.get(URL).json()["results"][0]) == LIST_FIELDS
    assert set(client.get(f"{URL}{material.pk}/").json()) == DETAIL_FIELDS


def test_material_on_hand_sums_every_warehouse(client_for):
    material = MaterialFactory()
    ReceiptFactory(material=material, quantity=Decimal("10.5"))
    ReceiptFactory(material=material, quantity=Decimal("4"))
    ReceiptFactory(quantity=Decimal("99"))  # another material
    client = client_for("viewer")
    assert client.get(f"{URL}{material.pk}/").json()["on_hand"] == "14.500"
    rows = {row["code"]: row["on_hand"] for row in client.get(URL).json()["results"]}
    assert rows[material.code] == "14.500"


def test_material_below_reorder_filter_compares_stock_over_all_warehouses(client_for):
    short = MaterialFactory(code="SHORT", reorder_level=Decimal("100"))
    ReceiptFactory(material=short, quantity=Decimal("60"))
    ReceiptFactory(material=short, quantity=Decimal("39.999"))
    enough = MaterialFactory(code="ENOUGH", reorder_level=Decimal("100"))
    ReceiptFactory(material=enough, quantity=Decimal("50"))
    ReceiptFactory(material=enough, quantity=Decimal("50"))
    MaterialFactory(code="NONE", reorder_level=Decimal("1"))  # no stock anywhere
    MaterialFactory(code="NOLEVEL", reorder_level=Decimal("0"))  # no reorder level: never below it
    client = client_for("viewer")

    def codes(**params):
        return [row["code"] for row in client.get(URL, params).json()["results"]]

    assert codes(below_reorder="true") == ["NONE", "SHORT"]
    assert codes(below_reorder="false") == ["ENOUGH", "NOLEVEL"]
    assert codes() == ["ENOUGH", "NOLEVEL", "NONE", "SHORT"]


def test_material_list_filters_searches_and_orders(client_for):
    MaterialFactory(code="FAB1", name="Poplin", kind="fabric", unit="m", is_active=True)
    MaterialFactory(code="TRM1", name="Button 18L", kind="trim", unit="pcs", is_active=True)
    MaterialFactory(code="TRM2", name="Zip nylon", kind="trim", unit="pcs", is_active=False)
    ReceiptFactory(material=Material.objects.get(code="TRM2"), quantity=Decimal("5"))
    ReceiptFactory(material=Material.objects.get(code="FAB1"), quantity=Decimal("7"))
    client = client_for("viewer")

    def codes(**params):
        return [row["code"] for row in client.get(URL, params).json()["results"]]

    assert codes(kind="trim") == ["TRM1", "TRM2"]
    assert codes(unit="m") == ["FAB1"]
    assert codes(is_active="false") == ["TRM2"]
    assert codes(search="zip") == ["TRM2"]
    assert codes(search="fab") == ["FAB1"]
    assert codes(ordering="-on_hand") == ["FAB1", "TRM2", "TRM1"]
    assert codes(ordering="name") == ["TRM1", "FAB1", "TRM2"]


@pytest.mark.parametrize(("param", "value"), [("kind", "leather"), ("unit", "bale")])
def test_material_list_rejects_an_invalid_filter_value(client_for, param, value):
    error = assert_error_shape(client_for("viewer").get(URL, {param: value}), 400, "invalid")
    assert set(error["fields"]) == {param}


def test_material_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    def make_rows(count):
        for material in MaterialFactory.create_batch(count):  # with stock in two warehouses each
            ReceiptFactory(material=material)
            ReceiptFactory(material=material)

    # 5 measured (session cached): user, permissions (2), count, page with on-hand as a subquery
    client = client_for("viewer")
    assert_queries_constant(client, URL, make_rows, ceiling=6, params={"page_size": 100})
    assert_queries_constant(client, URL, make_rows, ceiling=6, params={"page_size": 100, "below_reorder": "true"})
