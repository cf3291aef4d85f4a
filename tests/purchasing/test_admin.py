from decimal import Decimal

import pytest
from django.test import Client

from apps.orders.choices import OrderStatus
from apps.purchasing.choices import PurchaseOrderStatus
from apps.purchasing.models import GoodsReceipt, PurchaseOrder, Supplier, SupplierMaterial
from tests.factories import UserFactory
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.purchasing.factories import (
    GoodsReceiptFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    SupplierFactory,
    SupplierMaterialFactory,
    purchase_order,
    sales_order,
)
from tests.purchasing.helpers import row_counts
from tests.samples.factories import StyleFactory, StyleMaterialFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/purchasing/"
REQUIREMENTS = f"{ADMIN}purchaseorder/requirements/"


@pytest.fixture
def staff_for(client):
    """staff_for("viewer") -> the Django test client logged in as a staff user with that role."""

    def make(*roles):
        client.force_login(UserFactory(roles=list(roles), is_staff=True))
        return client

    return make


# --- Changelists stay flat -----------------------------------------------------------------


def make_purchase_orders(count):
    for order in PurchaseOrderFactory.create_batch(count):
        PurchaseOrderLineFactory(purchase_order=order)


@pytest.mark.parametrize(
    ("changelist", "make_rows", "ceiling"),
    [
        # Measured (session from the cache): user, count of the page's query (never a full COUNT), page,
        # plus what the filters need: distinct countries and currencies; warehouses and the date hierarchy.
        ("supplier", SupplierFactory.create_batch, 6),
        ("suppliermaterial", SupplierMaterialFactory.create_batch, 4),
        ("purchaseorder", make_purchase_orders, 7),
        ("purchaseorderline", PurchaseOrderLineFactory.create_batch, 4),
        ("goodsreceipt", GoodsReceiptFactory.create_batch, 6),
    ],
)
def test_purchasing_changelist_query_count_is_the_same_for_5_and_50_rows(
    staff_client, assert_queries_constant, changelist, make_rows, ceiling
):
    # The ceilings allow one more query than measured: the session, when it is not in the cache.
    assert_queries_constant(staff_client, f"{ADMIN}{changelist}/", make_rows, ceiling=ceiling)


def test_purchase_order_changelist_links_to_the_requirements_page(staff_client):
    assert f'href="{REQUIREMENTS}"' in staff_client.get(f"{ADMIN}purchaseorder/").content.decode()


def test_purchase_order_changelist_searches_by_number_and_supplier(staff_client):
    PurchaseOrderFactory(number="PO-FIND", supplier=SupplierFactory(code="ALPHA"))
    PurchaseOrderFactory(number="PO-OTHER", supplier=SupplierFactory(code="BETA"))
    for query in ("po-find", "alpha"):
        response = staff_client.get(f"{ADMIN}purchaseorder/", {"q": query})
        assert [order.number for order in response.context["cl"].result_list] == ["PO-FIND"]


def test_purchase_order_line_changelist_filters_outstanding_lines(staff_client):
    material = MaterialFactory()
    open_order = purchase_order(lines=[(material, "10", "1")], status=PurchaseOrderStatus.SENT)
    purchase_order(lines=[(material, "10", "1")], status=PurchaseOrderStatus.CANCELLED)
    response = staff_client.get(f"{ADMIN}purchaseorderline/", {"outstanding": "yes"})
    assert [line.purchase_order for line in response.context["cl"].result_list] == [open_order]


# --- Purchase orders -----------------------------------------------------------------------


