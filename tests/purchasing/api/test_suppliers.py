from decimal import Decimal

import pytest

from apps.purchasing.models import Supplier, SupplierMaterial
from tests.helpers import assert_error_shape
from tests.inventory.factories import MaterialFactory
from tests.purchasing.factories import SupplierFactory, SupplierMaterialFactory
from tests.purchasing.helpers import row_counts

pytestmark = pytest.mark.django_db

SUPPLIERS = "/api/v1/suppliers/"
SUPPLIER_MATERIALS = "/api/v1/supplier-materials/"
VALID = {"code": "MILL01", "name": "Dhaka Mills", "country": "BD", "currency": "USD", "email": "po@mill.example"}


# --- Suppliers -----------------------------------------------------------------------------


def test_supplier_list_requires_authentication(api_client):
    assert_error_shape(api_client.get(SUPPLIERS), 401, "not_authenticated")
    assert_error_shape(api_client.post(SUPPLIERS, VALID, format="json"), 401, "not_authenticated")
    assert not Supplier.objects.exists()


@pytest.mark.parametrize("roles", [(), ("sales",)])
def test_supplier_user_without_a_purchasing_role_can_neither_read_nor_write(client_for, roles):
    client = client_for(*roles)
    assert_error_shape(client.get(SUPPLIERS), 403, "permission_denied")
    assert_error_shape(client.post(SUPPLIERS, VALID, format="json"), 403, "permission_denied")
    assert not Supplier.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "warehouse", "merchandiser"])
def test_supplier_readers_read_but_cannot_write(client_for, role):
    supplier = SupplierFactory()
    client = client_for(role)
    assert client.get(SUPPLIERS).status_code == 200
    assert client.get(f"{SUPPLIERS}{supplier.pk}/").status_code == 200
    assert_error_shape(client.post(SUPPLIERS, VALID, format="json"), 403, "permission_denied")
    assert_error_shape(
        client.patch(f"{SUPPLIERS}{supplier.pk}/", {"name": "X"}, format="json"), 403, "permission_denied"
    )


def test_supplier_purchasing_creates_a_supplier(client_for):
    response = client_for("purchasing").post(SUPPLIERS, {**VALID, "lead_time_days": 21}, format="json")
    assert response.status_code == 201, response.json()
    supplier = Supplier.objects.get(code="MILL01")
    body = response.json()
    assert body["id"] == supplier.pk
    assert {key: body[key] for key in ("code", "name", "country", "currency", "lead_time_days", "is_active")} == {
        "code": "MILL01",
        "name": "Dhaka Mills",
        "country": "BD",
        "currency": "USD",
        "lead_time_days": 21,
        "is_active": True,
    }


def test_supplier_create_invalid_input_gets_field_errors_and_writes_nothing(client_for):
    bad = {"code": "", "name": "", "country": "Bangladesh", "currency": "US", "email": "nope", "lead_time_days": -1}
    error = assert_error_shape(client_for("purchasing").post(SUPPLIERS, bad, format="json"), 400, "invalid")
    assert set(error["fields"]) == {"code", "name", "country", "currency", "email", "lead_time_days"}
    assert not Supplier.objects.exists()


def test_supplier_create_refuses_a_duplicate_code(client_for):
    SupplierFactory(code="MILL01", name="Original")
    error = assert_error_shape(client_for("purchasing").post(SUPPLIERS, VALID, format="json"), 400, "invalid")
    assert "code" in error["fields"]
    assert Supplier.objects.get(code="MILL01").name == "Original"


def test_supplier_update_changes_details_but_never_the_code(client_for):
    supplier = SupplierFactory(code="KEEP")
    response = client_for("purchasing").patch(
        f"{SUPPLIERS}{supplier.pk}/", {"code": "OTHER", "is_active": False}, format="json"
    )
    assert response.status_code == 200, response.json()
    supplier.refresh_from_db()
    assert (supplier.code, supplier.is_active) == ("KEEP", False)


def test_supplier_update_invalid_input_leaves_the_row_untouched(client_for):
    supplier = SupplierFactory(currency="USD")
    response = client_for("purchasing").put(
        f"{SUPPLIERS}{supplier.pk}/", {"name": "Mill", "country": "BD", "currency": "dollars"}, format="json"
    )
    assert "currency" in assert_error_shape(response, 400, "invalid")["fields"]
    supplier.refresh_from_db()
    assert supplier.currency == "USD"


