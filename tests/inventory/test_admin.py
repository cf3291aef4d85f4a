from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.admin.widgets import AutocompleteSelect

from apps.inventory.models import Material, StockLevel, StockMovement, Warehouse
from tests.factories import UserFactory
from tests.inventory.factories import MaterialFactory, ReceiptFactory, WarehouseFactory
from tests.inventory.helpers import assert_ledger_matches_levels

pytestmark = pytest.mark.django_db

ADMIN = "/admin/inventory"


@pytest.fixture
def warehouse_staff(client):
    """The Django test client logged in as a staff member with the warehouse role."""
    client.force_login(UserFactory(username="storekeeper", roles=["warehouse"], is_staff=True))
    return client


@pytest.fixture
def stocked():
    material, main, cutting = MaterialFactory(code="FAB1"), WarehouseFactory(code="MAIN"), WarehouseFactory(code="CUT")
    ReceiptFactory(material=material, warehouse=main, quantity=Decimal("10"))
    return material, main, cutting


def changelist_rows(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


# --- changelists: constant queries, no full count ---------------------------------------------------


def test_warehouse_changelist_query_count_is_the_same_for_5_and_50_rows(staff_client, assert_queries_constant):
    # 3 measured: user, count, page (the session comes from the cache; no second, full count)
    assert_queries_constant(staff_client, f"{ADMIN}/warehouse/", WarehouseFactory.create_batch, ceiling=4)


def test_material_changelist_query_count_is_the_same_for_5_and_50_rows(staff_client, assert_queries_constant):
    def make_rows(count):
        for material in MaterialFactory.create_batch(count):
            ReceiptFactory(material=material)

    # 3 measured: user, count, page with on-hand as a subquery
    assert_queries_constant(staff_client, f"{ADMIN}/material/", make_rows, ceiling=4)
    assert_queries_constant(staff_client, f"{ADMIN}/material/", make_rows, ceiling=4, params={"below_reorder": "yes"})


def test_stock_level_changelist_query_count_is_the_same_for_5_and_50_rows(staff_client, assert_queries_constant):
    # 4 measured: user, count, page with material and warehouse joined, warehouse filter choices
    assert_queries_constant(staff_client, f"{ADMIN}/stocklevel/", ReceiptFactory.create_batch, ceiling=5)


def test_stock_movement_changelist_query_count_is_the_same_for_5_and_50_rows(staff_client, assert_queries_constant):
    # session, user, filtered count, page with material, warehouse and author joined, warehouse filter choices
    url = f"{ADMIN}/ledgerentry/"
    assert_queries_constant(staff_client, url, ReceiptFactory.create_batch, ceiling=6)
    assert_queries_constant(
        staff_client, url, ReceiptFactory.create_batch, ceiling=6, params={"kind__exact": "receipt"}
    )


@pytest.mark.parametrize("model", ["warehouse", "material", "stocklevel", "ledgerentry"])
def test_inventory_changelists_never_count_the_whole_table(staff_client, model):
    ReceiptFactory.create_batch(3)
    response = staff_client.get(f"{ADMIN}/{model}/", {"q": "no such thing"})
    assert response.context["cl"].full_result_count is None


def test_stock_movement_changelist_has_no_date_hierarchy_but_a_date_filter(staff_client):
    ReceiptFactory()
    response = staff_client.get(f"{ADMIN}/ledgerentry/", {"created_at__gte": "2000-01-01 00:00:00+00:00"})
    assert response.context["cl"].date_hierarchy is None
    assert len(changelist_rows(response)) == 1


# --- changelist search and filters --------------------------------------------------------------


def test_material_changelist_shows_on_hand_and_filters_below_reorder(staff_client):
    short, enough = MaterialFactory(code="SHORT", reorder_level=50), MaterialFactory(code="ENOUGH", reorder_level=5)
    ReceiptFactory(material=short, quantity=Decimal("20"))
    ReceiptFactory(material=short, quantity=Decimal("20"))
    ReceiptFactory(material=enough, quantity=Decimal("5"))
    url = f"{ADMIN}/material/"
    assert [(m.code, m.on_hand) for m in changelist_rows(staff_client.get(url))] == [("ENOUGH", 5), ("SHORT", 40)]
    assert [m.code for m in changelist_rows(staff_client.get(url, {"below_reorder": "yes"}))] == ["SHORT"]
    assert [m.code for m in changelist_rows(staff_client.get(url, {"below_reorder": "no"}))] == ["ENOUGH"]
    by_on_hand = f"-{staff_client.get(url).context['cl'].list_display.index('on_hand')}"
    assert [m.code for m in changelist_rows(staff_client.get(url, {"o": by_on_hand}))] == ["SHORT", "ENOUGH"]


def test_stock_changelists_search_and_filter(staff_client, stocked):
    _, _, cutting = stocked
    ReceiptFactory(material=MaterialFactory(code="TRM1", kind="trim"), warehouse=cutting)
    levels = changelist_rows(staff_client.get(f"{ADMIN}/stocklevel/", {"q": "fab1"}))
    assert [(lv.material.code, lv.warehouse.code) for lv in levels] == [("FAB1", "MAIN")]
    levels = changelist_rows(staff_client.get(f"{ADMIN}/stocklevel/", {"material__kind__exact": "trim"}))
    assert [lv.material.code for lv in levels] == ["TRM1"]
    lines = changelist_rows(staff_client.get(f"{ADMIN}/ledgerentry/", {"warehouse__id__exact": cutting.pk}))
    assert [line.material.code for line in lines] == ["TRM1"]


# --- posting from the admin --------------------------------------------------------------------------


def test_stock_movement_add_form_uses_autocomplete_for_every_foreign_key(warehouse_staff):
    response = warehouse_staff.get(f"{ADMIN}/ledgerentry/add/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields) == ["kind", "material", "warehouse", "to_warehouse", "quantity", "note"]
    for name in ("material", "warehouse", "to_warehouse"):
        widget = form.fields[name].widget
        assert isinstance(getattr(widget, "widget", widget), AutocompleteSelect), name  # unwrap the add/change links


def test_stock_movement_admin_autocomplete_finds_warehouses_for_warehouse_staff(warehouse_staff, stocked):
    response = warehouse_staff.get(
        "/admin/autocomplete/",
        {"app_label": "inventory", "model_name": "ledgerentry", "field_name": "warehouse", "term": "cu"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == [str(stocked[2])]


def test_stock_movement_admin_posts_a_receipt_through_the_services(warehouse_staff, stocked):
    material, main, _ = stocked
    response = warehouse_staff.post(
        f"{ADMIN}/ledgerentry/add/",
        {"kind": "receipt", "material": material.pk, "warehouse": main.pk, "quantity": "2.5", "note": "Roll 9"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    movement = StockMovement.objects.latest("id")
    assert (movement.kind, movement.quantity, movement.balance_after, movement.note) == (
        "receipt",
        Decimal("2.5"),
        Decimal("12.5"),
        "Roll 9",
    )
    assert movement.created_by.username == "storekeeper"
    assert StockLevel.objects.get(material=material, warehouse=main).on_hand == Decimal("12.5")
    assert LogEntry.objects.get().object_id == str(movement.id)


def test_stock_movement_admin_posts_a_transfer_as_two_lines(warehouse_staff, stocked):
    material, main, cutting = stocked
    data = {"kind": "transfer", "material": material.pk, "warehouse": main.pk, "to_warehouse": cutting.pk}
    response = warehouse_staff.post(f"{ADMIN}/ledgerentry/add/", {**data, "quantity": "4", "note": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    levels = dict(StockLevel.objects.values_list("warehouse__code", "on_hand"))
    assert levels == {"MAIN": Decimal("6"), "CUT": Decimal("4")}
    assert StockMovement.objects.filter(kind="transfer").count() == 2
    assert_ledger_matches_levels()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "issue", "quantity": "11"}, "quantity"),  # more than on hand
        ({"kind": "issue", "quantity": "-1"}, "quantity"),
        ({"kind": "transfer", "quantity": "1"}, "to_warehouse"),  # no destination
        ({"kind": "transfer", "quantity": "1", "to_warehouse": "main"}, "to_warehouse"),  # the same warehouse
        ({"kind": "receipt", "quantity": "1", "to_warehouse": "cut"}, "to_warehouse"),
        ({"kind": "adjustment", "quantity": "-1"}, "note"),
        ({"kind": "receipt", "quantity": "1.0001"}, "quantity"),
        ({"kind": "loan", "quantity": "1"}, "kind"),
    ],
)
def test_stock_movement_admin_refusals_are_form_errors_and_write_nothing(warehouse_staff, stocked, data, field):
    material, main, cutting = stocked
    destinations = {"main": main.pk, "cut": cutting.pk}
    if "to_warehouse" in data:
        data = {**data, "to_warehouse": destinations[data["to_warehouse"]]}
    before = list(StockLevel.objects.values_list("warehouse_id", "on_hand")), StockMovement.objects.count()
    response = warehouse_staff.post(
        f"{ADMIN}/ledgerentry/add/", {"material": material.pk, "warehouse": main.pk, "note": "", **data}
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert (list(StockLevel.objects.values_list("warehouse_id", "on_hand")), StockMovement.objects.count()) == before
    assert not LogEntry.objects.exists()


def test_stock_movement_admin_viewer_sees_the_ledger_but_cannot_post(client, stocked):
    material, main, _ = stocked
    client.force_login(UserFactory(roles=["viewer"], is_staff=True))
    assert client.get(f"{ADMIN}/ledgerentry/").status_code == 200
    assert client.get(f"{ADMIN}/ledgerentry/add/").status_code == 403
    data = {"kind": "receipt", "material": material.pk, "warehouse": main.pk, "quantity": "1"}
    assert client.post(f"{ADMIN}/ledgerentry/add/", data).status_code == 403
    assert StockMovement.objects.count() == 1


def test_stock_movement_admin_keeps_the_ledger_read_only_even_for_superusers(staff_client, stocked):
    movement = StockMovement.objects.get()
    page = staff_client.get(f"{ADMIN}/ledgerentry/{movement.id}/change/")
    assert page.status_code == 200
    assert page.context["title"].startswith("View")
    assert "quantity" in page.context["adminform"].readonly_fields
    assert staff_client.post(f"{ADMIN}/ledgerentry/{movement.id}/change/", {"quantity": "99"}).status_code == 403
    assert staff_client.get(f"{ADMIN}/ledgerentry/{movement.id}/delete/").status_code == 403
    movement.refresh_from_db()
    assert movement.quantity == Decimal("10")


def test_stock_level_admin_is_read_only_even_for_superusers(staff_client, stocked):
    level = StockLevel.objects.get()
    assert staff_client.get(f"{ADMIN}/stocklevel/add/").status_code == 403
    assert staff_client.post(f"{ADMIN}/stocklevel/{level.pk}/change/", {"on_hand": "99"}).status_code == 403
    assert staff_client.get(f"{ADMIN}/stocklevel/{level.pk}/delete/").status_code == 403
    level.refresh_from_db()
    assert level.on_hand == Decimal("10")


# --- master data ---------------------------------------------------------------------------------------


def test_warehouse_admin_creates_then_fixes_the_code_and_offers_no_delete(warehouse_staff):
    response = warehouse_staff.post(f"{ADMIN}/warehouse/add/", {"code": "DHK1", "name": "Dhaka", "is_active": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    warehouse = Warehouse.objects.get(code="DHK1")
    change_page = warehouse_staff.get(f"{ADMIN}/warehouse/{warehouse.pk}/change/")
    assert "code" not in change_page.context["adminform"].form.fields
    assert warehouse_staff.get(f"{ADMIN}/warehouse/{warehouse.pk}/delete/").status_code == 403


def test_material_admin_refuses_negative_amounts_per_field(staff_client):
    response = staff_client.post(
        f"{ADMIN}/material/add/",
        {"code": "FAB1", "name": "Poplin", "kind": "fabric", "unit": "m", "standard_cost": "-1", "reorder_level": "-1"},
    )
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"standard_cost", "reorder_level"}
    assert not Material.objects.exists()


def test_material_admin_fixes_the_code_and_offers_no_delete(staff_client):
    material = MaterialFactory()
    change_page = staff_client.get(f"{ADMIN}/material/{material.pk}/change/")
    assert "code" not in change_page.context["adminform"].form.fields
    assert staff_client.get(f"{ADMIN}/material/{material.pk}/delete/").status_code == 403