def test_purchase_order_admin_creates_a_draft_with_lines(staff_client):
    supplier, warehouse, material = SupplierFactory(currency="EUR"), WarehouseFactory(), MaterialFactory()
    response = staff_client.post(
        f"{ADMIN}purchaseorder/add/",
        {
            "supplier": supplier.pk,
            "warehouse": warehouse.pk,
            "order_date": "2027-03-01",
            "currency": "EUR",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-material": material.pk,
            "lines-0-quantity": "12.5",
            "lines-0-unit_price": "2",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    order = PurchaseOrder.objects.get()
    assert (order.number[:2], order.status, order.total, order.lines.count()) == ("PO", "draft", Decimal("25.00"), 1)


def test_purchase_order_admin_refuses_an_inactive_supplier_on_the_form(staff_client):
    supplier = SupplierFactory(code="GONE", is_active=False)
    response = staff_client.post(
        f"{ADMIN}purchaseorder/add/",
        {
            "supplier": supplier.pk,
            "warehouse": WarehouseFactory().pk,
            "order_date": "2027-03-01",
            "currency": "USD",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-material": MaterialFactory().pk,
            "lines-0-quantity": "1",
            "lines-0-unit_price": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["supplier"] == ["Supplier GONE is inactive."]
    assert not PurchaseOrder.objects.exists()


def test_purchase_order_admin_shows_a_sent_order_read_only(staff_client):
    order = purchase_order(lines=[(MaterialFactory(), "10", "1")], status=PurchaseOrderStatus.SENT)
    page = staff_client.get(f"{ADMIN}purchaseorder/{order.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    response = staff_client.post(f"{ADMIN}purchaseorder/{order.pk}/change/", {"notes": "Edited after sending"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.notes == ""


def test_purchase_order_admin_send_and_cancel_actions_go_through_the_workflow(staff_client):
    draft = purchase_order(lines=[(MaterialFactory(), "10", "1")])
    cancelled = purchase_order(lines=[(MaterialFactory(), "10", "1")], status=PurchaseOrderStatus.CANCELLED)
    response = staff_client.post(
        f"{ADMIN}purchaseorder/",
        {"action": "move_to_sent", "_selected_action": [draft.pk, cancelled.pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "1 moved to sent." in content and "cannot go from &#x27;cancelled&#x27; to &#x27;sent&#x27;" in content
    assert PurchaseOrder.objects.get(pk=draft.pk).status == PurchaseOrderStatus.SENT
    staff_client.post(f"{ADMIN}purchaseorder/", {"action": "move_to_cancelled", "_selected_action": [draft.pk]})
    assert PurchaseOrder.objects.get(pk=draft.pk).status == PurchaseOrderStatus.CANCELLED


def test_purchase_order_admin_receive_outstanding_is_a_warehouse_action(staff_for):
    material, warehouse = MaterialFactory(), WarehouseFactory()
    order = purchase_order(lines=[(material, "10", "1")], warehouse=warehouse, status=PurchaseOrderStatus.SENT)
    client = staff_for("warehouse")
    response = client.post(
        f"{ADMIN}purchaseorder/", {"action": "receive_outstanding", "_selected_action": [order.pk]}, follow=True
    )
    assert "1 purchase order(s) received." in response.content.decode()
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrderStatus.RECEIVED
    assert material.stock_levels.get(warehouse=warehouse).on_hand == Decimal(10)


def test_purchase_order_admin_receive_outstanding_is_not_offered_to_purchasing(staff_for):
    order = purchase_order(lines=[(MaterialFactory(), "10", "1")], status=PurchaseOrderStatus.SENT)
    client = staff_for("purchasing")
    action_field = client.get(f"{ADMIN}purchaseorder/").context["action_form"].fields["action"]
    assert "receive_outstanding" not in [name for name, _ in action_field.choices]
    client.post(f"{ADMIN}purchaseorder/", {"action": "receive_outstanding", "_selected_action": [order.pk]})
    assert not GoodsReceipt.objects.exists()


def test_goods_receipt_admin_is_read_only(staff_client):
    receipt = GoodsReceiptFactory()
    assert staff_client.get(f"{ADMIN}goodsreceipt/add/").status_code == 403
    assert staff_client.get(f"{ADMIN}goodsreceipt/{receipt.pk}/delete/").status_code == 403


# --- Suppliers and what they sell --------------------------------------------------------


def test_supplier_admin_inline_second_preferred_supplier_is_a_form_error(staff_client):
    material = MaterialFactory()
    SupplierMaterialFactory(material=material, supplier=SupplierFactory(code="FIRST"), is_preferred=True)
    response = staff_client.post(
        f"{ADMIN}supplier/add/",
        {
            "code": "SECOND",
            "name": "Second Mill",
            "country": "BD",
            "currency": "USD",
            "lead_time_days": "30",
            "is_active": "on",
            "materials-TOTAL_FORMS": "1",
            "materials-INITIAL_FORMS": "0",
            "materials-MIN_NUM_FORMS": "0",
            "materials-MAX_NUM_FORMS": "1000",
            "materials-0-material": material.pk,
            "materials-0-unit_price": "3.5",
            "materials-0-is_preferred": "on",
        },
    )
    assert response.status_code == 200
    (formset,) = [inline.formset for inline in response.context["inline_admin_formsets"]]
    assert "FIRST is already the preferred supplier" in str(formset.errors)
    assert not Supplier.objects.filter(code="SECOND").exists()


def test_supplier_material_admin_creates_and_refuses_a_second_preferred(staff_client):
    material = MaterialFactory()
    first, second = SupplierFactory(), SupplierFactory()
    url = f"{ADMIN}suppliermaterial/add/"
    data = {"material": material.pk, "unit_price": "2", "is_preferred": "on"}
    assert staff_client.post(url, {**data, "supplier": first.pk}).status_code == 302
    response = staff_client.post(url, {**data, "supplier": second.pk})
    assert response.status_code == 200
    assert "is already the preferred supplier" in str(response.context["adminform"].form.errors)
    assert list(SupplierMaterial.objects.values_list("supplier_id", flat=True)) == [first.pk]


def test_supplier_material_admin_change_refuses_a_second_preferred(staff_client):
    material = MaterialFactory()
    SupplierMaterialFactory(material=material, is_preferred=True)
    other = SupplierMaterialFactory(material=material)
    response = staff_client.post(
        f"{ADMIN}suppliermaterial/{other.pk}/change/", {"unit_price": "9", "is_preferred": "on"}
    )
    assert response.status_code == 200
    assert "is already the preferred supplier" in str(response.context["adminform"].form.errors)
    other.refresh_from_db()
    assert (other.is_preferred, other.unit_price) == (False, Decimal("3.25"))


# --- Material requirements page ----------------------------------------------------------


def test_requirements_page_shows_the_shortage_table(staff_client, example):
    response = staff_client.get(REQUIREMENTS)
    assert response.status_code == 200
    rows = [(row.code, row.required, row.shortage, row.preferred_supplier_code) for row in response.context["page_obj"]]
    assert rows == [
        ("FAB1", Decimal("418.000"), Decimal("67.500"), "S1"),
        ("FAB2", Decimal("387.488"), Decimal("237.488"), "S2"),
        ("TRM2", Decimal("320.000"), Decimal("300.000"), None),
        ("TRM3", Decimal("250.000"), Decimal("250.000"), "S1"),
    ]
    content = response.content.decode()
    assert "237.488" in content and 'id="draft-purchase-orders"' in content


def test_requirements_page_all_shows_covered_materials(staff_client, example):
    response = staff_client.get(REQUIREMENTS, {"all": "1"})
    assert [row.code for row in response.context["page_obj"]] == ["FAB1", "FAB2", "TRM1", "TRM2", "TRM3"]


def test_requirements_page_query_count_is_the_same_for_5_and_50_rows(staff_client, assert_queries_constant):
    style = StyleFactory()
    sales_order(lines=[(style, "navy", "M", 100)], status=OrderStatus.CONFIRMED)

    def make_rows(count):
        for index, material in enumerate(MaterialFactory.create_batch(count)):
            StyleMaterialFactory(style=style, material=material)
            if index % 2:
                SupplierMaterialFactory(material=material, is_preferred=True)

    # session (cached, or the database), user, count, page of requirements (one query), warehouses for the form
    assert_queries_constant(staff_client, REQUIREMENTS, make_rows, ceiling=5)


def test_requirements_page_drafts_purchase_orders_and_reports_them(staff_for, example):
    client = staff_for("purchasing")
    response = client.post(REQUIREMENTS, {"warehouse": example["w1"].pk})
    assert response.status_code == 302 and response["Location"] == REQUIREMENTS
    drafts = PurchaseOrder.objects.filter(status="draft", warehouse=example["w1"]).order_by("number")
    assert [draft.supplier.code for draft in drafts] == ["S1", "S2"]
    content = client.get(REQUIREMENTS).content.decode()
    assert f"Drafted 2 purchase order(s): {drafts[0].number} (S1), {drafts[1].number} (S2)." in content
    assert "Skipped 1 material(s) without a preferred supplier: TRM2." in content

    client.post(REQUIREMENTS, {"warehouse": example["w1"].pk})
    assert "No shortages to draft purchase orders for." in client.get(REQUIREMENTS).content.decode()
    assert PurchaseOrder.objects.filter(status="draft").count() == 3  # the example's draft and the two new


def test_requirements_page_without_a_warehouse_shows_the_form_error(staff_for, example):
    before = row_counts()
    response = staff_for("purchasing").post(REQUIREMENTS, {"warehouse": ""})
    assert response.status_code == 200 and "warehouse" in response.context["form"].errors
    assert row_counts() == before


def test_requirements_page_is_read_only_for_a_viewer(staff_for, example):
    client = staff_for("viewer")
    response = client.get(REQUIREMENTS)
    assert response.status_code == 200 and not response.context["can_draft"]
    assert 'id="draft-purchase-orders"' not in response.content.decode()
    before = row_counts()
    assert client.post(REQUIREMENTS, {"warehouse": example["w1"].pk}).status_code == 403
    assert row_counts() == before


def test_requirements_page_is_refused_without_view_purchase_order(staff_for, client):
    assert staff_for("sales").get(REQUIREMENTS).status_code == 403
    client.logout()
    client.force_login(UserFactory(roles=["purchasing"], is_staff=False))
    response = client.get(REQUIREMENTS)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_requirements_page_post_needs_csrf(example):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=["purchasing"], is_staff=True))
    before = row_counts()
    assert client.post(REQUIREMENTS, {"warehouse": example["w1"].pk}).status_code == 403
    assert row_counts() == before