def test_supplier_delete_is_not_offered(client_for):
    supplier = SupplierFactory()
    assert_error_shape(client_for(is_superuser=True).delete(f"{SUPPLIERS}{supplier.pk}/"), 405, "method_not_allowed")
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_supplier_detail_of_unknown_id_is_404(client_for):
    assert_error_shape(client_for("viewer").get(f"{SUPPLIERS}999999/"), 404, "not_found")


def test_supplier_list_filters_searches_and_orders(client_for):
    SupplierFactory(code="A1", name="Alpha Mills", country="BD", currency="USD", is_active=True)
    SupplierFactory(code="B1", name="Beta Trims", country="CN", currency="CNY", is_active=True)
    SupplierFactory(code="C1", name="Gamma Mills", country="CN", currency="USD", is_active=False)
    client = client_for("viewer")

    def codes(**params):
        response = client.get(SUPPLIERS, params)
        assert response.status_code == 200, response.json()
        return [row["code"] for row in response.json()["results"]]

    assert codes() == ["A1", "B1", "C1"]  # by name
    assert codes(country="cn") == ["B1", "C1"]
    assert codes(currency="USD") == ["A1", "C1"]
    assert codes(is_active="false") == ["C1"]
    assert codes(search="mills") == ["A1", "C1"]
    assert codes(search="b1") == ["B1"]
    assert codes(ordering="-code") == ["C1", "B1", "A1"]


def test_supplier_list_rows_have_the_brief_shape(client_for):
    SupplierFactory()
    (row,) = client_for("viewer").get(SUPPLIERS).json()["results"]
    assert set(row) == {"id", "code", "name", "country", "currency", "lead_time_days", "is_active"}


def test_supplier_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    # session (cached, or the database), user, permissions (2), count, page
    assert_queries_constant(
        client_for("viewer"), SUPPLIERS, SupplierFactory.create_batch, ceiling=6, params={"page_size": 100}
    )


# --- What suppliers sell -------------------------------------------------------------------


def test_supplier_material_purchasing_creates_a_price(client_for):
    supplier, material = SupplierFactory(code="S1"), MaterialFactory(code="FAB1", name="Poplin")
    payload = {"supplier": supplier.pk, "material": material.pk, "unit_price": "4.2500", "is_preferred": True}
    response = client_for("purchasing").post(SUPPLIER_MATERIALS, payload, format="json")
    assert response.status_code == 201, response.json()
    row = SupplierMaterial.objects.get()
    assert response.json() == {
        "id": row.pk,
        "supplier": supplier.pk,
        "supplier_code": "S1",
        "material": material.pk,
        "material_code": "FAB1",
        "material_name": "Poplin",
        "unit_price": "4.2500",
        "is_preferred": True,
    }


def test_supplier_material_second_preferred_supplier_is_a_field_error_not_a_conflict(client_for):
    material = MaterialFactory()
    SupplierMaterialFactory(material=material, supplier=SupplierFactory(code="FIRST"), is_preferred=True)
    second = SupplierFactory()
    before = row_counts()
    payload = {"supplier": second.pk, "material": material.pk, "unit_price": "1.00", "is_preferred": True}
    response = client_for("purchasing").post(SUPPLIER_MATERIALS, payload, format="json")
    error = assert_error_shape(response, 400, "invalid")
    assert list(error["fields"]) == ["is_preferred"]
    assert "FIRST is already the preferred supplier" in error["fields"]["is_preferred"][0]
    assert row_counts() == before


def test_supplier_material_marking_a_second_preferred_on_update_is_a_field_error(client_for):
    material = MaterialFactory()
    SupplierMaterialFactory(material=material, is_preferred=True)
    other = SupplierMaterialFactory(material=material)
    response = client_for("purchasing").patch(f"{SUPPLIER_MATERIALS}{other.pk}/", {"is_preferred": True}, format="json")
    assert "is_preferred" in assert_error_shape(response, 400, "invalid")["fields"]
    other.refresh_from_db()
    assert not other.is_preferred


def test_supplier_material_same_supplier_and_material_twice_is_a_field_error(client_for):
    row = SupplierMaterialFactory()
    payload = {"supplier": row.supplier_id, "material": row.material_id, "unit_price": "1.00"}
    error = assert_error_shape(
        client_for("purchasing").post(SUPPLIER_MATERIALS, payload, format="json"), 400, "invalid"
    )
    assert list(error["fields"]) == ["material"]
    assert SupplierMaterial.objects.count() == 1


def test_supplier_material_unknown_ids_and_negative_price_are_refused_per_field(client_for):
    payload = {"supplier": 999999, "material": 999999, "unit_price": "-1"}
    error = assert_error_shape(
        client_for("purchasing").post(SUPPLIER_MATERIALS, payload, format="json"), 400, "invalid"
    )
    assert set(error["fields"]) == {"supplier", "material", "unit_price"}
    assert 'Invalid pk "999999"' in error["fields"]["supplier"][0]
    assert not SupplierMaterial.objects.exists()


def test_supplier_material_update_changes_price_but_not_supplier_or_material(client_for):
    row = SupplierMaterialFactory(unit_price=Decimal("2"))
    response = client_for("purchasing").patch(
        f"{SUPPLIER_MATERIALS}{row.pk}/",
        {"unit_price": "2.7500", "supplier": SupplierFactory().pk, "material": MaterialFactory().pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    changed = SupplierMaterial.objects.get(pk=row.pk)
    assert (changed.unit_price, changed.supplier_id, changed.material_id) == (
        Decimal("2.75"),
        row.supplier_id,
        row.material_id,
    )


def test_supplier_material_purchasing_deletes_a_price(client_for):
    row = SupplierMaterialFactory()
    assert client_for("purchasing").delete(f"{SUPPLIER_MATERIALS}{row.pk}/").status_code == 204
    assert not SupplierMaterial.objects.exists()


def test_supplier_material_permissions_per_role(client_for, api_client):
    row = SupplierMaterialFactory()
    payload = {"supplier": SupplierFactory().pk, "material": MaterialFactory().pk, "unit_price": "1.00"}
    for role in ("viewer", "warehouse"):
        client = client_for(role)
        assert client.get(SUPPLIER_MATERIALS).status_code == 200
        assert_error_shape(client.post(SUPPLIER_MATERIALS, payload, format="json"), 403, "permission_denied")
        assert_error_shape(client.delete(f"{SUPPLIER_MATERIALS}{row.pk}/"), 403, "permission_denied")
    assert_error_shape(client_for("merchandiser").get(SUPPLIER_MATERIALS), 403, "permission_denied")
    assert_error_shape(client_for().get(SUPPLIER_MATERIALS), 403, "permission_denied")
    assert_error_shape(api_client.get(SUPPLIER_MATERIALS), 401, "not_authenticated")
    assert SupplierMaterial.objects.count() == 1


def test_supplier_material_list_filters(client_for):
    supplier, material = SupplierFactory(), MaterialFactory()
    mine = SupplierMaterialFactory(supplier=supplier, is_preferred=True)
    other_of_material = SupplierMaterialFactory(material=material)
    both = SupplierMaterialFactory(supplier=supplier, material=material)
    client = client_for("viewer")

    def ids(**params):
        response = client.get(SUPPLIER_MATERIALS, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(supplier=supplier.pk) == {mine.pk, both.pk}
    assert ids(material=material.pk) == {other_of_material.pk, both.pk}
    assert ids(is_preferred="true") == {mine.pk}
    assert ids(supplier=supplier.pk, material=material.pk) == {both.pk}
    assert "supplier" in assert_error_shape(client.get(SUPPLIER_MATERIALS, {"supplier": "x"}), 400, "invalid")["fields"]


def test_supplier_material_list_query_count_is_the_same_for_5_and_50_rows(client_for, assert_queries_constant):
    # session (cached, or the database), user, permissions (2), count, page with supplier and material joined
    assert_queries_constant(
        client_for("viewer"),
        SUPPLIER_MATERIALS,
        SupplierMaterialFactory.create_batch,
        ceiling=6,
        params={"page_size": 100},
    )
